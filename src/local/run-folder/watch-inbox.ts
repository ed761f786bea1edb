import { type FSWatcher, watch } from "node:fs";
import { pendingFiles } from "./inbox.js";
import type { RunPaths } from "./paths.js";

/** How often the inbox is looked at when file events do not come. */
export const INBOX_POLL_MS = 500;

/**
 * Calls `onReady` when a request may have arrived, for the caller to
 * `takeControls`. File events are fast but unreliable on some file systems
 * (network mounts, some containers), so the folder is also polled. Neither
 * keeps the process alive.
 */
export function watchInbox(
  paths: RunPaths,
  onReady: () => void,
): { close(): void } {
  let closed = false;
  const ready = () => {
    if (!closed) onReady();
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(paths.inbox, { persistent: false }, ready);
    // A watcher that fails later leaves the polling to do the work.
    watcher.on("error", () => watcher?.close());
  } catch {
    watcher = undefined;
  }

  let polling = false;
  const timer = setInterval(() => {
    if (polling) return;
    polling = true;
    pendingFiles(paths.inbox)
      .then((files) => {
        if (files.length > 0) ready();
      })
      .catch(() => undefined)
      .finally(() => {
        polling = false;
      });
  }, INBOX_POLL_MS);
  timer.unref();

  return {
    close() {
      closed = true;
      clearInterval(timer);
      watcher?.close();
    },
  };
}
