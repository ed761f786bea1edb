// The parts of a run no transition changes (its workflow, settings and
// parameters: a third of its text), kept as one frozen value each, shared
// by every version of the run this process holds, with their JSON text
// made once.

/** What is shared, by the run document's key. */
export const SHARED_KEYS = ["workflow", "settings", "parameters"] as const;

export type SharedKey = (typeof SHARED_KEYS)[number];

const texts = new WeakMap<object, string>();

/**
 * `value`'s JSON text, made the first time it is asked for. The value is
 * frozen then, all the way down, so that a later change to it fails
 * instead of leaving its text stale.
 */
export function frozenJson(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  let text = texts.get(value);
  if (text === undefined) {
    deepFreeze(value);
    text = JSON.stringify(value);
    texts.set(value, text);
  }
  return text;
}

export function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value))
    return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

/**
 * A document's JSON text, as `JSON.stringify` would give it but with the
 * shared parts last and their text made once (see `frozenJson`), and
 * where the shared parts begin: the text before it, closed, is the
 * document without them.
 */
export function documentJson(document: Record<SharedKey, unknown>): {
  text: string;
  sharedStart: number;
} {
  const { workflow: _, settings: __, parameters: ___, ...changing } = document;
  const open = JSON.stringify(changing).slice(0, -1);
  let text = open;
  for (const key of SHARED_KEYS) {
    const value = document[key];
    if (value === undefined) continue;
    text += `${text.length > 1 ? "," : ""}"${key}":${frozenJson(value)}`;
  }
  return { text: `${text}}`, sharedStart: open.length };
}

/** The document without its shared parts, parsed from `documentJson`'s text. */
export function parseChanging(
  text: string,
  sharedStart: number,
): Record<string, unknown> {
  return JSON.parse(`${text.slice(0, sharedStart)}}`) as Record<
    string,
    unknown
  >;
}
