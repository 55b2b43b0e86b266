-- 030: one index each for the citizen's id and phone instead of two
-- (issue 19; docs/DATABASE.md "Search").
--
-- 028 kept four: the id and the phone in clear, and their MACs (013, W8).
-- With a pii key (what deploy/local.sh sets up) searches look up the MACs
-- and the clear indexes serve nothing; without one the MACs are NULL and
-- their indexes empty; yet every receive wrote an entry in each of the
-- four random-key indexes (page splits, and a full-page image of each
-- touched leaf after every checkpoint). Now one expression index each on
-- coalesce(MAC, clear value), keyed as 028's (value, received_at, id) with
-- the viewer's columns, looked up by coalesce(the text's MAC, the text): a
-- keyed deployment finds rows by their MAC (the start-up backfill gives
-- every row one), an unkeyed one by the clear value. A 64-hex MAC never
-- equals an id (12 digits) or a phone (10-11). A database that had a key
-- is searched with that key: without it, rows that carry a MAC are found
-- by their code and name only (docs/SECURITY.md W8).
CREATE INDEX dossiers_applicant_id_key_idx
  ON dossiers ((coalesce(applicant_id_mac, applicant_id)), received_at, id)
  INCLUDE (unit_code, forwarded_to);
CREATE INDEX dossiers_applicant_phone_key_idx
  ON dossiers ((coalesce(applicant_phone_mac, applicant_phone)), received_at, id)
  INCLUDE (unit_code, forwarded_to);
DROP INDEX dossiers_applicant_id_idx;
DROP INDEX dossiers_applicant_phone_idx;
DROP INDEX dossiers_applicant_id_mac_idx;
DROP INDEX dossiers_applicant_phone_mac_idx;

-- 028's function with the id and phone lookups on the indexes above; every
-- other step, and the rows and their order, unchanged.
CREATE OR REPLACE FUNCTION mc_search_ids(p_unit text, p_text text, p_limit int, p_after boolean,
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
  -- exact: the code in any case or without its agency id (one row per
  -- agency at most), then the newest page of each of the id and the phone
  -- (their MAC with a pii key, else the clear value: one index each, on
  -- coalesce(MAC, clear)); UNION: a dossier whose id and phone are both the
  -- text counts once in the page
  RETURN QUERY
    SELECT x.id FROM (
      SELECT d.id, d.received_at FROM dossiers d
      WHERE (d.code = up OR d.code = ANY (ARRAY(SELECT agency_id || '-' || up FROM units)))
        AND (d.unit_code = p_unit OR d.forwarded_to = p_unit) AND (d.received_at, d.id) < (e_at, e_id)
      UNION
      (SELECT d.id, d.received_at FROM dossiers d
       WHERE coalesce(d.applicant_id_mac, d.applicant_id) = coalesce(p_mac, p_text)
         AND (d.unit_code = p_unit OR d.forwarded_to = p_unit) AND (d.received_at, d.id) < (e_at, e_id)
       ORDER BY d.received_at DESC, d.id DESC LIMIT p_limit + 1)
      UNION
      (SELECT d.id, d.received_at FROM dossiers d
       WHERE coalesce(d.applicant_phone_mac, d.applicant_phone) = coalesce(p_mac, p_text)
         AND (d.unit_code = p_unit OR d.forwarded_to = p_unit) AND (d.received_at, d.id) < (e_at, e_id)
       ORDER BY d.received_at DESC, d.id DESC LIMIT p_limit + 1)
    ) x ORDER BY x.received_at DESC, x.id DESC LIMIT p_limit + 1;
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
    SELECT w.id FROM mc_search_walk(p_unit, e_at, e_id, k) w
    WHERE w.folded_name LIKE name_pat
       OR (part_pat IS NOT NULL AND w.code LIKE part_pat)
    LIMIT p_limit + 1;
  GET DIAGNOSTICS found = ROW_COUNT;
  IF found > p_limit THEN
    RETURN;
  END IF;
  -- the walk's edge, its k-th row; none: it read every row of the viewer
  SELECT w.received_at, w.id INTO b_at, b_id
  FROM mc_search_walk(p_unit, e_at, e_id, k) w OFFSET k - 1 LIMIT 1;
  IF b_id IS NULL THEN
    RETURN;
  END IF;
  -- the matches beyond the edge
  RETURN QUERY SELECT mc_search_trgm(p_unit, name_pat, part_pat, b_at, b_id, p_limit + 1 - found);
END $$;
