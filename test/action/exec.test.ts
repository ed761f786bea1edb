import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exec, which } from "../../action/src/exec.js";

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "specwright-exec-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const sh = (script: string, options: Parameters<typeof exec>[2] = {}) =>
  exec("sh", ["-c", script], options);

/** Processes of a group that have not ended (a zombie has: its parent has yet to reap it). */
async function liveMembers(group: number): Promise<number[]> {
  const { readdir, readFile } = await import("node:fs/promises");
  const live: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === group && fields[0] !== "Z")
      live.push(Number(entry));
  }
  return live;
}

describe("exec", () => {
  it("collects both streams and the exit code, without a shell between", async () => {
    expect(
      await exec("sh", [
        "-c",
        'echo "out $1"; echo err >&2; exit 3',
        "sh",
        "a; rm -rf /",
      ]),
    ).toEqual({
      code: 3,
      signal: null,
      stdout: "out a; rm -rf /\n",
      stderr: "err\n",
      timedOut: false,
    });
  });

  it("runs in cwd with exactly the environment it is given", async () => {
    const result = await sh('pwd; echo "${FOO-unset} ${HOME-unset}"', {
      cwd: root,
      env: { PATH: process.env.PATH, FOO: "bar" },
    });
    expect(result.stdout.split("\n")).toEqual([root, "bar unset", ""]);
  });

  it("gives the input on standard input, and none when there is none", async () => {
    expect((await exec("cat", [], { input: "the prompt\n" })).stdout).toBe(
      "the prompt\n",
    );
    expect((await exec("cat", [])).stdout).toBe("");
  });

  it("survives a program that never reads its input", async () => {
    const result = await exec("true", [], { input: "x".repeat(4 << 20) });
    expect(result).toMatchObject({ code: 0, timedOut: false });
  });

  it("streams what the program prints, as it comes", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const result = await sh("echo one; echo two >&2; echo three", {
      onStdout: (chunk) => out.push(chunk),
      onStderr: (chunk) => err.push(chunk),
    });
    expect(out.join("")).toBe(result.stdout);
    expect(result.stdout).toBe("one\nthree\n");
    expect(err.join("")).toBe("two\n");
  });

  it("keeps the start and the end of output past the limit", async () => {
    const result = await sh(
      "printf 'BEGIN'; i=0; while [ $i -lt 200 ]; do printf '0123456789'; i=$((i+1)); done; printf 'END'",
      { maxBytes: 100 },
    );
    expect(result.stdout.startsWith("BEGIN012345")).toBe(true);
    expect(result.stdout.endsWith("6789END")).toBe(true);
    expect(result.stdout).toContain("\n… (output cut) …\n");
    expect(result.stdout.replace("\n… (output cut) …\n", "")).toHaveLength(100);
  });

  it.each<[string, string, RegExp]>([
    [
      "a program that is not installed",
      "no-such-program-x",
      /^no-such-program-x: command not found\n$/,
    ],
    ["an empty program name", "", /cannot be empty/],
  ])("answers %s like a shell, with 127", async (_, file, stderr) => {
    const result = await exec(file, ["--version"]);
    expect(result).toMatchObject({
      code: 127,
      signal: null,
      stdout: "",
      timedOut: false,
    });
    expect(result.stderr).toMatch(stderr);
  });

  it("reports a program killed by a signal", async () => {
    expect(await sh("kill -TERM $$")).toMatchObject({
      code: null,
      signal: "SIGTERM",
      timedOut: false,
    });
  });

  it("stops a program and the helpers it started when time is up", async () => {
    const result = await sh("sleep 30 & echo started; sleep 30", {
      timeoutMs: 200,
    });
    // It returned, so the background sleep, which held the output open,
    // was stopped too.
    expect(result).toMatchObject({
      code: null,
      signal: "SIGTERM",
      stdout: "started\n",
      timedOut: true,
    });
  });

  it("stops a program and its helpers when told to (a local run's Ctrl+C)", async () => {
    const controller = new AbortController();
    let pid = 0;
    const running = sh("sleep 30 & echo started; sleep 30", {
      signal: controller.signal,
      onStdout: () => controller.abort(),
      onSpawn: (spawned) => {
        pid = spawned;
      },
    });
    const result = await running;
    expect(result).toMatchObject({
      code: null,
      signal: "SIGTERM",
      stdout: "started\n",
      timedOut: false,
    });
    // The whole group is gone: the background sleep too.
    await expect.poll(() => liveMembers(pid)).toStrictEqual([]);
  });

  it("does not start a program told to stop before it started", async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await sh("sleep 30", { signal: controller.signal });
    expect(result.signal).toBe("SIGTERM");
  });

  it("returns when the program exits, not when a helper it left behind does", async () => {
    const result = await sh("sleep 30 & echo done", { timeoutMs: 60_000 });
    expect(result).toEqual({
      code: 0,
      signal: null,
      stdout: "done\n",
      stderr: "",
      timedOut: false,
    });
  });
});

describe("which", () => {
  beforeEach(async () => {
    for (const dir of ["a", "b", "repo/tools"])
      await mkdir(join(root, dir), { recursive: true });
    await writeFile(join(root, "a/agent"), "#!/bin/sh\n");
    await chmod(join(root, "a/agent"), 0o644);
    await writeFile(join(root, "b/agent"), "#!/bin/sh\n");
    await chmod(join(root, "b/agent"), 0o755);
    await mkdir(join(root, "a/tool"));
    await writeFile(join(root, "repo/tools/run.sh"), "#!/bin/sh\n");
    await chmod(join(root, "repo/tools/run.sh"), 0o755);
  });

  it("finds the first executable file on PATH, skipping empty entries", async () => {
    const PATH = `:${join(root, "a")}::${join(root, "b")}`;
    expect(await which("agent", { PATH })).toBe(join(root, "b/agent"));
  });

  it.each<[string, string, () => NodeJS.ProcessEnv]>([
    ["a name nowhere on PATH", "gemini", () => ({ PATH: join(root, "b") })],
    [
      "a file that is not executable",
      "agent",
      () => ({ PATH: join(root, "a") }),
    ],
    ["a directory", "tool", () => ({ PATH: join(root, "a") })],
    ["any name without PATH", "agent", () => ({})],
  ])("finds nothing for %s", async (_, name, env) => {
    expect(await which(name, env())).toBeUndefined();
  });

  it("resolves a path against the directory the program will run in", async () => {
    const repo = join(root, "repo");
    expect(await which("./tools/run.sh", {}, repo)).toBe(
      join(repo, "tools/run.sh"),
    );
    expect(await which("tools/run.sh", {}, repo)).toBe(
      join(repo, "tools/run.sh"),
    );
    expect(await which("./tools/run.sh", {}, root)).toBeUndefined();
    expect(await which(join(repo, "tools"), {}, root)).toBeUndefined();
    expect(await which(join(root, "b/agent"), {})).toBe(join(root, "b/agent"));
  });
});
