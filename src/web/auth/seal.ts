import {
  createCipheriv,
  createDecipheriv,
  hkdfSync,
  randomBytes,
} from "node:crypto";

const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = "v1";

/** A 32-byte key for one purpose, derived from the session secret. */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(
    hkdfSync("sha256", secret, "", `specwright/dashboard/${purpose}/v1`, 32),
  );
}

/** Seals and opens small JSON values with AES-256-GCM. */
export interface Sealer {
  /** `v1.` + base64url(iv | ciphertext | tag); `purpose` is bound as associated data. */
  seal(value: unknown, purpose: string): string;
  /** The value, or undefined when the text is malformed, tampered or sealed for another purpose. */
  open(text: string, purpose: string): unknown;
}

/**
 * Sealed rather than only signed: the session cookie carries the person's
 * GitHub token, which must never be readable outside the App, not even in
 * the browser that holds the cookie.
 */
export function createSealer(key: Buffer): Sealer {
  return {
    seal(value, purpose) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(purpose));
      const body = Buffer.concat([
        cipher.update(JSON.stringify(value), "utf8"),
        cipher.final(),
      ]);
      const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]);
      return `${VERSION}.${sealed.toString("base64url")}`;
    },
    open(text, purpose) {
      if (!text.startsWith(`${VERSION}.`)) return undefined;
      const sealed = Buffer.from(text.slice(VERSION.length + 1), "base64url");
      if (sealed.length <= IV_BYTES + TAG_BYTES) return undefined;
      try {
        const decipher = createDecipheriv(
          "aes-256-gcm",
          key,
          sealed.subarray(0, IV_BYTES),
        );
        decipher.setAAD(Buffer.from(purpose));
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return JSON.parse(plain.toString("utf8")) as unknown;
      } catch {
        return undefined;
      }
    },
  };
}
