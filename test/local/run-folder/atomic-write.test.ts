import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../../src/local/run-folder/atomic-write.js";
import { makeTempDir, removeTempDirs } from "./fixtures.js";

afterEach(removeTempDirs);

describe("writeFileAtomic", () => {
  it("writes text and bytes, replacing what was there", async () => {
    const dir = await makeTempDir();
    const target = join(dir, "metadata.json");
    await writeFileAtomic(target, "first\n");
    expect(await readFile(target, "utf8")).toBe("first\n");
    await writeFileAtomic(target, new Uint8Array([104, 105]));
    expect(await readFile(target, "utf8")).toBe("hi");
    expect(await readdir(dir)).toStrictEqual(["metadata.json"]);
  });

  it("lets readers see the old content or the new, never a mix", async () => {
    const dir = await makeTempDir();
    const target = join(dir, "big.txt");
    const old = "a".repeat(2_000_000);
    const fresh = "b".repeat(3_000_000);
    await writeFile(target, old);
    const seen = new Set<string>();
    const reads = Array.from({ length: 40 }, async () => {
      const text = await readFile(target, "utf8");
      seen.add(text === old ? "old" : text === fresh ? "new" : "mixed");
    });
    const writes = Array.from({ length: 5 }, () =>
      writeFileAtomic(target, fresh),
    );
    await Promise.all([...reads, ...writes]);
    expect(seen.has("mixed")).toBe(false);
    expect(await readFile(target, "utf8")).toBe(fresh);
    expect(await readdir(dir)).toStrictEqual(["big.txt"]);
  });

  it("rejects when the folder is missing and creates nothing", async () => {
    const dir = await makeTempDir();
    await expect(
      writeFileAtomic(join(dir, "missing", "file.json"), "{}"),
    ).rejects.toMatchObject({ code: "ENOENT" });
    expect(await readdir(dir)).toStrictEqual([]);
  });

  it("removes its temporary file when the rename fails", async () => {
    const dir = await makeTempDir();
    // A non-empty folder cannot be replaced by a file.
    await mkdir(join(dir, "target"));
    await writeFile(join(dir, "target", "keep"), "kept");
    await expect(writeFileAtomic(join(dir, "target"), "x")).rejects.toThrow();
    expect(await readdir(dir)).toStrictEqual(["target"]);
    expect(await readFile(join(dir, "target", "keep"), "utf8")).toBe("kept");
  });
});
