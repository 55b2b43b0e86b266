-- bench/years_gen.sql: years of dossiers through the server's own SQL
-- functions (bench/years_gen.py loads this, then runs one CALL
-- years_gen.fill(...) per parallel session). Nothing here is a migration:
-- it lives in schema years_gen, which years_gen.py drops at the end.
--
-- Every dossier is received by mc_receive_many (016: mc_receive_item, with
-- the intake of 015 and the officer of 016; batches of 32 like the server's
-- group commit) and moved by mc_action_fp (009/016), the statement the
-- server runs for every workflow action, with the fields the server's
-- rules (server/rules/actions.c, mc_wf_decide) would decide: status
-- before/after, holder, hand-over units, the other party's inbox entry,
-- the clock (pause/resume), the step result (early/on_time/late). So
-- progress rows (hash chain), inbox rows, idempotency rows and register
-- numbers are the real ones.
--
-- Time: these functions take every business time as an explicit argument
-- (received_ms, at_ms, due_ms ...), so no clock is faked: each call gets
-- the simulated time of its step. A step whose time is after p_now is not
-- taken (the dossier stays where it is: open, paused, overdue). What the
-- functions stamp with now() keeps the fill's wall clock:
-- dossiers.updated_at, idempotency.created_at (retention tests must age
-- those rows themselves). Inbox entries older than two days are marked
-- read (read_at = created_at + 2 minutes), as a unit online every day
-- would have pulled them; the newer ones stay unread.

CREATE SCHEMA IF NOT EXISTS years_gen;

CREATE TABLE IF NOT EXISTS years_gen.done (
  unit text, day date, n int NOT NULL, PRIMARY KEY (unit, day));
-- the indexes of dossiers dropped for the fill (years_gen.py drop_indexes)
CREATE TABLE IF NOT EXISTS years_gen.indexes (name text PRIMARY KEY, def text NOT NULL);
CREATE TABLE IF NOT EXISTS years_gen.names (fam text[], mid text[], giv text[]);
CREATE TABLE IF NOT EXISTS years_gen.addr (a text[]);
-- HMAC-SHA256 of migration 013 without pgcrypto: the deployment's key
-- padded to 64 bytes and XORed with ipad / opad (years_gen.py).
CREATE TABLE IF NOT EXISTS years_gen.key (ki bytea, ko bytea);
CREATE OR REPLACE FUNCTION years_gen.mac(p text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(k.ko || sha256(k.ki || convert_to(p, 'UTF8'))), 'hex') FROM years_gen.key k
$$;

-- The officer acting in a role at a unit (deploy/local.sh's <role>.<unit>;
-- id NULL if the deployment has no such account): a table, not a lookup
-- per call.
CREATE TABLE IF NOT EXISTS years_gen.off (
  unit text, role text, login text NOT NULL, id bigint, PRIMARY KEY (unit, role));
INSERT INTO years_gen.off
SELECT u.code, r.role, r.role || '.' || u.code, o.id
  FROM units u CROSS JOIN (VALUES ('receiving'), ('processing'), ('leader')) r(role)
  LEFT JOIN officers o ON o.login = r.role || '.' || u.code
ON CONFLICT DO NOTHING;

-- ms since the epoch (mc_ts_to_ms inline: a SQL function call per
-- argument costs more than the arithmetic)
CREATE OR REPLACE FUNCTION years_gen.ms(t timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT floor(extract(epoch FROM t) * 1000)::bigint $$;

-- The step result of mc_wf_step_result, local days at UTC+7.
CREATE OR REPLACE FUNCTION years_gen.step_result(p_at timestamptz, p_due timestamptz, p_sup int)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_due IS NULL THEN ''
              WHEN p_sup >= 2 OR p_at > p_due THEN 'late'
              WHEN (p_at AT TIME ZONE 'UTC' + interval '7 hours')::date
                   < (p_due AT TIME ZONE 'UTC' + interval '7 hours')::date THEN 'early'
              ELSE 'on_time' END
$$;

-- One workflow action, the server's statement (server/store/dossiers.c
-- SQL_ACTION: mc_action_fp(canon, ROW(...)::mc_action_t)).
CREATE OR REPLACE FUNCTION years_gen.act(
    p_unit text, p_role text, p_orole text, p_code text, p_action text,
    p_sb int, p_sa int, p_hb text, p_ha text, p_from text, p_to text, p_notify text,
    p_at timestamptz, p_due timestamptz, p_paused timestamptz, p_sup int, p_supinc int,
    p_fin boolean, p_ret boolean, p_rating int, p_collected text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  o record;
BEGIN
  SELECT login, id INTO o FROM years_gen.off WHERE unit = p_unit AND role = p_orole;
  PERFORM mc_action_fp(NULL, ROW(p_unit, gen_random_uuid()::text, p_role, o.login, p_code,
      p_action, p_sb::smallint, p_sa::smallint, p_hb, p_ha, p_from, p_to, p_notify,
      floor(extract(epoch FROM p_at) * 1000)::bigint,
      floor(extract(epoch FROM p_due) * 1000)::bigint,
      floor(extract(epoch FROM p_due) * 1000)::bigint,
      floor(extract(epoch FROM p_paused) * 1000)::bigint, p_supinc, p_fin, false,
      p_ret, years_gen.step_result(p_at, p_due, p_sup + p_supinc), '', NULL, NULL,
      p_rating::smallint, NULL, p_collected, o.id, '', NULL)::mc_action_t);
END $$;

-- The due time of a procedure's limit from t (the server counts working
-- days and office hours; calendar days x 7/5 are close enough here).
CREATE OR REPLACE FUNCTION years_gen.due(p_proc text, t timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT t + CASE p.limit_unit
               WHEN 1 THEN make_interval(hours => greatest(p.limit_value, 4))
               WHEN 2 THEN make_interval(days => ceil(greatest(p.limit_value, 1) * 1.4)::int)
               WHEN 3 THEN make_interval(days => greatest(p.limit_value, 1))
               ELSE make_interval(months => greatest(p.limit_value, 1)) END
    FROM procedures p WHERE p.code = p_proc
$$;

-- The life of one dossier after its receipt: the steps of WORKFLOW.md
-- with their simulated times, each taken only if before p_now.
CREATE OR REPLACE FUNCTION years_gen.life(p_code text, p_unit text, p_parent text,
                                          p_level int, p_recv timestamptz, p_due timestamptz,
                                          p_name text, p_now timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  fwd boolean := p_level = 2 AND p_parent IS NOT NULL;  -- district-level at a commune
  pu text := CASE WHEN fwd THEN p_parent ELSE p_unit END;  -- the processing unit
  prole text := CASE WHEN pu = p_unit AND p_parent IS NOT NULL THEN 'commune' ELSE 'district' END;
  crole text := CASE WHEN p_parent IS NOT NULL THEN 'commune' ELSE 'district' END;
  nt text := CASE WHEN fwd THEN p_unit END;                -- whom the centre's steps tell
  t timestamptz := p_recv;
  due timestamptz := p_due;
  span interval := p_due - p_recv;
  sup int := 0;
  r float8 := random();
  late float8 := random();
  paused timestamptz;
BEGIN
  -- refused at intake (3%) or withdrawn before processing (1%)
  IF r < 0.03 OR r >= 0.99 THEN
    t := t + interval '40 minutes' + random() * interval '2 hours';
    IF t > p_now THEN RETURN; END IF;
    PERFORM years_gen.act(p_unit, crole, 'receiving',
      p_code, CASE WHEN r < 0.03 THEN 'refuse' ELSE 'withdraw' END, 2,
      CASE WHEN r < 0.03 THEN 3 ELSE 7 END, p_unit, p_unit, NULL, NULL, NULL, t, due, NULL,
      0, 0, true, false, NULL, NULL);
    RETURN;
  END IF;
  IF fwd THEN
    t := t + interval '1 hour' + random() * interval '3 hours';
    IF t > p_now THEN RETURN; END IF;
    PERFORM years_gen.act(p_unit, crole, 'receiving', p_code, 'forward', 2, 2, p_unit, pu,
      p_unit, pu, pu, t, due, NULL, 0, 0, false, false, NULL, NULL);
  END IF;
  t := t + interval '2 hours' + random() * interval '20 hours';
  IF t > p_now THEN RETURN; END IF;
  PERFORM years_gen.act(pu, prole, 'receiving', p_code, 'accept', 2, 4, pu, pu, NULL, NULL, nt,
    t, due, NULL, 0, 0, false, false, NULL, NULL);
  -- a supplement asked for (8%), brought (80% of them) or withdrawn
  IF r < 0.11 THEN
    t := t + span * (0.1 + 0.2 * random());
    IF t > p_now THEN RETURN; END IF;
    paused := t;
    PERFORM years_gen.act(pu, prole, 'processing', p_code, 'supplement-request', 4, 5, pu, pu,
      NULL, NULL, nt, t, due, paused, sup, 1, false, false, NULL, NULL);
    sup := 1;
    t := t + interval '1 day' + random() * interval '8 days';
    IF t > p_now THEN RETURN; END IF;
    IF random() < 0.2 THEN
      PERFORM years_gen.act(pu, prole, 'receiving', p_code, 'withdraw', 5, 7, pu, pu, NULL,
        NULL, nt, t, due, NULL, sup, 0, true, false, NULL, NULL);
      RETURN;
    END IF;
    due := due + (t - paused);
    PERFORM years_gen.act(pu, prole, 'receiving', p_code, 'supplement', 5, 4, pu, pu, NULL,
      NULL, nt, t, due, NULL, sup, 0, false, false, NULL, NULL);
  ELSIF r < 0.14 THEN
    -- a fee asked for and paid (3%)
    t := t + span * (0.1 + 0.3 * random());
    IF t > p_now THEN RETURN; END IF;
    paused := t;
    PERFORM years_gen.act(pu, prole, 'processing', p_code, 'fee-request', 4, 6, pu, pu, NULL,
      NULL, nt, t, due, paused, 0, 0, false, false, NULL, NULL);
    t := t + interval '4 hours' + random() * interval '3 days';
    IF t > p_now THEN RETURN; END IF;
    due := due + (t - paused);
    PERFORM years_gen.act(pu, prole, 'receiving', p_code, 'fee-paid', 6, 4, pu, pu, NULL,
      NULL, nt, t, due, NULL, 0, 0, false, false, NULL, NULL);
  ELSIF r < 0.16 THEN
    -- stopped by the leader (2%)
    t := t + span * (0.3 + 0.5 * random());
    IF t > p_now THEN RETURN; END IF;
    PERFORM years_gen.act(pu, prole, 'leader', p_code, 'stop', 4, 8, pu, pu, NULL, NULL, nt,
      t, due, NULL, 0, 0, true, false, NULL, NULL);
    t := NULL;
  ELSIF r < 0.165 THEN
    RETURN;  -- stuck in processing (0.5%): overdue for good
  END IF;
  IF t IS NOT NULL THEN
    -- the result: 88% within the limit, the rest up to 60% late
    t := greatest(t + interval '1 hour',
                  CASE WHEN late < 0.88 THEN t + (due - t) * (0.2 + 0.75 * random())
                       ELSE due + span * (0.05 + 0.55 * random()) END);
    IF t > p_now THEN RETURN; END IF;
    PERFORM years_gen.act(pu, prole, 'leader', p_code, 'result', 4, 9, pu, pu, NULL, NULL, nt,
      t, due, NULL, sup, 0, true, false, NULL, NULL);
  END IF;
  IF fwd THEN
    t := coalesce(t, p_recv + span) + interval '2 hours' + random() * interval '30 hours';
    IF t > p_now THEN RETURN; END IF;
    PERFORM years_gen.act(pu, 'district', 'receiving', p_code, 'send-back',
      CASE WHEN r < 0.16 AND r >= 0.14 THEN 8 ELSE 9 END,
      CASE WHEN r < 0.16 AND r >= 0.14 THEN 8 ELSE 9 END, pu, p_unit, pu, p_unit, p_unit,
      t, due, NULL, sup, 0, false, false, NULL, NULL);
  END IF;
  IF t IS NULL OR (r < 0.16 AND r >= 0.14) THEN RETURN; END IF;
  -- collected by the citizen (96%), then rated (30%)
  IF random() < 0.04 THEN RETURN; END IF;
  t := t + interval '3 hours' + random() * random() * interval '12 days';
  IF t > p_now THEN RETURN; END IF;
  PERFORM years_gen.act(p_unit, crole, 'receiving', p_code, 'return', 9, 10, p_unit, p_unit,
    NULL, NULL, NULL, t, due, NULL, sup, 0, false, true, NULL, p_name);
  IF random() < 0.3 THEN
    PERFORM years_gen.act(p_unit, crole, 'receiving', p_code, 'rate', 10, 10, p_unit, p_unit,
      NULL, NULL, NULL, t + interval '5 minutes', due, NULL, sup, 0, false, false,
      CASE WHEN random() < 0.8 THEN 3 WHEN random() < 0.7 THEN 2 ELSE 1 END, NULL);
  END IF;
END $$;

-- One unit's day: p_n receives (mc_receive_many, 32 a batch, in time
-- order), then each dossier's life. p_l2: the share of district-level
-- procedures at a commune. MACs by years_gen.mac (NULL without a key).
CREATE OR REPLACE FUNCTION years_gen.unit_day(p_unit text, p_day date, p_n int, p_l2 float8,
                                              p_now timestamptz) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  u record;
  nm record;
  p1 text[] := ARRAY(SELECT code FROM procedures WHERE level = 1 ORDER BY code);
  p2 text[] := ARRAY(SELECT code FROM procedures WHERE level = 2 ORDER BY code);
  addr text[] := (SELECT a FROM years_gen.addr);
  rcv record;
  items jsonb := '[]';
  batch jsonb;
  res record;
  i int;
  made int := 0;
BEGIN
  SELECT * INTO u FROM units WHERE code = p_unit;
  SELECT * INTO nm FROM years_gen.names;
  SELECT login AS o_login, id AS o_id INTO rcv FROM years_gen.off
   WHERE unit = p_unit AND role = 'receiving';
  FOR i IN 1 .. p_n LOOP
    items := items || jsonb_build_array(jsonb_build_object('t', random()));
  END LOOP;
  -- the day's receipts in time order, 07:30-17:00 local (UTC+7)
  SELECT jsonb_agg(x ORDER BY (x->>'t')::float8) INTO items FROM jsonb_array_elements(items) x;
  FOR i IN 0 .. p_n - 1 BY 32 LOOP
    SELECT jsonb_agg(mc_item ORDER BY k) INTO batch FROM (
      SELECT k, jsonb_build_array(p_unit, gen_random_uuid()::text, u.agency_id,
               to_char(p_day, 'YYMMDD'), pr, nme, cid, ph, ch, rcv.o_login,
               years_gen.ms(at), years_gen.ms(years_gen.due(pr, at)), NULL,
               years_gen.mac(cid), years_gen.mac(ph),
               addr[1 + floor(random() * cardinality(addr))::int] || ', ' || u.name,
               '', 1, '',
               (SELECT coalesce(jsonb_agg(jsonb_build_array(c.ordinal, 1, NULL) ORDER BY c.ordinal),
                                '[]')::text FROM procedure_components c WHERE c.procedure_code = pr),
               rcv.o_id, '') AS mc_item
        FROM (SELECT k, at, nme, cid, ph, ch,
                     CASE WHEN (u.parent IS NULL OR random() < p_l2) AND cardinality(p2) > 0
                          THEN p2[1 + floor(random() * cardinality(p2))::int]
                          ELSE p1[1 + floor(random() * cardinality(p1))::int] END AS pr
                FROM (SELECT k,
                        (p_day + time '00:30')::timestamp AT TIME ZONE 'UTC'
                          + make_interval(secs => (items->k->>'t')::float8 * 34200) AS at,
                        nm.fam[1 + floor(random() * cardinality(nm.fam))::int] || ' ' ||
                          nm.mid[1 + floor(random() * cardinality(nm.mid))::int] || ' ' ||
                          nm.giv[1 + floor(random() * cardinality(nm.giv))::int] AS nme,
                        '042' || lpad(floor(random() * 1e9)::bigint::text, 9, '0') AS cid,
                        '09' || lpad(floor(random() * 1e8)::bigint::text, 8, '0') AS ph,
                        CASE WHEN random() < 0.85 THEN 1 WHEN random() < 0.8 THEN 2 ELSE 3 END AS ch
                        FROM generate_series(i, least(i + 31, p_n - 1)) k) a) b) c;
    FOR res IN SELECT r.o_state, r.o_msg, (r.o_d).code AS code, (r.o_d).level AS level,
                      (r.o_d).applicant_name AS name,
                      mc_ms_to_ts((r.o_d).received_at_ms) AS recv,
                      mc_ms_to_ts((r.o_d).due_at_ms) AS due
                 FROM mc_receive_many(batch) r ORDER BY r.o_ord LOOP
      IF res.o_state IS NOT NULL THEN
        RAISE EXCEPTION 'receive failed at %/%: % %', p_unit, p_day, res.o_state, res.o_msg;
      END IF;
      PERFORM years_gen.life(res.code, p_unit, u.parent, res.level, res.recv, res.due,
                             res.name, p_now);
      made := made + 1;
    END LOOP;
  END LOOP;
  RETURN made;
END $$;

-- One session's share: p_units, day by day over [p_from, p_to), one
-- transaction per unit and day; days done (years_gen.done) are skipped, so
-- a fill that was stopped continues where it was. p_per_day: the mean
-- receipts of a working day per unit (Sundays and the calendar's days off
-- closed, Saturdays a third).
CREATE OR REPLACE PROCEDURE years_gen.fill(p_units text[], p_per_day float8[], p_from date,
                                           p_to date, p_l2 float8, p_now timestamptz,
                                           p_seed float8)
LANGUAGE plpgsql AS $$
DECLARE
  d date;
  k int;
  n int;
  f float8;
BEGIN
  PERFORM setseed(p_seed);
  FOR d IN SELECT g::date FROM generate_series(p_from, p_to - 1, interval '1 day') g LOOP
    f := CASE extract(isodow FROM d) WHEN 7 THEN 0 WHEN 6 THEN 0.33 ELSE 1 END;
    IF EXISTS (SELECT 1 FROM calendar_days c WHERE c.day = d AND NOT c.workday) THEN f := 0; END IF;
    CONTINUE WHEN f = 0;
    FOR k IN 1 .. cardinality(p_units) LOOP
      CONTINUE WHEN EXISTS (SELECT 1 FROM years_gen.done WHERE unit = p_units[k] AND day = d);
      n := round(p_per_day[k] * f * (0.6 + 0.8 * random()));
      n := years_gen.unit_day(p_units[k], d, n, p_l2, p_now);
      INSERT INTO years_gen.done VALUES (p_units[k], d, n);
      -- entries of two days ago and older: pulled by their unit
      UPDATE inbox SET read_at = created_at + interval '2 minutes'
       WHERE unit_code = p_units[k] AND read_at IS NULL AND created_at < d - 2;
      COMMIT;
    END LOOP;
  END LOOP;
END $$;
