-- 009: an idempotency key answers only the request it was first used for
-- (docs/SECURITY.md P1).
--
-- Before, a key reused with another body (a desk's bug, or a key typed
-- twice) replayed the first dossier: citizen B's receipt would print with
-- citizen A's dossier. Now the row keeps a fingerprint of the request, the
-- SHA-256 (hex) of the canonical text of its fields that server/rules
-- writes (mc_val_receive_canon, mc_val_action_canon: length-prefixed, so
-- no two requests share one), and the same key with another fingerprint is
-- refused as MC010 (conflict), as a key used for another kind of request
-- already was. Rows written before 009 have no fingerprint (NULL): they
-- are compared on kind and dossier only, as before.
--
-- The fingerprint reaches mc_idem_claim through the transaction-local
-- setting motcua.idem_fp, set by the two callers that have one
-- (mc_receive_many per item, mc_action_fp) and cleared by the claim that
-- reads it, so the signatures of mc_receive and mc_action stay as they are
-- and a later statement of the same transaction never sees a stale one.
ALTER TABLE idempotency ADD COLUMN fingerprint text;

-- The hex SHA-256 of a canonical request text; NULL for NULL or ''.
CREATE FUNCTION mc_idem_fp(p_canon text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_canon IS NULL OR p_canon = '' THEN NULL
              ELSE encode(sha256(convert_to(p_canon, 'UTF8')), 'hex') END
$$;

CREATE OR REPLACE FUNCTION mc_idem_claim(p_unit text, p_key text, p_action text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  r idempotency%ROWTYPE;
  fp text := nullif(current_setting('motcua.idem_fp', true), '');
BEGIN
  PERFORM set_config('motcua.idem_fp', '', true);
  INSERT INTO idempotency (unit_code, key, action, fingerprint)
    VALUES (p_unit, p_key, p_action, fp)
    ON CONFLICT (unit_code, key) DO NOTHING;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  SELECT * INTO r FROM idempotency WHERE unit_code = p_unit AND key = p_key;
  IF r.action <> p_action OR r.reply IS NULL THEN
    RAISE EXCEPTION 'idempotency key already used for %', r.action USING ERRCODE = 'MC010';
  END IF;
  IF r.fingerprint IS NOT NULL AND fp IS NOT NULL AND r.fingerprint <> fp THEN
    RAISE EXCEPTION 'idempotency key already used for another request' USING ERRCODE = 'MC010';
  END IF;
  RETURN r.reply;
END $$;

-- 007's batch, each item now with a 13th element: its canonical text.
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
    EXCEPTION WHEN OTHERS THEN
      o_state := SQLSTATE;
      o_msg := SQLERRM;
      o_d := NULL;
    END;
    RETURN NEXT;
  END LOOP;
END $$;

-- mc_action with the request's canonical text (NULL or '' = none).
CREATE FUNCTION mc_action_fp(p_canon text, a mc_action_t) RETURNS dossier_v
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('motcua.idem_fp', coalesce(mc_idem_fp(p_canon), ''), true);
  RETURN mc_action(a);
END $$;

GRANT EXECUTE ON FUNCTION mc_idem_fp(text), mc_action_fp(text, mc_action_t) TO motcua_app;
