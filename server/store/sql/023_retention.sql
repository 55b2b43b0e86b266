-- 023: retention and rollups (issue 19, docs/DATABASE.md "Retention").
--
-- Idempotency: the key row is kept for ever (it is what makes a replay
-- exactly-once, and it is small); the reply snapshot (to_jsonb of
-- dossier_v, ~1 kB, 90% of the table) is dropped after
-- idempotency_reply_days. A replay of a key whose reply was dropped is
-- answered from the dossier as it is now (same dossier, same code): the
-- rule is "reply IS NULL AND dossier_id IS NOT NULL", a state only the
-- sweep makes (mc_idem_complete sets both at once). Keys without a
-- dossier (officer changes, 016) keep their reply.
--
-- Link events: raw rows are kept link_events_days, after their local day
-- was rolled up into link_uptime_daily (one row per unit and closed local
-- day, filled in order, idempotent). link_uptime() reads the rollup for
-- rolled days and computes only the others from the raw rows, which it
-- finds through indexes (by time, and link_open for connections still
-- open), so its cost no longer grows with the history.
--
-- The sweep (server/monitor/retention.c) runs these as separate short
-- statements; each takes the transaction advisory lock RETENTION_LOCK
-- (pg_try_advisory_xact_lock(0x6d630023)) and answers -1 when another
-- instance holds it, and retention_claim() lets one instance per period
-- sweep.

-- ---- idempotency -------------------------------------------------------------

-- Only the rows whose reply may still be dropped: the index stays small.
CREATE INDEX idempotency_reply_at_idx ON idempotency (created_at)
  WHERE reply IS NOT NULL AND dossier_id IS NOT NULL;

CREATE OR REPLACE FUNCTION mc_idem_claim(p_unit text, p_key text, p_action text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  r idempotency%ROWTYPE;
  fp text := nullif(current_setting('motcua.idem_fp', true), '');
  v dossier_v;
BEGIN
  PERFORM set_config('motcua.idem_fp', '', true);
  INSERT INTO idempotency (unit_code, key, action, fingerprint)
    VALUES (p_unit, p_key, p_action, fp)
    ON CONFLICT (unit_code, key) DO NOTHING;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  SELECT * INTO r FROM idempotency WHERE unit_code = p_unit AND key = p_key;
  IF r.action <> p_action OR (r.reply IS NULL AND r.dossier_id IS NULL) THEN
    RAISE EXCEPTION 'idempotency key already used for %', r.action USING ERRCODE = 'MC010';
  END IF;
  IF r.fingerprint IS NOT NULL AND fp IS NOT NULL AND r.fingerprint <> fp THEN
    RAISE EXCEPTION 'idempotency key already used for another request' USING ERRCODE = 'MC010';
  END IF;
  IF r.reply IS NULL THEN
    -- the reply was dropped by retention: answer with the dossier as it is
    SELECT * INTO v FROM dossier_v WHERE id = r.dossier_id;
    RETURN to_jsonb(v);
  END IF;
  RETURN r.reply;
END $$;

-- ---- link history: connections still open ----------------------------------

-- Every connect without its disconnect (a superset: a disconnect stored
-- before its connect leaves a row the sweep removes). Kept by a statement
-- trigger on link_events.
CREATE TABLE link_open (
  boot_ms  bigint NOT NULL,
  conn_id  bigint NOT NULL,
  unit     text NOT NULL,
  at       timestamptz NOT NULL,
  PRIMARY KEY (boot_ms, conn_id)
);

INSERT INTO link_open (boot_ms, conn_id, unit, at)
SELECT c.boot_ms, c.conn_id, c.unit, c.at FROM link_events c
 WHERE c.kind = 'connect'
   AND NOT EXISTS (SELECT 1 FROM link_events d WHERE d.boot_ms = c.boot_ms
                      AND d.conn_id = c.conn_id AND d.kind = 'disconnect')
ON CONFLICT DO NOTHING;

CREATE FUNCTION link_open_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO link_open (boot_ms, conn_id, unit, at)
  SELECT n.boot_ms, n.conn_id, n.unit, n.at FROM new_rows n
   WHERE n.kind = 'connect'
     AND NOT EXISTS (SELECT 1 FROM link_events d WHERE d.boot_ms = n.boot_ms
                        AND d.conn_id = n.conn_id AND d.kind = 'disconnect')
  ON CONFLICT DO NOTHING;
  DELETE FROM link_open o USING new_rows n
   WHERE n.kind = 'disconnect' AND o.boot_ms = n.boot_ms AND o.conn_id = n.conn_id;
  RETURN NULL;
END $$;

CREATE TRIGGER link_events_open AFTER INSERT ON link_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION link_open_track();

-- Retention deletes by time; the window queries find recent rows by time.
CREATE INDEX link_events_at_idx ON link_events (at);

-- ---- link history: intervals of a window, from the raw rows -----------------

-- The connection intervals (as the link_intervals view defines them) that
-- overlap [p_ds, p_de): connects inside it, the connects of disconnects
-- after p_ds, and connections still open. Index scans only.
CREATE FUNCTION link_intervals_in(p_ds timestamptz, p_de timestamptz)
RETURNS TABLE (unit text, started timestamptz, ended timestamptz)
LANGUAGE sql STABLE AS $$
WITH cur AS (SELECT max(boot_ms) AS boot FROM link_server_runs),
cand AS MATERIALIZED (
  SELECT c.unit, c.at, c.boot_ms, c.conn_id FROM link_events c
   WHERE c.at >= p_ds AND c.at < p_de AND c.kind = 'connect'
  UNION
  SELECT c.unit, c.at, c.boot_ms, c.conn_id FROM link_events d,
         LATERAL (SELECT c.unit, c.at, c.boot_ms, c.conn_id FROM link_events c
                   WHERE c.boot_ms = d.boot_ms AND c.conn_id = d.conn_id AND c.kind = 'connect'
                   LIMIT 1) c
   WHERE d.at >= p_ds AND d.kind = 'disconnect'
  UNION
  SELECT c.unit, c.at, c.boot_ms, c.conn_id
    FROM link_open o LEFT JOIN link_server_runs r ON r.boot_ms = o.boot_ms,
         LATERAL (SELECT c.unit, c.at, c.boot_ms, c.conn_id FROM link_events c
                   WHERE c.boot_ms = o.boot_ms AND c.conn_id = o.conn_id AND c.kind = 'connect'
                   LIMIT 1) c
   WHERE o.at < p_de  -- a run that died before the window ended its connections before it
     AND (r.boot_ms IS NULL OR r.boot_ms = (SELECT boot FROM cur) OR r.last_alive > p_ds)
), iv AS (
  SELECT c.unit, c.at AS s,
         COALESCE(d.at,
                  CASE WHEN c.boot_ms = (SELECT boot FROM cur) THEN now()
                       ELSE GREATEST(c.at, (SELECT r.last_alive FROM link_server_runs r
                                            WHERE r.boot_ms = c.boot_ms))
                  END, c.at) AS e
  FROM cand c
  LEFT JOIN LATERAL (SELECT d.at FROM link_events d
                      WHERE d.boot_ms = c.boot_ms AND d.conn_id = c.conn_id
                        AND d.kind = 'disconnect' LIMIT 1) d ON true
)
SELECT iv.unit, iv.s, iv.e FROM iv WHERE iv.e > p_ds AND iv.s < p_de;
$$;

-- The local day (p_offset_min) of a time.
CREATE FUNCTION mc_local_day(p_at timestamptz, p_offset_min int) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
  SELECT ((p_at AT TIME ZONE 'UTC') + make_interval(mins => p_offset_min))::date
$$;

-- 005's link_uptime on the raw rows of the window only (same result).
-- Without JIT: the planner's guesses (1000 rows of generate_series, a
-- subquery per unit and day) priced it above jit_above_cost, and compiling
-- took 5 s of a query that runs in milliseconds.
CREATE FUNCTION link_uptime_raw(p_from date, p_to date, p_offset_min int)
RETURNS TABLE (unit text, day date, online_s bigint, uptime_pct numeric, disconnects bigint)
LANGUAGE sql STABLE STRICT SET jit = off AS $$
WITH iv AS (
  SELECT li.unit, li.started AS s, li.ended AS e
  FROM link_intervals_in((p_from::timestamp - make_interval(mins => p_offset_min)) AT TIME ZONE 'UTC',
                         ((p_to + 1)::timestamp - make_interval(mins => p_offset_min))
                           AT TIME ZONE 'UTC') li
), ord AS (
  SELECT iv.unit, iv.s, iv.e,
         max(iv.e) OVER (PARTITION BY iv.unit ORDER BY iv.s, iv.e
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_e
  FROM iv
), grp AS (
  SELECT ord.unit, ord.s, ord.e,
         sum(CASE WHEN ord.prev_e IS NULL OR ord.s > ord.prev_e THEN 1 ELSE 0 END)
           OVER (PARTITION BY ord.unit ORDER BY ord.s, ord.e) AS g
  FROM ord
), merged AS (
  SELECT grp.unit, min(grp.s) AS s, max(grp.e) AS e FROM grp GROUP BY grp.unit, grp.g
), days AS (
  SELECT d::date AS day,
         (d::timestamp - make_interval(mins => p_offset_min)) AT TIME ZONE 'UTC' AS ds,
         (d::timestamp + interval '1 day' - make_interval(mins => p_offset_min)) AT TIME ZONE 'UTC' AS de
  FROM generate_series(p_from, p_to, interval '1 day') AS d
), per AS (
  SELECT u.code AS unit, days.day, days.ds, days.de,
         COALESCE(sum(CASE WHEN m.unit IS NULL THEN 0
                           ELSE GREATEST(0, extract(epoch FROM LEAST(m.e, days.de, now())
                                                               - GREATEST(m.s, days.ds)))
                      END), 0) AS secs
  FROM units u CROSS JOIN days
  LEFT JOIN merged m ON m.unit = u.code AND m.e > days.ds AND m.s < days.de
  GROUP BY u.code, days.day, days.ds, days.de
), dc AS (
  SELECT e.unit, mc_local_day(e.at, p_offset_min) AS day, count(*) AS n FROM link_events e
   WHERE e.kind = 'disconnect'
     AND e.at >= (p_from::timestamp - make_interval(mins => p_offset_min)) AT TIME ZONE 'UTC'
     AND e.at < ((p_to + 1)::timestamp - make_interval(mins => p_offset_min)) AT TIME ZONE 'UTC'
   GROUP BY 1, 2
)
SELECT per.unit, per.day, per.secs::bigint,
       CASE WHEN LEAST(per.de, now()) <= per.ds THEN NULL
            ELSE round(100 * per.secs / extract(epoch FROM LEAST(per.de, now()) - per.ds), 1)
       END,
       COALESCE(dc.n, 0)
FROM per LEFT JOIN dc ON dc.unit = per.unit AND dc.day = per.day
ORDER BY per.unit, per.day;
$$;

-- ---- the daily rollup ----------------------------------------------------------

CREATE TABLE link_uptime_daily (
  unit         text NOT NULL,
  day          date NOT NULL,                -- local day (utc_offset_minutes)
  online_s     bigint NOT NULL,
  uptime_pct   numeric,
  disconnects  bigint NOT NULL,
  rolled_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (day, unit)
);

-- Uptime per unit and local day: rolled days from the rollup, the others
-- (today, or days not rolled yet) from the raw rows.
CREATE OR REPLACE FUNCTION link_uptime(p_from date, p_to date, p_offset_min int)
RETURNS TABLE (unit text, day date, online_s bigint, uptime_pct numeric, disconnects bigint)
LANGUAGE sql STABLE SET jit = off AS $$
WITH rolled AS (
  SELECT r.unit, r.day, r.online_s, r.uptime_pct, r.disconnects FROM link_uptime_daily r
   WHERE r.day BETWEEN p_from AND p_to
), open_days AS (
  SELECT min(d::date) AS lo FROM generate_series(p_from, p_to, interval '1 day') AS d
   WHERE NOT EXISTS (SELECT 1 FROM link_uptime_daily r WHERE r.day = d::date)
)
SELECT * FROM (
  SELECT * FROM rolled
  UNION ALL
  SELECT w.* FROM open_days, link_uptime_raw(open_days.lo, p_to, p_offset_min) w
   WHERE NOT EXISTS (SELECT 1 FROM link_uptime_daily r WHERE r.day = w.day)
) x ORDER BY 1, 2;
$$;

-- Rolls up to p_max_days closed local days after the last rolled one (the
-- first: the day of the oldest raw row). A day is closed ten minutes after
-- its end (events are written asynchronously). Returns the days rolled,
-- -1 when another instance holds the lock.
CREATE FUNCTION link_rollup(p_offset_min int, p_max_days int) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  first_day date;
  last_day date := mc_local_day(now() - interval '10 minutes', p_offset_min) - 1;
  hi date;
  n integer;
BEGIN
  IF NOT pg_try_advisory_xact_lock(1835204643) THEN RETURN -1; END IF;
  SELECT max(r.day) + 1 INTO first_day FROM link_uptime_daily r;
  IF first_day IS NULL THEN
    SELECT mc_local_day(min(e.at), p_offset_min) INTO first_day FROM link_events e;
  END IF;
  IF first_day IS NULL OR first_day > last_day THEN RETURN 0; END IF;
  hi := LEAST(last_day, first_day + GREATEST(p_max_days, 1) - 1);
  INSERT INTO link_uptime_daily (unit, day, online_s, uptime_pct, disconnects)
  SELECT w.unit, w.day, w.online_s, w.uptime_pct, w.disconnects
    FROM link_uptime_raw(first_day, hi, p_offset_min) w
  ON CONFLICT DO NOTHING;
  n := hi - first_day + 1;
  RETURN n;
END $$;

-- Deletes up to p_batch raw rows older than p_keep_days and before the
-- first day not rolled up, never the connect of a connection still open
-- (its run alive). Open-connection rows of runs dead before the cutoff,
-- and rows whose disconnect exists, are removed first. Returns the raw
-- rows deleted, -1 when another instance holds the lock.
CREATE FUNCTION link_events_prune(p_keep_days int, p_offset_min int, p_batch int)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  cutoff timestamptz := now() - make_interval(days => p_keep_days);
  rolled date;
  n integer;
BEGIN
  IF NOT pg_try_advisory_xact_lock(1835204643) THEN RETURN -1; END IF;
  SELECT max(r.day) INTO rolled FROM link_uptime_daily r;
  IF rolled IS NULL THEN RETURN 0; END IF;
  cutoff := LEAST(cutoff, ((rolled + 1)::timestamp - make_interval(mins => p_offset_min))
                            AT TIME ZONE 'UTC');
  DELETE FROM link_open o
   WHERE EXISTS (SELECT 1 FROM link_events d WHERE d.boot_ms = o.boot_ms
                    AND d.conn_id = o.conn_id AND d.kind = 'disconnect')
      OR (o.boot_ms <> (SELECT max(boot_ms) FROM link_server_runs)
          AND COALESCE((SELECT r.last_alive FROM link_server_runs r WHERE r.boot_ms = o.boot_ms),
                       o.at) < cutoff);
  DELETE FROM link_events e WHERE e.id IN (
    SELECT x.id FROM link_events x
     WHERE x.at < cutoff
       AND NOT (x.kind = 'connect' AND EXISTS (SELECT 1 FROM link_open o
                                                WHERE o.boot_ms = x.boot_ms
                                                  AND o.conn_id = x.conn_id))
     ORDER BY x.at LIMIT p_batch);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- Drops up to p_batch reply snapshots older than p_keep_days (the key rows
-- stay). Returns the replies dropped, -1 when another instance holds the lock.
CREATE FUNCTION idem_prune(p_keep_days int, p_batch int) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE n integer;
BEGIN
  IF NOT pg_try_advisory_xact_lock(1835204643) THEN RETURN -1; END IF;
  UPDATE idempotency i SET reply = NULL
    FROM (SELECT x.unit_code, x.key FROM idempotency x
           WHERE x.reply IS NOT NULL AND x.dossier_id IS NOT NULL
             AND x.created_at < now() - make_interval(days => p_keep_days)
           ORDER BY x.created_at LIMIT p_batch) old
   WHERE i.unit_code = old.unit_code AND i.key = old.key;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- One instance per period: the claim succeeds when no other instance
-- claimed within p_every_s (less a tenth: timers drift). true = sweep now.
CREATE TABLE retention_claims (
  name        text PRIMARY KEY,
  instance    text NOT NULL,
  claimed_at  timestamptz NOT NULL
);

CREATE FUNCTION retention_claim(p_instance text, p_every_s int) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE n integer;
BEGIN
  IF NOT pg_try_advisory_xact_lock(1835204643) THEN RETURN false; END IF;
  INSERT INTO retention_claims AS c (name, instance, claimed_at)
  VALUES ('sweep', p_instance, now())
  ON CONFLICT (name) DO UPDATE SET instance = EXCLUDED.instance, claimed_at = now()
   WHERE c.instance = EXCLUDED.instance
      OR c.claimed_at < now() - make_interval(secs => p_every_s * 0.9);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n > 0;
END $$;

GRANT SELECT, INSERT, DELETE ON link_open TO motcua_app;
GRANT SELECT, INSERT ON link_uptime_daily TO motcua_app;
GRANT SELECT, INSERT, UPDATE ON retention_claims TO motcua_app;
GRANT DELETE ON link_events TO motcua_app;
GRANT EXECUTE ON FUNCTION link_intervals_in(timestamptz, timestamptz),
  link_uptime_raw(date, date, int), mc_local_day(timestamptz, int), link_rollup(int, int),
  link_events_prune(int, int, int), idem_prune(int, int), retention_claim(text, int)
  TO motcua_app;
