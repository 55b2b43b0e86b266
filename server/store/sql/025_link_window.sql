-- 025: the per-minute link query constant in the size of the history
-- (issue 19, docs/DATABASE.md "Retention and rollups", docs/PERFORMANCE.md).
--
-- 023's link_intervals_in found the intervals overlapping a window with two
-- index probes into the whole link_events per interval of the window (the
-- connect of each disconnect, the disconnect of each connect): their cost
-- grew with the depth of link_events_conn_idx, i.e. with the history, and
-- its link_open branch read every open row of three years when not swept.
-- Now the window's raw rows are read once by link_events_at_idx and paired
-- in memory; what lies outside the window is known without a search:
--   (a) a connect inside the window ends at its disconnect inside it, else
--       (past windows only) at its disconnect after it, else while its run
--       lived (now() for the current run);
--   (b) a disconnect inside the window whose connect is not inside it began
--       before the window: the interval is clipped to start at p_ds;
--   (c) a connection opened before the window and still open is in
--       link_open, read per run alive in the window (its primary key; the
--       runs by link_server_runs_alive_idx); the probe of its disconnect
--       (link_open is a superset) is one per connection open now;
--   (d) a connection spanning the whole window and closed after it exists
--       only for windows in the past (p_de <= now(): the rollup), found as
--       023 did; for the monitor's window (today) the branch is not run.
-- Intervals are clipped to start at p_ds (their only reader, link_uptime_raw,
-- clips every day to its own start), so link_uptime's results are unchanged
-- (itest_retention compares them with migration 005's computation).
-- Runs alive in a window, by index: one row per server start, so the table
-- grows with the years (a restart a week: 150 rows in three years).
CREATE INDEX link_server_runs_alive_idx ON link_server_runs (last_alive);

CREATE OR REPLACE FUNCTION link_intervals_in(p_ds timestamptz, p_de timestamptz)
RETURNS TABLE (unit text, started timestamptz, ended timestamptz)
LANGUAGE sql STABLE AS $$
WITH cur AS MATERIALIZED (SELECT max(boot_ms) AS boot FROM link_server_runs),
w AS MATERIALIZED (
  SELECT e.unit, e.at, e.kind, e.boot_ms, e.conn_id FROM link_events e
   WHERE e.at >= p_ds AND e.at < p_de
), con AS MATERIALIZED (
  SELECT DISTINCT w.unit, w.at, w.boot_ms, w.conn_id FROM w WHERE w.kind = 'connect'
), dis AS MATERIALIZED (
  SELECT w.boot_ms, w.conn_id, min(w.unit) AS unit, min(w.at) AS at FROM w
   WHERE w.kind = 'disconnect' GROUP BY w.boot_ms, w.conn_id
), iv AS (
  -- (a) connects inside the window
  SELECT c.unit, c.at AS s,
         COALESCE(d.at, a.at,
                  CASE WHEN c.boot_ms = (SELECT boot FROM cur) THEN now()
                       ELSE GREATEST(c.at, (SELECT r.last_alive FROM link_server_runs r
                                            WHERE r.boot_ms = c.boot_ms))
                  END, c.at) AS e
    FROM con c
    LEFT JOIN dis d ON d.boot_ms = c.boot_ms AND d.conn_id = c.conn_id
    LEFT JOIN LATERAL (SELECT x.at FROM link_events x
                        WHERE p_de <= now() AND d.at IS NULL
                          AND x.boot_ms = c.boot_ms AND x.conn_id = c.conn_id
                          AND x.kind = 'disconnect' AND x.at >= p_de
                        LIMIT 1) a ON true
  UNION ALL
  -- (b) disconnects inside the window of connections opened before it
  SELECT d.unit, p_ds, d.at FROM dis d
   WHERE NOT EXISTS (SELECT 1 FROM con c WHERE c.boot_ms = d.boot_ms AND c.conn_id = d.conn_id)
  UNION ALL
  -- (c) connections opened before the window, still open, of runs alive in it
  SELECT o.unit, p_ds,
         CASE WHEN r.boot_ms = (SELECT boot FROM cur) THEN now()
              ELSE GREATEST(o.at, r.last_alive) END
    FROM link_server_runs r,
         LATERAL (SELECT o.unit, o.at, o.conn_id FROM link_open o
                   WHERE o.boot_ms = r.boot_ms AND o.at < p_ds OFFSET 0) o
   WHERE (r.boot_ms = (SELECT boot FROM cur) OR r.last_alive > p_ds)
     AND NOT EXISTS (SELECT 1 FROM link_events x  -- a row of link_open's superset
                      WHERE x.boot_ms = r.boot_ms AND x.conn_id = o.conn_id
                        AND x.kind = 'disconnect')
  UNION ALL
  -- (d) past windows only: connections spanning the window, closed after it
  SELECT c.unit, p_ds, d.at FROM link_events d,
         LATERAL (SELECT c.unit, c.at FROM link_events c
                   WHERE c.boot_ms = d.boot_ms AND c.conn_id = d.conn_id AND c.kind = 'connect'
                   LIMIT 1) c
   WHERE p_de <= now() AND d.at >= p_de AND d.kind = 'disconnect' AND c.at < p_ds
)
SELECT iv.unit, iv.s, iv.e FROM iv WHERE iv.e > p_ds AND iv.s < p_de;
$$;
