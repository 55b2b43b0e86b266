-- 020: the desk's lists and "today" counts (issue 16), and the unit +
-- status index issue 19 asked for (list --status 4 and --due-within read
-- 13-20k rows per call at 1M dossiers without it).
--
-- The list reads two ranges per viewer (received by it / forwarded to
-- it): with the status leading after the unit, a status filter is one
-- index range in received order instead of every row of the unit.
CREATE INDEX dossiers_unit_status_received_idx
  ON dossiers (unit_code, status, received_at DESC);
CREATE INDEX dossiers_forwarded_status_received_idx
  ON dossiers (forwarded_to, status, received_at DESC) WHERE forwarded_to IS NOT NULL;
-- SummaryRequest and the holder filter: what a unit holds now, by status
-- (one range of the open statuses and 9), with the due time for "due soon"
-- and "overdue".
CREATE INDEX dossiers_holder_status_due_idx ON dossiers (holder_unit, status, due_at);
-- The procedure and sector filters: one range per procedure of the unit.
CREATE INDEX dossiers_unit_procedure_received_idx
  ON dossiers (unit_code, procedure_code, received_at DESC);
