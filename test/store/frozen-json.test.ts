import { describe, expect, it } from "vitest";
import {
  documentJson,
  frozenJson,
  parseChanging,
} from "../../src/store/frozen-json.js";

const workflow = () => ({
  name: "spec",
  stages: [{ id: "specify", needs: [], with: { model: "m", max: 3 } }],
});

describe("frozenJson", () => {
  it("gives a value's JSON text and freezes the value all the way down", () => {
    const value = workflow();

    expect(frozenJson(value)).toBe(JSON.stringify(workflow()));
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.stages[0]?.with)).toBe(true);
    expect(() => {
      (value.stages[0] as { id: string }).id = "plan";
    }).toThrow(TypeError);
    expect(frozenJson(value)).toBe(JSON.stringify(workflow()));
  });

  it("makes each value's text once", () => {
    const value = workflow();
    const first = frozenJson(value);
    const original = JSON.stringify;
    let made = 0;
    JSON.stringify = ((...args: Parameters<typeof original>) => {
      made++;
      return original(...args);
    }) as typeof original;
    try {
      expect(frozenJson(value)).toBe(first);
    } finally {
      JSON.stringify = original;
    }
    expect(made).toBe(0);
  });

  it("gives plain values' text as JSON does", () => {
    expect(frozenJson(null)).toBe("null");
    expect(frozenJson('a"b')).toBe('"a\\"b"');
    expect(frozenJson(3)).toBe("3");
  });
});

describe("documentJson", () => {
  const documents = {
    "all of it": {
      issue: { number: 4, title: "Add `dark mode`" },
      stages: [{ id: "specify", status: "queued" }],
      workflow: workflow(),
      settings: { budgets: { run: { tokens: 10 } } },
      parameters: {},
    },
    "no parameters (an older run)": {
      issue: null,
      workflow: workflow(),
      settings: {},
      parameters: undefined,
    },
    "only the shared parts": {
      workflow: workflow(),
      settings: { a: [1, "}"] },
      parameters: { feature: '"quoted", {braced}' },
    },
  };

  for (const [name, document] of Object.entries(documents)) {
    it(`writes the document as JSON gives it back, the part that changes first: ${name}`, () => {
      const { text, sharedStart } = documentJson(document);

      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(document)));
      const {
        workflow: _,
        settings: __,
        parameters: ___,
        ...changing
      } = document;
      expect(parseChanging(text, sharedStart)).toEqual(changing);
    });
  }
});
