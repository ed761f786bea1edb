import { z } from "zod";
import { StageRequest } from "../../src/contracts/stage-request.js";

/** The action's inputs, as action.yml declares them. */
export const Inputs = z.object({
  request: z.string({
    error:
      "the request input is required: the stage workflow passes ${{ inputs.request }}",
  }),
  "anthropic-api-key": z.string().optional(),
  "claude-code-oauth-token": z.string().optional(),
  "openai-api-key": z.string().optional(),
  "gemini-api-key": z.string().optional(),
  "copilot-token": z.string().optional(),
  "working-directory": z.string().default("."),
  "agent-isolation": z
    .enum(["user", "none"], {
      error:
        "agent-isolation must be user (the agent runs as its own user) or none (as the runner's user)",
    })
    .default("user"),
  // The YAML 1.2 booleans, as `core.getBooleanInput` takes them.
  "dry-run": z
    .enum(["true", "True", "TRUE", "false", "False", "FALSE"], {
      error: "dry-run must be true or false",
    })
    .default("false")
    .transform((value) => value.toLowerCase() === "true"),
});
export type Inputs = z.infer<typeof Inputs>;

/** Every input, read once: an empty value counts as not given. */
export type RawInputs = Record<
  keyof z.input<typeof Inputs>,
  string | undefined
>;

function issues(error: z.ZodError): string {
  return error.issues
    .map(
      (i) => `${i.path.length > 0 ? `${i.path.join(".")}: ` : ""}${i.message}`,
    )
    .join("; ");
}

/** Parses the inputs and the StageRequest in them; errors name the field. */
export function parseInputs(raw: RawInputs): {
  inputs: Inputs;
  request: StageRequest;
} {
  const given = Object.fromEntries(
    Object.entries(raw).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = Inputs.safeParse(given);
  if (!parsed.success)
    throw new Error(`invalid inputs: ${issues(parsed.error)}`);
  let json: unknown;
  try {
    json = JSON.parse(parsed.data.request);
  } catch {
    throw new Error(
      "the request input is not JSON: the stage workflow must pass the App's request unchanged",
    );
  }
  const request = StageRequest.safeParse(json);
  if (!request.success) {
    // Fields this action does not know: the App is newer than the action.
    const newer = request.error.issues.some(
      (i) => i.code === "unrecognized_keys",
    );
    throw new Error(
      `the request input is not a valid stage request: ${issues(request.error)}${newer ? " (the App sent fields this version of the action does not know: update the action's version in the stage workflow's uses:)" : ""}`,
    );
  }
  return { inputs: parsed.data, request: request.data };
}
