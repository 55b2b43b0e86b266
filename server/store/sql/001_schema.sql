-- 001: core schema of motcua.
-- Units and procedures are data (units carry effective dates, because
-- communes merge and levels are abolished). Dossiers keep the unit that
-- received them forever; moving between levels is a progress-log step,
-- never a status. Times are timestamptz; the server talks milliseconds.

CREATE TABLE units (
  code        text PRIMARY KEY,             -- statistics-office code; '444' = district
  name        text NOT NULL,
  agency_id   text NOT NULL,                -- electronic identifier used in dossier codes
  parent      text REFERENCES units (code), -- NULL for the centre
  role        text NOT NULL CHECK (role IN ('commune', 'district')),
  valid_from  date NOT NULL,
  valid_to    date,                         -- NULL = still in force
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);

CREATE TABLE procedures (
  code         text PRIMARY KEY,            -- national procedure code, e.g. '1.001193'
  name         text NOT NULL,
  sector       text NOT NULL,               -- lĩnh vực
  level        smallint NOT NULL CHECK (level IN (1, 2)), -- 1 commune, 2 district
  limit_value  int NOT NULL CHECK (limit_value >= 0),
  limit_unit   smallint NOT NULL CHECK (limit_unit BETWEEN 1 AND 4)
  -- limit_unit: 1 hours, 2 working days, 3 calendar days, 4 months
);

CREATE TABLE dossiers (
  id               bigserial PRIMARY KEY,
  code             text NOT NULL UNIQUE,
  status           smallint NOT NULL CHECK (status BETWEEN 1 AND 10),
  unit_code        text NOT NULL REFERENCES units (code),  -- receiving unit, never changes
  procedure_code   text NOT NULL REFERENCES procedures (code),
  applicant_name   text NOT NULL,
  applicant_id     text NOT NULL DEFAULT '',  -- citizen id number: never log it
  applicant_phone  text NOT NULL DEFAULT '',
  channel          smallint NOT NULL CHECK (channel BETWEEN 1 AND 3),
  received_at      timestamptz NOT NULL,
  due_at           timestamptz,
  holder_unit      text NOT NULL REFERENCES units (code),
  forwarded_to     text REFERENCES units (code),
  forwarded_at     timestamptz,
  officer          text NOT NULL DEFAULT '',  -- receiving officer
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((forwarded_to IS NULL) = (forwarded_at IS NULL))
);
-- The list query: "received by me OR forwarded to me", newest first.
CREATE INDEX dossiers_unit_received_idx ON dossiers (unit_code, received_at DESC);
CREATE INDEX dossiers_forwarded_received_idx ON dossiers (forwarded_to, received_at DESC)
  WHERE forwarded_to IS NOT NULL;
CREATE INDEX dossiers_received_idx ON dossiers (received_at DESC);

-- Per-unit per-day sequence of dossier codes; bumped with
-- INSERT ... ON CONFLICT DO UPDATE ... RETURNING, which is race-free.
CREATE TABLE unit_day_seq (
  unit_code  text NOT NULL REFERENCES units (code),
  day        text NOT NULL CHECK (day ~ '^[0-9]{6}$'),  -- yymmdd, local date
  last       int NOT NULL CHECK (last >= 1),
  PRIMARY KEY (unit_code, day)
);

-- Append-only history: one row per action / hand-over (slip 05).
CREATE TABLE progress_log (
  id             bigserial PRIMARY KEY,
  dossier_id     bigint NOT NULL REFERENCES dossiers (id),
  at             timestamptz NOT NULL,
  unit_code      text NOT NULL REFERENCES units (code),  -- unit that acted
  officer        text NOT NULL DEFAULT '',
  action         text NOT NULL,
  status_before  smallint CHECK (status_before BETWEEN 1 AND 10),
  status_after   smallint NOT NULL CHECK (status_after BETWEEN 1 AND 10),
  from_unit      text REFERENCES units (code),
  to_unit        text REFERENCES units (code),
  step_due_at    timestamptz
);
CREATE INDEX progress_log_dossier_idx ON progress_log (dossier_id, at);

CREATE FUNCTION mc_progress_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'progress_log is append-only' USING ERRCODE = 'MC008';
END $$;
CREATE TRIGGER progress_log_append_only BEFORE UPDATE OR DELETE ON progress_log
  FOR EACH ROW EXECUTE FUNCTION mc_progress_log_append_only();

-- Idempotency keys of each unit; reply is the answer given the first time.
-- A row is inserted first (reply NULL) and completed in the same
-- transaction, so other sessions only ever see complete rows.
CREATE TABLE idempotency (
  unit_code   text NOT NULL REFERENCES units (code),
  key         text NOT NULL,
  action      text NOT NULL CHECK (action <> ''),
  dossier_id  bigint REFERENCES dossiers (id),
  reply       jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (unit_code, key)
);
