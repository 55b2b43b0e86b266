-- 031: live links published as changes, the lease held by the instance
-- (issue 19 item 3, docs/DATABASE.md "Live links of every instance").
--
-- 021 had each instance rewrite every row it holds every 2 s (and 50 ms
-- after each connect or disconnect): an upsert of every link, each a new
-- tuple with a new seen_at index entry, and the server built the JSON of
-- every link each time. At 5,000 idle links that was 5 % of a core of
-- PostgreSQL doing nothing but refresh leases, linear in the links
-- (15,000: 15 %; 100,000: a core), and a ramp of connects re-sent the
-- whole growing list every 50 ms.
--
-- Now the lease is one row per instance (live_instances.seen_at, refreshed
-- by every call), a link's row is written when it comes, changes (outbox
-- depth) or goes, and the round trip of a unit's resident link, which
-- changes with every heartbeat, is one row per instance and unit
-- (live_units) instead of a column of each of its links.
-- live_links_apply takes what changed since the instance's last successful
-- call; the instance sends everything (p_full) at its first call, after a
-- failed one, and when the function answers -1: its lease had run out, so
-- another instance may have deleted its rows (or it never had any).
--
-- Readers take links of instances within the lease. An instance whose
-- lease ran out is deleted by the next call of any instance, its links and
-- round trips with it (ON DELETE CASCADE).
--
-- During a rolling upgrade an older server still calls live_links_sync
-- (its whole list): kept, on top of live_links_apply. Its reader selects
-- the columns dropped here and fails: its monitor shows its own links
-- alone, with its warning, until it is upgraded.

CREATE TABLE live_instances (
  instance  text PRIMARY KEY CHECK (length(instance) BETWEEN 1 AND 63),
  seen_at   timestamptz NOT NULL        -- the database's clock, every call
);

INSERT INTO live_instances (instance, seen_at)
SELECT instance, max(seen_at) FROM live_links GROUP BY instance;

CREATE TABLE live_units (
  instance  text NOT NULL REFERENCES live_instances ON DELETE CASCADE,
  unit      text NOT NULL,
  rtt_ms    integer,                    -- last heartbeat round trip; NULL = not measured
  PRIMARY KEY (instance, unit)
);

INSERT INTO live_units (instance, unit, rtt_ms)
SELECT instance, unit, max(rtt_ms) FROM live_links WHERE resident GROUP BY instance, unit;

DROP INDEX live_links_seen_idx;
ALTER TABLE live_links DROP COLUMN seen_at, DROP COLUMN rtt_ms;
ALTER TABLE live_links ADD FOREIGN KEY (instance) REFERENCES live_instances ON DELETE CASCADE;

-- p_links: [{"session","unit","resident","connected_ms","outbox"}], links
-- that came or changed (p_full: every link the instance holds); p_gone:
-- sessions that went (ignored with p_full); p_units: [{"unit","rtt_ms"}]
-- (-1 = not measured), units whose round trip changed (p_full: every unit
-- with a resident link). Returns the rows written, or -1 when the lease
-- had run out and p_full was not set (nothing written: send everything).
CREATE FUNCTION live_links_apply(p_instance text, p_lease_s int, p_full boolean,
                                 p_links jsonb, p_gone bigint[], p_units jsonb)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_lease interval := make_interval(secs => p_lease_s);
  v_seen timestamptz;
  n integer := 0;
  k integer;
BEGIN
  DELETE FROM live_instances WHERE seen_at < now() - v_lease AND instance <> p_instance;
  SELECT seen_at INTO v_seen FROM live_instances WHERE instance = p_instance FOR UPDATE;
  IF NOT p_full AND (v_seen IS NULL OR v_seen < now() - v_lease) THEN
    RETURN -1;
  END IF;
  INSERT INTO live_instances AS i (instance, seen_at) VALUES (p_instance, now())
  ON CONFLICT (instance) DO UPDATE SET seen_at = EXCLUDED.seen_at;
  IF p_full THEN
    DELETE FROM live_links l
     WHERE l.instance = p_instance
       AND l.session NOT IN (SELECT (e->>'session')::bigint FROM jsonb_array_elements(p_links) e);
    DELETE FROM live_units u
     WHERE u.instance = p_instance
       AND u.unit NOT IN (SELECT e->>'unit' FROM jsonb_array_elements(p_units) e);
  ELSIF cardinality(p_gone) > 0 THEN
    DELETE FROM live_links l USING unnest(p_gone) AS g(session)
     WHERE l.instance = p_instance AND l.session = g.session;
    GET DIAGNOSTICS k = ROW_COUNT;
    n := n + k;
  END IF;
  INSERT INTO live_links AS l (instance, session, unit, resident, connected_at, outbox)
  SELECT p_instance, r.session, r.unit, r.resident, to_timestamp(r.connected_ms / 1000.0), r.outbox
    FROM jsonb_to_recordset(p_links)
         AS r(session bigint, unit text, resident boolean, connected_ms bigint, outbox integer)
  ON CONFLICT (instance, session) DO UPDATE
     SET unit = EXCLUDED.unit, resident = EXCLUDED.resident, outbox = EXCLUDED.outbox
   WHERE (l.unit, l.resident, l.outbox) IS DISTINCT FROM
         (EXCLUDED.unit, EXCLUDED.resident, EXCLUDED.outbox);
  GET DIAGNOSTICS k = ROW_COUNT;
  n := n + k;
  INSERT INTO live_units AS u (instance, unit, rtt_ms)
  SELECT p_instance, r.unit, NULLIF(r.rtt_ms, -1)
    FROM jsonb_to_recordset(p_units) AS r(unit text, rtt_ms integer)
  ON CONFLICT (instance, unit) DO UPDATE SET rtt_ms = EXCLUDED.rtt_ms
   WHERE u.rtt_ms IS DISTINCT FROM EXCLUDED.rtt_ms;
  RETURN n;
END $$;

-- 021's call (an older server during an upgrade): its whole list, each
-- resident link carrying its unit's round trip.
CREATE OR REPLACE FUNCTION live_links_sync(p_instance text, p_lease_s int, p_links jsonb)
RETURNS integer LANGUAGE sql AS $$
  SELECT live_links_apply(p_instance, p_lease_s, true, p_links, '{}'::bigint[],
           (SELECT coalesce(jsonb_agg(jsonb_build_object('unit', x.unit, 'rtt_ms', x.rtt)), '[]')
              FROM (SELECT e->>'unit' AS unit, coalesce(max(NULLIF((e->>'rtt_ms')::int, -1)), -1) AS rtt
                      FROM jsonb_array_elements(p_links) e
                     WHERE (e->>'resident')::boolean GROUP BY 1) x));
$$;

-- Links of the instances within the lease but the reader's own (its
-- registry is fresher), each resident one with its unit's round trip
-- (-1 = not measured).
CREATE FUNCTION live_links_read(p_self text, p_lease_s int, p_limit int)
RETURNS TABLE (instance text, session bigint, unit text, resident boolean,
               connected_ms bigint, rtt_ms bigint, outbox integer)
LANGUAGE sql STABLE AS $$
  SELECT l.instance, l.session, l.unit, l.resident,
         (extract(epoch FROM l.connected_at) * 1000)::bigint,
         CASE WHEN l.resident THEN coalesce(u.rtt_ms, -1) ELSE -1 END, l.outbox
    FROM live_instances i
    JOIN live_links l ON l.instance = i.instance
    LEFT JOIN live_units u ON u.instance = l.instance AND u.unit = l.unit
   WHERE i.seen_at >= now() - make_interval(secs => p_lease_s) AND i.instance <> p_self
   ORDER BY l.unit, l.instance, l.session
   LIMIT p_limit;
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON live_instances, live_units TO motcua_app;
GRANT EXECUTE ON FUNCTION live_links_apply(text, int, boolean, jsonb, bigint[], jsonb) TO motcua_app;
GRANT EXECUTE ON FUNCTION live_links_read(text, int, int) TO motcua_app;
