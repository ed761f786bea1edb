import { constants, crc32, deflateRawSync } from "node:zlib";
import { strToU8 } from "fflate";

export const MiB = 1024 * 1024;

export interface RawEntry {
  name: string;
  /** The bytes as stored (already compressed for method 8). */
  data: Uint8Array;
  /** 0 stored, 8 deflate, anything else unknown. */
  method: number;
  /** The uncompressed size the headers declare. */
  size: number;
  crc: number;
  /** General purpose flags (default 0x800: the name is UTF-8). */
  flags?: number;
}

/**
 * A zip written byte by byte, so a test can declare any size or method and
 * reuse one compressed stream (fflate would have to compress every time).
 */
export function rawZip(entries: RawEntry[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = strToU8(entry.name);
    const local = new Uint8Array(30 + name.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, 20, true);
    l.setUint16(6, entry.flags ?? 0x800, true);
    l.setUint16(8, entry.method, true);
    l.setUint32(14, entry.crc, true);
    l.setUint32(18, entry.data.length, true);
    l.setUint32(22, entry.size, true);
    l.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const c = new DataView(central.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(8, entry.flags ?? 0x800, true);
    c.setUint16(10, entry.method, true);
    c.setUint32(16, entry.crc, true);
    c.setUint32(20, entry.data.length, true);
    c.setUint32(24, entry.size, true);
    c.setUint16(28, name.length, true);
    c.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, entry.data);
    centrals.push(central);
    offset += local.length + entry.data.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, entries.length, true);
  e.setUint16(10, entries.length, true);
  e.setUint32(12, centralSize, true);
  e.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, end];
  const zip = new Uint8Array(offset + centralSize + end.length);
  let at = 0;
  for (const part of parts) {
    zip.set(part, at);
    at += part.length;
  }
  return zip;
}

/** A deflated entry, declaring its true size unless told otherwise. */
export function deflated(
  name: string,
  data: Uint8Array,
  size = data.length,
): RawEntry {
  return {
    name,
    data: deflateRawSync(data),
    method: 8,
    size,
    crc: crc32(data),
  };
}

/** A stored (uncompressed) entry. */
export function stored(name: string, data: Uint8Array): RawEntry {
  return { name, data, method: 0, size: data.length, crc: crc32(data) };
}

/**
 * An entry of `mib` MiB of zeros, deflated to ~1 KB per MiB without
 * compressing it all: one MiB is deflated with a sync flush (non-final
 * blocks, byte-aligned, referring only to zeros), repeated, and closed with
 * an empty final block.
 */
export function zeros(name: string, mib: number): RawEntry {
  const block = new Uint8Array(MiB);
  const chunk = deflateRawSync(block, {
    finishFlush: constants.Z_SYNC_FLUSH,
  });
  const data = new Uint8Array(chunk.length * mib + 2);
  let crc = 0;
  for (let i = 0; i < mib; i++) {
    data.set(chunk, i * chunk.length);
    crc = crc32(block, crc);
  }
  data.set([0x03, 0x00], chunk.length * mib);
  return { name, data, method: 8, size: mib * MiB, crc };
}

/**
 * A zip bomb's entry as an attacker would write it: one deflate stream of
 * `1 + 258 * runs` zeros (a literal, then `runs` copies of "258 bytes from
 * 1 back", two bits each, about 1,000:1), in a single dynamic-Huffman
 * block with no stored blocks, declaring `size` bytes and a CRC of 0.
 */
export function bomb(name: string, runs: number, size: number): RawEntry {
  const data = new Uint8Array(64 + Math.ceil(runs / 4));
  let bit = 0;
  const write = (one: number) => {
    if (one) data[bit >> 3] = (data[bit >> 3] ?? 0) | (1 << (bit & 7));
    bit++;
  };
  /** A header field or extra bits: least significant bit first. */
  const put = (value: number, bits: number) => {
    for (let i = 0; i < bits; i++) write((value >> i) & 1);
  };
  /** A Huffman code: most significant bit first. */
  const code = (value: number, bits: number) => {
    for (let i = bits - 1; i >= 0; i--) write((value >> i) & 1);
  };
  put(1, 1); // the final block
  put(2, 2); // dynamic Huffman codes
  put(286 - 257, 5); // literal/length codes up to 285 (length 258)
  put(1 - 1, 5); // one distance code: 0 (distance 1)
  put(18 - 4, 4); // code-length codes, in RFC 1951's order:
  // 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1 → 18: "0", 1: "10", 2: "11"
  for (const bits of [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2])
    put(bits, 3);
  const zeroLengths = (count: number) => {
    code(0b0, 1);
    put(count - 11, 7);
  };
  // Literal 0 and end of block get 2 bits, length 258 one; distance 1 one.
  code(0b11, 2); // literal 0: length 2
  zeroLengths(138);
  zeroLengths(117); // literals 1-255: unused
  code(0b11, 2); // end of block: length 2
  zeroLengths(28); // lengths 3-257: unused
  code(0b10, 2); // length 258: length 1
  code(0b10, 2); // distance 1: length 1
  // The data: a literal zero ("10"), the copies ("0" "0": the buffer is
  // zero already), the end of block ("11").
  code(0b10, 2);
  bit += 2 * runs;
  code(0b11, 2);
  return {
    name,
    data: data.subarray(0, (bit + 7) >> 3),
    method: 8,
    size,
    crc: 0,
  };
}
