-- 018: period reports (Circular 01/2018) and the Decision 766 counts
-- (issue 17), computed where the rows are: the server sends one statement
-- and receives one row per group plus the total row; no dossier reaches
-- the server. The formulas are docs/REPORTS.md; the figures (ratios) are
-- computed in C from these counts (server/rules/report.c).
--
-- A dossier counts for its RESOLVING unit (đơn vị giải quyết): the unit
-- that received it for a commune-level procedure, the receiving unit's
-- centre (its parent) for a district-level one, whether or not it has
-- been forwarded yet. The centre's own receipts count for the centre.
--
-- Periods are [p_from, p_to): the server passes local midnights.

-- Report sets: what the period needs and nothing older (docs/REPORTS.md
-- "Indexes"). Dossiers still open (carried over from any year), finished
-- or returned in a period.
CREATE INDEX dossiers_open_received_idx ON dossiers (received_at) WHERE finished_at IS NULL;
CREATE INDEX dossiers_finished_idx ON dossiers (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX dossiers_returned_idx ON dossiers (returned_at) WHERE returned_at IS NOT NULL;
CREATE INDEX dossier_files_scan_idx ON dossier_files (dossier_id) WHERE kind = 'scan';

-- The hash chain's trigger (012, mc_progress_chain) looks up a dossier's
-- newest row with "WHERE dossier_id = $1 ORDER BY id DESC LIMIT 1"; with only
-- (dossier_id, at) indexed, PostgreSQL walks the primary key backwards and
-- filters, so a new dossier's first row scanned the WHOLE log (7 ms at
-- 20,000 rows, growing linearly; found by bench/report_bench.py). This
-- index answers it with one probe; every append (receipts, actions) gains.
CREATE INDEX progress_log_dossier_id_idx ON progress_log (dossier_id, id);

-- The local date of a moment (the server's zone, minutes east of UTC).
CREATE FUNCTION mc_report_day(t timestamptz, off int) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT ((t AT TIME ZONE 'UTC') + make_interval(mins => off))::date
$$;

-- The resolving unit of a dossier (see the head of this file).
CREATE FUNCTION mc_report_resolver(p_level smallint, p_unit text, p_parent text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p_level = 2 THEN coalesce(p_parent, p_unit) ELSE p_unit END
$$;

-- One row per group (key, name) and the total row (is_total, key NULL),
-- computed by the same statement from the rows, not by adding the groups:
-- the server checks that the groups add up to it. p_by: unit, sector,
-- procedure, channel. p_units: the resolving units in scope.
CREATE FUNCTION mc_report(p_from timestamptz, p_to timestamptz, p_now timestamptz,
                          p_off int, p_units text[], p_by text)
RETURNS TABLE (is_total boolean, key text, name text,
               carried bigint, recv_direct bigint, recv_online bigint, recv_postal bigint,
               early bigint, on_time bigint, late bigint,
               pending_within bigint, pending_overdue bigint,
               returned bigint, withdrawn bigint, refused bigint, stopped bigint,
               supplement bigint, ended_in_time bigint, with_scans bigint,
               unsatisfied bigint, resolve_seconds bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  -- EXECUTE: planned with the period's values (a generic plan guesses a third
  -- of the table for every range and scans it all; bench/report_bench.py)
  RETURN QUERY EXECUTE $q$
WITH sel AS (
  -- received in the period
  SELECT d.id, d.channel, d.received_at, d.finished_at, d.returned_at, d.due_at,
         d.supplement_count, d.rating, d.procedure_code, d.status, d.unit_code
    FROM dossiers d WHERE d.received_at >= $1 AND d.received_at < $2
  UNION ALL  -- received before, still open
  SELECT d.id, d.channel, d.received_at, d.finished_at, d.returned_at, d.due_at,
         d.supplement_count, d.rating, d.procedure_code, d.status, d.unit_code
    FROM dossiers d WHERE d.received_at < $1 AND d.finished_at IS NULL
  UNION ALL  -- received before, finished in or after the period
  SELECT d.id, d.channel, d.received_at, d.finished_at, d.returned_at, d.due_at,
         d.supplement_count, d.rating, d.procedure_code, d.status, d.unit_code
    FROM dossiers d WHERE d.received_at < $1 AND d.finished_at >= $1
  UNION ALL  -- finished before the period, result returned in it (column "returned" only)
  SELECT d.id, d.channel, d.received_at, d.finished_at, d.returned_at, d.due_at,
         d.supplement_count, d.rating, d.procedure_code, d.status, d.unit_code
    FROM dossiers d
   WHERE d.returned_at >= $1 AND d.returned_at < $2 AND d.finished_at < $1
     AND d.received_at < $1
),
dd AS (
  SELECT d.id, d.channel, d.received_at, d.finished_at, d.returned_at, d.due_at,
         d.supplement_count, d.rating, d.procedure_code,
         CASE WHEN d.status = 10 THEN 9 ELSE d.status END AS fin_status,
         p.sector, p.name AS pname,
         mc_report_resolver(p.level, d.unit_code, u.parent) AS r
    FROM sel d
    JOIN procedures p ON p.code = d.procedure_code
    JOIN units u ON u.code = d.unit_code
),
f AS (
  SELECT dd.*,
         dd.received_at < $2 AND (dd.finished_at IS NULL OR dd.finished_at >= $1) AS live,
         dd.finished_at >= $1 AND dd.finished_at < $2 AS fin,
         (dd.supplement_count >= 2 OR dd.finished_at > dd.due_at) AS fin_late
    FROM dd WHERE dd.r = ANY ($5)
),
-- MATERIALIZED: each row's subqueries run once, not once per reference below
g AS MATERIALIZED (
  SELECT f.*,
         -- Open at the end of the period: overdue then? From the progress log:
         -- the due time in force after its last step before the end, whether
         -- the clock was stopped, how many supplements had been asked. A
         -- subquery per open dossier only (CASE evaluates it lazily; a join
         -- here was planned as a nested loop over every row).
         CASE WHEN f.live AND NOT coalesce(f.fin, false) THEN (
           SELECT sc.n >= 2 OR CASE WHEN last.status_after IN (5, 6) THEN last.at
                                    ELSE LEAST($2, $3) END > last.step_due_at
             FROM (SELECT l.status_after, l.at, l.step_due_at FROM progress_log l
                    WHERE l.dossier_id = f.id AND l.at < $2
                    ORDER BY l.at DESC, l.id DESC LIMIT 1) last,
                  (SELECT count(*) AS n FROM progress_log l
                    WHERE l.dossier_id = f.id AND l.at < $2
                      AND l.action = 'supplement_request') sc)
         END AS overdue,
         -- a supplement asked in the period (only a dossier open then, and one
         -- that was ever asked for one, can have been: supplement_count counts
         -- the requests and never goes down)
         f.live AND f.supplement_count > 0 AND EXISTS (
           SELECT 1 FROM progress_log l
            WHERE l.dossier_id = f.id AND l.at >= $1 AND l.at < $2
              AND l.action = 'supplement_request') AS sup,
         CASE $6 WHEN 'unit' THEN f.r WHEN 'sector' THEN f.sector
                 WHEN 'procedure' THEN f.procedure_code ELSE f.channel::text END AS k,
         CASE $6 WHEN 'unit' THEN (SELECT x.name FROM units x WHERE x.code = f.r)
                 WHEN 'sector' THEN f.sector WHEN 'procedure' THEN f.pname
                 ELSE '' END AS kname
    FROM f
)
SELECT GROUPING(g.k, g.kname) <> 0, g.k, g.kname,
       count(*) FILTER (WHERE g.live AND g.received_at < $1),
       count(*) FILTER (WHERE g.received_at >= $1 AND g.channel = 1),
       count(*) FILTER (WHERE g.received_at >= $1 AND g.channel = 2),
       count(*) FILTER (WHERE g.received_at >= $1 AND g.channel = 3),
       count(*) FILTER (WHERE g.fin AND g.fin_status = 9 AND NOT g.fin_late
                          AND mc_report_day(g.finished_at, $4) < mc_report_day(g.due_at, $4)),
       count(*) FILTER (WHERE g.fin AND g.fin_status = 9 AND NOT g.fin_late
                          AND mc_report_day(g.finished_at, $4) >= mc_report_day(g.due_at, $4)),
       count(*) FILTER (WHERE g.fin AND g.fin_status = 9 AND g.fin_late),
       count(*) FILTER (WHERE g.overdue = false),
       count(*) FILTER (WHERE g.overdue = true),
       count(*) FILTER (WHERE g.returned_at >= $1 AND g.returned_at < $2),
       count(*) FILTER (WHERE g.fin AND g.fin_status = 7),
       count(*) FILTER (WHERE g.fin AND g.fin_status = 3),
       count(*) FILTER (WHERE g.fin AND g.fin_status = 8),
       count(*) FILTER (WHERE g.sup),
       count(*) FILTER (WHERE g.fin AND g.fin_status IN (3, 8) AND NOT g.fin_late),
       count(*) FILTER (WHERE g.received_at >= $1 AND EXISTS (
         SELECT 1 FROM dossier_files x WHERE x.dossier_id = g.id AND x.kind = 'scan')),
       count(*) FILTER (WHERE g.returned_at >= $1 AND g.returned_at < $2
                          AND g.rating = 1),
       -- whole seconds per dossier, so the groups add up to the total exactly
       coalesce(sum(floor(extract(epoch FROM g.finished_at - g.received_at))::bigint)
                FILTER (WHERE g.fin AND g.fin_status = 9), 0)::bigint
  FROM g
 GROUP BY GROUPING SETS ((g.k, g.kname), ())
 ORDER BY 1, 2
$q$ USING p_from, p_to, p_now, p_off, p_units, p_by;
END $$;

-- The IT gauges (issue 17, /metrics): per unit, dossiers it received today
-- (local day of p_now), open ones it holds now (status 1, 2, 4, 5, 6) and
-- of them the overdue ones
-- (docs/WORKFLOW.md: a second supplement, or the clock's end past due).
CREATE FUNCTION mc_report_gauges(p_now timestamptz, p_off int)
RETURNS TABLE (unit text, received_today bigint, in_progress bigint, overdue bigint)
LANGUAGE sql STABLE AS $$
  SELECT u.code,
         (SELECT count(*) FROM dossiers d WHERE d.unit_code = u.code
             AND d.received_at >= (mc_report_day(p_now, p_off)::timestamp
                                   - make_interval(mins => p_off)) AT TIME ZONE 'UTC'
             AND d.received_at <= p_now),
         (SELECT count(*) FROM dossiers d WHERE d.holder_unit = u.code
             AND d.status IN (1, 2, 4, 5, 6)),
         (SELECT count(*) FROM dossiers d WHERE d.holder_unit = u.code
             AND d.status IN (1, 2, 4, 5, 6)
             AND (d.supplement_count >= 2 OR coalesce(d.paused_at, p_now) > d.due_at))
    FROM units u
   WHERE u.valid_to IS NULL OR u.valid_to >= mc_report_day(p_now, p_off)
   ORDER BY u.code
$$;

GRANT EXECUTE ON FUNCTION mc_report_day(timestamptz, int),
  mc_report_resolver(smallint, text, text),
  mc_report(timestamptz, timestamptz, timestamptz, int, text[], text),
  mc_report_gauges(timestamptz, int) TO motcua_app;
