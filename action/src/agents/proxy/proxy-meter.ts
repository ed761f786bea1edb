import type { LimitWatch } from "../limits/watch-limits.js";
import type { AnswerUsage } from "./answer-usage.js";

/** What the credential proxy tells about the agent's model traffic. */
export interface ProxyMeter {
  /** A request the agent sends: false to refuse it (a limit stopped the agent). */
  request(method: string, path: string): boolean;
  /** The usage one model answer reported. */
  answered(usage: AnswerUsage): void;
}

/** A proxy's meter that the stage's agent runs attach their watches to, one at a time. */
export interface StageMeter extends ProxyMeter {
  /**
   * The run's watch takes the traffic from now on: its usage always, its
   * model requests as turns when `countTurns`. Returns the detach.
   */
  attach(watch: LimitWatch, options: { countTurns: boolean }): () => void;
}

/** A request for a model's answer (not a model list, not a token count). */
const MODEL_CALL = /\/(?:responses|messages|chat\/completions)$/;

/** A meter for one stage's proxy. */
export function createStageMeter(): StageMeter {
  let current: { watch: LimitWatch; countTurns: boolean } | undefined;
  let input = 0;
  let output = 0;
  return {
    request(method, path) {
      if (!current) return true;
      if (current.watch.stoppedBy()) return false;
      if (!current.countTurns || method !== "POST" || !MODEL_CALL.test(path))
        return true;
      return current.watch.turn();
    },
    answered(usage) {
      if (!current) return;
      input += usage.input_tokens;
      output += usage.output_tokens;
      current.watch.usage({ input_tokens: input, output_tokens: output });
    },
    attach(watch, options) {
      const mine = { watch, countTurns: options.countTurns };
      current = mine;
      input = 0;
      output = 0;
      return () => {
        if (current === mine) current = undefined;
      };
    },
  };
}
