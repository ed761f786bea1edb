import { describe, expect, it } from "vitest";
import {
  createMasker,
  maskSecrets,
  secretVariants,
} from "../../action/src/mask.js";

const KEY = "sk-ant-api03-Secret/Key+0123456789";
const base64 = (text: string) => Buffer.from(text).toString("base64");
const base64url = (text: string) => Buffer.from(text).toString("base64url");

/** Every run of base64 in text, decoded. */
const decodedRuns = (text: string) =>
  [...text.matchAll(/[A-Za-z0-9+/_-]{8,}={0,2}/g)].map((m) =>
    Buffer.from(m[0], "base64").toString("latin1"),
  );

describe("createMasker", () => {
  const mask = createMasker([KEY]);

  it.each<[string, string]>([
    ["as it is", `key=${KEY};`],
    ["escaped in JSON", JSON.stringify({ key: `${KEY}"` })],
    ["URL-encoded", `https://x.test/?key=${encodeURIComponent(KEY)}&a=1`],
    ["hex", `0x${Buffer.from(KEY).toString("hex")}`],
    ["HEX", Buffer.from(KEY).toString("hex").toUpperCase()],
  ])("masks the secret %s", (_, text) => {
    const out = mask.text(text);
    expect(out).toContain("***");
    expect(mask.finds(text)).toBe(true);
    expect(mask.finds(out)).toBe(false);
  });

  it.each(["", "a", "ab", "abc", "KEY="])(
    "masks it in base64 behind %j, plain and URL-safe, so decoding finds nothing",
    (prefix) => {
      for (const suffix of ["", "\n", "xy"]) {
        for (const encode of [base64, base64url]) {
          const text = `leak: ${encode(`${prefix}${KEY}${suffix}`)} end`;
          const out = mask.text(text);
          expect(out, `${prefix}|${suffix}`).toContain("***");
          expect(decodedRuns(out).join("\n")).not.toContain(KEY);
          expect(decodedRuns(out).join("\n")).not.toContain(KEY.slice(3, -3));
        }
      }
    },
  );

  it("masks every string of a value, keys too, before it is serialised: the JSON stays valid", () => {
    const quoted = 'pa"ss\\word-0123';
    const value = {
      outputs: { report: `key ${quoted}`, [quoted]: 1 },
      list: [`${quoted}`, 3, true, null, { deep: [quoted] }],
      number: 42,
    };
    const masked = createMasker([quoted]).value(value);
    const json = JSON.stringify(masked);
    expect(json).not.toContain('pa\\"ss');
    expect(JSON.parse(json)).toEqual({
      outputs: { report: "key ***", "***": 1 },
      list: ["***", 3, true, null, { deep: ["***"] }],
      number: 42,
    });
    // The original is left as it was.
    expect(value.outputs.report).toBe(`key ${quoted}`);
  });

  it("masks a secret that contains another whole, and ignores ones too short to mask", () => {
    const masker = createMasker(["abcd", "abcdefgh", "xy"]);
    expect(masker.text("abcdefgh abcd xy")).toBe("*** *** xy");
    expect(masker.secrets).toEqual(["abcd", "abcdefgh"]);
    expect(createMasker([]).text("nothing")).toBe("nothing");
  });

  it("keeps maskSecrets, for the agent's streamed output, to the same rule", () => {
    expect(maskSecrets(`x ${base64(KEY)} ${KEY}`, [KEY])).toBe(
      `x ${mask.text(base64(KEY))} ***`,
    );
  });
});

describe("a masker's stream", () => {
  const secret = "sk-ant-streamed-secret-0123456789";
  it("masks a secret split over chunks, at every split, and shows everything else", () => {
    const text = `before ${secret} middle ${secret} after`;
    for (let a = 1; a < text.length - 1; a += 3) {
      for (const b of [a + 1, a + 7, a + 40]) {
        const stream = createMasker([secret]).stream();
        const shown =
          stream.push(text.slice(0, a)) +
          stream.push(text.slice(a, b)) +
          stream.push(text.slice(b)) +
          stream.end();
        expect(shown).toBe("before *** middle *** after");
      }
    }
  });

  it("shows text without secrets as it comes, less what could begin one", () => {
    const stream = createMasker([secret]).stream();
    const chunk = "x".repeat(200);
    expect(stream.push(chunk).length).toBeGreaterThanOrEqual(
      200 - 2 * secret.length, // its longest encoding, hex
    );
  });
});

describe("secretVariants", () => {
  it("lists the secret first, then its encodings, none shorter than six characters", () => {
    const variants = secretVariants("abcd");
    expect(variants[0]).toBe("abcd");
    for (const variant of variants.slice(1))
      expect(variant.length).toBeGreaterThanOrEqual(6);
    expect(secretVariants("abc")).toEqual([]);
  });
});
