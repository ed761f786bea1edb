/**
 * What the stand-in "model" does in one turn, in terms every agent CLI has
 * a tool for. Each protocol adapter turns these into the CLI's own tool
 * calls (Claude Code's Write, codex's apply_patch, gemini-cli's
 * write_file, …), so one script drives every backend.
 */
export type Action =
  /** Create or overwrite a file, relative to the agent's working directory. */
  | { write: string; content: string }
  /** Replace the one occurrence of `find` in a file. */
  | { edit: string; find: string; replace: string }
  /** Run a shell command in the working directory. */
  | { shell: string }
  /** Load a skill through the CLI's own skill tool (copilot). */
  | { skill: string }
  /** Plain text: the final answer of a turn without tool calls. */
  | { say: string };

export type Backend = "claude" | "codex" | "gemini" | "copilot";

/** A request as the stand-in received it, for tests to assert on. */
export interface RecordedRequest {
  backend: Backend;
  /** `anthropic-messages`, `openai-responses`, `gemini`, `openai-chat`, … */
  api: string;
  method: string;
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The credential as sent (the x-api-key, bearer token or goog key). */
  credential: string | null;
  model: string | null;
  /** Whether the CLI asked for a streamed answer. */
  stream: boolean;
  /** Every piece of text in the conversation (system, user, tool results), joined. */
  text: string;
  /** The names of the tools the CLI offered the model. */
  tools: string[];
  /**
   * The turn this request asks for: the number of model messages already
   * in the conversation (0 for the first request of a conversation).
   */
  turn: number;
  /**
   * A request the CLI makes on the side (a title, a summary, a quota or
   * routing check), not part of the agent loop: answered with plain text,
   * never passed to the script.
   */
  auxiliary: boolean;
  /** The parsed request body. */
  body: unknown;
}

export interface TurnContext {
  backend: Backend;
  turn: number;
  request: RecordedRequest;
}

/** Says what the model answers to each turn of the agent loop. */
export type Script = (context: TurnContext) => Action[];

/** Tokens the stand-in reports for every answer it gives. */
export const USAGE_PER_ANSWER = { input_tokens: 1200, output_tokens: 80 };

/** A script that does the given actions in its first turn, then says `done`. */
export function oneTurn(actions: Action[], done = "Done."): Script {
  return ({ turn }) => (turn === 0 ? actions : [{ say: done }]);
}
