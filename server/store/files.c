/* SQL of the file metadata (see store.h), on store__exec. */
#include "store.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "store_internal.h"

/* A small owned context: the caller's callback and argument. */
typedef struct fctx {
  void *cb;
  void *arg;
} fctx;

static fctx *fctx_new(void *cb, void *arg) {
  fctx *c = malloc(sizeof *c);
  if (c != NULL) {
    c->cb = cb;
    c->arg = arg;
  }
  return c;
}

static int exec_ctx(mc_store *s, const char *name, const char *sql, const char *const *p, int n,
                    store_rows_cb done, void *cb, void *arg) {
  fctx *c = fctx_new(cb, arg);
  if (c == NULL) return MC_ENOMEM;
  int rc = store__exec(s, name, sql, p, n, done, c);
  if (rc != 0) free(c);
  return rc;
}

static uint64_t u64_at(const PGresult *r, int row, int col) {
  return PQgetisnull(r, row, col) ? 0 : strtoull(PQgetvalue(r, row, col), NULL, 10);
}

static void u64_text(char *buf, size_t n, uint64_t v) {
  snprintf(buf, n, "%llu", (unsigned long long)v);
}

/* ---- probe -------------------------------------------------------------- */

static void probe_done(void *arg, int err, const PGresult *r) {
  fctx *c = arg;
  mc_store_probe_cb cb = (mc_store_probe_cb)c->cb;
  mc_file_probe p = {0};
  if (err == 0 && PQntuples(r) != 1) err = MC_ENOTFOUND;
  if (err == 0) {
    p.file_exists = !PQgetisnull(r, 0, 0);
    p.file_size = u64_at(r, 0, 0);
    snprintf(p.mime, sizeof p.mime, "%s", PQgetvalue(r, 0, 1));
    p.dossier_files = (long)u64_at(r, 0, 2);
    p.dossier_bytes = u64_at(r, 0, 3);
  }
  cb(c->arg, err, err == 0 ? &p : NULL);
  free(c);
}

int mc_store_file_probe(mc_store *s, const char *code, const char *sha, const char *unit,
                        mc_store_probe_cb cb, void *arg) {
  static const char sql[] =
      "SELECT f.size, f.mime,"
      " (SELECT count(*) FROM dossier_files x WHERE x.dossier_id = d.id),"
      " (SELECT coalesce(sum(g.size), 0) FROM dossier_files x JOIN files g USING (sha256)"
      "   WHERE x.dossier_id = d.id)"
      " FROM dossiers d LEFT JOIN files f ON f.sha256 = $2 AND EXISTS (SELECT 1"
      "   FROM dossier_files y WHERE y.sha256 = $2"
      "   AND (y.dossier_id = d.id OR y.added_by_unit = $3))"
      " WHERE d.code = $1";
  const char *p[] = {code, sha, unit};
  return exec_ctx(s, "file_probe", sql, p, 3, probe_done, (void *)cb, arg);
}

/* ---- attach ------------------------------------------------------------- */

static void attach_done(void *arg, int err, const PGresult *r) {
  fctx *c = arg;
  mc_store_attach_cb cb = (mc_store_attach_cb)c->cb;
  const char *detail = NULL;
  if (err == 0 && PQntuples(r) != 1) err = MC_EINTERNAL;
  if (err == 0) {
    const char *v = PQgetvalue(r, 0, 0);
    if (strcmp(v, "too_many") == 0) err = MC_ETOOBIG, detail = "files per dossier";
    else if (strcmp(v, "too_big") == 0) err = MC_ETOOBIG, detail = "dossier bytes";
  }
  cb(c->arg, err, detail);
  free(c);
}

int mc_store_file_attach(mc_store *s, const mc_attach_rec *a, mc_store_attach_cb cb, void *arg) {
  static const char sql[] =
      "SELECT mc_file_attach((SELECT id FROM dossiers WHERE code = $1), $2, $3::bigint, $4, $5,"
      " $6, $7, $8, $9::int, $10::bigint)";
  char size[24], maxf[24], maxb[24];
  u64_text(size, sizeof size, a->size);
  snprintf(maxf, sizeof maxf, "%ld", a->max_files);
  u64_text(maxb, sizeof maxb, a->max_bytes);
  const char *p[] = {a->code, a->sha, size, a->mime, a->name, a->kind, a->unit, a->upload_id,
                     maxf, maxb};
  return exec_ctx(s, "file_attach", sql, p, 10, attach_done, (void *)cb, arg);
}

/* ---- uploads ------------------------------------------------------------ */

typedef struct upctx {
  mc_store_upload_cb cb;
  void *arg;
  uint64_t size;
} upctx;

static void upload_done(void *arg, int err, const PGresult *r) {
  upctx *c = arg;
  if (err == 0 && PQntuples(r) != 1) err = MC_ENOTFOUND;
  if (err == 0 && u64_at(r, 0, 2) != c->size) err = MC_ECONFLICT;
  c->cb(c->arg, err, err == 0 ? PQgetvalue(r, 0, 0) : NULL, err == 0 ? u64_at(r, 0, 1) : 0);
  free(c);
}

int mc_store_upload_open(mc_store *s, const mc_upload_rec *u, mc_store_upload_cb cb, void *arg) {
  static const char sql[] =
      "INSERT INTO uploads (id, unit_code, dossier_id, sha256, size, name, kind)"
      " SELECT $1, $2, d.id, $4, $5::bigint, $6, $7 FROM dossiers d WHERE d.code = $3"
      " ON CONFLICT (unit_code, dossier_id, sha256, kind)"
      " DO UPDATE SET updated_at = now(), name = EXCLUDED.name"
      " RETURNING id, committed, size";
  char size[24];
  u64_text(size, sizeof size, u->size);
  const char *p[] = {u->new_id, u->unit, u->code, u->sha, size, u->name, u->kind};
  upctx *c = malloc(sizeof *c);
  if (c == NULL) return MC_ENOMEM;
  *c = (upctx){cb, arg, u->size};
  int rc = store__exec(s, "upload_open", sql, p, 7, upload_done, c);
  if (rc != 0) free(c);
  return rc;
}

static void ignore_done(void *arg, int err, const PGresult *r) {
  (void)arg;
  (void)err;
  (void)r;
}

int mc_store_upload_commit(mc_store *s, const char *id, uint64_t committed) {
  static const char sql[] =
      "UPDATE uploads SET committed = GREATEST(committed, $2::bigint), updated_at = now()"
      " WHERE id = $1";
  char v[24];
  u64_text(v, sizeof v, committed);
  const char *p[] = {id, v};
  return store__exec(s, "upload_commit", sql, p, 2, ignore_done, NULL);
}

int mc_store_upload_delete(mc_store *s, const char *id) {
  const char *p[] = {id};
  return store__exec(s, "upload_delete", "DELETE FROM uploads WHERE id = $1", p, 1,
                       ignore_done, NULL);
}

/* ---- listing ------------------------------------------------------------ */

static void list_done(void *arg, int err, const PGresult *r) {
  fctx *c = arg;
  mc_store_file_rows_cb cb = (mc_store_file_rows_cb)c->cb;
  size_t n = err == 0 ? (size_t)PQntuples(r) : 0;
  mc_file_row *rows = n ? calloc(n, sizeof *rows) : NULL;
  if (n && rows == NULL) err = MC_ENOMEM, n = 0;
  for (size_t i = 0; i < n; i++) {
    int k = (int)i;
    rows[i] = (mc_file_row){PQgetvalue(r, k, 0), PQgetvalue(r, k, 1), PQgetvalue(r, k, 2),
                            PQgetvalue(r, k, 3), PQgetvalue(r, k, 4), u64_at(r, k, 5),
                            (int64_t)u64_at(r, k, 6)};
  }
  cb(c->arg, err, rows, n);
  free(rows);
  free(c);
}

int mc_store_files_list(mc_store *s, const char *code, mc_store_file_rows_cb cb, void *arg) {
  static const char sql[] =
      "SELECT x.name, f.sha256, f.mime, x.kind, x.added_by_unit, f.size,"
      " (extract(epoch FROM x.added_at) * 1000)::bigint"
      " FROM dossier_files x JOIN files f USING (sha256) JOIN dossiers d ON d.id = x.dossier_id"
      " WHERE d.code = $1 ORDER BY x.added_at, x.name LIMIT 10000";
  const char *p[] = {code};
  return exec_ctx(s, "files_list", sql, p, 1, list_done, (void *)cb, arg);
}

/* ---- expiry and garbage collection ---------------------------------------- */

static void ids_done(void *arg, int err, const PGresult *r) {
  fctx *c = arg;
  mc_store_ids_cb cb = (mc_store_ids_cb)c->cb;
  size_t n = err == 0 ? (size_t)PQntuples(r) : 0;
  const char **ids = n ? calloc(n, sizeof *ids) : NULL;
  if (n && ids == NULL) err = MC_ENOMEM, n = 0;
  for (size_t i = 0; i < n; i++) ids[i] = PQgetvalue(r, (int)i, 0);
  cb(c->arg, err, ids, n);
  free(ids);
  free(c);
}

int mc_store_uploads_expire(mc_store *s, long older_than_s, mc_store_ids_cb cb, void *arg) {
  static const char sql[] =
      "DELETE FROM uploads WHERE updated_at < now() - make_interval(secs => $1::int)"
      " RETURNING id";
  char v[24];
  snprintf(v, sizeof v, "%ld", older_than_s);
  const char *p[] = {v};
  return exec_ctx(s, "uploads_expire", sql, p, 1, ids_done, (void *)cb, arg);
}

int mc_store_files_gc(mc_store *s, mc_store_ids_cb cb, void *arg) {
  static const char sql[] =
      "DELETE FROM files f WHERE NOT EXISTS (SELECT 1 FROM dossier_files x"
      " WHERE x.sha256 = f.sha256) AND NOT EXISTS (SELECT 1 FROM uploads u"
      " WHERE u.sha256 = f.sha256) RETURNING sha256";
  return exec_ctx(s, "files_gc", sql, NULL, 0, ids_done, (void *)cb, arg);
}
