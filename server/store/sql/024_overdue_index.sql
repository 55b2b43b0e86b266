-- 024: the overdue list (issue 19). At three years of data the district's
-- `list --overdue` read every forwarded dossier to count its matches
-- (312/520 ms p50/p99 at 111k dossiers, the statement alone 194/335 ms):
-- the overdue test compares two columns and, for a running dossier, the
-- clock, so no index range finds it. A dossier can be overdue only if it
-- was asked for a supplement twice, finished or paused after its due time
-- (both fixed once written), or is still running unpaused (a small set:
-- most dossiers are finished). That superset is the predicate of two
-- partial indexes in the list's own orders; the list states it beside its
-- overdue test (server/store/lists.c, LIST_OVERDUE_SET) so that the
-- planner proves the index usable. A new dossier enters them (it runs)
-- and a finished one on time leaves them.
CREATE INDEX dossiers_unit_overdue_idx ON dossiers (unit_code, received_at, id)
  WHERE supplement_count >= 2 OR coalesce(finished_at, paused_at) > due_at
     OR (finished_at IS NULL AND paused_at IS NULL);
CREATE INDEX dossiers_forwarded_overdue_idx ON dossiers (forwarded_to, received_at, id)
  INCLUDE (unit_code)
  WHERE forwarded_to IS NOT NULL
    AND (supplement_count >= 2 OR coalesce(finished_at, paused_at) > due_at
         OR (finished_at IS NULL AND paused_at IS NULL));
