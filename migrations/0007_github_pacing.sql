CREATE TABLE "github_pacing" (
	"installation_id" bigint NOT NULL,
	"budget" text NOT NULL,
	"bucket" bigint NOT NULL,
	"count" integer NOT NULL,
	"ends_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "github_pacing_bucket_idx" ON "github_pacing" USING btree ("installation_id","budget","bucket");--> statement-breakpoint
CREATE INDEX "github_pacing_ends_idx" ON "github_pacing" USING btree ("ends_at");--> statement-breakpoint
CREATE FUNCTION "specwright_pacing_take"(
	"p_installation" bigint,
	"p_budgets" text[],
	"p_buckets" bigint[],
	"p_oldest" bigint[],
	"p_limits" integer[],
	"p_amounts" integer[],
	"p_ends" timestamp with time zone[],
	"p_force" boolean
) RETURNS bigint[] LANGUAGE plpgsql AS $$
-- One take of the pacer (src/store/pacing-ledger.ts), in one statement:
-- under a lock per installation, count every charge if each budget's
-- buckets leave room (or p_force); return null when counted, else every
-- budget's bucket counts, oldest first, one budget after another.
DECLARE
	i integer;
	used bigint;
	fits boolean := true;
	counts bigint[] := '{}';
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended('specwright-pacing:' || p_installation, 0));
	FOR i IN 1 .. coalesce(array_length(p_budgets, 1), 0) LOOP
		SELECT coalesce(sum("count"), 0) INTO used FROM "github_pacing"
		WHERE "installation_id" = p_installation AND "budget" = p_budgets[i]
			AND "bucket" BETWEEN p_oldest[i] AND p_buckets[i];
		IF used + p_amounts[i] > p_limits[i] THEN fits := false; END IF;
	END LOOP;
	IF NOT fits AND NOT p_force THEN
		FOR i IN 1 .. array_length(p_budgets, 1) LOOP
			counts := counts || ARRAY(
				SELECT coalesce(p."count", 0)::bigint
				FROM generate_series(p_oldest[i], p_buckets[i]) AS b
				LEFT JOIN "github_pacing" p ON p."installation_id" = p_installation
					AND p."budget" = p_budgets[i] AND p."bucket" = b
				ORDER BY b);
		END LOOP;
		RETURN counts;
	END IF;
	INSERT INTO "github_pacing" ("installation_id", "budget", "bucket", "count", "ends_at")
	SELECT p_installation, t.b, t.k, t.a, t.e
	FROM unnest(p_budgets, p_buckets, p_amounts, p_ends) AS t(b, k, a, e)
	ON CONFLICT ("installation_id", "budget", "bucket")
	DO UPDATE SET "count" = "github_pacing"."count" + excluded."count";
	RETURN NULL;
END $$;
