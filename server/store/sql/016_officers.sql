-- 016: officer accounts (issue 15). A unit certificate names the desk
-- machine; an officer session names the person at it. Every change is
-- recorded with the officer's id (progress_log.officer_id), and the
-- free-text name of older rows stays as it was, unverified (officer_id
-- NULL).
--
-- Logins are unique over the whole system (not per unit), lower-case
-- ASCII [a-z0-9._-]{3,32}: an officer moving to another unit keeps no
-- account of the old one, and a login names one person in every log line.
-- unit_code NULL = the IT unit (admin certificate), which is no unit of
-- the catalogue.
-- roles: a bit mask of 1 << motcua.OfficerRole: 2 receiving (tiếp nhận và
-- trả kết quả), 4 processing (chuyên viên xử lý), 8 leader (lãnh đạo),
-- 16 unit administrator. pw_hash: Argon2id in its encoded form
-- ($argon2id$v=19$m=...,t=...,p=...$salt$hash), never the password.

CREATE TABLE officers (
  id            bigserial PRIMARY KEY,
  unit_code     text REFERENCES units (code),
  login         text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9._-]{3,32}$'),
  full_name     text NOT NULL CHECK (full_name <> ''),
  title         text NOT NULL DEFAULT '',
  roles         int NOT NULL CHECK (roles & ~30 = 0),
  pw_hash       text NOT NULL CHECK (pw_hash LIKE '$argon2id$%'),
  must_change   boolean NOT NULL DEFAULT false,
  disabled      boolean NOT NULL DEFAULT false,
  failed_count  int NOT NULL DEFAULT 0 CHECK (failed_count >= 0),
  locked_until  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_login    timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX officers_unit_idx ON officers (unit_code, login);

-- Sessions: only the SHA-256 of the token is kept (the token itself is
-- shown once, in LoginReply). A session ends when it expires or is
-- revoked (logout, password change, disable, reset).
CREATE TABLE officer_sessions (
  token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  officer_id  bigint NOT NULL REFERENCES officers (id),
  unit_code   text REFERENCES units (code),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX officer_sessions_officer_idx ON officer_sessions (officer_id)
  WHERE revoked_at IS NULL;

GRANT SELECT, INSERT, UPDATE ON officers, officer_sessions TO motcua_app;
GRANT USAGE ON SEQUENCE officers_id_seq TO motcua_app;

-- ------------------------------------------------ who did it, verifiably
-- progress_log.officer keeps the name as it was (free text before 016,
-- the officer's full name after); officer_id says the step was recorded
-- from a logged-in session (NULL: unverified), officer_title the title
-- (chức vụ) at the time.
ALTER TABLE progress_log
  ADD COLUMN officer_id bigint REFERENCES officers (id),
  ADD COLUMN officer_title text NOT NULL DEFAULT '';
ALTER TABLE refusal_log ADD COLUMN officer_id bigint;

ALTER TABLE dossiers
  ADD COLUMN assigned_officer_id bigint REFERENCES officers (id),
  ADD COLUMN awaiting_signature boolean NOT NULL DEFAULT false;
CREATE INDEX dossiers_assigned_idx ON dossiers (assigned_officer_id, received_at DESC)
  WHERE assigned_officer_id IS NOT NULL;

-- The chain's canonical form, version 2: rows with an officer id append it
-- and the title to version 1's array; rows without one (every row before
-- 016) keep version 1, so their hashes stay valid. server/store/verify.c
-- states the same form.
CREATE OR REPLACE FUNCTION mc_progress_canon(p progress_log) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
  SELECT convert_to(CASE WHEN p.officer_id IS NULL THEN
           jsonb_build_array(p.id, p.dossier_id,
             (extract(epoch FROM p.at) * 1000000)::bigint, p.unit_code, p.officer, p.role,
             p.action, p.status_before, p.status_after, p.from_unit, p.to_unit,
             (extract(epoch FROM p.step_due_at) * 1000000)::bigint, p.result, p.detail)
         ELSE
           jsonb_build_array(p.id, p.dossier_id,
             (extract(epoch FROM p.at) * 1000000)::bigint, p.unit_code, p.officer, p.role,
             p.action, p.status_before, p.status_after, p.from_unit, p.to_unit,
             (extract(epoch FROM p.step_due_at) * 1000000)::bigint, p.result, p.detail,
             p.officer_id, p.officer_title)
         END::text, 'UTF8')
$$;

-- ------------------------------------------------------------ the view
-- Appended: the assigned officer's login and whether a proposed result
-- awaits a leader's signature.
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
       d.fee_amount,
       (SELECT o.login FROM officers o WHERE o.id = d.assigned_officer_id) AS assigned_login,
       d.awaiting_signature::int AS awaiting_signature
  FROM dossiers d
  JOIN units u ON u.code = d.unit_code
  JOIN procedures p ON p.code = d.procedure_code;

-- ------------------------------------------------------------- receives
-- One receive of a batch, the whole of it: items 0..11 as mc_receive
-- (003) takes them, 12 the canonical text (009), 13 and 14 the MACs (013),
-- 15..19 the intake (015), 20 the officer id (null: unverified), 21 the
-- officer's title. A later change to receiving touches this function
-- only; mc_receive_many runs it per item in a subtransaction.
CREATE FUNCTION mc_receive_item(it jsonb) RETURNS dossier_v
LANGUAGE plpgsql AS $$
DECLARE
  v_unit text := it->>0;
  v_key text := it->>1;
  v_officer_id bigint := (it->>20)::bigint;
  prev jsonb;
  seq int;
  new_id bigint;
  v_code text;
BEGIN
  PERFORM set_config('motcua.idem_fp', coalesce(mc_idem_fp(it->>12), ''), true);
  PERFORM mc_require_unit(v_unit);
  prev := mc_idem_claim(v_unit, v_key, 'receive');
  IF prev IS NOT NULL THEN
    RETURN jsonb_populate_record(NULL::dossier_v, prev);
  END IF;
  PERFORM 1 FROM procedures WHERE code = it->>4;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown procedure %', it->>4 USING ERRCODE = 'MC009';
  END IF;
  INSERT INTO unit_day_seq AS s (unit_code, day, last) VALUES (v_unit, it->>3, 1)
    ON CONFLICT (unit_code, day) DO UPDATE SET last = s.last + 1
    RETURNING s.last INTO seq;
  v_code := (it->>2) || '-' || (it->>3) || '-' || mc_code_seq(seq);
  INSERT INTO dossiers (code, status, unit_code, procedure_code, applicant_name,
                        applicant_id, applicant_phone, channel, received_at, due_at,
                        holder_unit, officer, applicant_id_mac, applicant_phone_mac)
  VALUES (v_code, 2, v_unit, it->>4, it->>5, coalesce(it->>6, ''), coalesce(it->>7, ''),
          (it->>8)::smallint, mc_ms_to_ts((it->>10)::bigint), mc_ms_to_ts((it->>11)::bigint),
          v_unit, coalesce(it->>9, ''), it->>13, it->>14)
  RETURNING id INTO new_id;
  INSERT INTO progress_log (dossier_id, at, unit_code, officer, action,
                            status_before, status_after, step_due_at, officer_id,
                            officer_title)
  VALUES (new_id, mc_ms_to_ts((it->>10)::bigint), v_unit, coalesce(it->>9, ''), 'receive',
          NULL, 2, mc_ms_to_ts((it->>11)::bigint), v_officer_id, coalesce(it->>21, ''));
  IF jsonb_array_length(it) > 19 THEN
    PERFORM mc_intake_record(v_code, it->>15, it->>16, (it->>17)::smallint, it->>18,
                             (it->>19)::jsonb);
  END IF;
  RETURN mc_idem_complete(v_unit, v_key, new_id);
END $$;

CREATE OR REPLACE FUNCTION mc_receive_many(p_items jsonb)
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
      o_d := mc_receive_item(it.v);
    EXCEPTION WHEN OTHERS THEN
      o_state := SQLSTATE;
      o_msg := SQLERRM;
      o_d := NULL;
    END;
    RETURN NEXT;
  END LOOP;
END $$;

-- -------------------------------------------------------------- actions
-- The action type gains the officer (id, title), the assignee's login
-- (assign) and the signature flag (propose sets it, a result clears it).
ALTER TYPE mc_action_t
  ADD ATTRIBUTE officer_id bigint,
  ADD ATTRIBUTE officer_title text,
  ADD ATTRIBUTE assigned_login text;

-- The assignee: a processing officer of the acting unit, enabled; MC020
-- otherwise. Returns the officer's id; the name goes to assigned_officer.
CREATE FUNCTION mc_assignee(p_unit text, p_login text, OUT o_id bigint, OUT o_name text)
LANGUAGE plpgsql AS $$
BEGIN
  SELECT id, full_name INTO o_id, o_name FROM officers
   WHERE login = lower(p_login) AND unit_code = p_unit AND roles & 4 <> 0 AND NOT disabled;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no processing officer % in unit %', p_login, p_unit USING ERRCODE = 'MC020';
  END IF;
END $$;

CREATE OR REPLACE FUNCTION mc_action_apply(a mc_action_t) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_at timestamptz := mc_ms_to_ts(a.at_ms);
  fwd boolean := a.action = 'forward';
  asg_id bigint;
  asg_name text;
  d_id bigint;
BEGIN
  IF a.assigned_login IS NOT NULL THEN
    SELECT o_id, o_name INTO asg_id, asg_name FROM mc_assignee(a.unit, a.assigned_login);
  END IF;
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
         assigned_officer = coalesce(asg_name, a.assigned_officer, d.assigned_officer),
         assigned_officer_id = CASE WHEN asg_id IS NOT NULL THEN asg_id
                                    WHEN a.assigned_officer IS NOT NULL THEN NULL
                                    ELSE d.assigned_officer_id END,
         awaiting_signature = CASE WHEN a.action = 'propose' THEN true
                                   WHEN a.status_after <> 4 THEN false
                                   ELSE d.awaiting_signature END,
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

CREATE OR REPLACE FUNCTION mc_action_log(p_id bigint, a mc_action_t) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO progress_log (dossier_id, at, unit_code, officer, role, action,
                            status_before, status_after, from_unit, to_unit,
                            step_due_at, result, detail, officer_id, officer_title)
  VALUES (p_id, mc_ms_to_ts(a.at_ms), a.unit, coalesce(a.officer, ''), a.role, a.action,
          a.status_before, a.status_after, nullif(a.from_unit, ''), nullif(a.to_unit, ''),
          mc_ms_to_ts(a.step_due_ms), coalesce(a.result, ''), coalesce(a.detail, ''),
          a.officer_id, coalesce(a.officer_title, ''))
$$;

-- ------------------------------------------------------------- sessions
-- A login that passed the password check: the session row, the failure
-- count reset, the last login recorded.
CREATE FUNCTION mc_login_ok(p_officer bigint, p_token_hash bytea, p_expires_ms bigint)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO officer_sessions (token_hash, officer_id, unit_code, expires_at)
  SELECT p_token_hash, id, unit_code, mc_ms_to_ts(p_expires_ms) FROM officers
   WHERE id = p_officer;
  UPDATE officers SET failed_count = 0, locked_until = NULL, last_login = now()
   WHERE id = p_officer;
$$;

-- A wrong password: one more failure; at p_max the login is locked for
-- p_lock_s seconds and the count starts again. Returns the lock's end in
-- ms (0: not locked).
-- p_now_ms: the server's clock (the one that compares the lock later).
CREATE FUNCTION mc_login_failed(p_officer bigint, p_max int, p_lock_s int, p_now_ms bigint)
RETURNS bigint LANGUAGE sql AS $$
  UPDATE officers
     SET failed_count = CASE WHEN failed_count + 1 >= p_max THEN 0 ELSE failed_count + 1 END,
         locked_until = CASE WHEN failed_count + 1 >= p_max
                             THEN mc_ms_to_ts(p_now_ms) + make_interval(secs => p_lock_s)
                             ELSE locked_until END
   WHERE id = p_officer
  RETURNING coalesce(mc_ts_to_ms(locked_until), 0)
$$;

-- A new password (passwd): the hash, no forced change, every session of
-- the officer ended, and the fresh session of the reply.
CREATE FUNCTION mc_password_set(p_officer bigint, p_hash text, p_token_hash bytea,
                                p_expires_ms bigint)
RETURNS void LANGUAGE sql AS $$
  UPDATE officers SET pw_hash = p_hash, must_change = false, updated_at = now()
   WHERE id = p_officer;
  UPDATE officer_sessions SET revoked_at = now()
   WHERE officer_id = p_officer AND revoked_at IS NULL;
  SELECT mc_login_ok(p_officer, p_token_hash, p_expires_ms);
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO motcua_app;

-- ------------------------------------------------- officers: the admin side
-- OfficersRequest changes (server/store/officers_admin.c): add, disable,
-- enable, reset a password, set the roles, by the unit's administrator or
-- IT. Each change: one idempotency row (keyed by the target unit, action
-- "officers.<op>", the reply = the officer as JSON, never a hash or a
-- password), one officer_audit row, and for disable / reset every live
-- session of the officer ended (revoked_at), in one transaction. A roles
-- change keeps the sessions: the next check of a session reads the roles.
CREATE TABLE officer_audit (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor_id    bigint REFERENCES officers (id),  -- the administrator's session
  actor_unit  text NOT NULL,                    -- its certificate's unit ('admin': IT)
  unit_code   text NOT NULL REFERENCES units (code),
  officer_id  bigint NOT NULL REFERENCES officers (id),
  op          text NOT NULL CHECK (op IN ('add', 'disable', 'enable', 'reset', 'roles')),
  roles       int NOT NULL,                     -- the roles after the change
  sessions_ended int NOT NULL DEFAULT 0
);
CREATE INDEX officer_audit_officer_idx ON officer_audit (officer_id, at);
GRANT SELECT, INSERT ON officer_audit TO motcua_app;
GRANT USAGE ON SEQUENCE officer_audit_id_seq TO motcua_app;

-- The officer as OfficersReply wants it (and as an idempotency reply).
CREATE FUNCTION mc_officer_json(o officers) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('login', o.login, 'full_name', o.full_name, 'title', o.title,
    'unit_code', coalesce(o.unit_code, ''), 'roles', o.roles, 'disabled', o.disabled,
    'must_change', o.must_change, 'created_ms', coalesce(mc_ts_to_ms(o.created_at), 0),
    'last_login_ms', coalesce(mc_ts_to_ms(o.last_login), 0),
    'locked_until_ms', CASE WHEN o.locked_until > now() THEN mc_ts_to_ms(o.locked_until)
                            ELSE 0 END)
$$;

CREATE FUNCTION mc_officers_admin(p_op text, p_unit text, p_key text, p_canon text,
                                  p_login text, p_name text, p_title text, p_roles int,
                                  p_hash text, p_actor bigint, p_actor_unit text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  prev jsonb;
  o officers%ROWTYPE;
  n int := 0;
  v jsonb;
BEGIN
  PERFORM mc_require_unit(p_unit);
  PERFORM set_config('motcua.idem_fp', coalesce(mc_idem_fp(p_canon), ''), true);
  prev := mc_idem_claim(p_unit, p_key, 'officers.' || p_op);
  IF prev IS NOT NULL THEN
    RETURN prev || jsonb_build_object('replayed', true, 'sessions_ended', 0, 'id', 0);
  END IF;
  IF p_op = 'add' THEN
    INSERT INTO officers (unit_code, login, full_name, title, roles, pw_hash, must_change)
    VALUES (p_unit, p_login, p_name, coalesce(p_title, ''), p_roles, p_hash, true)
    RETURNING * INTO o;
  ELSE
    UPDATE officers
       SET disabled = CASE p_op WHEN 'disable' THEN true WHEN 'enable' THEN false
                                ELSE disabled END,
           pw_hash = CASE WHEN p_op = 'reset' THEN p_hash ELSE pw_hash END,
           must_change = must_change OR p_op = 'reset',
           failed_count = CASE WHEN p_op IN ('reset', 'enable') THEN 0 ELSE failed_count END,
           locked_until = CASE WHEN p_op IN ('reset', 'enable') THEN NULL ELSE locked_until END,
           roles = CASE WHEN p_op = 'roles' THEN p_roles ELSE roles END,
           updated_at = now()
     WHERE login = p_login AND unit_code = p_unit
    RETURNING * INTO o;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'no officer % in unit %', p_login, p_unit USING ERRCODE = 'MC009';
    END IF;
  END IF;
  IF p_op IN ('disable', 'reset') THEN
    UPDATE officer_sessions SET revoked_at = now()
     WHERE officer_id = o.id AND revoked_at IS NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
  END IF;
  INSERT INTO officer_audit (actor_id, actor_unit, unit_code, officer_id, op, roles,
                             sessions_ended)
  VALUES (p_actor, p_actor_unit, p_unit, o.id, p_op, o.roles, n);
  v := mc_officer_json(o);
  UPDATE idempotency SET reply = v WHERE unit_code = p_unit AND key = p_key;
  RETURN v || jsonb_build_object('replayed', false, 'sessions_ended', n, 'id', o.id);
END $$;

-- The unit's officers (NULL unit: the IT unit's), by login; role_bits 0 =
-- every officer, else those holding one of the bits.
CREATE FUNCTION mc_officers_list(p_unit text, p_role_bits int) RETURNS SETOF jsonb
LANGUAGE sql STABLE AS $$
  SELECT mc_officer_json(o) FROM officers o
   WHERE o.unit_code IS NOT DISTINCT FROM p_unit
     AND (p_role_bits = 0 OR o.roles & p_role_bits <> 0)
   ORDER BY o.login
   LIMIT 1000
$$;
GRANT EXECUTE ON FUNCTION mc_officer_json(officers), mc_officers_list(text, int),
  mc_officers_admin(text, text, text, text, text, text, text, int, text, bigint, text)
  TO motcua_app;
