import { crc32 } from "node:zlib";
import { strToU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import {
  BUNDLE_LIMITS,
  BundleError,
  type BundleExpectation,
  readResultBundle,
} from "../../src/contracts/read-result-bundle.js";
import { buildBundle } from "../support/bundle.js";
import { probeEventLoop } from "../support/lag-probe.js";
import {
  bomb,
  deflated,
  MiB,
  type RawEntry,
  rawZip,
  stored,
} from "../support/raw-zip.js";

// An agent that read untrusted text writes the bundle, so its zip is
// hostile input: the App must refuse a lie about sizes or checksums, and
// must not stall (every webhook and effect shares its event loop) while it
// finds out. Each attack goes through readResultBundle, as the App reads.

const RUN_ID = "6f1c2a9e-4b7d-4e8a-9c3f-2d5e8a1b7c40";
const SHA = "0123456789abcdef0123456789abcdef01234567";
const EXPECTED: BundleExpectation = {
  run_id: RUN_ID,
  stage: "plan",
  attempt: 1,
  base_sha: SHA,
  protected_paths: [],
};

/** A valid bundle's own entries, deflated, then `extra`. */
function withEntries(...extra: RawEntry[]): Uint8Array {
  const own = unzipSync(
    buildBundle({ runId: RUN_ID, stage: "plan", baseSha: SHA }),
  );
  return rawZip([
    ...Object.entries(own).map(([name, data]) => deflated(name, data)),
    ...extra,
  ]);
}

async function refusal(zip: Uint8Array): Promise<string[]> {
  try {
    await readResultBundle(zip, EXPECTED);
  } catch (error) {
    if (error instanceof BundleError) return error.problems;
    throw error;
  }
  throw new Error("expected a BundleError, but the bundle was accepted");
}

/** The zip with its `index`th central directory record changed. */
function patchDirectory(
  zip: Uint8Array,
  index: number,
  patch: (record: DataView) => void,
): Uint8Array {
  const copy = zip.slice();
  const view = new DataView(copy.buffer);
  let at = view.getUint32(copy.length - 22 + 16, true);
  for (let i = 0; i < index; i++) {
    at +=
      46 +
      view.getUint16(at + 28, true) +
      view.getUint16(at + 30, true) +
      view.getUint16(at + 32, true);
  }
  patch(new DataView(copy.buffer, at));
  return copy;
}

const runsFor = (bytes: number) => Math.floor((bytes - 1) / 258);

describe("readResultBundle unpacking a hostile zip", () => {
  it("refuses a zip bomb that declares 10 bytes, at once, without stalling the event loop", async () => {
    // 300 MiB of zeros in ~300 KiB: one deflate stream, as an attacker
    // would send it (today's fflate reader cut it at 10 bytes, after
    // inflating all of it on the event loop, and accepted the bundle).
    const entry = bomb("stderr-full.log", runsFor(300 * MiB), 10);
    const zip = withEntries(entry);
    expect(zip.length).toBeLessThan(400 * 1024);

    const probe = await probeEventLoop();
    const problems = await refusal(zip);
    const longestBlockMs = await probe.stop();

    expect(problems).toEqual([
      "stderr-full.log inflates to more than the 10 bytes its header declares",
    ]);
    expect(longestBlockMs).toBeLessThan(200);
  });

  it("inflates a big honest entry without stalling the event loop", async () => {
    // zlib inflates on the thread pool; what is left on the event loop is
    // copying and checksumming 64 KiB at a time (and the collector's work
    // for that many new buffers, which grows with the size).
    const runs = runsFor(48 * MiB);
    const size = 1 + 258 * runs;
    const entry = {
      ...bomb("big.log", runs, size),
      crc: crc32(new Uint8Array(size)),
    };
    const zip = withEntries(entry);

    const probe = await probeEventLoop();
    const read = await readResultBundle(zip, EXPECTED);
    const longestBlockMs = await probe.stop();

    expect(read.files.get("big.log")?.length).toBe(size);
    expect(longestBlockMs).toBeLessThan(200);
  });

  it.each<[string, () => Uint8Array, string]>([
    [
      "a deflated entry whose CRC-32 is not its bytes'",
      () =>
        withEntries({
          ...deflated("notes.md", strToU8("# Notes\n")),
          crc: 0x12345678,
        }),
      `notes.md fails its checksum: CRC-32 0x${crc32("# Notes\n").toString(16).padStart(8, "0")}, not the 0x12345678 its header declares`,
    ],
    [
      "a stored entry whose CRC-32 is not its bytes'",
      () =>
        withEntries({ ...stored("notes.md", strToU8("# Notes\n")), crc: 0 }),
      `notes.md fails its checksum: CRC-32 0x${crc32("# Notes\n").toString(16).padStart(8, "0")}, not the 0x00000000 its header declares`,
    ],
    [
      "a deflated entry that inflates to less than it declares",
      () => withEntries(deflated("notes.md", strToU8("# Notes\n"), 100)),
      "notes.md unpacks to 8 bytes, not the 100 its header declares",
    ],
    [
      "a stored entry whose size is not the size it declares",
      () =>
        withEntries({ ...stored("notes.md", strToU8("# Notes\n")), size: 4 }),
      "notes.md unpacks to 8 bytes, not the 4 its header declares",
    ],
    [
      "a deflate stream cut short",
      () => {
        const entry = deflated("notes.md", strToU8("x".repeat(1000)));
        return withEntries({ ...entry, data: entry.data.subarray(0, 3) });
      },
      "notes.md cannot be inflated (unexpected end of file)",
    ],
    [
      "an encrypted entry",
      () => withEntries({ ...stored("notes.md", strToU8("x")), flags: 0x801 }),
      "notes.md is encrypted",
    ],
    [
      "the same name twice",
      () =>
        withEntries(
          stored("notes.md", strToU8("a")),
          stored("notes.md", strToU8("b")),
        ),
      "the archive holds notes.md twice",
    ],
    [
      "entries that share their bytes (a bomb that reuses one stream)",
      () =>
        patchDirectory(
          rawZip([
            stored("a.log", strToU8("aaaa")),
            stored("b.log", strToU8("aaaa")),
          ]),
          1,
          (record) => record.setUint32(42, 0, true),
        ),
      "the archive's entries a.log and b.log overlap",
    ],
    [
      "a directory record pointing at no local header",
      () =>
        patchDirectory(
          rawZip([stored("a.log", strToU8("aaaa"))]),
          0,
          (record) => record.setUint32(42, 5, true),
        ),
      "the archive cannot be read (a.log: no local header where the directory says)",
    ],
    [
      "zip64 sizes",
      () =>
        patchDirectory(
          rawZip([stored("a.log", strToU8("aaaa"))]),
          0,
          (record) => record.setUint32(24, 0xffffffff, true),
        ),
      "the archive cannot be read (a.log: zip64 is not supported)",
    ],
  ])("refuses %s", async (_, zip, problem) => {
    expect(await refusal(zip())).toEqual([problem]);
  });

  it("refuses more entries than BUNDLE_LIMITS.entries before reading any", async () => {
    const zip = withEntries();
    const view = new DataView(zip.buffer);
    view.setUint16(zip.length - 22 + 8, 5000, true);
    view.setUint16(zip.length - 22 + 10, 5000, true);
    expect(await refusal(zip)).toEqual([
      `the archive has 5000 entries, over ${BUNDLE_LIMITS.entries}`,
    ]);
  });

  it("refuses honest sizes over BUNDLE_LIMITS.totalBytes before inflating any", async () => {
    const size = BUNDLE_LIMITS.totalBytes + 1;
    const zip = withEntries(bomb("big.log", runsFor(size), size));
    const [problem] = await refusal(zip);
    expect(problem).toMatch(
      /^the archive unpacks to \d+ bytes, over 104857600$/,
    );
  });
});
