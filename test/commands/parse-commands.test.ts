import { describe, expect, it } from "vitest";
import {
  parseCommands,
  type SlashCommand,
} from "../../src/commands/parse-commands.js";

/** An expected command: no arguments, no text, line 1 unless told. */
function command(
  name: string,
  fields: Partial<Omit<SlashCommand, "name">> = {},
): SlashCommand {
  return { name, args: [], named: {}, text: "", line: 1, ...fields };
}

/** A comment body from lines. */
function lines(...text: string[]): string {
  return text.join("\n");
}

describe("parseCommands", () => {
  describe("finds", () => {
    it.each<[string, string, SlashCommand[]]>([
      ["a bare command", "/status", [command("status")]],
      [
        "a command with text",
        "/specify Add dark mode",
        [
          command("specify", {
            args: ["Add", "dark", "mode"],
            text: "Add dark mode",
          }),
        ],
      ],
      [
        "a command after other lines",
        lines("Thanks, looks good.", "", "/approve"),
        [command("approve", { line: 3 })],
      ],
      [
        "several commands",
        lines("/hold", "Waiting for design.", "/status"),
        [
          command("hold", { text: "Waiting for design." }),
          command("status", { line: 3 }),
        ],
      ],
      [
        "the same command twice",
        lines("/retry plan", "/retry plan"),
        [
          command("retry", { args: ["plan"], text: "plan" }),
          command("retry", { args: ["plan"], text: "plan", line: 2 }),
        ],
      ],
      ["one leading space", " /status", [command("status")]],
      ["three leading spaces", "   /status", [command("status")]],
      ["an upper-case name, lower-cased", "/APPROVE", [command("approve")]],
      ["a mixed-case name, lower-cased", "/ReTry", [command("retry")]],
      ["a name with '-' and digits", "/re-run2", [command("re-run2")]],
      [
        "a name Specwright does not know (the caller filters)",
        "/deploy now",
        [command("deploy", { args: ["now"], text: "now" })],
      ],
      [
        "a tab after the name",
        "/retry\tplan",
        [command("retry", { args: ["plan"], text: "plan" })],
      ],
      ["trailing spaces", "/status   ", [command("status")]],
      [
        "CRLF line endings",
        "Hi\r\n/approve plan\r\n/status\r\n",
        [
          command("approve", { args: ["plan"], text: "plan", line: 2 }),
          command("status", { line: 3 }),
        ],
      ],
    ])("%s", (_, body, commands) => {
      expect(parseCommands(body)).toEqual(commands);
    });
  });

  describe("reads arguments", () => {
    it.each<[string, string, SlashCommand]>([
      [
        "positional words",
        "/retry plan now",
        command("retry", { args: ["plan", "now"], text: "plan now" }),
      ],
      [
        "double quotes grouping words",
        '/reject plan "too vague"',
        command("reject", {
          args: ["plan", "too vague"],
          text: 'plan "too vague"',
        }),
      ],
      [
        "single quotes grouping words",
        "/reject 'needs more detail' tasks",
        command("reject", {
          args: ["needs more detail", "tasks"],
          text: "'needs more detail' tasks",
        }),
      ],
      [
        "empty quotes",
        '/reject ""',
        command("reject", { args: [""], text: '""' }),
      ],
      [
        "an apostrophe inside double quotes",
        `/reject "don't"`,
        command("reject", { args: ["don't"], text: `"don't"` }),
      ],
      [
        "key=value",
        "/specify model=opus feature=dark-mode",
        command("specify", {
          named: { model: "opus", feature: "dark-mode" },
          text: "model=opus feature=dark-mode",
        }),
      ],
      [
        "key=value mixed with words",
        "/retry plan agent=codex now",
        command("retry", {
          args: ["plan", "now"],
          named: { agent: "codex" },
          text: "plan agent=codex now",
        }),
      ],
      [
        "a value with '=' in it",
        "/specify env=A=1",
        command("specify", { named: { env: "A=1" }, text: "env=A=1" }),
      ],
      [
        "an empty value",
        "/specify model=",
        command("specify", { named: { model: "" }, text: "model=" }),
      ],
      [
        "keys with '-' and '_'",
        "/specify max-turns=5 dry_run=true",
        command("specify", {
          named: { "max-turns": "5", dry_run: "true" },
          text: "max-turns=5 dry_run=true",
        }),
      ],
      [
        "a repeated key (the last wins)",
        "/specify model=a model=b",
        command("specify", {
          named: { model: "b" },
          text: "model=a model=b",
        }),
      ],
      [
        "'=' first is a word, not a key",
        "/specify =x 1=2",
        command("specify", { args: ["=x", "1=2"], text: "=x 1=2" }),
      ],
    ])("%s", (_, body, expected) => {
      expect(parseCommands(body)).toEqual([expected]);
    });

    // Quotes group a key's value too: reason="too vague".
    it("a quoted key=value", () => {
      expect(parseCommands('/reject reason="too vague"')).toEqual([
        command("reject", {
          named: { reason: "too vague" },
          text: 'reason="too vague"',
        }),
      ]);
    });
  });

  describe("reads free text", () => {
    it.each<[string, string, SlashCommand[]]>([
      [
        "from the rest of the line",
        lines("/specify Add dark mode", "More detail here."),
        [
          command("specify", {
            args: ["Add", "dark", "mode"],
            text: "Add dark mode",
          }),
        ],
      ],
      [
        "from the lines after an empty command",
        lines("/specify", "Add dark mode.", "", "  It should follow the OS."),
        [
          command("specify", {
            text: "Add dark mode.\n\n  It should follow the OS.",
          }),
        ],
      ],
      [
        "up to the next command",
        lines("/specify", "Dark mode.", "/hold", "/status"),
        [
          command("specify", { text: "Dark mode." }),
          command("hold", { line: 3 }),
          command("status", { line: 4 }),
        ],
      ],
      [
        "for the last empty command only up to the end",
        lines("/status", "/specify", "line one", "line two"),
        [
          command("status"),
          command("specify", { text: "line one\nline two", line: 2 }),
        ],
      ],
      [
        "trimmed at both ends",
        lines("/specify", "", "   Dark mode   ", "", ""),
        [command("specify", { text: "Dark mode" })],
      ],
      [
        "without quoted or indented lines",
        lines(
          "/specify",
          "Dark mode.",
          "> quoted reply",
          "",
          "    code",
          "\tcode",
          "End.",
        ),
        [command("specify", { text: "Dark mode.\n\nEnd." })],
      ],
      [
        "without the lines that continue a quote",
        lines("/specify", "Dark mode.", "> quoted", "still quoted", "", "End."),
        [command("specify", { text: "Dark mode.\n\nEnd." })],
      ],
      [
        "up to a code fence",
        lines("/specify", "Dark mode.", "```", "/plan", "```", "After."),
        [command("specify", { text: "Dark mode." })],
      ],
      [
        "with CRLF line endings",
        "/specify\r\nDark mode.\r\nFollow the OS.\r\n",
        [command("specify", { text: "Dark mode.\nFollow the OS." })],
      ],
      [
        "nothing when the command is last",
        "Please:\n/specify",
        [command("specify", { line: 2 })],
      ],
    ])("%s", (_, body, commands) => {
      expect(parseCommands(body)).toEqual(commands);
    });
  });

  describe("ignores", () => {
    it.each<[string, string]>([
      ["an empty comment", ""],
      ["plain text", "Looks good to me."],
      ["a slash inside a line", "Run it with /approve please"],
      ["a path", "/usr/bin/env node"],
      ["a URL path", "/acme/web/pull/1"],
      ["a slash alone", "/"],
      ["a name starting with a digit", "/1st"],
      ["a name starting with '-'", "/-x"],
      ["a name followed by punctuation", "/approve!"],
      ["a double slash", "//approve"],
      ["four leading spaces (indented code)", "    /approve"],
      ["a leading tab (indented code)", "\t/approve"],
      ["a block quote", "> /approve"],
      ["a block quote without a space", ">/approve"],
      ["an indented block quote", "   > /approve"],
      ["a nested block quote", "> > /approve"],
      ["a list item", "- /approve"],
      ["inline code", "`/approve`"],
      ["an HTML comment", "<!-- /specify x -->"],
      ["a multi-line HTML comment", lines("<!--", "/approve", "-->")],
      [
        "an unterminated HTML comment",
        lines("<!-- draft", "/approve", "/plan"),
      ],
      ["a fenced code block", lines("```", "/approve", "```")],
      ["a fenced block with an info string", lines("```sh", "/approve", "```")],
      ["a tilde fence", lines("~~~", "/approve", "~~~")],
      ["an indented fence", lines("   ```", "/approve", "   ```")],
      ["an unclosed fence, to the end", lines("```", "/approve", "/plan")],
      [
        "``` inside ~~~",
        lines("~~~", "```", "/approve", "```", "/plan", "~~~"),
      ],
      [
        "~~~ inside ```",
        lines("```", "~~~", "/approve", "~~~", "/plan", "```"),
      ],
      // CommonMark: a line right after a quote's text continues the quote
      // ("lazy continuation"), and GitHub shows it inside the quote.
      ["a line that continues a quote", lines("> quote", "/approve")],
      [
        "lines that continue a quote, to the blank line",
        lines("> quote", "more", "/approve", "/plan"),
      ],
      ["a line that continues a nested quote", lines("> > quote", "/approve")],
      ["a <pre> block", lines("<pre>", "/approve", "</pre>")],
      [
        "a <pre> block with blank lines",
        lines("<pre>", "", "/approve", "</pre>"),
      ],
      ["a <PRE class=x> block", lines("<PRE class=x>", "/approve", "</PRE>")],
      ["an unclosed <pre> block, to the end", lines("<pre>", "/approve")],
      [
        "a <details> block",
        lines("<details>", "<summary>Log</summary>", "/approve", "</details>"),
      ],
      [
        "a <details> block with blank lines (Markdown inside)",
        lines("<details>", "", "/approve", "", "</details>"),
      ],
      [
        "nested <details> blocks",
        lines("<details>", "<details>", "</details>", "/approve", "</details>"),
      ],
      [
        "a quote that opens a <details> block",
        lines("> quote", "<details>", "/approve", "</details>"),
      ],
    ])("%s", (_, body) => {
      expect(parseCommands(body)).toEqual([]);
    });

    it.each<[string, string, SlashCommand[]]>([
      [
        "a comment, keeping later line numbers",
        lines("<!--", "/approve", "-->", "/status"),
        [command("status", { line: 4 })],
      ],
      [
        "a comment on the command's line",
        "/retry plan <!-- secret=1 --> now",
        [command("retry", { args: ["plan", "now"], text: "plan  now" })],
      ],
      [
        "two comments, keeping what is between them",
        lines("<!-- a -->", "/hold", "<!-- b", "/plan -->", "/status"),
        [command("hold", { line: 2 }), command("status", { line: 5 })],
      ],
      [
        "a fence, keeping what comes after it",
        lines("```", "/approve", "```", "/status"),
        [command("status", { line: 4 })],
      ],
      [
        "a fence four spaces in, which is code, not a fence",
        lines("    ```", "/status"),
        [command("status", { line: 2 })],
      ],
      [
        "a quoted command, keeping the reply",
        lines("> /approve", "", "/reject plan"),
        [command("reject", { args: ["plan"], text: "plan", line: 3 })],
      ],
      [
        "a tilde fence with CRLF",
        "~~~\r\n/approve\r\n~~~\r\n/status",
        [command("status", { line: 4 })],
      ],
      [
        "a quote, keeping a command after the blank line that ends it",
        lines("> quote", "", "/approve"),
        [command("approve", { line: 3 })],
      ],
      [
        "a quote, keeping a command after its own blank line",
        lines("> quote", ">", "/approve"),
        [command("approve", { line: 3 })],
      ],
      [
        "a quote, keeping a command after a heading that ends it",
        lines("> quote", "# Heading", "/approve"),
        [command("approve", { line: 3 })],
      ],
      [
        "a <pre> block, keeping what comes after it",
        lines("<pre>", "/approve", "</pre>", "/status"),
        [command("status", { line: 4 })],
      ],
      [
        "a one-line <pre> block",
        lines("<pre>/approve</pre>", "/status"),
        [command("status", { line: 2 })],
      ],
      [
        "a <details> block, keeping what comes after it",
        lines(
          "<details><summary>x</summary>",
          "/approve",
          "</details>",
          "/status",
        ),
        [command("status", { line: 4 })],
      ],
      [
        "a one-line <details> block",
        lines("<details><summary>x</summary>y</details>", "/status"),
        [command("status", { line: 2 })],
      ],
      [
        "`<details>` shown as code",
        lines("Use `<details>` to fold.", "/status"),
        [command("status", { line: 2 })],
      ],
    ])("%s", (_, body, commands) => {
      expect(parseCommands(body)).toEqual(commands);
    });

    // A fence closes only with the same character, at least as long, and
    // nothing after it (CommonMark), so a shorter or tagged fence inside is text.
    it.each<[string, string]>([
      ["``` inside ````", lines("````md", "```", "/approve", "```", "````")],
      ["```js inside ```", lines("```", "```js", "/approve", "```")],
    ])("a command in a code block with %s", (_, body) => {
      expect(parseCommands(body)).toEqual([]);
    });
  });

  // `<!--` shown as code (in a fenced block or inline) is text, not the
  // start of an HTML comment that would hide the commands after it.
  it.each<[string, string, number]>([
    ["in a fenced block", lines("```html", "<!--", "```", "/approve"), 4],
    ["in inline code", lines("Write `<!--` to hide text.", "/approve"), 2],
  ])("finds a command after `<!--` shown as code %s", (_, body, line) => {
    expect(parseCommands(body)).toEqual([command("approve", { line })]);
  });
});
