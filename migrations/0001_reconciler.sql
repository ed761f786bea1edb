CREATE TABLE "leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "next_wake_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "runs_pull_request_idx" ON "runs" USING btree ("owner","repo","pull_request_number");--> statement-breakpoint
CREATE INDEX "runs_next_wake_idx" ON "runs" USING btree ("next_wake_at");