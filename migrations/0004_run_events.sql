CREATE TABLE "run_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"event" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "current_stage" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "input_tokens" bigint;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "output_tokens" bigint;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "turns" integer;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "cost_usd" double precision;--> statement-breakpoint
ALTER TABLE "run_events" ADD CONSTRAINT "run_events_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "run_events_run_idx" ON "run_events" USING btree ("run_id","id");--> statement-breakpoint
CREATE INDEX "runs_created_idx" ON "runs" USING btree ("created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "runs_repository_created_idx" ON "runs" USING btree ("owner","repo","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "runs_requested_by_idx" ON "runs" USING btree ("requested_by");--> statement-breakpoint
-- Runs stored before these columns: the runs list's copies of what the
-- state document and the attempts hold (src/store/run-summary-columns.ts).
UPDATE "runs" SET "current_stage" = (
	SELECT "stage"->>'id'
	FROM jsonb_array_elements("runs"."state"->'stages') WITH ORDINALITY AS "s"("stage", "n")
	WHERE "stage"->>'status' IN ('dispatched', 'running', 'retrying', 'waiting_approval')
	ORDER BY "n"
	LIMIT 1
);--> statement-breakpoint
UPDATE "runs" SET
	"input_tokens" = "usage"."input_tokens",
	"output_tokens" = "usage"."output_tokens",
	"turns" = "usage"."turns",
	"cost_usd" = "usage"."cost_usd"
FROM (
	SELECT
		"run_id",
		sum(("metadata"->'usage'->>'input_tokens')::bigint)::bigint AS "input_tokens",
		sum(("metadata"->'usage'->>'output_tokens')::bigint)::bigint AS "output_tokens",
		sum(("metadata"->'usage'->>'turns')::integer)::integer AS "turns",
		sum(("metadata"->'usage'->>'cost_usd')::double precision) AS "cost_usd"
	FROM "stage_attempts"
	GROUP BY "run_id"
) AS "usage"
WHERE "usage"."run_id" = "runs"."id";
