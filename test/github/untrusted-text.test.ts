import { describe, expect, it } from "vitest";
import {
  redactSecrets,
  type TextForm,
  untrusted,
} from "../../src/github/untrusted-text.js";

const ZW = "\u200B";

describe("untrusted", () => {
  it.each<[string, string, string]>([
    ["a mention", "cc @alice", `cc @${ZW}alice`],
    ["a team mention", "cc @acme/admins", `cc @${ZW}acme/admins`],
    ["an issue reference", "see #12", `see #${ZW}12`],
    ["another repository's issue", "see acme/api#12", `see acme/api#${ZW}12`],
    ["a GH- reference", "see GH-12", `see GH-${ZW}12`],
    ["Fixes #N", "Fixes #12", `F${ZW}ixes #${ZW}12`],
    ["closes: #N", "closes: #12", `c${ZW}loses: #${ZW}12`],
    [
      "Resolved owner/repo#N",
      "Resolved acme/api#3",
      `R${ZW}esolved acme/api#${ZW}3`,
    ],
    [
      "a closing keyword before an issue URL",
      "fixed https://github.com/acme/web/issues/4",
      `f${ZW}ixed https://github.com/acme/web/issues/4`,
    ],
    ["a character reference for @", "&#64;admins", `&#${ZW}64;admins`],
    ["a hexadecimal one", "&#x40;admins", `&${ZW}#x40;admins`],
    ["a named character reference", "&commat;admins", `&${ZW}commat;admins`],
    ["a closing keyword in a word", "prefixes #1", `prefixes #${ZW}1`],
  ])("breaks %s", (_, text, expected) => {
    expect(untrusted(text, "line")).toBe(expected);
  });

  it.each<[TextForm, string, string]>([
    [
      "inline",
      "a <b>tag</b>, <!-- open\nnext [link](x) ![img](y)",
      "a &lt;b>tag&lt;/b>, &lt;\\!-- open next \\[link\\](x) \\!\\[img\\](y)",
    ],
    ["link", "a](https://evil) `x` *y*", "a\\](https://evil) \\`x\\` \\*y\\*"],
    [
      "markdown",
      "# Report\n\n<!-- hidden\n</details><img src=x>\n```\na < b\n```",
      `# Report\n\n<${ZW}!-- hidden\n<${ZW}/details><${ZW}img src=x>\n\`\`\`\na < b\n\`\`\``,
    ],
    ["span", "a`b\nc", "a'b c"],
    ["code", "@alice Fixes #1 <!--", "@alice Fixes #1 <!--"],
    ["line", "one\r\ntwo\u2028three\tfour\u0000", "one two three four"],
    ["plain", "one\ntwo\u0007\tthree", "one\ntwo\tthree"],
  ])("fits the text to %s", (form, text, expected) => {
    expect(untrusted(text, form)).toBe(expected);
  });

  it.each<TextForm>([
    "inline",
    "link",
    "markdown",
    "span",
    "code",
    "line",
    "plain",
  ])("takes credentials out in the %s form", (form) => {
    expect(untrusted(`key ghp_${"a".repeat(36)}`, form)).toMatch(
      /^key \\?\*\\?\*\\?\*$/,
    );
  });
});

describe("redactSecrets", () => {
  it.each<[string, string]>([
    ["an installation token", `ghs_${"A1".repeat(18)}`],
    ["a personal token", `ghp_${"a1".repeat(18)}`],
    ["an OAuth token", `gho_${"a1".repeat(18)}`],
    ["a user-to-server token", `ghu_${"a1".repeat(18)}`],
    ["a refresh token", `ghr_${"a1".repeat(18)}`],
    ["a fine-grained token", `github_pat_11ABCDEFG0${"x".repeat(60)}`],
    ["an Anthropic key", `sk-ant-api03-${"x".repeat(80)}`],
    ["an OpenAI key", `sk-proj-${"x".repeat(48)}`],
    ["a Google key", `AIza${"S".repeat(35)}`],
  ])("takes out %s", (_, secret) => {
    expect(redactSecrets(`value=${secret} end`)).toBe("value=*** end");
  });

  it("leaves words that only look alike", () => {
    const text = "task-list sk-short ghp_short AIzaShort risk-assessment";
    expect(redactSecrets(text)).toBe(text);
  });

  it("takes out what the repository's patterns match", () => {
    expect(
      redactSecrets("license ACME-123456, order 42", [/ACME-\d{6}/g]),
    ).toBe("license ***, order 42");
  });
});
