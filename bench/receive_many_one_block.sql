-- Not a migration: an experiment of issue 19 (docs/PERFORMANCE.md "The batched ceiling").
-- Apply by hand to a bench deployment (deploy/local.sh psql DIR -f FILE) and A/B with
-- motcua-pg-ceiling; 016's mc_receive_many is the one in force.
-- a batch of receives in one subtransaction (issue 19, part 1).
--
-- mc_receive_many (016) ran every receive in its own BEGIN ... EXCEPTION
-- block: a subtransaction per dossier, so that a refused one (key reused,
-- unknown procedure, bad text) gets its own error while the others
-- commit. A subtransaction costs PostgreSQL CPU, and a row that two of them
-- touch (the unit's day-sequence row, once per dossier of that unit) takes
-- a MultiXact and a lock record in the WAL. Nearly every batch has no
-- refused receive, so the batch now runs first in ONE block; only if any
-- receive raises is that block undone as a whole and the batch run again
-- as before, one block per receive. The answers are the same either way:
-- the undone block leaves nothing behind (day sequence, register numbers,
-- idempotency rows all roll back with it; only the dossiers' id sequence
-- skips, as it already did for a refused receive), and the second pass is
-- exactly 016's. Order (by unit, then as sent) is kept.

CREATE OR REPLACE FUNCTION mc_receive_many(p_items jsonb)
RETURNS TABLE (o_ord int, o_state text, o_msg text, o_d dossier_v)
LANGUAGE plpgsql AS $$
DECLARE
  it record;
  ords int[] := '{}';
  ds dossier_v[] := '{}';
BEGIN
  IF jsonb_typeof(p_items) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'mc_receive_many wants a JSON array' USING ERRCODE = 'MC006';
  END IF;
  BEGIN -- the fast pass: every receive, one subtransaction
    FOR it IN
      SELECT e.n::int AS n, e.v
        FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(v, n)
       ORDER BY e.v->>0, e.n
    LOOP
      ords := ords || it.n;
      ds := ds || mc_receive_item(it.v);
    END LOOP;
  EXCEPTION WHEN OTHERS THEN
    ords := NULL; -- something was refused: all of it undone, run one by one
  END;
  IF ords IS NOT NULL THEN
    FOR i IN 1 .. coalesce(array_length(ords, 1), 0) LOOP
      o_ord := ords[i];
      o_state := NULL;
      o_msg := NULL;
      o_d := ds[i];
      RETURN NEXT;
    END LOOP;
    RETURN;
  END IF;
  FOR it IN
    SELECT e.n::int AS n, e.v
      FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(v, n)
     ORDER BY e.v->>0, e.n
  LOOP
    o_ord := it.n;
    o_state := NULL;
    o_msg := NULL;
    o_d := NULL;
    BEGIN
      o_d := mc_receive_item(it.v);
    EXCEPTION WHEN OTHERS THEN
      o_state := SQLSTATE;
      o_msg := SQLERRM;
      o_d := NULL;
    END;
    RETURN NEXT;
  END LOOP;
END $$;
