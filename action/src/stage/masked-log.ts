import type { Masker } from "../mask.js";
import type { ActionLog } from "./stage-dependencies.js";

/**
 * The stage's log, masked with the rule the bundle is: the runner masks
 * only the values it was told of, not their encodings, nor the tokens an
 * action finds in its environment.
 */
export function maskedLog(log: ActionLog, mask: Masker): ActionLog {
  return {
    info: (message) => log.info(mask.text(message)),
    warning: (message) => log.warning(mask.text(message)),
    startGroup: (name) => log.startGroup(mask.text(name)),
    endGroup: () => log.endGroup(),
    write: (text) => log.write(mask.text(text)),
  };
}
