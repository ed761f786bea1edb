import { userInfo } from "node:os";
import { createInterface } from "node:readline/promises";

/** What the local-run commands use of the process they run in. */
export interface Terminal {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Both ends are a terminal: a live view, and gates that ask. */
  interactive: boolean;
  columns(): number;
  now(): Date;
  /** Who approves, rejects and cancels: your login. */
  user: string;
  /** Aborted by the first Ctrl+C (or SIGTERM). */
  interrupt: AbortSignal;
  /** Called on a second Ctrl+C: stop everything now. */
  onForce(handler: () => void): void;
  /** Asks a question on the terminal; rejects when `signal` aborts. */
  ask(question: string, signal: AbortSignal): Promise<string>;
  /** Stops listening for Ctrl+C (the command is done). */
  release(): void;
}

/** The real terminal: this process's standard streams and signals. */
export function processTerminal(): Terminal {
  const controller = new AbortController();
  let force: (() => void) | undefined;
  const onSignal = () => {
    if (controller.signal.aborted) force?.();
    else controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    cwd: process.cwd(),
    env: process.env,
    interactive: process.stdout.isTTY === true && process.stdin.isTTY === true,
    // A pseudo-terminal nobody sized (script(1) without a terminal of its
    // own, some CI runners) says 0 columns: every line would be cut to nothing.
    columns: () => process.stdout.columns || 100,
    now: () => new Date(),
    user: userName(),
    interrupt: controller.signal,
    onForce(handler) {
      force = handler;
    },
    async ask(question, signal) {
      const rl = createInterface({
        input: process.stdin,
        output: process.stdout,
      });
      try {
        return await rl.question(question, { signal });
      } finally {
        rl.close();
      }
    },
    release() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "you";
  }
}
