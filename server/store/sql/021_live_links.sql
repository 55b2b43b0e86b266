-- 021: the links every server instance holds now (issue 18, docs/SCALE.md),
-- so that the IT monitor of any instance shows every unit's links
-- cluster-wide with the instance each is on.
-- Each instance rewrites its own rows in one statement (live_links_sync):
-- at a connect or disconnect and every few seconds. seen_at is the
-- instance's lease, stamped with the database's clock: rows not refreshed
-- within the lease belong to an instance that died (SIGKILL, host lost)
-- and are ignored by readers and deleted by the next sync of any instance.
-- Not history: link_events (005) keeps that.

CREATE TABLE live_links (
  instance      text NOT NULL CHECK (length(instance) BETWEEN 1 AND 63),
  session       bigint NOT NULL,            -- the instance's connection id
  unit          text NOT NULL,
  resident      boolean NOT NULL,           -- Hello.resident (desk, watch)
  connected_at  timestamptz NOT NULL,
  rtt_ms        integer,                    -- last heartbeat round trip; NULL = not measured
  outbox        integer NOT NULL DEFAULT 0, -- the client's outbox depth (ClientStatus)
  seen_at       timestamptz NOT NULL,       -- the instance's lease, refreshed by every sync
  PRIMARY KEY (instance, session)
);
CREATE INDEX live_links_seen_idx ON live_links (seen_at);

-- p_links: a JSON array of {"session","unit","resident","connected_ms",
-- "rtt_ms","outbox"}, every link the instance holds. The instance's other
-- rows go (disconnected, or of its previous run); rows of any instance
-- whose lease expired go. Returns the number of rows of this instance.
CREATE FUNCTION live_links_sync(p_instance text, p_lease_s int, p_links jsonb)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE n integer;
BEGIN
  DELETE FROM live_links l
   WHERE (l.instance = p_instance
          AND l.session NOT IN (SELECT (e->>'session')::bigint
                                  FROM jsonb_array_elements(p_links) e))
      OR l.seen_at < now() - make_interval(secs => p_lease_s);
  INSERT INTO live_links AS l (instance, session, unit, resident, connected_at, rtt_ms, outbox,
                               seen_at)
  SELECT p_instance, r.session, r.unit, r.resident, to_timestamp(r.connected_ms / 1000.0),
         NULLIF(r.rtt_ms, -1), r.outbox, now()
    FROM jsonb_to_recordset(p_links)
         AS r(session bigint, unit text, resident boolean, connected_ms bigint, rtt_ms integer,
              outbox integer)
  ON CONFLICT (instance, session) DO UPDATE
     SET unit = EXCLUDED.unit, resident = EXCLUDED.resident, rtt_ms = EXCLUDED.rtt_ms,
         outbox = EXCLUDED.outbox, seen_at = EXCLUDED.seen_at;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON live_links TO motcua_app;
GRANT EXECUTE ON FUNCTION live_links_sync(text, int, jsonb) TO motcua_app;
