-- The reference for tests/integration/test_retention.py: migration 005's
-- link_uptime verbatim (over the link_intervals view, every raw row), as a
-- session-local function, so the rollup and link_uptime of 023 are checked
-- against the computation they replace.
CREATE FUNCTION pg_temp.ref_uptime(p_from date, p_to date, p_offset_min int)
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

