/* Storage of file metadata (server/sql/006_files.sql): probes, attachments,
 * unfinished uploads, listings, expiry and garbage collection. Same
 * contract as server/storage.h: 0 means cb fires exactly once, later, from
 * the loop; data handed to cb is valid only during the call. */
#ifndef MC_STORAGE_FILES_H
#define MC_STORAGE_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "storage.h"

/* What the server already knows for (dossier, sha256). */
typedef struct mc_file_probe {
  int file_exists;      /* the content store holds this sha256 */
  uint64_t file_size;
  char mime[32];
  long dossier_files;   /* files attached to the dossier */
  uint64_t dossier_bytes;
} mc_file_probe;
typedef void (*mc_store_probe_cb)(void *arg, int err, const mc_file_probe *p);
int mc_store_file_probe(mc_store *s, const char *code, const char *sha, mc_store_probe_cb cb,
                        void *arg);

typedef struct mc_attach_rec {
  const char *code, *sha, *mime, *name, *kind, *unit;
  const char *upload_id; /* finished upload row to delete; NULL = none */
  uint64_t size;
  long max_files;
  uint64_t max_bytes;
} mc_attach_rec;
/* cb(err): 0 attached (or already attached), MC_ETOOBIG with *detail
 * "files per dossier" / "dossier bytes". */
typedef void (*mc_store_attach_cb)(void *arg, int err, const char *detail);
int mc_store_file_attach(mc_store *s, const mc_attach_rec *r, mc_store_attach_cb cb, void *arg);

typedef struct mc_upload_rec {
  const char *new_id; /* used when no row exists yet */
  const char *unit, *code, *sha, *name, *kind;
  uint64_t size;
} mc_upload_rec;
/* Find or create the row of (unit, dossier, sha256, kind). cb gives its id
 * and committed offset; MC_ECONFLICT if the row has another size. */
typedef void (*mc_store_upload_cb)(void *arg, int err, const char *id, uint64_t committed);
int mc_store_upload_open(mc_store *s, const mc_upload_rec *r, mc_store_upload_cb cb, void *arg);
/* committed = GREATEST(committed, value); fire and forget. */
int mc_store_upload_commit(mc_store *s, const char *id, uint64_t committed);
int mc_store_upload_delete(mc_store *s, const char *id);

typedef struct mc_file_row {
  const char *name, *sha, *mime, *kind, *unit;
  uint64_t size;
  int64_t added_at_ms;
} mc_file_row;
typedef void (*mc_store_file_rows_cb)(void *arg, int err, const mc_file_row *rows, size_t n);
/* Files attached to a dossier, oldest first. */
int mc_store_files_list(mc_store *s, const char *code, mc_store_file_rows_cb cb, void *arg);

/* Ids (uploads) or sha256s (files) deleted. */
typedef void (*mc_store_ids_cb)(void *arg, int err, const char *const *ids, size_t n);
/* Delete upload rows untouched for older_than_s seconds. */
int mc_store_uploads_expire(mc_store *s, long older_than_s, mc_store_ids_cb cb, void *arg);
/* Delete files rows no dossier and no upload refers to. */
int mc_store_files_gc(mc_store *s, mc_store_ids_cb cb, void *arg);

#endif
