-- Link history and idempotency rows with old timestamps, set-based (issue 19,
-- docs/PERFORMANCE.md "Retention and rollups"; tests/integration/test_retention.py).
--   psql -v n=CONNECTIONS -v days=DAYS [-v runs=RUNS] [-v end_ts=TIME] -f bench/retention_fill.sql
-- n connections spread evenly over the `days` days before end_ts (default
-- now), units in turn, 1 to 240 minutes each, in `runs` server runs (default
-- 50; boot_ms 1000..999+runs) each of which lives 1/runs of the span; every
-- 997th connection has no disconnect (its run crashed: it ends when its run
-- was last alive). 2n - n/997 rows. Each disconnect carries its connect's
-- time (connected_at, migration 027), as the server writes it. bench/retention_bench.py passes runs in
-- proportion to days (the same restart rate at every size) and one end_ts
-- for every size (the same rows today, whatever the time the size is filled).
-- Needs the table owner (ALTER TABLE: the trigger is off for the fill).
\set ON_ERROR_STOP 1
\if :{?runs}
\else
\set runs 50
\endif
\if :{?end_ts}
\else
\set end_ts now
\endif
INSERT INTO link_server_runs (boot_ms, started_at, last_alive)
SELECT 1000 + r,
       :'end_ts'::timestamptz - make_interval(secs => :days * 86400.0 * (1 - r / (:runs)::float8)),
       :'end_ts'::timestamptz - make_interval(secs => :days * 86400.0 * (1 - (r + 1) / (:runs)::float8))
         - interval '1 minute'
  FROM generate_series(0, :runs - 1) AS r
ON CONFLICT (boot_ms) DO NOTHING;

-- link_open (migration 023) is rebuilt once at the end rather than by its
-- trigger for every row of this one large statement.
BEGIN;
ALTER TABLE link_events DISABLE TRIGGER link_events_open;
WITH u AS (SELECT array_agg(code ORDER BY code) AS a, count(*)::int AS k FROM units),
c AS (
  SELECT i, u.a[1 + i % u.k] AS unit, 1000 + (i * :runs / :n) AS boot,
         :'end_ts'::timestamptz - make_interval(secs => :days * 86400.0 * (1 - i / (:n)::float8)) AS at,
         make_interval(mins => ((i * 7919) % 240 + 1)::int) AS dur
    FROM generate_series(0::bigint, :n - 1) AS i, u
)
INSERT INTO link_events (at, unit, kind, reason, boot_ms, conn_id, remote, client_version,
                         connected_at)
SELECT x.at, x.unit, x.kind, x.reason, x.boot, x.i, '127.0.0.1', 'fill', x.connected_at
  FROM (
    SELECT c.at, c.unit, 'connect' AS kind, '' AS reason, c.boot, c.i,
           NULL::timestamptz AS connected_at FROM c
    UNION ALL
    SELECT GREATEST(c.at, LEAST(c.at + c.dur, r.last_alive)), c.unit, 'disconnect', 'idle_timeout',
           c.boot, c.i, c.at
      FROM c JOIN link_server_runs r ON r.boot_ms = c.boot
     WHERE c.i % 997 <> 0
  ) x
 ORDER BY x.at;
INSERT INTO link_open (boot_ms, conn_id, unit, at)
SELECT c.boot_ms, c.conn_id, c.unit, c.at FROM link_events c
 WHERE c.kind = 'connect' AND c.client_version = 'fill'
   AND NOT EXISTS (SELECT 1 FROM link_events d WHERE d.boot_ms = c.boot_ms
                      AND d.conn_id = c.conn_id AND d.kind = 'disconnect')
ON CONFLICT DO NOTHING;
ALTER TABLE link_events ENABLE TRIGGER link_events_open;
COMMIT;
ANALYZE link_events;
ANALYZE link_server_runs;
