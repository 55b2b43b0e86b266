/* `motcua-server --officers-import FILE`: blocking, one transaction, as
 * db_conninfo. The caller parses the file and computes the hashes (on
 * threads, Argon2id being the cost); this file reads the stored hashes
 * (so an unchanged password keeps its hash) and writes the rows. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "store_internal.h"

static PGconn *connect_db(const char *conninfo, char *err, size_t errlen) {
  PGconn *pg = PQconnectdb(conninfo);
  if (PQstatus(pg) != CONNECTION_OK) {
    char line[256];
    snprintf(err, errlen, "%s", store__pq_line(PQerrorMessage(pg), line, sizeof line));
    PQfinish(pg);
    return NULL;
  }
  return pg;
}

/* Runs sql; 0 or MC_EUNAVAIL with the server's first line (and the row). */
static int exec_row(PGconn *pg, const char *sql, int n, const char *const *p, PGresult **out,
                    size_t line_no, char *err, size_t errlen) {
  PGresult *r = PQexecParams(pg, sql, n, NULL, p, NULL, NULL, 0);
  ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
    if (out != NULL) *out = r;
    else PQclear(r);
    return 0;
  }
  char line[256];
  snprintf(err, errlen, "line %zu: %s", line_no,
           store__pq_line(PQresultErrorMessage(r), line, sizeof line));
  PQclear(r);
  return MC_EUNAVAIL;
}

int mc_store_officers_fetch(const char *conninfo, mc_officer_import *rows, size_t n, char *err,
                            size_t errlen) {
  PGconn *pg = connect_db(conninfo, err, errlen);
  if (pg == NULL) return MC_EUNAVAIL;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    const char *p[1] = {rows[i].login};
    PGresult *r = NULL;
    rc = exec_row(pg, "SELECT pw_hash FROM officers WHERE login = $1", 1, p, &r,
                  rows[i].line_no, err, errlen);
    rows[i].old_hash[0] = '\0';
    if (rc == 0 && PQntuples(r) > 0)
      store__copy_str(rows[i].old_hash, sizeof rows[i].old_hash, PQgetvalue(r, 0, 0));
    PQclear(r);
  }
  PQfinish(pg);
  return rc;
}

static const char SQL_UPSERT[] =
    "WITH prev AS (SELECT id, coalesce(unit_code, 'admin') AS unit, roles, pw_hash"
    "  FROM officers WHERE login = $2 FOR UPDATE),"
    " up AS (INSERT INTO officers (unit_code, login, full_name, title, roles, pw_hash)"
    "  VALUES (nullif($1, 'admin'), $2, $3, $4, $5::int, $6)"
    "  ON CONFLICT (login) DO UPDATE SET unit_code = EXCLUDED.unit_code,"
    "   full_name = EXCLUDED.full_name, title = EXCLUDED.title, roles = EXCLUDED.roles,"
    "   pw_hash = EXCLUDED.pw_hash, must_change = false, disabled = false,"
    "   failed_count = 0, locked_until = NULL, updated_at = now()"
    "  RETURNING id)"
    " SELECT up.id, prev.id IS NULL,"
    "  prev.id IS NOT NULL AND (prev.unit <> $1 OR prev.roles <> $5::int OR prev.pw_hash <> $6)"
    " FROM up LEFT JOIN prev ON prev.id = up.id";
static const char SQL_REVOKE[] =
    "UPDATE officer_sessions SET revoked_at = now() WHERE officer_id = $1 AND revoked_at IS NULL";

static int upsert(PGconn *pg, const mc_officer_import *o, size_t *created, size_t *updated,
                  char *err, size_t errlen) {
  char roles[16];
  snprintf(roles, sizeof roles, "%u", o->roles);
  const char *p[6] = {o->unit, o->login, o->full_name, o->title, roles, o->new_hash};
  PGresult *r = NULL;
  int rc = exec_row(pg, SQL_UPSERT, 6, p, &r, o->line_no, err, errlen);
  if (rc != 0) return rc;
  int fresh = PQntuples(r) > 0 && strcmp(PQgetvalue(r, 0, 1), "t") == 0;
  int changed = PQntuples(r) > 0 && strcmp(PQgetvalue(r, 0, 2), "t") == 0;
  char id[24];
  store__copy_str(id, sizeof id, PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "0");
  PQclear(r);
  if (fresh) (*created)++;
  else (*updated)++;
  const char *q[1] = {id};
  return changed ? exec_row(pg, SQL_REVOKE, 1, q, NULL, o->line_no, err, errlen) : 0;
}

int mc_store_officers_apply(const char *conninfo, const mc_officer_import *rows, size_t n,
                            size_t *created, size_t *updated, char *err, size_t errlen) {
  *created = *updated = 0;
  PGconn *pg = connect_db(conninfo, err, errlen);
  if (pg == NULL) return MC_EUNAVAIL;
  int rc = exec_row(pg, "BEGIN", 0, NULL, NULL, 0, err, errlen);
  for (size_t i = 0; i < n && rc == 0; i++) rc = upsert(pg, &rows[i], created, updated, err, errlen);
  if (rc == 0) rc = exec_row(pg, "COMMIT", 0, NULL, NULL, 0, err, errlen);
  PQfinish(pg); /* without COMMIT the transaction is rolled back */
  return rc;
}
