-- 007: group commit of receives (server/storage.c, docs/PERFORMANCE.md).
--
-- The server sends the receives queued while the database was busy as one
-- statement, hence one transaction and one WAL flush, instead of one
-- commit each. p_items is a JSON array; each element is the argument list
-- of mc_receive as strings (or null), in its order:
--   [unit, key, agency, day, procedure, name, id_number, phone,
--    channel, officer, received_ms, due_ms]
-- Each receive runs in its own subtransaction (BEGIN ... EXCEPTION), so a
-- refused one (key reused, unknown procedure, a lock timeout) does not undo
-- the others: its row carries the SQLSTATE and message and no dossier.
-- The server never has two batches sharing a unit in flight (lanes, in
-- storage.c); items are still taken in unit order (then request order) so
-- that any two batches lock the per-unit day-sequence rows in the same
-- order and cannot deadlock on them. One row per item; o_ord is its 1-based position in
-- p_items. The server keeps batches well under the 64 cached subtransaction
-- ids per backend (PGPROC_MAX_CACHED_SUBXIDS).
CREATE FUNCTION mc_receive_many(p_items jsonb)
RETURNS TABLE (o_ord int, o_state text, o_msg text, o_d dossier_v)
LANGUAGE plpgsql AS $$
DECLARE
  it record;
BEGIN
  IF jsonb_typeof(p_items) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'mc_receive_many wants a JSON array' USING ERRCODE = 'MC006';
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
      o_d := mc_receive(it.v->>0, it.v->>1, it.v->>2, it.v->>3, it.v->>4, it.v->>5,
                        it.v->>6, it.v->>7, (it.v->>8)::smallint, it.v->>9,
                        (it.v->>10)::bigint, (it.v->>11)::bigint);
    EXCEPTION WHEN OTHERS THEN
      o_state := SQLSTATE;
      o_msg := SQLERRM;
      o_d := NULL;
    END;
    RETURN NEXT;
  END LOOP;
END $$;

GRANT EXECUTE ON FUNCTION mc_receive_many(jsonb) TO motcua_app;
