-- 022: keyset pages (issue 19). A list page continues after the cursor's
-- (sort key, row id) instead of skipping rows with OFFSET, so each scan
-- is an index range that stops at the page size. The row id ends each
-- index so that the cursor's tie-break is read from the index too; these
-- replace the indexes of 001 and 020 they extend (same count: intake
-- writes no more index entries than before). The forwarded ones carry
-- unit_code (INCLUDE): the capped count reads "forwarded to U, received
-- elsewhere" from the index alone.
DROP INDEX IF EXISTS dossiers_unit_received_idx;
CREATE INDEX dossiers_unit_received_id_idx ON dossiers (unit_code, received_at, id);
DROP INDEX IF EXISTS dossiers_forwarded_received_idx;
CREATE INDEX dossiers_forwarded_received_id_idx ON dossiers (forwarded_to, received_at, id)
  INCLUDE (unit_code) WHERE forwarded_to IS NOT NULL;
DROP INDEX IF EXISTS dossiers_unit_status_received_idx;
CREATE INDEX dossiers_unit_status_received_id_idx
  ON dossiers (unit_code, status, received_at, id);
DROP INDEX IF EXISTS dossiers_forwarded_status_received_idx;
CREATE INDEX dossiers_forwarded_status_received_id_idx
  ON dossiers (forwarded_to, status, received_at, id) INCLUDE (unit_code)
  WHERE forwarded_to IS NOT NULL;
