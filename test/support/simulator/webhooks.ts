import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are free-form JSON patched from templates
export type Json = Record<string, any>;

const TEMPLATES = "test/fixtures/webhooks";

/** A payload GitHub sent once (a committed fixture), to patch into a new one. */
export function template(name: string): Json {
  return JSON.parse(readFileSync(`${TEMPLATES}/${name}.json`, "utf8")) as Json;
}

let validators: Ajv2020 | undefined;

/** Problems with a payload against GitHub's webhook schema, or none. */
export function validatePayload(
  event: string,
  action: string,
  payload: Json,
): string[] {
  if (validators === undefined) {
    const spec = JSON.parse(
      readFileSync(
        "node_modules/@octokit/openapi-webhooks/generated/api.github.com.json",
        "utf8",
      ),
    ) as { components: Record<string, unknown> };
    validators = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(validators);
    validators.addSchema({ $id: "wh", components: spec.components });
  }
  const name = `webhook-${event.replace(/_/g, "-")}-${action.replace(/_/g, "-")}`;
  const validate = validators.getSchema(`wh#/components/schemas/${name}`);
  if (validate === undefined) return [`no webhook schema ${name}`];
  if (validate(payload)) return [];
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${event}.${action}: ${e.instancePath || "/"} ${e.message}`);
}

/** One attempt to deliver a webhook, as GitHub's delivery log keeps it. */
export interface Delivery {
  /** The attempt's number in the log. */
  id: number;
  /** `X-GitHub-Delivery`: the same for every attempt of one event. */
  guid: string;
  event: string;
  action: string;
  delivered_at: string;
  /** The App's answer; 0 when it could not be reached (or the attempt was dropped); null until answered. */
  status: number | null;
  /** Seconds the attempt took. */
  duration: number;
  /** Dropped by the delivery policy: it never reached the App. */
  dropped: boolean;
  /** Sent twice by GitHub on its own (the same guid). */
  duplicate: boolean;
  /** Sent again because the App asked (`POST /app/hook/deliveries/{id}/attempts`). */
  redelivery: boolean;
  installation_id: number | null;
  repository_id: number | null;
  /** What was sent, to send again. */
  body: string;
}

/** The delivery log's entry for an attempt (`GET /app/hook/deliveries`). */
export function deliveryItem(delivery: Delivery): Json {
  const code = delivery.status ?? 0;
  return {
    id: delivery.id,
    guid: delivery.guid,
    delivered_at: delivery.delivered_at.replace(/\.\d+Z$/, "Z"),
    redelivery: delivery.redelivery,
    duration: delivery.duration,
    status:
      code === 0
        ? "failed to connect to host"
        : code >= 200 && code < 300
          ? "OK"
          : `Invalid HTTP Response: ${code}`,
    status_code: code,
    event: delivery.event,
    action: delivery.action || null,
    installation_id: delivery.installation_id,
    repository_id: delivery.repository_id,
    throttled_at: null,
  };
}

/**
 * How deliveries misbehave, for the scenarios that test what GitHub does to
 * webhooks: some dropped, each sent twice, several held and sent in a
 * shuffled order. Seeded, so a failing scenario can be replayed.
 */
export interface DeliveryPolicy {
  /**
   * Whether to drop this attempt: it never reaches the App, and the log
   * records it as failed, as GitHub does when the App cannot be reached.
   */
  drop?: (delivery: {
    event: string;
    action: string;
    redelivery: boolean;
  }) => boolean;
  /** Send every delivery twice (a redelivery with the same id). */
  duplicate?: boolean;
  /** Hold deliveries and send them in a random order, this many at a time. */
  shuffle?: number;
}

/** A deterministic random source (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Sends signed webhook deliveries to the App's HTTP endpoint, each with a
 * unique `X-GitHub-Delivery`, following the delivery policy.
 */
export class WebhookSender {
  readonly log: Delivery[] = [];
  readonly problems: string[] = [];
  url: string | undefined;
  policy: DeliveryPolicy = {};
  private held: { delivery: Delivery; body: string }[] = [];
  private readonly pending = new Set<Promise<void>>();
  /** Each attempt posted and not yet answered. */
  private readonly posting = new Map<Delivery, Promise<void>>();
  private readonly random: () => number;

  private nextId = 1;

  constructor(
    private readonly secret: string,
    seed = 1,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.random = seededRandom(seed);
  }

  /** Sends (or drops, holds, duplicates) one event. */
  send(event: string, payload: Json): Delivery {
    const action = String(payload.action ?? "");
    for (const problem of validatePayload(event, action, payload)) {
      this.problems.push(`webhook GitHub would not send: ${problem}`);
    }
    const first = this.attempt({
      guid: randomUUID(),
      event,
      action,
      installation_id: payload.installation?.id ?? null,
      repository_id: payload.repository?.id ?? null,
      body: JSON.stringify(payload),
    });
    if (first.dropped) return first;
    const copies = this.policy.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const copy = i === 0 ? first : this.attempt(first, { duplicate: true });
      if (this.policy.shuffle && this.policy.shuffle > 1) {
        this.held.push({ delivery: copy, body: copy.body });
        if (this.held.length >= this.policy.shuffle) this.release();
      } else {
        this.post(copy, copy.body);
      }
    }
    return first;
  }

  /**
   * Sends an attempt again, as `POST /app/hook/deliveries/{id}/attempts`
   * asks: a new attempt with the same guid. Undefined if there is no such
   * attempt.
   */
  redeliver(id: number): Delivery | undefined {
    const original = this.log.find((d) => d.id === id);
    if (original === undefined) return undefined;
    const again = this.attempt(original, { redelivery: true });
    if (!again.dropped) this.post(again, again.body);
    return again;
  }

  /** A new attempt in the log, dropped or not by the policy. */
  private attempt(
    of: Pick<
      Delivery,
      "guid" | "event" | "action" | "installation_id" | "repository_id" | "body"
    >,
    kind: { duplicate?: boolean; redelivery?: boolean } = {},
  ): Delivery {
    const redelivery = kind.redelivery ?? false;
    const dropped =
      !kind.duplicate &&
      (this.policy.drop?.({
        event: of.event,
        action: of.action,
        redelivery,
      }) ??
        false);
    const delivery: Delivery = {
      id: this.nextId++,
      guid: of.guid,
      event: of.event,
      action: of.action,
      delivered_at: this.now().toISOString(),
      status: dropped ? 0 : null,
      duration: 0,
      dropped,
      duplicate: kind.duplicate ?? false,
      redelivery,
      installation_id: of.installation_id,
      repository_id: of.repository_id,
      body: of.body,
    };
    this.log.push(delivery);
    return delivery;
  }

  /**
   * The signature GitHub puts on `body` with the App's webhook secret:
   * `X-Hub-Signature-256`'s value, or the legacy `X-Hub-Signature`'s (sha1).
   */
  sign(body: string, algorithm: "sha256" | "sha1" = "sha256"): string {
    const digest = createHmac(algorithm, this.secret)
      .update(body)
      .digest("hex");
    return `${algorithm}=${digest}`;
  }

  /** Sends what is held, in a shuffled order. */
  release(): void {
    const held = this.held;
    this.held = [];
    for (let i = held.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [held[i], held[j]] = [
        held[j] as (typeof held)[number],
        held[i] as (typeof held)[number],
      ];
    }
    for (const { delivery, body } of held) this.post(delivery, body);
  }

  private post(delivery: Delivery, body: string): void {
    const url = this.url;
    if (url === undefined) {
      this.problems.push(`no App to deliver ${delivery.event} to`);
      return;
    }
    const started = Date.now();
    const signature = this.sign(body);
    const sent = fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "GitHub-Hookshot/simulator",
        "x-github-event": delivery.event,
        "x-github-delivery": delivery.guid,
        "x-hub-signature-256": signature,
      },
      body,
    })
      .then(async (response) => {
        delivery.status = response.status;
        await response.arrayBuffer();
      })
      .catch(() => {
        // The App is down: GitHub records the failure and does not retry.
        delivery.status = 0;
      })
      .finally(() => {
        delivery.duration = (Date.now() - started) / 1000;
        this.pending.delete(sent);
        this.posting.delete(delivery);
      });
    this.pending.add(sent);
    this.posting.set(delivery, sent);
  }

  /**
   * Resolves once the App answered this attempt (at once if it was
   * dropped, held for shuffling, or answered already).
   */
  async answered(delivery: Delivery): Promise<void> {
    await this.posting.get(delivery);
  }

  /** Resolves once every delivery sent so far has been answered. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
