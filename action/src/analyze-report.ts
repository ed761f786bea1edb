import type { Finding } from "../../src/contracts/stage-result.js";

const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, "|"));
}

/** `spec.md:L120-134`, `plan.md:45`, `tasks.md` → path and lines (under the spec directory). */
function location(
  text: string,
  specDir: string | null,
): Pick<Finding, "path" | "start_line" | "end_line"> {
  const first = text.split(/[,;]/)[0]?.replace(/`/g, "").trim() ?? "";
  const match =
    /^([^:\s]+\.[A-Za-z0-9]+)(?::L?(\d+)(?:\s*[-–]\s*L?(\d+))?)?/.exec(first);
  if (!match) return {};
  const [, file = "", start, end] = match;
  const path =
    file.includes("/") || specDir === null ? file : `${specDir}/${file}`;
  return {
    path,
    ...(start ? { start_line: Number(start) } : {}),
    ...(start ? { end_line: Number(end ?? start) } : {}),
  };
}

/**
 * Reads Spec Kit's analyze report: the findings table
 * (`| ID | Category | Severity | Location(s) | Summary | Recommendation |`)
 * and the number of CRITICAL findings (a `Critical: N` line, else counted).
 */
export function parseAnalyzeReport(
  report: string,
  specDir: string | null,
): { findings: Finding[]; critical: number } {
  const findings: Finding[] = [];
  let header: string[] | undefined;
  for (const line of report.split("\n")) {
    if (!line.trim().startsWith("|")) {
      header = header && line.trim() === "" ? header : undefined;
      continue;
    }
    const row = cells(line);
    if (header === undefined) {
      if (row.some((c) => /^severity$/i.test(c)))
        header = row.map((c) => c.toLowerCase());
      continue;
    }
    if (row.every((c) => /^:?-{2,}:?$/.test(c))) continue;
    const get = (name: RegExp) =>
      row[header?.findIndex((h) => name.test(h)) ?? -1] ?? "";
    const severity = get(/^severity/)
      .replace(/\*/g, "")
      .toUpperCase();
    if (!(SEVERITIES as readonly string[]).includes(severity)) continue;
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
  const stated = /^\s*\**critical\**\s*:\s*\**\s*(\d+)/im.exec(report);
  const critical = stated
    ? Number(stated[1])
    : findings.filter((f) => f.severity === "CRITICAL").length;
  return { findings, critical };
}
