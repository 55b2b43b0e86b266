-- 026: every search p99 under 50 ms at 1M dossiers (issue 19, item 2;
-- docs/PERFORMANCE.md "Years of data", docs/DATABASE.md "Search").
--
-- Before, one statement OR-ed the exact lookups with the name and part-of-
-- code LIKEs and let the planner pick one shape for every input: as a
-- commune it read the trigram index's whole bitmap (75k global matches of
-- "nguyen van", 57 ms) before keeping its own; as the district it walked
-- the global received index, folding every name with unaccent (43k rows
-- for 52 matches, 120 ms). A common term wants an ordered walk of the
-- viewer's own rows that stops after a page; a rare one wants the trigram
-- index. mc_search_ids runs both, bounded: the walk reads at most
-- mc_search_walk_rows() of the viewer's rows (newest first, after the
-- cursor) through two index-only ranges that hold the folded name and the
-- code; if a page of matches is not among them, the trigram indexes find
-- the rest older than the last row walked. The walk indexes' predicate
-- "id > 0" holds for every row (ids start at 1): only a statement that
-- states it (the walk) uses them, so no list plan trades its narrower
-- 022 index for these wider ones. Same rows, same order as the
-- single statement: the walk answers the newest matches down to its edge,
-- the trigram part those beyond it.
CREATE INDEX dossiers_unit_walk_idx
  ON dossiers (unit_code, received_at, id, lower(mc_unaccent(applicant_name)))
  INCLUDE (applicant_name, code) WHERE id > 0;
CREATE INDEX dossiers_forwarded_walk_idx
  ON dossiers (forwarded_to, received_at, id, lower(mc_unaccent(applicant_name)))
  INCLUDE (unit_code, applicant_name, code) WHERE forwarded_to IS NOT NULL AND id > 0;

-- The trigram indexes' pending lists (GIN fastupdate) are read whole by
-- every search until vacuum merges them: 308 pages (5,691 codes) of the
-- code index cost a part-of-code search 10 ms of its 12. Bounded to
-- 256 kB (the default is 4 MB): intake merges them more often, in
-- smaller batches.
ALTER INDEX dossiers_code_trgm_idx SET (gin_pending_list_limit = 256);
ALTER INDEX dossiers_name_trgm_idx SET (gin_pending_list_limit = 256);

-- How many of the viewer's rows the walk reads at most before the trigram
-- indexes take over (a term rarer than a page in this many rows).
CREATE FUNCTION mc_search_walk_rows() RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 8000 $$;

-- The matches older than (p_at, p_id) through the trigram indexes only
-- (bitmap scans: the walk already read the newest rows).
CREATE FUNCTION mc_search_trgm(p_unit text, p_name text, p_part text, p_at timestamptz,
                               p_id bigint, p_limit int) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE
SET enable_indexscan = off SET enable_indexonlyscan = off SET enable_seqscan = off
AS $$
BEGIN
  IF p_part IS NULL THEN
    RETURN QUERY EXECUTE
      'SELECT id FROM dossiers WHERE (unit_code = $1 OR forwarded_to = $1)'
      ' AND (received_at, id) < ($4, $5)'
      ' AND lower(mc_unaccent(applicant_name)) LIKE $2'
      ' ORDER BY received_at DESC, id DESC LIMIT $6'
      USING p_unit, p_name, p_part, p_at, p_id, p_limit;
  ELSE
    RETURN QUERY EXECUTE
      'SELECT id FROM dossiers WHERE (unit_code = $1 OR forwarded_to = $1)'
      ' AND (received_at, id) < ($4, $5)'
      ' AND (lower(mc_unaccent(applicant_name)) LIKE $2 OR code LIKE $3)'
      ' ORDER BY received_at DESC, id DESC LIMIT $6'
      USING p_unit, p_name, p_part, p_at, p_id, p_limit;
  END IF;
END $$;

-- The ids of a search's page (at most p_limit + 1 per branch, a row may
-- come twice: the caller joins them with IN). p_unit the viewer; p_text
-- trimmed, 3 characters or more; p_after and (p_after_us, p_after_id) the
-- cursor; p_mac the MAC of the text with a pii key (NULL without: ids and
-- phones in clear). Its statements are cached by plpgsql (generic plans
-- after five calls: their parameters are index bounds and filters, no
-- plan depends on their values); dossiers has 26 indexes, so planning
-- each of them per call cost more than running them.
CREATE FUNCTION mc_search_ids(p_unit text, p_text text, p_limit int, p_after boolean,
                              p_after_us bigint, p_after_id bigint, p_mac text)
RETURNS SETOF bigint
LANGUAGE plpgsql STABLE ROWS 51
AS $$
DECLARE
  k int := mc_search_walk_rows();
  e_at timestamptz := CASE WHEN p_after
                      THEN timestamptz 'epoch' + p_after_us * interval '1 microsecond'
                      ELSE timestamptz 'infinity' END;
  e_id bigint := CASE WHEN p_after THEN p_after_id ELSE 9223372036854775807 END;
  up text := upper(p_text);
  name_pat text := '%' || mc_like_escape(lower(mc_unaccent(p_text))) || '%';
  part_pat text := CASE WHEN length(p_text) >= 4 AND up ~ '^[A-Z0-9.-]+$'
                        THEN '%' || mc_like_escape(up) || '%' END;
  found int;
  b_at timestamptz;
  b_id bigint;
BEGIN
  -- exact: the code in any case or without its agency id, the id, the phone
  RETURN QUERY
    SELECT d.id FROM dossiers d
    WHERE (d.unit_code = p_unit OR d.forwarded_to = p_unit) AND (d.received_at, d.id) < (e_at, e_id)
      AND (d.code = up OR d.code = ANY (ARRAY(SELECT agency_id || '-' || up FROM units))
           OR (p_mac IS NULL AND (d.applicant_id = p_text OR d.applicant_phone = p_text))
           OR (p_mac IS NOT NULL AND (d.applicant_id_mac = p_mac OR d.applicant_phone_mac = p_mac)))
    ORDER BY d.received_at DESC, d.id DESC LIMIT p_limit + 1;
  -- a whole code, with its agency id or without it (yymmdd-nnnn): the
  -- exact lookups above found it; a code holds another code only as itself
  -- (agency ids are not suffixes of one another; the number is 4 digits,
  -- or 5+ from 10,000 a day: "-1003" typed whole is that number, not a
  -- prefix of 10034), and the trigram indexes would read the posting lists
  -- every code of the agency shares ("h30", ".44") to find it again
  -- Nor does a run of 7 digits or more (a phone, an id number) occur in a
  -- code (date 6 digits, number 4-6) or a name: the exact lookups are the
  -- whole answer, and the trigrams of a phone ("250", "241": every date of
  -- 2024-2025) are as common as the agency's.
  IF (up ~ '^[0-9]{6}-[0-9]{4,}$' OR up ~ '^[0-9]{7,}$'
      OR (up ~ '^[A-Z0-9.]+-[0-9]{6}-[0-9]{4,}$'
          AND EXISTS (SELECT 1 FROM units u WHERE u.agency_id = split_part(up, '-', 1)))) THEN
    RETURN;
  END IF;
  -- a part of a code with a digit in it (dates, numbers): rare among the
  -- viewer's rows and cheap through the code's trigrams (the walk would
  -- read its k rows for nothing: 2-3x the time at 1M); names hold no digits
  IF part_pat IS NOT NULL AND p_text ~ '[0-9]' THEN
    RETURN QUERY SELECT mc_search_trgm(p_unit, name_pat, part_pat, e_at, e_id, p_limit + 1);
    RETURN;
  END IF;
  -- the walk: the newest k rows of the viewer, the first matches among them
  RETURN QUERY
    SELECT w.id FROM (
      (SELECT d.id, d.received_at, lower(mc_unaccent(d.applicant_name)) AS nm, d.code
       FROM dossiers d WHERE d.unit_code = p_unit AND d.id > 0
         AND (d.received_at, d.id) < (e_at, e_id)
       ORDER BY d.received_at DESC, d.id DESC LIMIT k)
      UNION ALL
      (SELECT d.id, d.received_at, lower(mc_unaccent(d.applicant_name)), d.code
       FROM dossiers d WHERE d.forwarded_to = p_unit AND d.unit_code <> p_unit AND d.id > 0
         AND (d.received_at, d.id) < (e_at, e_id)
       ORDER BY d.received_at DESC, d.id DESC LIMIT k)
      ORDER BY 2 DESC, 1 DESC LIMIT k) w
    WHERE w.nm LIKE name_pat OR (part_pat IS NOT NULL AND w.code LIKE part_pat)
    LIMIT p_limit + 1;
  GET DIAGNOSTICS found = ROW_COUNT;
  IF found > p_limit THEN
    RETURN;
  END IF;
  -- the walk's edge, its k-th row; none: it read every row of the viewer
  SELECT w.received_at, w.id INTO b_at, b_id FROM (
    (SELECT d.id, d.received_at FROM dossiers d
     WHERE d.unit_code = p_unit AND (d.received_at, d.id) < (e_at, e_id)
     ORDER BY d.received_at DESC, d.id DESC LIMIT k)
    UNION ALL
    (SELECT d.id, d.received_at FROM dossiers d
     WHERE d.forwarded_to = p_unit AND d.unit_code <> p_unit
       AND (d.received_at, d.id) < (e_at, e_id)
     ORDER BY d.received_at DESC, d.id DESC LIMIT k)
    ORDER BY 2 DESC, 1 DESC OFFSET k - 1 LIMIT 1) w;
  IF b_id IS NULL THEN
    RETURN;
  END IF;
  -- the matches beyond the edge
  RETURN QUERY SELECT mc_search_trgm(p_unit, name_pat, part_pat, b_at, b_id, p_limit + 1 - found);
END $$;
