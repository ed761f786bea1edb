import { describe, expect, it } from "vitest";
import { parseAnalyzeReport } from "../../action/src/analyze-report.js";

const SPEC_DIR = "specs/003-user-auth";

/** A report as Spec Kit's analyze template lays it out, with what models add. */
const REPORT = `I analyzed spec.md, plan.md and tasks.md against the constitution.

## Specification Analysis Report

| ID | Category | Severity | Location(s) | Summary | Recommendation |
|----|----------|----------|-------------|---------|----------------|
| D1 | Duplication | HIGH | spec.md:L120-134 | Two similar requirements for login | Merge phrasing; keep clearer version |
| C1 | Constitution Alignment | **CRITICAL** | plan.md:L45, spec.md:L12 | Plan skips tests (Principle III) | Add a test task before T010 |
| A1 | Ambiguity | 🟡 Medium | \`spec.md\` §NFR-2 | "fast" has no measurable target | Define p95 latency |
| U1 | Underspecification | low | tasks.md:T014 | Task names no file | |
| I1 | Inconsistency | INFO | data-model.md | Not a severity Spec Kit uses | Ignore |
| G1 | Coverage Gap | CRITICAL | spec.md:L88-L80 | FR-007 \\| FR-008 have no task | Add tasks |
| T1 | Terminology | LOW |
| | Inconsistency | MEDIUM | contracts/auth.yaml:12 | Field name drift | Rename |

**Coverage Summary Table:**

| Requirement Key | Has Task? | Task IDs | Notes |
|-----------------|-----------|----------|-------|
| user-can-log-in | Yes | T003, T004 | HIGH priority |
| password-reset | No | — | |

**Metrics:**

- Total Requirements: 14
- Total Tasks: 31
- Coverage % (requirements with >=1 task): 86%
- Ambiguity Count: 1
- Duplication Count: 1
- Critical Issues Count: 2

## Next Actions

- CRITICAL issues exist: resolve them before \`/speckit.implement\`.
`;

describe("parseAnalyzeReport", () => {
  it("reads every finding of the findings table, and nothing of the other tables", () => {
    const { findings, critical } = parseAnalyzeReport(REPORT, SPEC_DIR);
    expect(findings).toEqual([
      {
        id: "D1",
        category: "Duplication",
        severity: "HIGH",
        path: "specs/003-user-auth/spec.md",
        start_line: 120,
        end_line: 134,
        summary: "Two similar requirements for login",
        recommendation: "Merge phrasing; keep clearer version",
      },
      {
        id: "C1",
        category: "Constitution Alignment",
        severity: "CRITICAL",
        path: "specs/003-user-auth/plan.md",
        start_line: 45,
        end_line: 45,
        summary: "Plan skips tests (Principle III)",
        recommendation: "Add a test task before T010",
      },
      {
        id: "A1",
        category: "Ambiguity",
        severity: "MEDIUM",
        path: "specs/003-user-auth/spec.md",
        summary: '"fast" has no measurable target',
        recommendation: "Define p95 latency",
      },
      {
        id: "U1",
        category: "Underspecification",
        severity: "LOW",
        path: "specs/003-user-auth/tasks.md",
        summary: "Task names no file",
      },
      {
        id: "G1",
        category: "Coverage Gap",
        severity: "CRITICAL",
        path: "specs/003-user-auth/spec.md",
        start_line: 80,
        end_line: 88,
        summary: "FR-007 | FR-008 have no task",
        recommendation: "Add tasks",
      },
      {
        id: "T1",
        category: "Terminology",
        severity: "LOW",
        summary: "",
      },
      {
        id: "F7",
        category: "Inconsistency",
        severity: "MEDIUM",
        path: "contracts/auth.yaml",
        start_line: 12,
        end_line: 12,
        summary: "Field name drift",
        recommendation: "Rename",
      },
    ]);
    expect(critical).toBe(2);
  });

  it("ends the findings table at the next table even without text between them", () => {
    const report = [
      "| ID | Category | Severity | Location(s) | Summary | Recommendation |",
      "|-|-|-|-|-|-|",
      "| C1 | Coverage Gap | CRITICAL | spec.md:L3 | No tasks | Add tasks |",
      "",
      "| Requirement Key | Has Task? | Severity hint | Notes |",
      "| :--- | :---: | ---: | --- |",
      "| login | No | HIGH | would be a finding if read as one |",
    ].join("\n");
    expect(parseAnalyzeReport(report, null)).toEqual({
      findings: [
        {
          id: "C1",
          category: "Coverage Gap",
          severity: "CRITICAL",
          path: "spec.md",
          start_line: 3,
          end_line: 3,
          summary: "No tasks",
          recommendation: "Add tasks",
        },
      ],
      critical: 1,
    });
  });

  it("reads a findings table with a bold header and columns in another order", () => {
    const report = [
      "| **Severity** | **ID** | **Summary** |",
      "|---|---|---|",
      "| HIGH | X1 | Conflicting stacks |",
    ].join("\n");
    expect(parseAnalyzeReport(report, SPEC_DIR).findings).toEqual([
      {
        id: "X1",
        category: "",
        severity: "HIGH",
        summary: "Conflicting stacks",
      },
    ]);
  });

  it("stops reading rows after a paragraph ends the table", () => {
    const report = [
      "| ID | Category | Severity | Location(s) | Summary | Recommendation |",
      "|----|----------|----------|-------------|---------|----------------|",
      "",
      "No issues found.",
      "| Z9 | Oops | HIGH | spec.md | A stray row | - |",
    ].join("\n");
    expect(parseAnalyzeReport(report, SPEC_DIR)).toEqual({
      findings: [],
      critical: 0,
    });
  });

  it("finds nothing in a report with no findings table", () => {
    expect(
      parseAnalyzeReport(
        "## Specification Analysis Report\n\nNo issues found. Critical Issues Count: none",
        SPEC_DIR,
      ),
    ).toEqual({ findings: [], critical: 0 });
  });

  it.each<[string, object]>([
    [
      "spec.md:L120-134",
      { path: "specs/003-user-auth/spec.md", start_line: 120, end_line: 134 },
    ],
    [
      "spec.md:L12-L20",
      { path: "specs/003-user-auth/spec.md", start_line: 12, end_line: 20 },
    ],
    [
      "spec.md#L12-L20",
      { path: "specs/003-user-auth/spec.md", start_line: 12, end_line: 20 },
    ],
    [
      "plan.md:45",
      { path: "specs/003-user-auth/plan.md", start_line: 45, end_line: 45 },
    ],
    [
      "tasks.md:L7 – 9",
      { path: "specs/003-user-auth/tasks.md", start_line: 7, end_line: 9 },
    ],
    [
      "spec.md:L134-120",
      { path: "specs/003-user-auth/spec.md", start_line: 120, end_line: 134 },
    ],
    ["spec.md:L0", { path: "specs/003-user-auth/spec.md" }],
    ["spec.md:L0-4", { path: "specs/003-user-auth/spec.md" }],
    ["spec.md:99999999999999999999", { path: "specs/003-user-auth/spec.md" }],
    [
      "./plan.md:3",
      { path: "specs/003-user-auth/plan.md", start_line: 3, end_line: 3 },
    ],
    [
      "src/auth/login.ts:10-12",
      { path: "src/auth/login.ts", start_line: 10, end_line: 12 },
    ],
    ["`spec.md` (User Story 2)", { path: "specs/003-user-auth/spec.md" }],
    [
      "data-model.md; contracts/auth.yaml",
      { path: "specs/003-user-auth/data-model.md" },
    ],
    ["Constitution §III", {}],
    ["", {}],
  ])("reads the location %j", (text, expected) => {
    const report = [
      "| ID | Severity | Location(s) | Summary |",
      "|----|----------|-------------|---------|",
      `| L1 | LOW | ${text} | s |`,
    ].join("\n");
    const [finding] = parseAnalyzeReport(report, SPEC_DIR).findings;
    expect(finding).toEqual({
      id: "L1",
      category: "",
      severity: "LOW",
      summary: "s",
      ...expected,
    });
  });

  it("keeps a location as written without a spec directory", () => {
    const report = [
      "| ID | Severity | Location(s) | Summary |",
      "|---|---|---|---|",
      "| L1 | LOW | spec.md:L4 | s |",
    ].join("\n");
    expect(parseAnalyzeReport(report, null).findings[0]).toMatchObject({
      path: "spec.md",
      start_line: 4,
    });
  });

  const oneCritical = [
    "| ID | Category | Severity | Location(s) | Summary | Recommendation |",
    "|----|----------|----------|-------------|---------|----------------|",
    "| C1 | Constitution | CRITICAL | spec.md | Violates I | Fix |",
    "",
  ].join("\n");

  it.each<[string, string, number]>([
    ["no stated count: the table's CRITICAL rows", "", 1],
    ["Critical: N", "Critical: 4", 4],
    ["**Critical**: N", "**Critical**: 4", 4],
    ["**Critical:** N", "**Critical:** 4", 4],
    ["Spec Kit's metric", "- Critical Issues Count: 57", 57],
    ["Spec Kit's metric in bold", "* **Critical Issues Count**: 57", 57],
    [
      "Spec Kit's metric as a table row",
      "| Metric | Value |\n|---|---|\n| Critical Issues Count | 6 |",
      6,
    ],
    ["Critical Issues: N", "Critical issues: 3", 3],
    ["a stated count below the table's", "Critical Issues Count: 0", 1],
    ["a count that is not a number", "Critical Issues Count: none", 1],
  ])("counts CRITICAL findings from %s", (_, text, critical) => {
    expect(parseAnalyzeReport(`${oneCritical}\n${text}\n`, null).critical).toBe(
      critical,
    );
  });
});
