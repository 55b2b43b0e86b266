-- 017: the unit's yearly register (sổ theo dõi hồ sơ, form 06; issue 14).
--
-- Every dossier gets a number in its receiving unit's register for the
-- year of its receipt: "Quyển số" (the year) and "Số thứ tự" (1, 2, ... per
-- unit, restarting at 1 on 1 January) printed on slip 01 and form 06. The
-- dossier code's per-day sequence restarts every day, so it cannot serve.
--
-- The number is taken by a BEFORE INSERT trigger on dossiers, in the same
-- transaction (and savepoint) as the dossier's insert: the next after the
-- highest of the unit's year, read from the end of the unique index below while a
-- transaction-level advisory lock on (unit, year) is held. So a receive
-- that fails gives its number back, a replayed receive (same idempotency
-- key, no insert) takes none, two concurrent receives of a unit queue on
-- the lock (as they already queue on unit_day_seq's row) and never share a
-- number, and the unique index stands behind all of it. Whatever inserts a
-- dossier (mc_receive, mc_receive_many in any version) gets one; the
-- receive functions are not redefined here. (A counter row bumped per
-- dossier was tried first: in one statement inserting many dossiers -- a
-- bulk import, the storage tests' 200k rows -- every bump of the same row
-- walks the versions the statement itself left, quadratic time.)
--
-- The year is the dossier code's yymmdd (the server's local date of the
-- receipt, [server] utc_offset_minutes), so the register year and the code
-- always agree, whatever the database's own time zone; a row whose code
-- has no date (an import) takes the year of received_at in UTC.

ALTER TABLE dossiers
  ADD COLUMN register_year smallint CHECK (register_year BETWEEN 2000 AND 2099),
  ADD COLUMN register_no   int CHECK (register_no >= 1);

-- The year of a dossier code "{agency}-{yymmdd}-{nnnn}", else NULL.
CREATE FUNCTION mc_code_year(p_code text) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$
  SELECT (2000 + substring(p_code FROM '-([0-9]{2})[0-9]{4}-[0-9]+$')::int)::smallint
$$;

CREATE FUNCTION mc_register_year(p_code text, p_at timestamptz) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(mc_code_year(p_code), extract(year FROM p_at AT TIME ZONE 'UTC')::smallint)
$$;

CREATE FUNCTION mc_register_assign() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.register_year := mc_register_year(NEW.code, NEW.received_at);
  PERFORM pg_advisory_xact_lock(hashtext('motcua.register.' || NEW.unit_code),
                                NEW.register_year);
  -- the last number by one backward step of the index (a max() may be
  -- planned as a scan of the whole year)
  SELECT register_no + 1 INTO NEW.register_no FROM dossiers
   WHERE unit_code = NEW.unit_code AND register_year = NEW.register_year
   ORDER BY register_no DESC LIMIT 1;
  NEW.register_no := coalesce(NEW.register_no, 1);
  RETURN NEW;
END $$;

-- Existing dossiers, numbered in the order they were received.
UPDATE dossiers d SET register_year = q.y, register_no = q.n
  FROM (SELECT id, y, row_number() OVER (PARTITION BY unit_code, y ORDER BY received_at, id) AS n
          FROM (SELECT id, unit_code, received_at, mc_register_year(code, received_at) AS y
                  FROM dossiers) s) q
 WHERE d.id = q.id;

ALTER TABLE dossiers ALTER COLUMN register_year SET NOT NULL,
                     ALTER COLUMN register_no SET NOT NULL;
-- One number once per unit and year; the trigger's max; form 06's scan.
CREATE UNIQUE INDEX dossiers_register_idx ON dossiers (unit_code, register_year, register_no);

CREATE TRIGGER dossiers_register BEFORE INSERT ON dossiers
  FOR EACH ROW EXECUTE FUNCTION mc_register_assign();

GRANT EXECUTE ON FUNCTION mc_code_year(text), mc_register_year(text, timestamptz),
  mc_register_assign() TO motcua_app;

-- ------------------------------------------------ partial dossier codes
-- search finds any part of a code of 4 characters or more (issue 14, item
-- 6): a trigram index on the code, as on the applicant's name (004).
CREATE INDEX dossiers_code_trgm_idx ON dossiers USING gin (code gin_trgm_ops);

-- ------------------------------------------------ office hours from the CLI
-- HoursRequest SET replaces a unit's own schedules (014) in one statement;
-- none left = the unit follows the default rows (unit_code NULL) again.
-- p_rows: [[valid_from, am_start, am_end, pm_start, pm_end, name], ...]
-- (checked by the server first; the table's CHECKs stand behind it).
CREATE FUNCTION mc_hours_set(p_unit text, p_rows jsonb) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  n int;
BEGIN
  IF p_unit IS NULL OR NOT EXISTS (SELECT 1 FROM units WHERE code = p_unit) THEN
    RAISE EXCEPTION 'unknown unit %', p_unit USING ERRCODE = 'MC009';
  END IF;
  DELETE FROM working_hours WHERE unit_code = p_unit;
  INSERT INTO working_hours (unit_code, valid_from, am_start, am_end, pm_start, pm_end, name)
  SELECT p_unit, r->>0, (r->>1)::time, (r->>2)::time, (r->>3)::time, (r->>4)::time,
         coalesce(r->>5, '')
    FROM jsonb_array_elements(coalesce(p_rows, '[]'::jsonb)) AS e(r);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

GRANT SELECT, INSERT, DELETE ON working_hours TO motcua_app;
GRANT USAGE ON SEQUENCE working_hours_id_seq TO motcua_app;
GRANT EXECUTE ON FUNCTION mc_hours_set(text, jsonb) TO motcua_app;
