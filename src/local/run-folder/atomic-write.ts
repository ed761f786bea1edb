import { randomBytes } from "node:crypto";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes a file so that readers, and the file after a crash, see either the
 * old content or the new, never a mix: the data goes to a temporary sibling
 * (same folder, so the rename cannot cross file systems), is flushed to disk,
 * and is renamed over the target; the folder is then flushed so the rename
 * itself survives a power loss.
 *
 * The temporary name starts with a dot and ends in `.tmp`, so folder
 * listings (runs, inbox) can skip one left by a killed process.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
): Promise<void> {
  const dir = dirname(path);
  const temp = join(
    dir,
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`,
  );
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, "wx");
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

/** Error codes of platforms and file systems that cannot flush a folder. */
const CANNOT_SYNC_DIRECTORY = new Set(["EISDIR", "EINVAL", "EPERM", "EBADF"]);

/** Flushes a folder's entries (a rename, a new file) to disk. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (!CANNOT_SYNC_DIRECTORY.has(code)) throw error;
  } finally {
    await handle?.close();
  }
}
