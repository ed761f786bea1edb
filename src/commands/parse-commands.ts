/** A slash command found in a comment. */
export interface SlashCommand {
  /** Lower-case, without the slash. */
  name: string;
  /** Positional arguments (quotes group words). */
  args: string[];
  /** `key=value` arguments (`key="a b"` keeps the spaces). */
  named: Record<string, string>;
  /**
   * The command's free text: the rest of its line, or, when that is empty,
   * the lines after it up to the next command.
   */
  text: string;
  /** 1-based line of the comment the command is on. */
  line: number;
}

const COMMAND = /^ {0,3}\/([A-Za-z][A-Za-z0-9-]*)(?:[ \t]+(.*))?$/;
/** A code fence as CommonMark reads it: 3+ backticks or tildes. */
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const WORD =
  /([A-Za-z][\w-]*=)(?:"([^"]*)"|'([^']*)'|(\S*))|"([^"]*)"|'([^']*)'|(\S+)/g;

/**
 * A line that ends a paragraph, so cannot continue a block quote lazily:
 * a heading, a thematic break, a list item, an HTML block of the kinds
 * that may interrupt a paragraph (not every tag: `<span>` continues it).
 */
const INTERRUPTS =
  /^ {0,3}(?:#{1,6}(?:\s|$)|([-*_])(?:[ \t]*\1){2,}[ \t]*$|[-+*][ \t]+\S|1[.)][ \t]+\S|<(?:pre|script|style|textarea)(?:[\s>]|$)|<\/?(?:address|article|aside|blockquote|details|dialog|div|dl|fieldset|figure|footer|form|h[1-6]|header|hr|li|main|nav|ol|p|section|summary|table|ul)(?:[\s/>]|$))/i;

/**
 * An HTML block whose lines are not commands: `<pre>` up to the line with
 * `</pre>` (as CommonMark ends it), `<details>` up to its matching
 * `</details>` (over blank lines too: what is folded away is not a
 * command).
 */
type HtmlBlock = { tag: "pre" } | { tag: "details"; depth: number };

function openHtmlBlock(line: string): HtmlBlock | undefined {
  const match = /^ {0,3}<(pre|details)(?=[\s>]|$)/i.exec(line);
  if (!match) return undefined;
  return (match[1] ?? "").toLowerCase() === "pre"
    ? { tag: "pre" }
    : { tag: "details", depth: 0 };
}

/** The block after one more of its lines; undefined once it has ended. */
function continueHtmlBlock(
  block: HtmlBlock,
  raw: string,
  first = false,
): HtmlBlock | undefined {
  const line = maskCode(raw);
  if (block.tag === "pre") {
    const close = line.search(/<\/pre>/i);
    const start = first ? line.search(/<pre/i) : -1;
    return close !== -1 && close > start ? undefined : block;
  }
  const opened = line.match(/<details(?=[\s>]|$)/gi)?.length ?? 0;
  const closed = line.match(/<\/details\s*>/gi)?.length ?? 0;
  const depth = block.depth + opened - closed;
  return depth > 0 ? { tag: "details", depth } : undefined;
}

function splitWords(text: string): {
  args: string[];
  named: Record<string, string>;
} {
  const args: string[] = [];
  const named: Record<string, string> = {};
  for (const match of text.matchAll(WORD)) {
    const [, key, keyDoubled, keySingle, keyBare, doubled, single, bare] =
      match;
    if (key) named[key.slice(0, -1)] = keyDoubled ?? keySingle ?? keyBare ?? "";
    else args.push(doubled ?? single ?? bare ?? "");
  }
  return { args, named };
}

/** A line with its code spans blanked: what is in them is text. */
function maskCode(line: string): string {
  return line.replace(/(`+)[^`]*?\1/g, (span) => " ".repeat(span.length));
}

/**
 * Removes HTML comments from a line; `open` says whether one is still open.
 * A `<!--` inside inline code (`` `<!--` ``) is text, not a comment.
 */
function stripComments(
  line: string,
  open: boolean,
): { text: string; open: boolean } {
  const masked = maskCode(line);
  let text = "";
  let at = 0;
  let inComment = open;
  for (;;) {
    if (inComment) {
      const end = masked.indexOf("-->", at);
      if (end === -1) return { text, open: true };
      at = end + 3;
      inComment = false;
    }
    const start = masked.indexOf("<!--", at);
    if (start === -1) return { text: text + line.slice(at), open: false };
    text += line.slice(at, start);
    at = start + 4;
    inComment = true;
  }
}

/**
 * Reads the slash commands of a comment: lines that begin with `/`, outside
 * code blocks (fenced, as CommonMark closes them, or indented), block quotes
 * (with their lazy continuation lines), `<pre>` and `<details>` blocks and
 * HTML comments, so that quoting someone's command does not run it.
 */
export function parseCommands(body: string): SlashCommand[] {
  const lines = body.split(/\r?\n/);
  const commands: SlashCommand[] = [];
  let fence: { char: string; length: number } | undefined;
  let inComment = false;
  let html: HtmlBlock | undefined;
  /** The last line was a block quote's text: a plain line continues it. */
  let inQuote = false;
  let current: SlashCommand | undefined;
  let collecting = false;
  lines.forEach((raw, index) => {
    if (html !== undefined) {
      html = continueHtmlBlock(html, raw);
      return;
    }
    const fenceMatch = inComment ? null : FENCE.exec(raw);
    if (fence !== undefined) {
      // Only a fence of the same character, at least as long, with nothing after it, closes.
      const marker = fenceMatch?.[1] ?? "";
      if (
        fenceMatch &&
        marker[0] === fence.char &&
        marker.length >= fence.length &&
        (fenceMatch[2] ?? "").trim() === ""
      ) {
        fence = undefined;
      }
      return;
    }
    if (fenceMatch) {
      const marker = fenceMatch[1] ?? "";
      // A backtick fence's info string may not contain a backtick.
      if (marker[0] !== "`" || !(fenceMatch[2] ?? "").includes("`")) {
        fence = { char: marker[0] ?? "`", length: marker.length };
        collecting = false;
        inQuote = false;
        return;
      }
    }
    const stripped = stripComments(raw, inComment);
    inComment = stripped.open;
    const line = stripped.text;
    if (line.trim() === "") {
      inQuote = false;
    } else if (/^ {0,3}>/.test(line)) {
      // `>` alone is a blank line of the quote: what follows is not in it.
      inQuote = !/^ {0,3}>\s*$/.test(line);
    } else if (inQuote) {
      // CommonMark: a line after a quote's text, with no blank line
      // between, continues the quote ("lazy continuation") unless it
      // starts another block. A command line starts none.
      if (!INTERRUPTS.test(line)) return;
      inQuote = false;
    }
    html = openHtmlBlock(line);
    if (html !== undefined) {
      collecting = false;
      html = continueHtmlBlock(html, line, true);
      return;
    }
    const match = COMMAND.exec(line);
    if (match) {
      const rest = (match[2] ?? "").trim();
      current = {
        name: (match[1] ?? "").toLowerCase(),
        ...splitWords(rest),
        text: rest,
        line: index + 1,
      };
      commands.push(current);
      collecting = rest === "";
      return;
    }
    const quoted = /^ {0,3}>/.test(line);
    const indented = /^( {4}|\t)/.test(line);
    if (collecting && current && !quoted && !indented) {
      current.text =
        current.text === ""
          ? line.trim()
          : `${current.text}\n${line.trimEnd()}`;
    }
  });
  for (const command of commands) command.text = command.text.trim();
  return commands;
}
