import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

/**
 * The installed executable: bin/specwright.js loading the compiled CLI from
 * dist/ (built by `npm ci` through `prepare`, and by `npm run all`).
 */
async function specwright(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [
      "bin/specwright.js",
      ...args,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as {
      code: number;
      stdout: string;
      stderr: string;
    };
    return { code, stdout, stderr };
  }
}

describe("bin/specwright.js", () => {
  it("validates a file and exits 0", async () => {
    const result = await specwright(
      "validate",
      "test/fixtures/workflows/diamond.yml",
    );
    expect(result).toEqual({
      code: 0,
      stdout:
        'test/fixtures/workflows/diamond.yml: valid — workflow "Diamond", 4 stages\n',
      stderr: "",
    });
  });

  it("exits 1 with file:line:col diagnostics and no stack trace", async () => {
    const result = await specwright(
      "validate",
      "test/fixtures/workflows/cycle.yml",
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "test/fixtures/workflows/cycle.yml:4:20: dependency cycle: specify → tasks → plan → specify (each stage depends on the next)\n1 problem in test/fixtures/workflows/cycle.yml\n",
    );
  });

  it("exits 2 on a usage error", async () => {
    const result = await specwright("plan", "--format", "svg");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "specwright plan: --format must be one of text, json, mermaid",
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
