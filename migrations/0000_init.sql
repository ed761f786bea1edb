CREATE TABLE "agent_configurations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"agent_backend" text NOT NULL,
	"agent_version" text,
	"prompt_pack_version" text NOT NULL,
	"runtime_env" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "agent_configurations_run_id_unique" UNIQUE("run_id")
);
--> statement-breakpoint
CREATE TABLE "artifacts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"stage_attempt_id" uuid,
	"name" text NOT NULL,
	"artifact_type" text NOT NULL,
	"storage_path" text NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"source_phase" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "effects" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text NOT NULL,
	"tries" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"available_at" timestamp with time zone NOT NULL,
	"leased_until" timestamp with time zone,
	"superseded" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"installation_id" bigint NOT NULL,
	"owner" text NOT NULL,
	"repo" text NOT NULL,
	"issue_number" integer,
	"external_ref" text,
	"status" text NOT NULL,
	"requested_spec_input" text NOT NULL,
	"requested_by" text NOT NULL,
	"result_summary" text,
	"base_branch" text NOT NULL,
	"base_sha" text,
	"branch_name" text,
	"head_sha" text,
	"spec_dir" text,
	"pull_request_number" integer,
	"pull_request_url" text,
	"tracking_comment_id" bigint,
	"state" jsonb NOT NULL,
	"worker_hostname" text,
	"created_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stage_attempts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"stage" text NOT NULL,
	"attempt" integer NOT NULL,
	"status" text NOT NULL,
	"base_sha" text NOT NULL,
	"workflow_run_id" bigint,
	"workflow_run_url" text,
	"check_run_id" bigint,
	"conclusion" text,
	"commit_sha" text,
	"execution_path" text,
	"selected_skill" text,
	"error_message" text,
	"metadata" jsonb NOT NULL,
	"dispatched_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"delivery_id" text PRIMARY KEY NOT NULL,
	"event" text NOT NULL,
	"run_id" uuid,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agent_configurations" ADD CONSTRAINT "agent_configurations_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_stage_attempt_id_stage_attempts_id_fk" FOREIGN KEY ("stage_attempt_id") REFERENCES "public"."stage_attempts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "effects" ADD CONSTRAINT "effects_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_attempts" ADD CONSTRAINT "stage_attempts_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "artifacts_run_idx" ON "artifacts" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "effects_pending_idx" ON "effects" USING btree ("status","available_at");--> statement-breakpoint
CREATE INDEX "runs_repository_idx" ON "runs" USING btree ("owner","repo","issue_number");--> statement-breakpoint
CREATE INDEX "runs_status_idx" ON "runs" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "stage_attempts_run_stage_attempt_idx" ON "stage_attempts" USING btree ("run_id","stage","attempt");--> statement-breakpoint
CREATE UNIQUE INDEX "stage_attempts_workflow_run_idx" ON "stage_attempts" USING btree ("workflow_run_id");