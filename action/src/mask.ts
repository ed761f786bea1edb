/** What a masked secret becomes, as in the runner's job log. */
export const MASK = "***";

/** Shorter secrets are not masked: `***` everywhere would hide nothing. */
const MIN_SECRET = 4;
/** An encoding this short matches too much ordinary text to be worth it. */
const MIN_ENCODED = 6;

/**
 * The part of `base64(prefix + secret + suffix)` that does not depend on
 * the prefix and suffix, for a prefix of `shift` bytes: whole 3-byte groups
 * of the secret only (the runner's Base64StringEscapeShift, in effect).
 */
function base64Core(bytes: Buffer, shift: number): string {
  const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString(
    "base64",
  );
  const first = Math.ceil(shift / 3);
  const last = Math.floor((shift + bytes.length) / 3);
  return encoded.slice(first * 4, last * 4);
}

/**
 * A secret as it may be written out: as it is, escaped in a JSON string,
 * URL-encoded, hex, and base64 (plain and URL-safe) at each of the three
 * alignments it can have inside longer encoded text.
 */
export function secretVariants(secret: string): string[] {
  if (secret.length < MIN_SECRET) return [];
  const bytes = Buffer.from(secret, "utf8");
  const hex = bytes.toString("hex");
  const encoded = [
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, "+"),
    hex,
    hex.toUpperCase(),
    ...[0, 1, 2].flatMap((shift) => {
      const core = base64Core(bytes, shift);
      return [core, core.replace(/\+/g, "-").replace(/\//g, "_")];
    }),
  ].filter((v) => v.length >= MIN_ENCODED);
  return [...new Set([secret, ...encoded])];
}

/** Masks secrets in everything the action hands back. */
export interface Masker {
  /** The secrets themselves (for the agent's streamed output). */
  readonly secrets: readonly string[];
  /** Text with every secret, in every encoding known, replaced by `***`. */
  text(text: string): string;
  /**
   * A copy of a JSON value with every string in it, keys included, masked:
   * masked before it is serialised, so escaping cannot hide a secret and
   * masking cannot break the JSON. A field added later is masked too.
   */
  value<T>(value: T): T;
  /** Whether text holds a secret, in any encoding masked. */
  finds(text: string): boolean;
  /**
   * A masker for text that comes in chunks (an agent's streamed output): a
   * secret split across two chunks is masked too. `push` gives what can be
   * shown now, `end` the rest.
   */
  stream(): { push(chunk: string): string; end(): string };
}

const escapeRegExp = (text: string) =>
  text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The one masking rule for what the action hands back. */
export function createMasker(secrets: readonly string[]): Masker {
  const unique = [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET);
  // Longest first: a secret that contains another is masked whole.
  const variants = [...new Set(unique.flatMap(secretVariants))].sort(
    (a, b) => b.length - a.length,
  );
  const pattern =
    variants.length === 0
      ? undefined
      : new RegExp(variants.map(escapeRegExp).join("|"), "g");
  const text = (input: string) =>
    pattern === undefined ? input : input.replace(pattern, MASK);
  const walk = (value: unknown): unknown => {
    if (typeof value === "string") return text(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [text(key), walk(item)]),
      );
    }
    return value;
  };
  const hold = Math.max(0, (variants[0]?.length ?? 0) - 1);
  const stream = () => {
    let pending = "";
    return {
      push(chunk: string) {
        const buffer = pending + chunk;
        // Held back: as much of the end as could be a secret's beginning,
        // and never half of a secret found whole.
        let cut = Math.max(0, buffer.length - hold);
        for (const match of pattern === undefined
          ? []
          : buffer.matchAll(pattern)) {
          const end = match.index + match[0].length;
          if (match.index < cut && end > cut) cut = end;
        }
        pending = buffer.slice(cut);
        return text(buffer.slice(0, cut));
      },
      end() {
        const rest = text(pending);
        pending = "";
        return rest;
      },
    };
  };
  return {
    secrets: unique,
    text,
    value: <T>(value: T) => walk(value) as T,
    finds: (input) => variants.some((v) => input.includes(v)),
    stream,
  };
}

/** One masker per list of secrets: the agent's output is masked chunk by chunk. */
const maskers = new WeakMap<readonly string[], Masker>();

/**
 * Replaces every secret in text, in every encoding known, with `***`, as
 * the runner does in the job log (the rule of `createMasker`).
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masker = maskers.get(secrets);
  if (masker === undefined) {
    masker = createMasker(secrets);
    maskers.set(secrets, masker);
  }
  return masker.text(text);
}
