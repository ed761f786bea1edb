import type { Finding } from "../../src/contracts/stage-result.js";

const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;
/** A severity cell may be bold, lower case or decorated (`**High**`, `🔴 CRITICAL`). */
const SEVERITY = new RegExp(String.raw`\b(${SEVERITIES.join("|")})\b`, "i");

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, "|"));
}

/**
 * `spec.md:L120-134`, `plan.md:45`, `spec.md#L12-L20`, `tasks.md` → path
 * and lines (under the spec directory). Lines GitHub would refuse for an
 * annotation (0, or an end before the start) are dropped or put in order.
 */
function location(
  text: string,
  specDir: string | null,
): Pick<Finding, "path" | "start_line" | "end_line"> {
  const first = text.split(/[,;]/)[0]?.replace(/`/g, "").trim() ?? "";
  const match =
    /^([^:#\s]+\.[A-Za-z0-9]+)(?:[:#]L?(\d+)(?:\s*[-–]\s*L?(\d+))?)?/.exec(
      first,
    );
  if (!match) return {};
  const [, given = "", start, end] = match;
  const file = given.replace(/^(\.\/)+/, "");
  const path =
    file.includes("/") || specDir === null ? file : `${specDir}/${file}`;
  const from = Number(start);
  const to = end === undefined ? from : Number(end);
  if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to)))
    return { path };
  if (Math.min(from, to) < 1) return { path };
  return {
    path,
    start_line: Math.min(from, to),
    end_line: Math.max(from, to),
  };
}

/**
 * The CRITICAL count the report states: `Critical: N`, or the
 * `Critical Issues Count` metric Spec Kit's template asks for, as a list
 * item or a table row.
 */
function statedCritical(report: string): number | undefined {
  const label = String.raw`\**\s*critical(?:\s+issues?)?(?:\s+count)?\s*\**`;
  const line = new RegExp(
    String.raw`^\s*(?:[-*+]\s+)?${label}\s*:\s*\**\s*(\d+)`,
    "im",
  ).exec(report);
  const row = new RegExp(
    String.raw`^\s*\|\s*${label}\s*\|\s*\**\s*(\d+)`,
    "im",
  ).exec(report);
  const found = line ?? row;
  return found ? Number(found[1]) : undefined;
}

/**
 * Reads Spec Kit's analyze report: the findings table
 * (`| ID | Category | Severity | Location(s) | Summary | Recommendation |`)
 * and the number of CRITICAL findings: the report's own count (the table
 * stops at 50 rows), but never fewer than the table's CRITICAL rows.
 */
export function parseAnalyzeReport(
  report: string,
  specDir: string | null,
): { findings: Finding[]; critical: number } {
  const findings: Finding[] = [];
  let header: string[] | undefined;
  let previous: string[] | undefined;
  for (const line of report.split("\n")) {
    if (!line.trim().startsWith("|")) {
      header = header && line.trim() === "" ? header : undefined;
      previous = undefined;
      continue;
    }
    const row = cells(line);
    // A delimiter row makes the row above it a header: the findings
    // table's, or another table's (the coverage summary) that ends it.
    if (row.every((c) => /^:?-+:?$/.test(c))) {
      header = previous?.includes("severity") ? previous : undefined;
      continue;
    }
    const names = row.map((c) => c.replace(/\*/g, "").trim().toLowerCase());
    previous = names;
    if (header === undefined) {
      if (names.includes("severity")) header = names;
      continue;
    }
    const get = (name: RegExp) =>
      row[header?.findIndex((h) => name.test(h)) ?? -1] ?? "";
    const severity = SEVERITY.exec(get(/^severity/))?.[1]?.toUpperCase();
    if (severity === undefined) continue;
    const recommendation = get(/^recommendation/);
    findings.push({
      id: get(/^id$/) || `F${findings.length + 1}`,
      category: get(/^category/),
      severity: severity as Finding["severity"],
      ...location(get(/^location/), specDir),
      summary: get(/^summary/),
      ...(recommendation ? { recommendation } : {}),
    });
  }
  const counted = findings.filter((f) => f.severity === "CRITICAL").length;
  return {
    findings,
    critical: Math.max(statedCritical(report) ?? 0, counted),
  };
}
