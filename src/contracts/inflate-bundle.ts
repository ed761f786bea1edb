import { setImmediate } from "node:timers/promises";
import { crc32, createInflateRaw } from "node:zlib";
import { BundleError } from "./bundle-error.js";
import { BUNDLE_LIMITS } from "./bundle-limits.js";
import { readZipDirectory, type ZipEntry } from "./read-zip-directory.js";

/**
 * How much zlib inflates per step off the main thread, and how much of a
 * stored entry is checksummed between two turns of the event loop: each
 * step costs the main thread well under a millisecond.
 */
const CHUNK_BYTES = 64 * 1024;
const STORED_SLICE_BYTES = 1024 * 1024;

const hex = (crc: number) => `0x${crc.toString(16).padStart(8, "0")}`;

function checkSize(entry: ZipEntry, size: number): void {
  if (size !== entry.size) {
    throw new BundleError([
      `${entry.name} unpacks to ${size} bytes, not the ${entry.size} its header declares`,
    ]);
  }
}

function checkCrc(entry: ZipEntry, crc: number): void {
  if (crc !== entry.crc) {
    throw new BundleError([
      `${entry.name} fails its checksum: CRC-32 ${hex(crc)}, not the ${hex(entry.crc)} its header declares`,
    ]);
  }
}

/** A stored entry, checksummed a slice at a time. */
async function readStored(
  zip: Uint8Array,
  entry: ZipEntry,
): Promise<Uint8Array> {
  const bytes = zip.subarray(entry.start, entry.end);
  checkSize(entry, bytes.length);
  let crc = 0;
  for (let at = 0; at < bytes.length; at += STORED_SLICE_BYTES) {
    crc = crc32(bytes.subarray(at, at + STORED_SLICE_BYTES), crc);
    await setImmediate();
  }
  checkCrc(entry, crc);
  return bytes;
}

/**
 * A deflated entry, inflated by zlib on the thread pool a chunk at a time
 * and stopped as soon as it yields more than the size it declares, so a
 * bomb costs one chunk past its lie.
 */
async function readDeflated(
  zip: Uint8Array,
  entry: ZipEntry,
): Promise<Uint8Array> {
  const out = new Uint8Array(entry.size);
  let size = 0;
  let crc = 0;
  const inflater = createInflateRaw({ chunkSize: CHUNK_BYTES });
  inflater.end(zip.subarray(entry.start, entry.end));
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      if (size + chunk.length > entry.size) {
        throw new BundleError([
          `${entry.name} inflates to more than the ${entry.size} bytes its header declares`,
        ]);
      }
      out.set(chunk, size);
      size += chunk.length;
      crc = crc32(chunk, crc);
    }
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw new BundleError([
      `${entry.name} cannot be inflated (${(error as Error).message})`,
    ]);
  } finally {
    inflater.destroy();
  }
  checkSize(entry, size);
  checkCrc(entry, crc);
  return out;
}

/**
 * Unpacks a result bundle's zip without trusting what it declares and
 * without holding up the event loop. The archive, the entry count and the
 * sum of the declared sizes are capped before anything is inflated; then
 * each entry is inflated on its own and cut off the moment it outgrows its
 * declared size, so the bytes actually produced never pass the total cap;
 * finally each entry's real size and CRC-32 must equal its header's.
 * Throws {@link BundleError} naming the entry.
 */
export async function inflateBundle(
  zip: Uint8Array,
): Promise<Map<string, Uint8Array>> {
  if (zip.byteLength > BUNDLE_LIMITS.archiveBytes) {
    throw new BundleError([
      `the archive is ${zip.byteLength} bytes, over ${BUNDLE_LIMITS.archiveBytes}`,
    ]);
  }
  const entries = readZipDirectory(zip);
  const declared = entries.reduce((sum, entry) => sum + entry.size, 0);
  if (declared > BUNDLE_LIMITS.totalBytes) {
    throw new BundleError([
      `the archive unpacks to ${declared} bytes, over ${BUNDLE_LIMITS.totalBytes}`,
    ]);
  }
  const files = new Map<string, Uint8Array>();
  let total = 0;
  for (const entry of entries) {
    let bytes: Uint8Array;
    if (entry.method === 0) bytes = await readStored(zip, entry);
    else if (entry.method === 8) bytes = await readDeflated(zip, entry);
    else {
      throw new BundleError([
        `${entry.name} uses compression method ${entry.method}; a bundle's entries are stored (0) or deflated (8)`,
      ]);
    }
    // Each entry stops at its declared size and the declared sizes add up
    // to at most the cap, so this holds; it is kept as the last word.
    total += bytes.length;
    if (total > BUNDLE_LIMITS.totalBytes) {
      throw new BundleError([
        `the archive unpacks to more than ${BUNDLE_LIMITS.totalBytes} bytes (at ${entry.name})`,
      ]);
    }
    files.set(entry.name, bytes);
  }
  return files;
}
