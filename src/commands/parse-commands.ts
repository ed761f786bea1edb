/** A slash command found in a comment. */
export interface SlashCommand {
  /** Lower-case, without the slash. */
  name: string;
  /** Positional arguments (quotes group words). */
  args: string[];
  /** `key=value` arguments. */
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
const FENCE = /^ {0,3}(```|~~~)/;

function splitArgs(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    out.push(match[1] ?? match[2] ?? match[3] ?? "");
  }
  return out;
}

/**
 * Reads the slash commands of a comment: lines that begin with `/`, outside
 * code blocks (fenced or indented), block quotes and HTML comments, so that
 * quoting someone's command does not run it.
 */
export function parseCommands(body: string): SlashCommand[] {
  const lines = body
    .replace(/<!--[\s\S]*?(?:-->|$)/g, (c) => c.replace(/[^\n]/g, ""))
    .split(/\r?\n/);
  const commands: SlashCommand[] = [];
  let fence: string | undefined;
  let current: SlashCommand | undefined;
  let collecting = false;
  lines.forEach((raw, index) => {
    const fenceMatch = FENCE.exec(raw);
    if (fenceMatch) {
      if (fence === undefined) fence = fenceMatch[1];
      else if (fenceMatch[1] === fence) fence = undefined;
      collecting = false;
      return;
    }
    if (fence !== undefined) return;
    const match = COMMAND.exec(raw);
    if (match) {
      const rest = (match[2] ?? "").trim();
      const words = splitArgs(rest);
      current = {
        name: (match[1] ?? "").toLowerCase(),
        args: words.filter((w) => !/^[A-Za-z][\w-]*=/.test(w)),
        named: Object.fromEntries(
          words
            .filter((w) => /^[A-Za-z][\w-]*=/.test(w))
            .map((w) => [
              w.slice(0, w.indexOf("=")),
              w.slice(w.indexOf("=") + 1),
            ]),
        ),
        text: rest,
        line: index + 1,
      };
      commands.push(current);
      collecting = rest === "";
      return;
    }
    const quoted = /^ {0,3}>/.test(raw);
    const indented = /^( {4}|\t)/.test(raw);
    if (collecting && current && !quoted && !indented) {
      current.text =
        current.text === "" ? raw.trim() : `${current.text}\n${raw.trimEnd()}`;
    }
  });
  for (const command of commands) command.text = command.text.trim();
  return commands;
}
