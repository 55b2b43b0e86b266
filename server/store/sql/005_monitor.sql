-- 005: link history for the IT staff (server/monitor.h, docs/MONITOR.md).
-- One row per connect and per disconnect of a unit's link, append-only.
-- (boot_ms, conn_id) names one connection: conn ids restart with the server.

CREATE TABLE link_events (
  id              bigserial PRIMARY KEY,
  at              timestamptz NOT NULL,
  unit            text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('connect', 'disconnect')),
  reason          text NOT NULL DEFAULT '',   -- disconnect: idle_timeout, heartbeat_lost, ...
  boot_ms         bigint NOT NULL,            -- server start (ms) that saw it
  conn_id         bigint NOT NULL,
  remote          text NOT NULL DEFAULT '',
  client_version  text NOT NULL DEFAULT '',
  bytes_in        bigint NOT NULL DEFAULT 0,
  bytes_out       bigint NOT NULL DEFAULT 0
);
CREATE INDEX link_events_unit_at_idx ON link_events (unit, at);
CREATE INDEX link_events_conn_idx ON link_events (boot_ms, conn_id);

-- One row per server run; last_alive is refreshed every minute, so a run
-- that ended without logging its disconnects (crash, kill -9) is known to
-- have lived until then.
CREATE TABLE link_server_runs (
  boot_ms     bigint PRIMARY KEY,
  started_at  timestamptz NOT NULL,
  last_alive  timestamptz NOT NULL
);

-- Connection intervals: a connect and its disconnect. A connection of an
-- earlier run without a disconnect ends when that run was last alive; the
-- current run's open ones end now.
CREATE VIEW link_intervals AS
SELECT c.unit, c.boot_ms, c.conn_id, c.at AS started,
       COALESCE(d.at,
                CASE WHEN c.boot_ms = (SELECT max(boot_ms) FROM link_server_runs) THEN now()
                     ELSE GREATEST(c.at, (SELECT r.last_alive FROM link_server_runs r
                                          WHERE r.boot_ms = c.boot_ms))
                END, c.at) AS ended,
       d.reason
FROM link_events c
LEFT JOIN link_events d
  ON d.boot_ms = c.boot_ms AND d.conn_id = c.conn_id AND d.kind = 'disconnect'
WHERE c.kind = 'connect';

-- Uptime per unit per local day: the union of a unit's connection intervals
-- (several connections of one unit overlap), clipped to each day.
-- p_offset_min: the local offset from UTC (Vietnam: 420).
CREATE FUNCTION link_uptime(p_from date, p_to date, p_offset_min int)
RETURNS TABLE (unit text, day date, online_s bigint, uptime_pct numeric, disconnects bigint)
LANGUAGE sql STABLE AS $$
WITH iv AS (
  SELECT li.unit, li.started AS s, li.ended AS e FROM link_intervals li
  WHERE li.ended > (p_from::timestamp - make_interval(mins => p_offset_min)) AT TIME ZONE 'UTC'
    AND li.started < ((p_to + 1)::timestamp - make_interval(mins => p_offset_min)) AT TIME ZONE 'UTC'
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
)
SELECT per.unit, per.day, per.secs::bigint,
       CASE WHEN LEAST(per.de, now()) <= per.ds THEN NULL
            ELSE round(100 * per.secs / extract(epoch FROM LEAST(per.de, now()) - per.ds), 1)
       END,
       (SELECT count(*) FROM link_events e
         WHERE e.unit = per.unit AND e.kind = 'disconnect' AND e.at >= per.ds AND e.at < per.de)
FROM per ORDER BY per.unit, per.day;
$$;

-- A flapping link: too many disconnects in a window.
CREATE FUNCTION link_flapping(p_window interval, p_min bigint)
RETURNS TABLE (unit text, disconnects bigint)
LANGUAGE sql STABLE AS $$
  SELECT e.unit, count(*) FROM link_events e
  WHERE e.kind = 'disconnect' AND e.at > now() - p_window
  GROUP BY e.unit HAVING count(*) >= p_min ORDER BY count(*) DESC, e.unit;
$$;

GRANT SELECT, INSERT ON link_events TO motcua_app;
GRANT SELECT, INSERT, UPDATE ON link_server_runs TO motcua_app;
GRANT SELECT ON link_intervals TO motcua_app;
GRANT USAGE ON SEQUENCE link_events_id_seq TO motcua_app;
GRANT EXECUTE ON FUNCTION link_uptime(date, date, int), link_flapping(interval, bigint) TO motcua_app;
