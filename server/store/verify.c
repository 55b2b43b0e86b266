/* Verification of the progress log's hash chain (W7, migration 012):
 * blocking and read-only, run by `motcua-server --verify-log`, never by
 * the serving process. Every row's link is recomputed from its columns:
 *   hash = sha256(previous row's stored hash || canonical fields)
 * in id order per dossier. Checking each link against the stored hash of
 * the row before it is enough: a rewritten row fails its own link, a
 * deleted row fails its successor's, and a rewrite that recomputes the
 * row's hash fails the next row's link. The canonical form is stated
 * here again (CANON below), not taken from mc_progress_canon(), so a
 * replaced function does not hide a rewrite. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "store.h"
#include "store_internal.h"

/* Must equal mc_progress_canon() of 016_officers.sql: version 1 (012) for
 * rows without an officer id, version 2 (016: the officer's id and title
 * appended) for rows recorded from an officer session. */
#define CANON_V1_FIELDS                                                                  \
  "p.id, p.dossier_id,"                                                                  \
  " (extract(epoch FROM p.at) * 1000000)::bigint, p.unit_code, p.officer, p.role,"       \
  " p.action, p.status_before, p.status_after, p.from_unit, p.to_unit,"                  \
  " (extract(epoch FROM p.step_due_at) * 1000000)::bigint, p.result, p.detail"
#define CANON                                                                            \
  "convert_to(CASE WHEN p.officer_id IS NULL THEN jsonb_build_array(" CANON_V1_FIELDS ")" \
  " ELSE jsonb_build_array(" CANON_V1_FIELDS ", p.officer_id, p.officer_title) END::text," \
  " 'UTF8')"

/* $1: one dossier code or NULL (all). Rows that break, first per dossier. */
static const char SQL_BROKEN[] =
    "SELECT DISTINCT ON (x.dossier_id) d.code, x.id, mc_ts_to_ms(x.at), x.why FROM ("
    " SELECT p.id, p.dossier_id, p.at, CASE"
    "  WHEN p.hash IS NULL THEN 'no hash'"
    "  WHEN p.hash <> sha256(coalesce(lag(p.hash) OVER w, '\\x'::bytea) || " CANON ")"
    "   THEN 'hash mismatch' END AS why"
    " FROM progress_log p"
    " WHERE $1::text IS NULL OR p.dossier_id = (SELECT id FROM dossiers WHERE code = $1)"
    " WINDOW w AS (PARTITION BY p.dossier_id ORDER BY p.id)) x"
    " JOIN dossiers d ON d.id = x.dossier_id WHERE x.why IS NOT NULL"
    " ORDER BY x.dossier_id, x.id";

static const char SQL_COUNT[] =
    "SELECT count(*) FROM progress_log p"
    " WHERE $1::text IS NULL OR p.dossier_id = (SELECT id FROM dossiers WHERE code = $1)";

static PGresult *run(PGconn *pg, const char *sql, const char *code, char *err, size_t errlen) {
  char line[256];
  const char *params[1] = {code};
  PGresult *r = PQexecParams(pg, sql, 1, NULL, params, NULL, NULL, 0);
  if (PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK) return r;
  snprintf(err, errlen, "%s", store__pq_line(PQresultErrorMessage(r), line, sizeof line));
  PQclear(r);
  return NULL;
}

static void report(const PGresult *r, mc_store_broken_cb broken_cb, void *arg) {
  for (int i = 0; i < PQntuples(r); i++)
    broken_cb(arg, PQgetvalue(r, i, 0), store__parse_i64(PQgetvalue(r, i, 1)),
              store__parse_i64(PQgetvalue(r, i, 2)), PQgetvalue(r, i, 3));
}

int mc_store_verify_log(const char *conninfo, const char *code, mc_store_broken_cb broken_cb,
                        void *arg, int64_t *checked, char *err, size_t errlen) {
  char line[256];
  int rc = MC_EUNAVAIL;
  PGresult *r = NULL;
  if (conninfo == NULL || broken_cb == NULL || checked == NULL) return MC_EINVAL;
  *checked = 0;
  PGconn *pg = PQconnectdb(conninfo);
  if (PQstatus(pg) != CONNECTION_OK) {
    snprintf(err, errlen, "database connection failed: %s",
             store__pq_line(PQerrorMessage(pg), line, sizeof line));
    goto out;
  }
  PQsetNoticeProcessor(pg, store__notice_cb, NULL);
  /* One snapshot for the count and the check; nothing written. */
  r = PQexec(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    snprintf(err, errlen, "%s", store__pq_line(PQresultErrorMessage(r), line, sizeof line));
    PQclear(r);
    goto out;
  }
  PQclear(r);
  if ((r = run(pg, SQL_COUNT, code, err, errlen)) == NULL) goto out;
  *checked = store__parse_i64(PQgetvalue(r, 0, 0));
  PQclear(r);
  if ((r = run(pg, SQL_BROKEN, code, err, errlen)) == NULL) goto out;
  report(r, broken_cb, arg);
  PQclear(r);
  rc = 0;
out:
  PQfinish(pg);
  return rc;
}
