-- 003: the dossier view and the one-statement transactions used by
-- server/storage.c. Each function runs as one statement, hence one
-- transaction. Errors meant for the caller use custom SQLSTATEs
-- 'MC0nn' where nn = -mc_err (proto/error.h); storage.c maps them in
-- one table:
--   MC006 invalid request (unknown unit, forwarding to itself)
--   MC008 forbidden (append-only table touched)
--   MC009 not found (unknown dossier code or procedure code)
--   MC010 idempotency key reused for another action or dossier
--   MC015 action not allowed in the dossier's current state

CREATE FUNCTION mc_ms_to_ts(ms bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT to_timestamp(0) + ms * interval '1 millisecond'
$$;

CREATE FUNCTION mc_ts_to_ms(t timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT floor(extract(epoch FROM t) * 1000)::bigint
$$;

-- One row per dossier as the server sees it (struct mc_dossier).
-- Also the shape of idempotency.reply (to_jsonb of a row).
CREATE VIEW dossier_v AS
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
       d.received_at
  FROM dossiers d
  JOIN units u ON u.code = d.unit_code
  JOIN procedures p ON p.code = d.procedure_code;

CREATE FUNCTION mc_require_unit(p_unit text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM 1 FROM units WHERE code = p_unit;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown unit %', p_unit USING ERRCODE = 'MC006';
  END IF;
END $$;

-- Claims (unit, key) for an action. NULL: claimed, go ahead. Otherwise the
-- reply stored the first time. A concurrent claim of the same key waits
-- for the first transaction and then sees its committed row.
CREATE FUNCTION mc_idem_claim(p_unit text, p_key text, p_action text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  r idempotency%ROWTYPE;
BEGIN
  INSERT INTO idempotency (unit_code, key, action) VALUES (p_unit, p_key, p_action)
    ON CONFLICT (unit_code, key) DO NOTHING;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  SELECT * INTO r FROM idempotency WHERE unit_code = p_unit AND key = p_key;
  IF r.action <> p_action OR r.reply IS NULL THEN
    RAISE EXCEPTION 'idempotency key already used for %', r.action USING ERRCODE = 'MC010';
  END IF;
  RETURN r.reply;
END $$;

-- Stores the reply snapshot of a claimed key and returns it.
CREATE FUNCTION mc_idem_complete(p_unit text, p_key text, p_id bigint) RETURNS dossier_v
LANGUAGE plpgsql AS $$
DECLARE
  v dossier_v;
BEGIN
  SELECT * INTO v FROM dossier_v WHERE id = p_id;
  UPDATE idempotency SET dossier_id = p_id, reply = to_jsonb(v)
   WHERE unit_code = p_unit AND key = p_key;
  RETURN v;
END $$;

CREATE FUNCTION mc_code_seq(p_seq int) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  -- 4 digits, zero-padded; never truncated past 9999.
  SELECT CASE WHEN p_seq <= 9999 THEN lpad(p_seq::text, 4, '0') ELSE p_seq::text END
$$;

CREATE FUNCTION mc_receive(p_unit text, p_key text, p_agency text, p_day text,
                           p_proc text, p_name text, p_id_number text, p_phone text,
                           p_channel smallint, p_officer text,
                           p_received_ms bigint, p_due_ms bigint)
RETURNS dossier_v
LANGUAGE plpgsql AS $$
DECLARE
  prev jsonb;
  seq int;
  new_id bigint;
BEGIN
  PERFORM mc_require_unit(p_unit);
  prev := mc_idem_claim(p_unit, p_key, 'receive');
  IF prev IS NOT NULL THEN
    RETURN jsonb_populate_record(NULL::dossier_v, prev);
  END IF;
  PERFORM 1 FROM procedures WHERE code = p_proc;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown procedure %', p_proc USING ERRCODE = 'MC009';
  END IF;
  INSERT INTO unit_day_seq AS s (unit_code, day, last) VALUES (p_unit, p_day, 1)
    ON CONFLICT (unit_code, day) DO UPDATE SET last = s.last + 1
    RETURNING s.last INTO seq;
  INSERT INTO dossiers (code, status, unit_code, procedure_code, applicant_name,
                        applicant_id, applicant_phone, channel, received_at, due_at,
                        holder_unit, officer)
  VALUES (p_agency || '-' || p_day || '-' || mc_code_seq(seq), 2, p_unit, p_proc, p_name,
          coalesce(p_id_number, ''), coalesce(p_phone, ''), p_channel,
          mc_ms_to_ts(p_received_ms), mc_ms_to_ts(p_due_ms), p_unit, coalesce(p_officer, ''))
  RETURNING id INTO new_id;
  INSERT INTO progress_log (dossier_id, at, unit_code, officer, action,
                            status_before, status_after, step_due_at)
  VALUES (new_id, mc_ms_to_ts(p_received_ms), p_unit, coalesce(p_officer, ''), 'receive',
          NULL, 2, mc_ms_to_ts(p_due_ms));
  RETURN mc_idem_complete(p_unit, p_key, new_id);
END $$;

CREATE FUNCTION mc_forward(p_unit text, p_key text, p_code text, p_to text,
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
    IF prev->>'code' IS DISTINCT FROM p_code THEN
      RAISE EXCEPTION 'idempotency key already used for another dossier' USING ERRCODE = 'MC010';
    END IF;
    RETURN jsonb_populate_record(NULL::dossier_v, prev);
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
    PERFORM 1 FROM dossiers WHERE code = p_code;
    IF FOUND THEN
      RAISE EXCEPTION 'dossier % cannot be forwarded now', p_code USING ERRCODE = 'MC015';
    END IF;
    RAISE EXCEPTION 'no dossier %', p_code USING ERRCODE = 'MC009';
  END IF;
  INSERT INTO progress_log (dossier_id, at, unit_code, officer, action, status_before,
                            status_after, from_unit, to_unit, step_due_at)
  VALUES (d_id, mc_ms_to_ts(p_now_ms), p_unit, coalesce(p_officer, ''), 'forward', st, st,
          p_unit, p_to, mc_ms_to_ts(p_step_due_ms));
  RETURN mc_idem_complete(p_unit, p_key, d_id);
END $$;
