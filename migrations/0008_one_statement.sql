CREATE FUNCTION "specwright_require"("p_held" boolean[], "p_refusals" text[])
RETURNS boolean LANGUAGE plpgsql AS $$
-- The guards of a write sent as one statement (src/store/one-statement.ts):
-- raises SW001 with the refusal of the first guard that does not hold,
-- which undoes the whole statement; true when all hold.
DECLARE
	i integer;
BEGIN
	FOR i IN 1 .. coalesce(array_length(p_held, 1), 0) LOOP
		IF NOT p_held[i] THEN
			RAISE EXCEPTION USING ERRCODE = 'SW001', MESSAGE = p_refusals[i];
		END IF;
	END LOOP;
	RETURN true;
END $$;
