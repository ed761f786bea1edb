import type { Logger } from "../github/effect-context.js";
import { errorMessage } from "../github/github-errors.js";
import type { Octokit } from "../github/octokit.js";

/** One attempt to deliver a webhook, as GitHub's delivery log lists it. */
export interface DeliveryAttempt {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status_code: number;
  event: string;
  action: string | null;
}

export interface RedelivererOptions {
  /** A client authenticated as the App itself (a JWT, not an installation). */
  appOctokit: () => Promise<Octokit>;
  log: Logger;
  /** Deliveries older than this are left alone (GitHub keeps three days). */
  withinMs: number;
  /** Attempts of one delivery, the first included, before it is given up. */
  maxAttempts?: number;
  /** Redeliveries asked in one sweep at most; the rest wait for the next. */
  maxAsksPerSweep?: number;
  /** What the App acts on; failed deliveries of anything else are not asked again. */
  handled?: Readonly<Record<string, readonly string[] | "all">>;
}

export interface RedeliveryReport {
  /** Deliveries GitHub was asked to send again. */
  redelivered: number;
  /** Deliveries given up (every attempt failed, or GitHub would not send them again), logged. */
  gaveUp: number;
}

/** The events and actions the App registers handlers for (src/index.ts). */
export const HANDLED: Readonly<Record<string, readonly string[] | "all">> = {
  issue_comment: ["created"],
  issues: ["labeled"],
  pull_request: ["labeled"],
  check_run: ["rerequested", "requested_action"],
  workflow_run: "all",
  workflow_job: "all",
};

/** Listing pages read in one sweep at most (100 deliveries each). */
const MAX_PAGES = 20;
/** Deliveries are logged when the attempt starts: read this far back again. */
const OVERLAP_MS = 60_000;
/** An asked redelivery not attempted after this is asked again. */
const ASK_AGAIN_MS = 10 * 60_000;

interface Failed {
  event: string;
  action: string | null;
  /** The failed attempts seen, by id. */
  attempts: Set<number>;
  /** The newest failed attempt: the one asked to be sent again. */
  latest: DeliveryAttempt;
  /** Redeliveries asked so far (refused ones included). */
  asks: number;
  /** The last ask: of which attempt, and when. */
  asked?: { id: number; at: number };
}

/**
 * GitHub does not send a failed webhook delivery again on its own: while
 * the App is down, or answers with an error, `/specify` comments, label
 * events and button presses are lost. Each sweep reads the App's delivery
 * log (newest first, back to where the last sweep stopped) and asks GitHub
 * to redeliver each delivery none of whose attempts succeeded: at most
 * `maxAttempts - 1` asks per delivery, however they end, and
 * `maxAsksPerSweep` per sweep. A redelivery keeps its `X-GitHub-Delivery`,
 * so one the App did act on after all changes nothing.
 */
export class Redeliverer {
  private readonly failed = new Map<string, Failed>();
  /** Deliveries done with (one attempt succeeded, or given up), and when. */
  private readonly settled = new Map<string, number>();
  /**
   * The newest delivery time read to the end of, and when this replica
   * last swept.
   */
  private scanned: { until: number; at: number } | undefined;

  constructor(private readonly options: RedelivererOptions) {}

  /**
   * One pass over the delivery log. `sweepMs` is the time between sweeps: a
   * replica that has not swept for longer (another held the lease) reads the
   * whole window again.
   */
  async sweep(now: Date, sweepMs: number): Promise<RedeliveryReport> {
    const { withinMs, log } = this.options;
    const report: RedeliveryReport = { redelivered: 0, gaveUp: 0 };
    const at = now.getTime();
    const oldest = at - withinMs;
    const fresh =
      this.scanned !== undefined && at - this.scanned.at <= 3 * sweepMs;
    const from = fresh
      ? Math.max(oldest, (this.scanned?.until ?? at) - OVERLAP_MS)
      : oldest;
    if (!fresh) {
      this.failed.clear();
      this.settled.clear();
    }
    const octokit = await this.options.appOctokit();
    let newest = from;
    let pages = 0;
    let read = true;
    try {
      for await (const page of octokit.paginate.iterator(
        octokit.rest.apps.listWebhookDeliveries,
        { per_page: 100 },
      )) {
        pages++;
        let reached = false;
        for (const attempt of page.data) {
          const time = Date.parse(attempt.delivered_at);
          if (time < from) {
            reached = true;
            break;
          }
          newest = Math.max(newest, time);
          this.note(attempt);
        }
        if (reached) break;
        if (pages >= MAX_PAGES) {
          log.warn(
            `specwright: read ${pages * 100} webhook deliveries without reaching ${new Date(from).toISOString()}; the older ones are left alone`,
          );
          break;
        }
      }
    } catch (error) {
      // What was read is still acted on; the next sweep reads from the
      // same place again.
      read = false;
      log.warn(
        `specwright: could not read the App's webhook deliveries (page ${pages + 1}): ${errorMessage(error)}`,
      );
    }
    this.scanned = {
      until: read ? newest : (this.scanned?.until ?? from),
      at,
    };

    const { maxAttempts = 3, maxAsksPerSweep = 50 } = this.options;
    for (const [guid, failed] of this.failed) {
      const asked = failed.asked;
      const waiting =
        asked?.id === failed.latest.id && at - asked.at < ASK_AGAIN_MS;
      if (Date.parse(failed.latest.delivered_at) < oldest && !waiting) {
        this.failed.delete(guid);
        if (failed.asks > 0) {
          report.gaveUp++;
          log.warn(
            `specwright: gave up on webhook delivery ${guid} (${describe(failed)}): older than the redelivery window, ${failed.asks} redelivery(ies) asked`,
          );
        }
        continue;
      }
      if (waiting) continue; // GitHub has not tried again yet
      if (failed.asks >= maxAttempts - 1) {
        this.giveUp(guid, failed, report);
        continue;
      }
      if (report.redelivered >= maxAsksPerSweep) continue;
      failed.asks++;
      failed.asked = { id: failed.latest.id, at };
      try {
        await octokit.rest.apps.redeliverWebhookDelivery({
          delivery_id: failed.latest.id,
        });
        report.redelivered++;
      } catch (error) {
        log.warn(
          `specwright: GitHub would not redeliver webhook delivery ${guid} (${describe(failed)}): ${errorMessage(error)}`,
        );
        // Asked and refused: nothing will come of this ask.
        failed.asked = { id: failed.latest.id, at: at - ASK_AGAIN_MS };
      }
    }
    for (const [guid, time] of this.settled) {
      if (time < oldest) this.settled.delete(guid);
    }
    if (report.redelivered > 0) {
      log.info(
        `specwright: asked GitHub to redeliver ${report.redelivered} failed webhook delivery(ies)`,
      );
    }
    return report;
  }

  private giveUp(guid: string, failed: Failed, report: RedeliveryReport) {
    this.failed.delete(guid);
    this.settled.set(guid, Date.parse(failed.latest.delivered_at));
    report.gaveUp++;
    this.options.log.warn(
      `specwright: gave up on webhook delivery ${guid} (${describe(failed)}) after ${failed.attempts.size} failed attempt(s) and ${failed.asks} redelivery(ies) asked; the reconciler still looks after runs already started`,
    );
  }

  /** Takes one attempt from the log into account. */
  private note(attempt: DeliveryAttempt): void {
    const { guid } = attempt;
    const handled = (this.options.handled ?? HANDLED)[attempt.event];
    if (
      handled === undefined ||
      (handled !== "all" && !handled.includes(attempt.action ?? ""))
    ) {
      return;
    }
    if (this.settled.has(guid)) return;
    if (attempt.status_code >= 200 && attempt.status_code < 300) {
      this.failed.delete(guid);
      this.settled.set(guid, Date.parse(attempt.delivered_at));
      return;
    }
    const failed = this.failed.get(guid);
    if (failed === undefined) {
      this.failed.set(guid, {
        event: attempt.event,
        action: attempt.action,
        attempts: new Set([attempt.id]),
        latest: attempt,
        asks: 0,
      });
      return;
    }
    failed.attempts.add(attempt.id);
    if (attempt.id > failed.latest.id) failed.latest = attempt;
  }
}

function describe(failed: Failed): string {
  return failed.action ? `${failed.event}.${failed.action}` : failed.event;
}
