-- 029: the idempotency row's completion becomes a HOT update (issue 19,
-- docs/PERFORMANCE.md "Idempotency rows updated in place").
--
-- A request with an idempotency key inserts its key row first
-- (mc_idem_claim) and completes it in the same transaction
-- (mc_idem_complete: dossier_id and the ~1 kB reply). 023's
-- idempotency_reply_at_idx named reply and dossier_id in its predicate,
-- and PostgreSQL updates a row in place (HOT: no new index entries) only
-- when no column any index names has changed: every completion wrote its
-- new version as a fresh tuple with a new entry in each index, the primary
-- key's too, and vacuum then cleaned up the dead ones.
--
-- The sweep's index now names a column the completion never touches:
-- sweep_pending, true from the insert (its default) until idem_prune has
-- visited the row (NULL after: the row leaves the partial index). The sweep
-- drops the reply of a row with a dossier, as 023 did; a key without one
-- (officer changes, 016) keeps its reply and only leaves the index.
--
-- Cost of this migration: one UPDATE of every row that still holds a
-- reply (the last idempotency_reply_days of requests once the sweep runs).

ALTER TABLE idempotency ADD COLUMN sweep_pending boolean;
UPDATE idempotency SET sweep_pending = true
 WHERE reply IS NOT NULL AND dossier_id IS NOT NULL;
ALTER TABLE idempotency ALTER COLUMN sweep_pending SET DEFAULT true;
DROP INDEX idempotency_reply_at_idx;
CREATE INDEX idempotency_sweep_idx ON idempotency (created_at) WHERE sweep_pending;

-- Visits up to p_batch rows older than p_keep_days that the sweep has not
-- visited yet, oldest first: drops their reply snapshot when they have a
-- dossier (the key row stays). Returns the rows visited, -1 when another
-- instance holds the lock.
CREATE OR REPLACE FUNCTION idem_prune(p_keep_days int, p_batch int) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE n integer;
BEGIN
  IF NOT pg_try_advisory_xact_lock(1835204643) THEN RETURN -1; END IF;
  UPDATE idempotency i
     SET sweep_pending = NULL,
         reply = CASE WHEN i.dossier_id IS NULL THEN i.reply END
    FROM (SELECT x.unit_code, x.key FROM idempotency x
           WHERE x.sweep_pending
             AND x.created_at < now() - make_interval(days => p_keep_days)
           ORDER BY x.created_at LIMIT p_batch) old
   WHERE i.unit_code = old.unit_code AND i.key = old.key;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
