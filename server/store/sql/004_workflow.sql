-- 004: workflow state, inbox, working-day calendar, refusal audit, search,
-- and the restricted role the server runs as.
--
-- New custom SQLSTATEs are the ones of 003 (MC0nn = -mc_err):
--   MC006 invalid (unknown acting unit, forwarding to itself)
--   MC009 no such dossier
--   MC010 idempotency key used for another action or another dossier
--   MC015 the dossier changed meanwhile (optimistic guard failed)

-- ------------------------------------------------------- dossier state
ALTER TABLE dossiers
  ADD COLUMN assigned_officer text NOT NULL DEFAULT '',
  ADD COLUMN department       text NOT NULL DEFAULT '',
  ADD COLUMN supplement_count int NOT NULL DEFAULT 0 CHECK (supplement_count >= 0),
  ADD COLUMN rescheduled      boolean NOT NULL DEFAULT false,
  ADD COLUMN rating           smallint CHECK (rating BETWEEN 1 AND 3), -- NULL = not rated
  ADD COLUMN paused_at        timestamptz,  -- clock stopped since (status 5, 6)
  ADD COLUMN finished_at      timestamptz,  -- reached 3, 7, 8 or 9
  ADD COLUMN returned_at      timestamptz,
  ADD COLUMN collected_by     text NOT NULL DEFAULT '',
  ADD COLUMN fee_amount       bigint NOT NULL DEFAULT 0 CHECK (fee_amount >= 0);

-- Search: exact citizen id / phone, and accent-insensitive name fragments.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent() is only STABLE (its dictionary could change); pinning the
-- dictionary makes this wrapper safe to index. PostgreSQL 15's
-- unaccent.rules maps đ/Đ to d/D.
CREATE FUNCTION mc_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT public.unaccent('public.unaccent'::regdictionary, $1)
$$;

-- Makes user input literal inside a LIKE pattern (escape character '\').
CREATE FUNCTION mc_like_escape(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT replace(replace(replace($1, '\', '\\'), '%', '\%'), '_', '\_')
$$;

CREATE INDEX dossiers_name_trgm_idx ON dossiers
  USING gin (lower(mc_unaccent(applicant_name)) gin_trgm_ops);
CREATE INDEX dossiers_applicant_id_idx ON dossiers (applicant_id);
CREATE INDEX dossiers_applicant_phone_idx ON dossiers (applicant_phone);
-- "due soon" and "overdue" lists of unfinished dossiers.
CREATE INDEX dossiers_open_due_idx ON dossiers (due_at) WHERE status IN (1, 2, 4, 5, 6);

-- ------------------------------------------------------- progress log
-- ADD COLUMN does not fire the append-only trigger of 001, which stays.
ALTER TABLE progress_log
  ADD COLUMN role   text CHECK (role IN ('commune', 'district', 'admin', 'server')),
  ADD COLUMN result text NOT NULL DEFAULT '' CHECK (result IN ('', 'early', 'on_time', 'late')),
  ADD COLUMN detail text NOT NULL DEFAULT '';
-- Rows written before 004 have role NULL: readers use the unit's role.

-- --------------------------------------------------------------- inbox
-- What another unit did to a dossier that concerns this unit; kept until read.
CREATE TABLE inbox (
  id          bigserial PRIMARY KEY,
  unit_code   text NOT NULL REFERENCES units (code),  -- the unit to tell
  created_at  timestamptz NOT NULL DEFAULT now(),
  kind        text NOT NULL,                          -- action name
  from_unit   text NOT NULL DEFAULT '',
  detail      text NOT NULL DEFAULT '',
  dossier_id  bigint REFERENCES dossiers (id),
  read_at     timestamptz
);
CREATE INDEX inbox_unread_idx ON inbox (unit_code, id) WHERE read_at IS NULL;

-- ----------------------------------------------------- working calendar
-- Exceptions to "Monday to Friday": public holidays and official
-- compensatory days off (workday = false), weekend days made working days
-- (workday = true). Only days that change the working calendar are listed.
-- The table is data: edit it with `motcua holidays add|remove`. Rows
-- marked (verify) must be checked against that year's Prime Minister's
-- notice on holidays (Tết and National Day spans, swapped days) and
-- corrected before the year starts.
CREATE TABLE calendar_days (
  day      date PRIMARY KEY,
  workday  boolean NOT NULL,
  name     text NOT NULL DEFAULT ''
);

INSERT INTO calendar_days (day, workday, name) VALUES
  ('2026-01-01', false, 'Tết Dương lịch'),
  ('2026-02-16', false, 'Tết Nguyên đán Bính Ngọ (tất niên; nghỉ 14/2–22/2)'),
  ('2026-02-17', false, 'Tết Nguyên đán Bính Ngọ (mùng 1)'),
  ('2026-02-18', false, 'Tết Nguyên đán Bính Ngọ (mùng 2)'),
  ('2026-02-19', false, 'Tết Nguyên đán Bính Ngọ (mùng 3)'),
  ('2026-02-20', false, 'Tết Nguyên đán Bính Ngọ (mùng 4)'),
  ('2026-04-27', false, 'Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch, Chủ nhật 26/4)'),
  ('2026-04-30', false, 'Ngày Chiến thắng (30/4)'),
  ('2026-05-01', false, 'Ngày Quốc tế Lao động (1/5)'),
  ('2026-09-01', false, 'Nghỉ liền kề Quốc khánh (verify)'),
  ('2026-09-02', false, 'Quốc khánh (2/9) (verify)'),
  ('2027-01-01', false, 'Tết Dương lịch'),
  ('2027-02-04', false, 'Tết Nguyên đán Đinh Mùi (tất niên) (verify)'),
  ('2027-02-05', false, 'Tết Nguyên đán Đinh Mùi (tất niên) (verify)'),
  ('2027-02-08', false, 'Tết Nguyên đán Đinh Mùi (mùng 3) (verify)'),
  ('2027-02-09', false, 'Tết Nguyên đán Đinh Mùi (mùng 4) (verify)'),
  ('2027-02-10', false, 'Tết Nguyên đán Đinh Mùi (mùng 5) (verify)'),
  ('2027-04-16', false, 'Giỗ Tổ Hùng Vương (10/3 âm lịch)'),
  ('2027-04-30', false, 'Ngày Chiến thắng (30/4)'),
  ('2027-05-03', false, 'Nghỉ bù Ngày Quốc tế Lao động (1/5 là Thứ Bảy)'),
  ('2027-09-02', false, 'Quốc khánh (2/9) (verify)'),
  ('2027-09-03', false, 'Nghỉ liền kề Quốc khánh (verify)');

-- --------------------------------------------------------- refusal audit
-- Every action the workflow refused: who tried what on which dossier, and
-- the rule that stopped it. No foreign keys: an audit row is never lost.
CREATE TABLE refusal_log (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  unit_code  text NOT NULL DEFAULT '',
  officer    text NOT NULL DEFAULT '',
  code       text NOT NULL DEFAULT '',
  action     text NOT NULL DEFAULT '',
  rule       text NOT NULL DEFAULT ''
);
CREATE INDEX refusal_log_at_idx ON refusal_log (at);

-- ------------------------------------------------------------ the view
-- Columns are appended (CREATE OR REPLACE VIEW keeps the old ones), so
-- idempotency replies stored before 004 decode with these as NULL = 0/"".
CREATE OR REPLACE VIEW dossier_v AS
SELECT d.id,
       d.code,
       d.status,
       d.unit_code,
       u.name AS unit_name,
       d.procedure_code,
       p.name AS procedure_name,
       p.level,
       d.applicant_name,
       d.applicant_id,
       d.applicant_phone,
       d.channel,
       mc_ts_to_ms(d.received_at) AS received_at_ms,
       mc_ts_to_ms(d.due_at) AS due_at_ms,
       d.holder_unit,
       d.forwarded_to,
       mc_ts_to_ms(d.forwarded_at) AS forwarded_at_ms,
       d.received_at,
       d.assigned_officer,
       d.department,
       d.supplement_count,
       d.rescheduled::int AS rescheduled,
       d.rating,
       mc_ts_to_ms(d.paused_at) AS paused_at_ms,
       mc_ts_to_ms(d.finished_at) AS finished_at_ms,
       mc_ts_to_ms(d.returned_at) AS returned_at_ms,
       d.collected_by,
       d.fee_amount
  FROM dossiers d
  JOIN units u ON u.code = d.unit_code
  JOIN procedures p ON p.code = d.procedure_code;

-- ------------------------------------------------------------- actions
-- One workflow action as decided by server/actions.c (struct mc_change plus
-- the request's own fields). NULL in an optional field = unchanged.
CREATE TYPE mc_action_t AS (
  unit              text,      -- acting unit
  key               text,      -- idempotency key
  role              text,      -- acting role
  officer           text,
  code              text,      -- dossier code
  action            text,      -- action name: "accept", "forward", ...
  status_before     smallint,
  status_after      smallint,
  holder_before     text,
  holder_after      text,
  from_unit         text,      -- hand-over steps, else NULL
  to_unit           text,
  notify_unit       text,      -- inbox entry for this unit, NULL = none
  at_ms             bigint,
  due_ms            bigint,    -- due time after the action, NULL = none
  step_due_ms       bigint,
  paused_ms         bigint,    -- NULL = clock running
  supplement_inc    int,
  set_finished      boolean,
  set_rescheduled   boolean,
  set_returned      boolean,
  result            text,
  detail            text,
  assigned_officer  text,
  department        text,
  rating            smallint,
  fee_amount        bigint,
  collected_by      text
);

-- A replayed reply must be for the same dossier.
CREATE FUNCTION mc_idem_replay(p_prev jsonb, p_code text) RETURNS dossier_v
LANGUAGE plpgsql AS $$
BEGIN
  IF p_prev->>'code' IS DISTINCT FROM p_code THEN
    RAISE EXCEPTION 'idempotency key already used for another dossier' USING ERRCODE = 'MC010';
  END IF;
  RETURN jsonb_populate_record(NULL::dossier_v, p_prev);
END $$;

-- No row was updated: MC009 if the code does not exist, else MC015.
CREATE FUNCTION mc_action_missed(p_code text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM dossiers WHERE code = p_code;
  IF FOUND THEN
    RAISE EXCEPTION 'dossier % changed meanwhile', p_code USING ERRCODE = 'MC015';
  END IF;
  RAISE EXCEPTION 'no dossier %', p_code USING ERRCODE = 'MC009';
END $$;

-- The guarded update: applies only while the dossier still has the status
-- and holder the decision was made on (and, for once-only changes, while
-- they were not made meanwhile). Returns the dossier id, NULL if missed.
CREATE FUNCTION mc_action_apply(a mc_action_t) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_at timestamptz := mc_ms_to_ts(a.at_ms);
  fwd boolean := a.action = 'forward';
  d_id bigint;
BEGIN
  UPDATE dossiers d
     SET status = a.status_after,
         holder_unit = a.holder_after,
         due_at = mc_ms_to_ts(a.due_ms),
         paused_at = mc_ms_to_ts(a.paused_ms),
         supplement_count = d.supplement_count + coalesce(a.supplement_inc, 0),
         finished_at = CASE WHEN a.set_finished THEN v_at ELSE d.finished_at END,
         rescheduled = d.rescheduled OR coalesce(a.set_rescheduled, false),
         returned_at = CASE WHEN a.set_returned THEN v_at ELSE d.returned_at END,
         collected_by = coalesce(a.collected_by, d.collected_by),
         rating = coalesce(a.rating, d.rating),
         fee_amount = coalesce(a.fee_amount, d.fee_amount),
         assigned_officer = coalesce(a.assigned_officer, d.assigned_officer),
         department = coalesce(a.department, d.department),
         forwarded_to = CASE WHEN fwd THEN a.to_unit ELSE d.forwarded_to END,
         forwarded_at = CASE WHEN fwd THEN v_at ELSE d.forwarded_at END,
         updated_at = now()
   WHERE d.code = a.code
     AND d.status = a.status_before
     AND d.holder_unit = a.holder_before
     AND NOT (fwd AND d.forwarded_to IS NOT NULL)
     AND NOT (coalesce(a.set_rescheduled, false) AND d.rescheduled)
     AND NOT (a.rating IS NOT NULL AND d.rating IS NOT NULL)
  RETURNING d.id INTO d_id;
  RETURN d_id;
END $$;

CREATE FUNCTION mc_action_log(p_id bigint, a mc_action_t) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO progress_log (dossier_id, at, unit_code, officer, role, action,
                            status_before, status_after, from_unit, to_unit,
                            step_due_at, result, detail)
  VALUES (p_id, mc_ms_to_ts(a.at_ms), a.unit, coalesce(a.officer, ''), a.role, a.action,
          a.status_before, a.status_after, nullif(a.from_unit, ''), nullif(a.to_unit, ''),
          mc_ms_to_ts(a.step_due_ms), coalesce(a.result, ''), coalesce(a.detail, ''))
$$;

CREATE FUNCTION mc_inbox_notify(p_id bigint, p_to text, p_kind text, p_from text,
                                p_at timestamptz, p_detail text) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO inbox (unit_code, created_at, kind, from_unit, detail, dossier_id)
  SELECT p_to, p_at, p_kind, p_from, coalesce(p_detail, ''), p_id
   WHERE coalesce(p_to, '') <> ''
$$;

-- One workflow action in one statement: idempotent replay, guarded update,
-- progress-log row, inbox entry, idempotency reply.
CREATE FUNCTION mc_action(a mc_action_t) RETURNS dossier_v
LANGUAGE plpgsql AS $$
DECLARE
  prev jsonb;
  d_id bigint;
BEGIN
  PERFORM mc_require_unit(a.unit);
  prev := mc_idem_claim(a.unit, a.key, a.action);
  IF prev IS NOT NULL THEN
    RETURN mc_idem_replay(prev, a.code);
  END IF;
  IF a.action = 'forward' AND a.to_unit = a.unit THEN
    RAISE EXCEPTION 'cannot forward to the holding unit itself' USING ERRCODE = 'MC006';
  END IF;
  d_id := mc_action_apply(a);
  IF d_id IS NULL THEN
    PERFORM mc_action_missed(a.code);
  END IF;
  PERFORM mc_action_log(d_id, a);
  PERFORM mc_inbox_notify(d_id, a.notify_unit, a.action, a.unit, mc_ms_to_ts(a.at_ms),
                          a.detail);
  RETURN mc_idem_complete(a.unit, a.key, d_id);
END $$;

-- The forward of 003, now also telling the district through its inbox
-- and recording the acting unit's role.
CREATE OR REPLACE FUNCTION mc_forward(p_unit text, p_key text, p_code text, p_to text,
                                      p_officer text, p_now_ms bigint, p_step_due_ms bigint)
RETURNS dossier_v
LANGUAGE plpgsql AS $$
DECLARE
  prev jsonb;
  d_id bigint;
  st smallint;
BEGIN
  PERFORM mc_require_unit(p_unit);
  prev := mc_idem_claim(p_unit, p_key, 'forward');
  IF prev IS NOT NULL THEN
    RETURN mc_idem_replay(prev, p_code);
  END IF;
  PERFORM mc_require_unit(p_to);
  IF p_to = p_unit THEN
    RAISE EXCEPTION 'cannot forward to the holding unit itself' USING ERRCODE = 'MC006';
  END IF;
  UPDATE dossiers
     SET holder_unit = p_to, forwarded_to = p_to,
         forwarded_at = mc_ms_to_ts(p_now_ms), updated_at = now()
   WHERE code = p_code AND holder_unit = p_unit AND forwarded_to IS NULL
     AND status IN (2, 4)
  RETURNING id, status INTO d_id, st;
  IF NOT FOUND THEN
    PERFORM mc_action_missed(p_code);
  END IF;
  PERFORM mc_action_log(d_id, ROW(p_unit, p_key, (SELECT role FROM units WHERE code = p_unit),
      p_officer, p_code, 'forward', st, st, p_unit, p_to, p_unit, p_to, p_to, p_now_ms,
      NULL, p_step_due_ms, NULL, 0, false, false, false, '', '', NULL, NULL, NULL, NULL,
      NULL)::mc_action_t);
  PERFORM mc_inbox_notify(d_id, p_to, 'forward', p_unit, mc_ms_to_ts(p_now_ms), '');
  RETURN mc_idem_complete(p_unit, p_key, d_id);
END $$;

-- ------------------------------------------------------ restricted role
-- The server connects as motcua_app; migrations run as the schema owner
-- (server setting db_migrate_conninfo). motcua_app may read and write what
-- the server needs and no more: progress_log is insert-only by grant, on
-- top of the trigger. Later migrations grant on the objects they add.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'motcua_app') THEN
    CREATE ROLE motcua_app LOGIN;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE EXCEPTION 'role motcua_app is missing and this role may not create it'
    USING HINT = 'as a superuser: CREATE ROLE motcua_app LOGIN;', ERRCODE = '42501';
END $$;

GRANT USAGE ON SCHEMA public TO motcua_app;
GRANT SELECT, INSERT, UPDATE ON dossiers TO motcua_app;
GRANT SELECT ON units, procedures, dossier_v, schema_version TO motcua_app;
GRANT SELECT, INSERT ON progress_log TO motcua_app;
GRANT SELECT, INSERT, UPDATE ON inbox, idempotency, unit_day_seq TO motcua_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON calendar_days TO motcua_app;
GRANT SELECT, INSERT ON refusal_log TO motcua_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO motcua_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO motcua_app;
