import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  TESTED_CLIS,
  versionNumber,
} from "../../action/src/agents/tested-versions.js";

// The agent CLIs run in the tests are the ones the stage workflow installs
// by default and the ones preflight calls tested: one list, kept in step.
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
  devDependencies: Record<string, string>;
};
const workflow = readFileSync(".github/workflows/specwright.yml", "utf8");

describe("the tested agent CLIs", () => {
  it.each(Object.entries(TESTED_CLIS))(
    "%s: the exact devDependency the tests run",
    (_, cli) => {
      expect(pkg.devDependencies[cli.package]).toBe(cli.version);
    },
  );

  it.each(Object.entries(TESTED_CLIS))(
    "%s: the version the stage workflow installs unless overridden",
    (backend, cli) => {
      expect(workflow).toContain(
        `${backend}) package=${cli.package} version=${cli.version} ;;`,
      );
    },
  );

  it("lets the repository variable override the version", () => {
    expect(workflow).toContain(
      "AGENT_VERSION: ${{ vars.SPECWRIGHT_AGENT_VERSION }}",
    );
    expect(workflow).toContain('"$package@${AGENT_VERSION:-$version}"');
    expect(workflow).not.toMatch(/@latest|'latest'/);
  });

  it.each<[string | null, string | null]>([
    ["2.1.197 (Claude Code)", "2.1.197"],
    ["codex-cli 0.171.0", "0.171.0"],
    ["GitHub Copilot CLI 1.0.102.\nRun 'copilot update'", "1.0.102"],
    ["0.62.0-preview.1", "0.62.0-preview.1"],
    ["unknown", null],
    [null, null],
  ])("reads the version in %j", (printed, number) => {
    expect(versionNumber(printed)).toBe(number);
  });
});
