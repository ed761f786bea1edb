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
  /** The events the App acts on; failed deliveries of others are not asked again. */
  events?: readonly string[];
}

export interface RedeliveryReport {
  /** Deliveries GitHub was asked to send again. */
  redelivered: number;
  /** Deliveries that failed every attempt and were given up, logged. */
  gaveUp: number;
}

/** What the App subscribes to and acts on (app.yml). */
export const HANDLED_EVENTS = [
  "issue_comment",
  "issues",
  "pull_request",
  "check_run",
  "workflow_run",
  "workflow_job",
] as const;

/** Listing pages read in one sweep at most (100 deliveries each). */
const MAX_PAGES = 20;
/** Deliveries are logged when the attempt starts: read this far back again. */
const OVERLAP_MS = 60_000;
/** An asked redelivery not attempted after this is asked again (counting as an attempt). */
const ASK_AGAIN_MS = 10 * 60_000;

interface Failed {
  event: string;
  action: string | null;
  /** The failed attempts seen, by id. */
  attempts: Set<number>;
  /** The newest failed attempt: the one asked to be sent again. */
  latest: DeliveryAttempt;
  /** When a redelivery of `latest` was asked, and of which attempt. */
  asked?: { id: number; at: number };
}

/**
 * GitHub does not send a failed webhook delivery again on its own: while
 * the App is down, or answers with an error, `/specify` comments, label
 * events and button presses are lost. Each sweep reads the App's delivery
 * log (newest first, back to where the last sweep stopped) and asks GitHub
 * to redeliver each delivery none of whose attempts succeeded, a few times
 * at most. A redelivery keeps its `X-GitHub-Delivery`, so one the App did
 * act on after all changes nothing.
 */
export class Redeliverer {
  private readonly failed = new Map<string, Failed>();
  /** Deliveries done with (one attempt succeeded, or given up), and when. */
  private readonly settled = new Map<string, number>();
  /** The newest delivery time read, and when, from the last sweep. */
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
    let newest = this.scanned?.until ?? from;
    let pages = 0;
    let complete = false;
    for await (const page of octokit.paginate.iterator(
      octokit.rest.apps.listWebhookDeliveries,
      { per_page: 100 },
    )) {
      pages++;
      for (const attempt of page.data) {
        const time = Date.parse(attempt.delivered_at);
        if (time < from) {
          complete = true;
          break;
        }
        newest = Math.max(newest, time);
        this.note(attempt);
      }
      if (complete) break;
      if (pages >= MAX_PAGES) {
        log.warn(
          `specwright: read ${pages * 100} webhook deliveries without reaching ${new Date(from).toISOString()}; the older ones are left alone`,
        );
        break;
      }
    }
    this.scanned = { until: newest, at };

    const { maxAttempts = 3 } = this.options;
    for (const [guid, failed] of this.failed) {
      if (Date.parse(failed.latest.delivered_at) < oldest) {
        this.failed.delete(guid);
        continue;
      }
      const asked = failed.asked;
      if (asked?.id === failed.latest.id && at - asked.at < ASK_AGAIN_MS) {
        continue; // GitHub has not tried again yet
      }
      const tries =
        failed.attempts.size + (asked?.id === failed.latest.id ? 1 : 0);
      if (tries >= maxAttempts) {
        this.failed.delete(guid);
        this.settled.set(guid, at);
        report.gaveUp++;
        log.warn(
          `specwright: gave up on webhook delivery ${guid} (${describe(failed)}) after ${tries} failed attempt(s); the reconciler still looks after runs already started`,
        );
        continue;
      }
      try {
        await octokit.rest.apps.redeliverWebhookDelivery({
          delivery_id: failed.latest.id,
        });
        failed.asked = { id: failed.latest.id, at };
        report.redelivered++;
      } catch (error) {
        log.warn(
          `specwright: could not ask GitHub to redeliver webhook delivery ${guid} (${describe(failed)}): ${errorMessage(error)}`,
        );
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

  /** Takes one attempt from the log into account. */
  private note(attempt: DeliveryAttempt): void {
    const { guid } = attempt;
    if (this.settled.has(guid)) return;
    const events = this.options.events ?? HANDLED_EVENTS;
    if (attempt.status_code >= 200 && attempt.status_code < 300) {
      this.failed.delete(guid);
      this.settled.set(guid, Date.parse(attempt.delivered_at));
      return;
    }
    if (!events.includes(attempt.event)) return;
    const failed = this.failed.get(guid);
    if (failed === undefined) {
      this.failed.set(guid, {
        event: attempt.event,
        action: attempt.action,
        attempts: new Set([attempt.id]),
        latest: attempt,
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
