import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // Most of the slow tests wait on other processes (the App, the agent
    // CLIs, git): three files at once keep two cores busy, where vitest's
    // default (cores - 1) would run them one by one.
    maxWorkers: 3,
    // With the machine that busy, an in-process flow can take longer than
    // vitest's 5 s default; none of these limits is a timing assertion.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts", "action/src/**/*.ts"],
      reporter: ["text-summary", "html"],
      thresholds: { lines: 90, functions: 90, branches: 85, statements: 90 },
    },
  },
});
