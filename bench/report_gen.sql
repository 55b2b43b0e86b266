-- bench/report_gen.sql: a year of dossiers through the server's own SQL
-- functions (mc_receive, mc_action: idempotency rows, guarded updates,
-- hash-chained progress log, as the server writes them), for
-- bench/report_bench.py. Created in the benchmark's own database only.
-- Outcomes (deterministic from the dossier number): ~10% still open,
-- ~6% a supplement wait, ~2% refused, ~2% withdrawn, the rest resolved
-- early / on time / late and returned, some rated.
CREATE OR REPLACE FUNCTION bench_act(p_unit text, p_key text, p_code text, p_action text,
                                     p_before smallint, p_after smallint, p_hold_b text,
                                     p_hold_a text, p_at bigint, p_due bigint,
                                     p_paused bigint, p_sup int, p_fin boolean,
                                     p_ret boolean, p_result text, p_rating smallint,
                                     p_from text, p_to text)
RETURNS void LANGUAGE sql AS $$
  SELECT mc_action(ROW(p_unit, p_key, CASE WHEN p_unit = '444' THEN 'district' ELSE 'commune' END,
                       'bench', p_code, p_action, p_before, p_after, p_hold_b, p_hold_a,
                       p_from, p_to, NULL, p_at, p_due, p_due, p_paused, p_sup, p_fin, false,
                       p_ret, p_result, '', NULL, NULL, p_rating, NULL,
                       CASE WHEN p_ret THEN 'bench' END)::mc_action_t)
$$;

-- Worker p_worker of p_workers takes the units u with u % p_workers = p_worker:
-- workers never share a unit's per-day sequence row, so their long
-- transactions cannot deadlock on it.
CREATE OR REPLACE FUNCTION bench_gen(p_first int, p_last int, p_year int, p_worker int,
                                     p_workers int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  units text[] := ARRAY(SELECT code FROM units WHERE role = 'commune' ORDER BY code);
  agency text[] := ARRAY(SELECT agency_id FROM units WHERE role = 'commune' ORDER BY code);
  procs text[] := ARRAY(SELECT code FROM procedures ORDER BY code);
  lvl smallint[] := ARRAY(SELECT level FROM procedures ORDER BY code);
  days int[] := ARRAY(SELECT greatest(limit_value, 1) FROM procedures ORDER BY code);
  y0 bigint := (extract(epoch FROM make_timestamptz(p_year, 1, 1, 1, 0, 0, 'UTC')) * 1000)::bigint;
  i int; u int; p int; h bigint; rec bigint; due bigint; t bigint; d dossier_v;
  k text; unit text; hold text; fate int;
BEGIN
  FOR i IN p_first .. p_last LOOP
    IF (i % array_length(units, 1)) % p_workers <> p_worker THEN
      CONTINUE;
    END IF;
    h := (i::bigint * 2654435761) % 4294967296;
    u := 1 + i % array_length(units, 1);
    p := 1 + (h % array_length(procs, 1))::int;
    unit := units[u];
    rec := y0 + (h % 360)::bigint * 86400000 + (h % 28800)::bigint * 1000;
    due := rec + days[p]::bigint * 1.4 * 86400000;
    k := 'b' || i;
    d := mc_receive(unit, k, agency[u], to_char(to_timestamp(rec / 1000.0), 'YYMMDD'),
                    procs[p], 'Bench ' || i, lpad(i::text, 12, '0'), '0912345678',
                    (1 + h % 3)::smallint, 'bench', rec, due);
    hold := unit;
    t := rec + 600000;
    IF lvl[p] = 2 THEN
      PERFORM bench_act(unit, k || 'f', d.code, 'forward', 2::smallint, 2::smallint, unit,
                        '444', t, due, NULL, 0, false, false, '', NULL, unit, '444');
      hold := '444';
    END IF;
    fate := (h / 7 % 100)::int;
    IF fate < 2 THEN      -- refused
      PERFORM bench_act(hold, k || 'r', d.code, 'refuse', 2::smallint, 3::smallint, hold, hold,
                        t + 1000, due, NULL, 0, true, false, 'early', NULL, NULL, NULL);
      CONTINUE;
    ELSIF fate < 4 THEN   -- withdrawn
      PERFORM bench_act(hold, k || 'w', d.code, 'withdraw', 2::smallint, 7::smallint, hold, hold,
                        t + 1000, due, NULL, 0, true, false, '', NULL, NULL, NULL);
      CONTINUE;
    END IF;
    PERFORM bench_act(hold, k || 'a', d.code, 'accept', 2::smallint, 4::smallint, hold, hold,
                      t + 2000, due, NULL, 0, false, false, '', NULL, NULL, NULL);
    IF fate < 14 THEN     -- still open
      CONTINUE;
    END IF;
    t := rec + ((h % 140) * days[p]::bigint * 864000 / 100);  -- 0 .. 1.4 x the limit
    IF fate < 20 THEN     -- a supplement wait of a day
      PERFORM bench_act(hold, k || 's', d.code, 'supplement_request', 4::smallint, 5::smallint,
                        hold, hold, t - 86400000, due, t - 86400000, 1, false, false, '', NULL,
                        NULL, NULL);
      due := due + 86400000;
      PERFORM bench_act(hold, k || 'S', d.code, 'supplement', 5::smallint, 4::smallint,
                        hold, hold, t - 1000, due, NULL, 0, false, false, '', NULL, NULL, NULL);
    END IF;
    PERFORM bench_act(hold, k || 'R', d.code, 'result', 4::smallint, 9::smallint, hold, hold,
                      t, due, NULL, 0, true, false, CASE WHEN t > due THEN 'late' ELSE 'on_time' END,
                      NULL, NULL, NULL);
    IF hold = '444' THEN
      PERFORM bench_act('444', k || 'b', d.code, 'send_back', 9::smallint, 9::smallint, '444',
                        unit, t + 1000, due, NULL, 0, false, false, '', NULL, '444', unit);
    END IF;
    PERFORM bench_act(unit, k || 'T', d.code, 'return', 9::smallint, 10::smallint, unit, unit,
                      t + 86400000, due, NULL, 0, false, true, '', NULL, NULL, NULL);
    IF fate % 3 = 0 THEN
      PERFORM bench_act(unit, k || 'v', d.code, 'rate', 10::smallint, 10::smallint, unit, unit,
                        t + 86401000, due, NULL, 0, false, false, '',
                        (1 + h % 3)::smallint, NULL, NULL);
    END IF;
  END LOOP;
END $$;

-- Older years: each finished dossier of p_year
-- copied p_back years earlier with
-- its progress log (the hash-chain trigger runs for every copied row), so
-- a report of p_year runs over years of data without generating them one
-- function call at a time.
CREATE OR REPLACE FUNCTION bench_copy(p_year int, p_back int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  shift interval := make_interval(years => p_back);
BEGIN
  CREATE TEMP TABLE m ON COMMIT DROP AS
    SELECT d.id AS old_id, nextval('dossiers_id_seq') AS new_id FROM dossiers d
     WHERE d.received_at >= make_timestamptz(p_year, 1, 1, 0, 0, 0, 'UTC')
       AND d.received_at < make_timestamptz(p_year + 1, 1, 1, 0, 0, 0, 'UTC')
       AND d.code NOT LIKE 'Y%' AND d.finished_at IS NOT NULL;
  INSERT INTO dossiers (id, code, status, unit_code, procedure_code, applicant_name, applicant_id,
                        applicant_phone, channel, received_at, due_at, holder_unit, forwarded_to,
                        forwarded_at, officer, assigned_officer, department, supplement_count,
                        rescheduled, rating, paused_at, finished_at, returned_at, collected_by,
                        fee_amount)
  SELECT m.new_id, 'Y' || p_back || '-' || d.code, d.status, d.unit_code, d.procedure_code,
         d.applicant_name, d.applicant_id, d.applicant_phone, d.channel, d.received_at - shift,
         d.due_at - shift, d.holder_unit, d.forwarded_to, d.forwarded_at - shift, d.officer,
         d.assigned_officer, d.department, d.supplement_count, d.rescheduled, d.rating,
         d.paused_at - shift, d.finished_at - shift, d.returned_at - shift, d.collected_by,
         d.fee_amount
    FROM m JOIN dossiers d ON d.id = m.old_id;
  INSERT INTO progress_log (dossier_id, at, unit_code, officer, role, action, status_before,
                            status_after, from_unit, to_unit, step_due_at, result, detail)
  SELECT m.new_id, l.at - shift, l.unit_code, l.officer, l.role, l.action, l.status_before,
         l.status_after, l.from_unit, l.to_unit, l.step_due_at - shift, l.result, l.detail
    FROM m JOIN progress_log l ON l.dossier_id = m.old_id ORDER BY m.new_id, l.id;
END $$;
