import { checkRepositoryPath } from "../contracts/check-repository-path.js";
import type { Finding } from "../contracts/stage-result.js";
import { truncate } from "./render-status.js";
import { untrusted } from "./untrusted-text.js";

/** A check-run annotation, as the Checks API takes it. */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

/**
 * GitHub takes at most 50 annotations per create or update request and
 * appends those of each update to the ones before.
 * https://docs.github.com/en/rest/checks/runs#update-a-check-run
 */
export const ANNOTATIONS_PER_REQUEST = 50;

/** Our own bound (20 requests), so that a runaway report cannot flood the API. */
export const MAX_ANNOTATIONS = 1000;

/** Severities, most severe first. */
export const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;

const LEVELS: Readonly<
  Record<Finding["severity"], CheckAnnotation["annotation_level"]>
> = {
  CRITICAL: "failure",
  HIGH: "failure",
  MEDIUM: "warning",
  LOW: "notice",
};

/** GitHub caps a title at 255 characters and a message at 64 KB. */
const MAX_TITLE = 255;
const MAX_MESSAGE = 4_000;

export interface PlannedAnnotations {
  /** At most {@link MAX_ANNOTATIONS}, the most severe first. */
  annotations: CheckAnnotation[];
  /** Findings without a usable path and line: for the summary instead. */
  unplaced: Finding[];
  /** Findings that could be annotations but are beyond the bound. */
  left_out: number;
}

function placement(
  finding: Finding,
): { path: string; start: number; end: number } | undefined {
  const path = finding.path?.replace(/^(\.\/)+/, "");
  const start = finding.start_line ?? finding.end_line;
  if (path === undefined || start === undefined) return undefined;
  // The agent wrote the path: only one inside the repository can be shown.
  if (checkRepositoryPath(path) !== undefined) return undefined;
  return { path, start, end: Math.max(start, finding.end_line ?? start) };
}

function annotation(
  finding: Finding,
  where: { path: string; start: number; end: number },
): CheckAnnotation {
  // Annotations are plain text, but GitHub links references in them.
  const message = untrusted(
    finding.recommendation
      ? `${finding.summary}\n\nRecommendation: ${finding.recommendation}`
      : finding.summary,
    "plain",
  );
  return {
    path: where.path,
    start_line: where.start,
    end_line: where.end,
    annotation_level: LEVELS[finding.severity],
    title: truncate(
      untrusted(
        `${finding.severity} ${finding.id}: ${finding.category}`,
        "line",
      ),
      MAX_TITLE,
      "…",
    ),
    message: truncate(
      message || untrusted(finding.id, "line"),
      MAX_MESSAGE,
      "…",
    ),
  };
}

/**
 * `analyze`'s findings as annotations on the spec files: CRITICAL and HIGH
 * as failures, MEDIUM as warnings, LOW as notices, the most severe first so
 * that the bound drops the least severe.
 */
export function renderAnnotations(
  findings: readonly Finding[],
): PlannedAnnotations {
  const placed: CheckAnnotation[][] = SEVERITIES.map(() => []);
  const unplaced: Finding[] = [];
  for (const finding of findings) {
    const where = placement(finding);
    if (where === undefined) unplaced.push(finding);
    else
      placed[SEVERITIES.indexOf(finding.severity)]?.push(
        annotation(finding, where),
      );
  }
  const all = placed.flat();
  return {
    annotations: all.slice(0, MAX_ANNOTATIONS),
    unplaced,
    left_out: Math.max(0, all.length - MAX_ANNOTATIONS),
  };
}

/** Annotations in request-sized batches. */
export function annotationBatches(
  annotations: readonly CheckAnnotation[],
): CheckAnnotation[][] {
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST)
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  return batches;
}
