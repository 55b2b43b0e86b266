-- 006: scans and result documents (server/files.h, docs/ARCHITECTURE.md "Files").
-- File bytes live content-addressed under data_dir (DATA/ab/cd/<sha256>);
-- these tables hold the metadata. A files row is inserted only after its
-- bytes were fsynced and renamed into place, so a row always means a whole,
-- verified file. dossier_files rows are references; a file is removed only
-- when no reference and no upload names it any more.

CREATE TABLE files (
  sha256      text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size        bigint NOT NULL CHECK (size > 0),
  mime        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dossier_files (
  dossier_id     bigint NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  sha256         text NOT NULL REFERENCES files (sha256),  -- never cascades to the bytes
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  kind           text NOT NULL CHECK (kind IN ('scan', 'result')),
  added_by_unit  text NOT NULL REFERENCES units (code),
  added_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dossier_id, sha256, kind)
);
CREATE INDEX dossier_files_sha256 ON dossier_files (sha256);

-- Unfinished uploads. committed is advanced only after the bytes up to it
-- were fsynced (GREATEST: updates from the pool may arrive out of order), so
-- it never exceeds what is durably in DATA/tmp/<id>.
CREATE TABLE uploads (
  id          text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
  unit_code   text NOT NULL REFERENCES units (code),
  dossier_id  bigint NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size        bigint NOT NULL CHECK (size > 0),
  name        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('scan', 'result')),
  committed   bigint NOT NULL DEFAULT 0 CHECK (committed >= 0 AND committed <= size),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (unit_code, dossier_id, sha256, kind)
);
CREATE INDEX uploads_updated_at ON uploads (updated_at);

-- Attach a verified file to a dossier, under the per-dossier limits, in one
-- transaction (the dossier row is locked so two attachments cannot both pass
-- the limits). Returns 'ok', 'exists' (already attached: idempotent),
-- 'too_many' or 'too_big'. Deletes the finished upload row, if any.
CREATE FUNCTION mc_file_attach(p_dossier bigint, p_sha text, p_size bigint, p_mime text,
                               p_name text, p_kind text, p_unit text, p_upload text,
                               p_max_files int, p_max_bytes bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  n int;
  total bigint;
BEGIN
  PERFORM 1 FROM dossiers WHERE id = p_dossier FOR UPDATE;
  IF p_upload IS NOT NULL THEN
    DELETE FROM uploads WHERE id = p_upload;
  END IF;
  IF EXISTS (SELECT 1 FROM dossier_files
             WHERE dossier_id = p_dossier AND sha256 = p_sha AND kind = p_kind) THEN
    RETURN 'exists';
  END IF;
  SELECT count(*), coalesce(sum(f.size), 0) INTO n, total
    FROM dossier_files d JOIN files f USING (sha256) WHERE d.dossier_id = p_dossier;
  IF n + 1 > p_max_files THEN RETURN 'too_many'; END IF;
  IF total + p_size > p_max_bytes THEN RETURN 'too_big'; END IF;
  INSERT INTO files (sha256, size, mime) VALUES (p_sha, p_size, p_mime)
    ON CONFLICT (sha256) DO NOTHING;
  INSERT INTO dossier_files (dossier_id, sha256, name, kind, added_by_unit)
    VALUES (p_dossier, p_sha, p_name, p_kind, p_unit);
  RETURN 'ok';
END $$;

GRANT SELECT, INSERT, DELETE ON files TO motcua_app;
GRANT SELECT, INSERT, DELETE ON dossier_files TO motcua_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON uploads TO motcua_app;
