-- 027: the connect time on the disconnect row (issue 19, item 2;
-- docs/DATABASE.md "Retention and rollups", docs/PERFORMANCE.md).
--
-- 025's link_intervals_in paired a window's raw rows in memory but still
-- searched outside the window for what the rows did not say: the
-- disconnect after the window of a connect inside it (one probe each), and
-- for past windows (the rollup) every later disconnect for the one closing
-- a connection opened before the window (a 2020 window on 10M rows: > 18
-- min). Now each disconnect row carries its connection's start
-- (connected_at, written by the server: server/store/monitor.c), so:
--   (a) a disconnect inside the window is a whole interval by itself;
--   (b) past windows only: a connection open across the window's end is a
--       disconnect after the window whose connected_at is before its end,
--       found by the GiST index of [connected_at, at] (a stabbing query:
--       the rows it returns, not the history after the window);
--   (c) a connection without a disconnect row (open now, or its run died:
--       it ends when the run was last alive, as in 005) is in link_open,
--       read for the runs alive in the window only (current run by its key,
--       others by link_server_runs_alive_idx: a few, whatever the history).
-- Starts are clipped to p_ds as 025 did (a start inside the window is kept),
-- so link_uptime's results are unchanged (itest_retention: against 005's
-- computation and 025's function).
--
-- connected_at is NULL on connects, and on a disconnect whose connect row
-- is unknown (deleted by retention, or never written): such a connection
-- started before any window still computed from raw rows, as 025 assumed.

ALTER TABLE link_events ADD COLUMN connected_at timestamptz;

-- Existing rows: one set-based pass (connects grouped by connection, hash
-- or merge joined to the disconnects; work_mem bounds the memory, the rest
-- spills). 10M rows: see docs/PERFORMANCE.md.
UPDATE link_events d SET connected_at = c.at
  FROM (SELECT x.boot_ms, x.conn_id, min(x.at) AS at FROM link_events x
         WHERE x.kind = 'connect' GROUP BY x.boot_ms, x.conn_id) c
 WHERE d.kind = 'disconnect' AND d.boot_ms = c.boot_ms AND d.conn_id = c.conn_id;

-- A writer that does not say it (an older server during an upgrade, psql):
-- the connect already stored, found by link_events_conn_idx. The server
-- always says it, so its inserts skip the trigger (WHEN).
CREATE FUNCTION link_event_connected() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT min(c.at) INTO NEW.connected_at FROM link_events c
   WHERE c.boot_ms = NEW.boot_ms AND c.conn_id = NEW.conn_id AND c.kind = 'connect';
  RETURN NEW;
END $$;

CREATE TRIGGER link_events_connected BEFORE INSERT ON link_events FOR EACH ROW
  WHEN (NEW.kind = 'disconnect' AND NEW.connected_at IS NULL)
  EXECUTE FUNCTION link_event_connected();

-- Connections as ranges, for "open at this instant" (branch (b)). Rows
-- whose clock ran backwards (connected_at > at) stay out: no range.
CREATE INDEX link_events_span_idx ON link_events USING gist (tstzrange(connected_at, at, '[]'))
  WHERE kind = 'disconnect' AND connected_at IS NOT NULL AND connected_at <= at;

CREATE OR REPLACE FUNCTION link_intervals_in(p_ds timestamptz, p_de timestamptz)
RETURNS TABLE (unit text, started timestamptz, ended timestamptz)
LANGUAGE sql STABLE AS $$
WITH cur AS MATERIALIZED (SELECT max(boot_ms) AS boot FROM link_server_runs),
dis AS MATERIALIZED (
  SELECT e.boot_ms, e.conn_id, min(e.unit) AS unit, min(e.at) AS at,
         min(e.connected_at) AS c_at
    FROM link_events e
   WHERE e.at >= p_ds AND e.at < p_de AND e.kind = 'disconnect'
   GROUP BY e.boot_ms, e.conn_id
), runs AS MATERIALIZED (
  SELECT r.boot_ms, r.last_alive FROM link_server_runs r WHERE r.last_alive > p_ds
  UNION
  SELECT r.boot_ms, r.last_alive FROM link_server_runs r WHERE r.boot_ms = (SELECT boot FROM cur)
), iv AS (
  -- (a) disconnects inside the window: each knows its start
  SELECT d.unit,
         CASE WHEN d.c_at >= p_ds AND d.c_at < p_de THEN d.c_at ELSE p_ds END AS s,
         d.at AS e
    FROM dis d
  UNION ALL
  -- (b) past windows only: connections open at the window's end, closed after it
  SELECT x.unit, CASE WHEN x.connected_at >= p_ds THEN x.connected_at ELSE p_ds END, x.at
    FROM link_events x
   WHERE p_de <= now() AND x.kind = 'disconnect' AND x.connected_at IS NOT NULL
     AND x.connected_at <= x.at AND tstzrange(x.connected_at, x.at, '[]') @> p_de
     AND x.connected_at < p_de AND x.at >= p_de
  UNION ALL
  -- (c) connections without a disconnect, of runs alive in the window
  SELECT o.unit, CASE WHEN o.at >= p_ds THEN o.at ELSE p_ds END,
         CASE WHEN r.boot_ms = (SELECT boot FROM cur) THEN now()
              ELSE GREATEST(o.at, r.last_alive) END
    FROM runs r,
         LATERAL (SELECT o.unit, o.at, o.conn_id FROM link_open o
                   WHERE o.boot_ms = r.boot_ms AND o.at < p_de OFFSET 0) o
   WHERE NOT EXISTS (SELECT 1 FROM link_events x  -- a row of link_open's superset
                      WHERE x.boot_ms = r.boot_ms AND x.conn_id = o.conn_id
                        AND x.kind = 'disconnect')
)
SELECT iv.unit, iv.s, iv.e FROM iv WHERE iv.e > p_ds AND iv.s < p_de;
$$;
