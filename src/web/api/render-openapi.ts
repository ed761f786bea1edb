import { z } from "zod";
import {
  ControlResult,
  ErrorEnvelope,
  RunDetail,
  RunPage,
  RunStatus,
  SessionView,
} from "./schemas.js";

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const json = (schema: Json, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const error = (description: string) => json(ref("ErrorEnvelope"), description);

const RUN_ID = {
  name: "id",
  in: "path",
  required: true,
  description: "The run's id (a UUID).",
  schema: { type: "string", format: "uuid" },
};
const STAGE = {
  name: "stage",
  in: "path",
  required: true,
  description: "A stage id of the run's workflow.",
  schema: { type: "string" },
};
const CSRF = {
  name: "X-CSRF-Token",
  in: "header",
  required: true,
  description: "The session's `csrf_token` (from `GET /session`).",
  schema: { type: "string" },
};

const COMMON_ERRORS = {
  "401": error("Not signed in."),
  "503": error("The dashboard is off: sign-in is not configured."),
};

function control(
  operationId: string,
  summary: string,
  parameters: Json[],
  body?: Json,
): Json {
  return {
    post: {
      operationId,
      summary,
      security: [{ session: [] }],
      parameters: [...parameters, CSRF],
      ...(body
        ? {
            requestBody: {
              required: false,
              content: { "application/json": { schema: body } },
            },
          }
        : {}),
      responses: {
        "200": json(
          ref("ControlResult"),
          "The run after the engine took the event.",
        ),
        "400": error("A malformed body."),
        "403": error(
          "No valid CSRF token, or not the permission the command needs.",
        ),
        "404": error(
          "No such run or stage, or one in a repository you cannot read.",
        ),
        "409": error(
          "The control does not apply to the run as it is (the reason says why).",
        ),
        ...COMMON_ERRORS,
      },
    },
  };
}

function schemaOf(schema: z.ZodType): Json {
  return z.toJSONSchema(schema, {
    target: "openapi-3.0",
    io: "output",
  }) as Json;
}

/**
 * The dashboard API's OpenAPI description (docs/api/openapi.json): paths
 * written here, schemas generated from the zod schemas the server answers
 * through, so the two cannot drift; tests check real answers against it.
 */
export function renderOpenApi(): Json {
  const listParameters = [
    [
      "repository",
      "Only runs of this repository (`owner/name`).",
      { type: "string" },
    ],
    [
      "status",
      "Only runs in these statuses, comma-separated.",
      { type: "string", example: "in_progress,failed" },
    ],
    [
      "requested_by",
      "Only runs started by this GitHub login.",
      { type: "string" },
    ],
    [
      "created_after",
      "Only runs created at or after this time (ISO 8601).",
      { type: "string" },
    ],
    [
      "created_before",
      "Only runs created before this time (ISO 8601).",
      { type: "string" },
    ],
    ["cursor", "`next_cursor` of the previous page.", { type: "string" }],
    [
      "limit",
      "Runs per page, 1 to 100 (default 25).",
      { type: "integer", minimum: 1, maximum: 100 },
    ],
  ].map(([name, description, schema]) => ({
    name,
    in: "query",
    required: false,
    description,
    schema,
  }));
  return {
    openapi: "3.0.3",
    info: {
      title: "Specwright dashboard API",
      version: "1",
      description:
        "The runs of the repositories the signed-in person can read, live over Server-Sent Events, and the controls of the comment commands. Served by the App under /specwright/api/v1/; sign in with GitHub at /specwright/auth/sign-in. Run statuses: " +
        RunStatus.options.join(", ") +
        ".",
    },
    servers: [{ url: "/specwright/api/v1" }],
    components: {
      securitySchemes: {
        session: {
          type: "apiKey",
          in: "cookie",
          name: "specwright_session",
          description: "Set by signing in with GitHub.",
        },
      },
      schemas: {
        RunPage: schemaOf(RunPage),
        RunDetail: schemaOf(RunDetail),
        SessionView: schemaOf(SessionView),
        ControlResult: schemaOf(ControlResult),
        ErrorEnvelope: schemaOf(ErrorEnvelope),
      },
    },
    paths: {
      "/session": {
        get: {
          operationId: "getSession",
          summary: "Who is signed in, and the CSRF token for POSTs.",
          security: [{ session: [] }],
          responses: {
            "200": json(ref("SessionView"), "The signed-in person."),
            ...COMMON_ERRORS,
          },
        },
      },
      "/runs": {
        get: {
          operationId: "listRuns",
          summary: "Runs, newest first, of the repositories you can read.",
          security: [{ session: [] }],
          parameters: listParameters,
          responses: {
            "200": json(ref("RunPage"), "A page of runs."),
            "400": error("A malformed filter or cursor; `field` names it."),
            ...COMMON_ERRORS,
          },
        },
      },
      "/runs/{id}": {
        get: {
          operationId: "getRun",
          summary:
            "A run with its stages, attempts, usage, artifacts and the controls you may press.",
          security: [{ session: [] }],
          parameters: [RUN_ID],
          responses: {
            "200": json(ref("RunDetail"), "The run."),
            "404": error(
              "No such run, or one in a repository you cannot read.",
            ),
            ...COMMON_ERRORS,
          },
        },
      },
      "/runs/{id}/events": {
        get: {
          operationId: "streamRunEvents",
          summary:
            "Server-Sent Events of the run: run_started, stage_started, stage_completed, stage_failed, gate_waiting, run_completed. Each has an `id:`; reconnect with `Last-Event-ID` to miss nothing. Comment lines are heartbeats. The stream ends after run_completed.",
          security: [{ session: [] }],
          parameters: [
            RUN_ID,
            {
              name: "Last-Event-ID",
              in: "header",
              required: false,
              description: "Start after this event.",
              schema: { type: "string" },
            },
            {
              name: "after",
              in: "query",
              required: false,
              description:
                "As Last-Event-ID, for a first connection (a run's `last_event_id`).",
              schema: { type: "string" },
            },
          ],
          responses: {
            "200": {
              description: "The event stream.",
              content: { "text/event-stream": { schema: { type: "string" } } },
            },
            "400": error("A malformed Last-Event-ID."),
            "429": error(
              "Too many event streams open (10 a person, 5,000 a process).",
            ),
            "404": error(
              "No such run, or one in a repository you cannot read.",
            ),
            ...COMMON_ERRORS,
          },
        },
      },
      "/runs/{id}/stages/{stage}/approve": control(
        "approveStage",
        "Approve a stage waiting at its gate (as `/approve <stage>`).",
        [RUN_ID, STAGE],
      ),
      "/runs/{id}/stages/{stage}/reject": control(
        "rejectStage",
        "Reject a stage waiting at its gate (as `/reject <stage> <reason>`).",
        [RUN_ID, STAGE],
        {
          type: "object",
          properties: { reason: { type: "string", maxLength: 500 } },
          additionalProperties: false,
        },
      ),
      "/runs/{id}/stages/{stage}/retry": control(
        "retryStage",
        "Run a stage that ended again (as `/retry <stage>`).",
        [RUN_ID, STAGE],
      ),
      "/runs/{id}/cancel": control(
        "cancelRun",
        "Cancel the run (as `/cancel`).",
        [RUN_ID],
      ),
      "/runs/{id}/hold": control(
        "holdRun",
        "Stop automatic progress (as `/hold`).",
        [RUN_ID],
      ),
      "/runs/{id}/unhold": control(
        "unholdRun",
        "Let the run go on (as `/unhold`).",
        [RUN_ID],
      ),
    },
  };
}
