-- 013: keyed hashes of citizen ids and phones (W8). The server computes
-- HMAC-SHA256 with a key kept outside the database ([database]
-- pii_key_file) and stores it as hex next to the clear value; a search by
-- exact id or phone looks up the MAC. NULL: no key configured, or an empty
-- value. Rows written before the key get theirs when the server opens
-- (server/store/pii.c).
ALTER TABLE dossiers
  ADD COLUMN applicant_id_mac    text CHECK (applicant_id_mac ~ '^[0-9a-f]{64}$'),
  ADD COLUMN applicant_phone_mac text CHECK (applicant_phone_mac ~ '^[0-9a-f]{64}$');
CREATE INDEX dossiers_applicant_id_mac_idx ON dossiers (applicant_id_mac)
  WHERE applicant_id_mac IS NOT NULL;
CREATE INDEX dossiers_applicant_phone_mac_idx ON dossiers (applicant_phone_mac)
  WHERE applicant_phone_mac IS NOT NULL;

-- 009's batch of receives (item 12: the request's canonical text), with
-- items 13 and 14 (the MACs, or null) set on the dossier the receive
-- created. A replayed receive (same key) finds its MACs already set.
-- Everything else as in 009.
CREATE OR REPLACE FUNCTION mc_receive_many(p_items jsonb)
RETURNS TABLE (o_ord int, o_state text, o_msg text, o_d dossier_v)
LANGUAGE plpgsql AS $$
DECLARE
  it record;
BEGIN
  IF jsonb_typeof(p_items) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'mc_receive_many wants a JSON array' USING ERRCODE = 'MC006';
  END IF;
  FOR it IN
    SELECT e.n::int AS n, e.v
      FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(v, n)
     ORDER BY e.v->>0, e.n
  LOOP
    o_ord := it.n;
    o_state := NULL;
    o_msg := NULL;
    o_d := NULL;
    BEGIN
      PERFORM set_config('motcua.idem_fp', coalesce(mc_idem_fp(it.v->>12), ''), true);
      o_d := mc_receive(it.v->>0, it.v->>1, it.v->>2, it.v->>3, it.v->>4, it.v->>5,
                        it.v->>6, it.v->>7, (it.v->>8)::smallint, it.v->>9,
                        (it.v->>10)::bigint, (it.v->>11)::bigint);
      IF it.v->>13 IS NOT NULL OR it.v->>14 IS NOT NULL THEN
        UPDATE dossiers SET applicant_id_mac = coalesce(applicant_id_mac, it.v->>13),
                            applicant_phone_mac = coalesce(applicant_phone_mac, it.v->>14)
         WHERE code = (o_d).code
           AND (applicant_id_mac IS NULL OR applicant_phone_mac IS NULL);
      END IF;
    EXCEPTION WHEN OTHERS THEN
      o_state := SQLSTATE;
      o_msg := SQLERRM;
      o_d := NULL;
    END;
    RETURN NEXT;
  END LOOP;
END $$;
