ALTER TABLE "stage_attempts" ADD COLUMN "owner" text;--> statement-breakpoint
ALTER TABLE "stage_attempts" ADD COLUMN "repo" text;--> statement-breakpoint
ALTER TABLE "stage_attempts" ADD COLUMN "input_tokens" bigint;--> statement-breakpoint
ALTER TABLE "stage_attempts" ADD COLUMN "output_tokens" bigint;--> statement-breakpoint
ALTER TABLE "stage_attempts" ADD COLUMN "turns" integer;--> statement-breakpoint
ALTER TABLE "stage_attempts" ADD COLUMN "cost_usd" double precision;--> statement-breakpoint
-- Attempts stored before these columns: their run's repository and the
-- usage their metadata holds (src/store/run-rows.ts writes the same).
UPDATE "stage_attempts" SET
	"owner" = "runs"."owner",
	"repo" = "runs"."repo",
	"input_tokens" = ("stage_attempts"."metadata"->'usage'->>'input_tokens')::bigint,
	"output_tokens" = ("stage_attempts"."metadata"->'usage'->>'output_tokens')::bigint,
	"turns" = ("stage_attempts"."metadata"->'usage'->>'turns')::integer,
	"cost_usd" = ("stage_attempts"."metadata"->'usage'->>'cost_usd')::double precision
FROM "runs"
WHERE "runs"."id" = "stage_attempts"."run_id";--> statement-breakpoint
ALTER TABLE "stage_attempts" ALTER COLUMN "owner" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "stage_attempts" ALTER COLUMN "repo" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "stage_attempts_repository_completed_idx" ON "stage_attempts" USING btree ("owner","repo","completed_at");
