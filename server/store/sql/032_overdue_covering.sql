-- 032: the overdue list's indexes cover its test (issue 19; docs/PERFORMANCE.md
-- "Years of data", docs/DATABASE.md "Lists").
--
-- At 987,689 dossiers over three years (bench/years_gen.py) the district's
-- `list --overdue` took 102/185 ms p50/p99, the statement alone the same:
-- ~45,000 of its 378,000 forwarded dossiers are in 024's superset (most of
-- them finished late), and the list's bounded count (up to 10,001 rows)
-- had to read each one's heap row for the part of the test the index
-- cannot decide (a running dossier: the clock against due_at). The planner
-- priced 10,001 random heap reads above a sequential scan of the table and
-- read 206,000 rows (31,000 pages) instead. With the test's columns in the
-- index (INCLUDE), the count and the page are index-only scans: the same
-- statement took 8.3 ms cold (105 pages) on that database. Same keys, same
-- predicates as 024, so every list plan that used them still does; the
-- entries are wider by the four columns (a new dossier enters them, a
-- dossier finished on time leaves them).
CREATE INDEX dossiers_unit_overdue_032_idx ON dossiers (unit_code, received_at, id)
  INCLUDE (due_at, finished_at, paused_at, supplement_count)
  WHERE supplement_count >= 2 OR coalesce(finished_at, paused_at) > due_at
     OR (finished_at IS NULL AND paused_at IS NULL);
CREATE INDEX dossiers_forwarded_overdue_032_idx ON dossiers (forwarded_to, received_at, id)
  INCLUDE (unit_code, due_at, finished_at, paused_at, supplement_count)
  WHERE forwarded_to IS NOT NULL
    AND (supplement_count >= 2 OR coalesce(finished_at, paused_at) > due_at
         OR (finished_at IS NULL AND paused_at IS NULL));
DROP INDEX dossiers_unit_overdue_idx;
DROP INDEX dossiers_forwarded_overdue_idx;
ALTER INDEX dossiers_unit_overdue_032_idx RENAME TO dossiers_unit_overdue_idx;
ALTER INDEX dossiers_forwarded_overdue_032_idx RENAME TO dossiers_forwarded_overdue_idx;
