import { BundleError } from "./bundle-error.js";
import { BUNDLE_LIMITS } from "./bundle-limits.js";

/** One entry of a zip, as its central directory declares it. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate; anything else is refused when it is read. */
  method: number;
  /** The CRC-32 of the uncompressed bytes, as declared. */
  crc: number;
  /** The uncompressed size, as declared: to be checked, never trusted. */
  size: number;
  /** Where the entry's stored bytes start, past its local header. */
  start: number;
  /** Where they end (`start` + the declared compressed size). */
  end: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** An end record is 22 bytes, followed by a comment of up to 65,535. */
const EOCD_SEARCH = 22 + 0xffff;
const ZIP64 = 0xffffffff;
const ENCRYPTED = 0x1;
const UTF8_NAME = 0x800;

const unreadable = (detail: string) =>
  new BundleError([`the archive cannot be read (${detail})`]);

function endRecord(view: DataView): number {
  const last = view.byteLength - 22;
  for (let at = last; at >= 0 && last - at <= EOCD_SEARCH - 22; at--) {
    if (view.getUint32(at, true) === EOCD) return at;
  }
  throw unreadable("invalid zip data");
}

function decodeName(bytes: Uint8Array, flags: number): string {
  // Without the UTF-8 flag the name is CP437 in theory; byte-for-byte
  // Latin-1 in practice, as other unzippers (fflate) read it.
  return flags & UTF8_NAME
    ? new TextDecoder().decode(bytes)
    : Buffer.from(bytes).toString("latin1");
}

interface Span {
  name: string;
  /** Where the entry's local header starts. */
  header: number;
  end: number;
}

function checkApart(spans: Span[]): void {
  const sorted = spans.toSorted((a, b) => a.header - b.header);
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1] as Span;
    const after = sorted[i] as Span;
    if (after.header < before.end) {
      throw new BundleError([
        `the archive's entries ${before.name} and ${after.name} overlap`,
      ]);
    }
  }
}

/**
 * The entries of a zip from its central directory, checked for shape only:
 * at most `BUNDLE_LIMITS.entries`, each name once, each entry's bytes inside
 * the archive and apart from every other entry's (overlapping entries are
 * how the densest zip bombs reuse one stream), no encryption, no zip64 (a
 * bundle never needs it under its caps). Sizes, methods and checksums are
 * left to the inflater, which checks them against what it actually inflates.
 * Throws {@link BundleError}.
 */
export function readZipDirectory(zip: Uint8Array): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = endRecord(view);
  const count = view.getUint16(eocd + 10, true);
  const directorySize = view.getUint32(eocd + 12, true);
  const directoryStart = view.getUint32(eocd + 16, true);
  if (count === 0xffff || directoryStart === ZIP64)
    throw unreadable("zip64 is not supported");
  if (
    view.getUint16(eocd + 4, true) !== 0 ||
    count !== view.getUint16(eocd + 8, true)
  )
    throw unreadable("a multi-part zip is not supported");
  if (count > BUNDLE_LIMITS.entries) {
    throw new BundleError([
      `the archive has ${count} entries, over ${BUNDLE_LIMITS.entries}`,
    ]);
  }
  if (directoryStart + directorySize > eocd)
    throw unreadable("invalid zip data");

  const entries: ZipEntry[] = [];
  const spans: Span[] = [];
  const names = new Set<string>();
  let at = directoryStart;
  for (let i = 0; i < count; i++) {
    if (
      at + 46 > directoryStart + directorySize ||
      view.getUint32(at, true) !== CENTRAL
    )
      throw unreadable("invalid zip data");
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    const next =
      at +
      46 +
      nameLength +
      view.getUint16(at + 30, true) +
      view.getUint16(at + 32, true);
    if (next > directoryStart + directorySize)
      throw unreadable("invalid zip data");
    const name = decodeName(zip.subarray(at + 46, at + 46 + nameLength), flags);
    const compressedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const header = view.getUint32(at + 42, true);
    if (compressedSize === ZIP64 || size === ZIP64 || header === ZIP64)
      throw unreadable(`${name}: zip64 is not supported`);
    if (flags & ENCRYPTED) throw new BundleError([`${name} is encrypted`]);
    if (names.has(name))
      throw new BundleError([`the archive holds ${name} twice`]);
    names.add(name);
    if (header + 30 > directoryStart || view.getUint32(header, true) !== LOCAL)
      throw unreadable(`${name}: no local header where the directory says`);
    const start =
      header +
      30 +
      view.getUint16(header + 26, true) +
      view.getUint16(header + 28, true);
    const end = start + compressedSize;
    if (end > directoryStart)
      throw unreadable(`${name}: its data runs past the end of the entries`);
    entries.push({
      name,
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      size,
      start,
      end,
    });
    spans.push({ name, header, end });
    at = next;
  }
  checkApart(spans);
  return entries;
}
