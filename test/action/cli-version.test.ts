import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { cliVersion } from "../../action/src/cli-version.js";

// A local run checks the agent CLI before every stage; a CLI is asked its
// version once for as long as its file stays the same.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "specwright-cli-version-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A CLI that prints `version` and counts how often it was started. */
async function fakeCli(version: string): Promise<string> {
  const path = join(dir, "agent");
  await writeFile(
    path,
    `#!/bin/sh\necho started >> ${join(dir, "starts")}\necho "${version}"\n`,
  );
  await chmod(path, 0o755);
  return path;
}
const starts = async () =>
  (await readFile(join(dir, "starts"), "utf8").catch(() => ""))
    .split("\n")
    .filter(Boolean).length;

it("asks a CLI once, and again once its file changed", async () => {
  const cli = await fakeCli("agent 1.0.0");

  expect(await cliVersion(cli, process.env, dir)).toBe("agent 1.0.0");
  expect(await cliVersion(cli, process.env, dir)).toBe("agent 1.0.0");
  expect(await starts()).toBe(1);

  // An upgrade writes a new file.
  await rm(cli);
  await fakeCli("agent 1.1.0");
  expect(await cliVersion(cli, process.env, dir)).toBe("agent 1.1.0");
  expect(await starts()).toBe(2);
});

it("asks again after a failure", async () => {
  const cli = join(dir, "broken");
  await writeFile(
    cli,
    `#!/bin/sh\necho started >> ${join(dir, "starts")}\nexit 3\n`,
  );
  await chmod(cli, 0o755);

  expect(await cliVersion(cli, process.env, dir)).toBeNull();
  expect(await cliVersion(cli, process.env, dir)).toBeNull();
  expect(await starts()).toBe(2);
});
