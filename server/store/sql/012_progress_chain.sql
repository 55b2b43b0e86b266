-- 012: the progress log is tamper-evident (W7). Each row stores
--   hash = sha256(previous row's hash || mc_progress_canon(row))
-- per dossier, in id order ('\x' before the first row), computed by a
-- BEFORE INSERT trigger in the inserting transaction. The append-only
-- trigger (001) and the grants (004) stop the server's role from rewriting
-- rows; the chain makes a rewrite by anyone else (a superuser disabling the
-- trigger) visible to `motcua-server --verify-log`, which recomputes every
-- link from the columns (server/store/verify.c states the same canonical
-- form and does not trust this function). Deleting a dossier's newest rows
-- is not visible in the chain alone (no anchor outside the database yet).

-- The canonical fields, version 1: a JSON array of the columns of 001/004
-- in this order; times as microseconds since the epoch (no time zone or
-- DateStyle in the text). Columns added later are not covered: a later
-- migration adds them as a version 2 form (and leaves older rows as is).
CREATE FUNCTION mc_progress_canon(p progress_log) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
  SELECT convert_to(jsonb_build_array(p.id, p.dossier_id,
           (extract(epoch FROM p.at) * 1000000)::bigint, p.unit_code, p.officer, p.role,
           p.action, p.status_before, p.status_after, p.from_unit, p.to_unit,
           (extract(epoch FROM p.step_due_at) * 1000000)::bigint, p.result,
           p.detail)::text, 'UTF8')
$$;

ALTER TABLE progress_log ADD COLUMN hash bytea;

-- The dossier row is locked first, so appends to one dossier are serial;
-- the id is drawn after the lock, so id order is append order.
CREATE FUNCTION mc_progress_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  prev bytea;
BEGIN
  PERFORM 1 FROM dossiers WHERE id = NEW.dossier_id FOR UPDATE;
  NEW.id := nextval('progress_log_id_seq');
  SELECT hash INTO prev FROM progress_log
   WHERE dossier_id = NEW.dossier_id ORDER BY id DESC LIMIT 1;
  NEW.hash := sha256(coalesce(prev, '\x'::bytea) || mc_progress_canon(NEW));
  RETURN NEW;
END $$;

-- Rows already written are chained here, in id order per dossier.
ALTER TABLE progress_log DISABLE TRIGGER progress_log_append_only;
DO $$
DECLARE
  r progress_log;
  prev bytea;
  last_dossier bigint;
BEGIN
  FOR r IN SELECT * FROM progress_log ORDER BY dossier_id, id LOOP
    IF last_dossier IS DISTINCT FROM r.dossier_id THEN
      prev := '\x'::bytea;
      last_dossier := r.dossier_id;
    END IF;
    prev := sha256(prev || mc_progress_canon(r));
    UPDATE progress_log SET hash = prev WHERE id = r.id;
  END LOOP;
END $$;
ALTER TABLE progress_log ENABLE TRIGGER progress_log_append_only;
ALTER TABLE progress_log ALTER COLUMN hash SET NOT NULL;

CREATE TRIGGER progress_log_chain BEFORE INSERT ON progress_log
  FOR EACH ROW EXECUTE FUNCTION mc_progress_chain();

GRANT EXECUTE ON FUNCTION mc_progress_canon(progress_log), mc_progress_chain() TO motcua_app;
