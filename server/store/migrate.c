/* Migrations: the one blocking part of the store. mc_store_open() applies
 * them with PQexec under an advisory lock before the pool starts, as the
 * schema owner (migrate_conninfo); each in its own transaction. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "store_internal.h"

#define MIGRATE_LOCK_KEY "7236281427968" /* pg_advisory_lock key, "motcua" */

static int migrate_exec(PGconn *pg, const char *sql, char *err, size_t errlen) {
  PGresult *r = PQexec(pg, sql);
  ExecStatusType st = PQresultStatus(r);
  int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? 0 : MC_EUNAVAIL;
  if (rc != 0) snprintf(err, errlen, "%s", PQresultErrorMessage(r));
  PQclear(r);
  return rc;
}

/* 1 applied, 0 not yet, <0 error. */
static int migration_applied(PGconn *pg, int version, char *err, size_t errlen) {
  char v[16];
  snprintf(v, sizeof v, "%d", version);
  const char *params[1] = {v};
  PGresult *r = PQexecParams(pg, "SELECT 1 FROM schema_version WHERE version = $1::int",
                             1, NULL, params, NULL, NULL, 0);
  int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) > 0 : MC_EUNAVAIL;
  if (rc < 0) snprintf(err, errlen, "%s", PQresultErrorMessage(r));
  PQclear(r);
  return rc;
}

static int migration_record(PGconn *pg, const struct mc_migration *m, char *err,
                            size_t errlen) {
  char v[16];
  snprintf(v, sizeof v, "%d", m->version);
  const char *params[2] = {v, m->name};
  PGresult *r = PQexecParams(pg,
                             "INSERT INTO schema_version (version, name) VALUES ($1::int, $2)",
                             2, NULL, params, NULL, NULL, 0);
  int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : MC_EUNAVAIL;
  if (rc != 0) snprintf(err, errlen, "%s", PQresultErrorMessage(r));
  PQclear(r);
  return rc;
}

/* Applies one migration in its own transaction with its version row. */
static int migration_apply(PGconn *pg, const struct mc_migration *m, char *err,
                           size_t errlen) {
  char why[512] = "";
  int rc = migrate_exec(pg, "BEGIN", why, sizeof why);
  if (rc == 0) rc = migrate_exec(pg, m->sql, why, sizeof why);
  if (rc == 0) rc = migration_record(pg, m, why, sizeof why);
  if (rc == 0) rc = migrate_exec(pg, "COMMIT", why, sizeof why);
  if (rc == 0) {
    mc_log_info(0, "storage migration applied version=%d name=%s", m->version, m->name);
    return 0;
  }
  char tmp[512];
  migrate_exec(pg, "ROLLBACK", tmp, sizeof tmp);
  snprintf(err, errlen, "migration %s failed: %s", m->name, store__pq_line(why, tmp, sizeof tmp));
  return MC_EUNAVAIL;
}

static int migrate_all(PGconn *pg, char *err, size_t errlen) {
  for (size_t i = 0; i < mc_migrations_count; i++) {
    const struct mc_migration *m = &mc_migrations[i];
    int rc = migration_applied(pg, m->version, err, errlen);
    if (rc == 0) rc = migration_apply(pg, m, err, errlen);
    if (rc < 0) return rc;
  }
  return 0;
}

/* Creates schema_version unless it exists: the restricted role may check
 * an up-to-date schema but not create tables. */
static int migrate_version_table(PGconn *pg, char *err, size_t errlen) {
  PGresult *r = PQexec(pg, "SELECT to_regclass('schema_version') IS NOT NULL");
  int exists = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
               strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  PQclear(r);
  if (exists) return 0;
  return migrate_exec(pg,
                      "CREATE TABLE IF NOT EXISTS schema_version ("
                      " version int PRIMARY KEY, name text NOT NULL,"
                      " applied_at timestamptz NOT NULL DEFAULT now())",
                      err, errlen);
}

/* Blocking: connect, lock, create schema_version, apply what is pending. */
int store__migrate(const char *conninfo, char *err, size_t errlen) {
  char why[512];
  int rc = MC_EUNAVAIL;
  PGconn *pg = PQconnectdb(conninfo);
  if (PQstatus(pg) != CONNECTION_OK) {
    snprintf(err, errlen, "database connection failed: %s",
             store__pq_line(PQerrorMessage(pg), why, sizeof why));
    goto out;
  }
  PQsetNoticeProcessor(pg, store__notice_cb, NULL);
  if (migrate_exec(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", err, errlen) != 0)
    goto out;
  rc = migrate_version_table(pg, err, errlen);
  if (rc == 0) rc = migrate_all(pg, err, errlen);
  migrate_exec(pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", why, sizeof why);
out:
  PQfinish(pg);
  return rc;
}


/* "{1,2,...}": the embedded migrations' versions, for $1::int[]. */
static void versions_array(char *buf, size_t n) {
  size_t len = 0;
  buf[len++] = '{';
  for (size_t i = 0; i < mc_migrations_count && len + 16 < n; i++)
    len += (size_t)snprintf(buf + len, n - len, "%s%d", i ? "," : "", mc_migrations[i].version);
  snprintf(buf + len, n - len, "}");
}

/* Blocking, read-only, as the server's own role (W7): the server never
 * migrates; it refuses to start on a schema that misses a migration. */
int store__schema_check(const char *conninfo, char *err, size_t errlen) {
  char why[512], versions[1024];
  int rc = MC_EUNAVAIL;
  PGconn *pg = PQconnectdb(conninfo);
  if (PQstatus(pg) != CONNECTION_OK) {
    snprintf(err, errlen, "database connection failed: %s",
             store__pq_line(PQerrorMessage(pg), why, sizeof why));
    goto out;
  }
  versions_array(versions, sizeof versions);
  const char *params[1] = {versions};
  PGresult *r = PQexec(pg, "SELECT to_regclass('schema_version') IS NOT NULL");
  int exists = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
               strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  PQclear(r);
  r = PQexecParams(pg,
                   exists ? "SELECT count(*), min(v) FROM unnest($1::int[]) v"
                            " WHERE v NOT IN (SELECT version FROM schema_version)"
                          : "SELECT count(*), min(v) FROM unnest($1::int[]) v",
                   1, NULL, params, NULL, NULL, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
    snprintf(err, errlen, "cannot read the schema version: %s",
             store__pq_line(PQresultErrorMessage(r), why, sizeof why));
  } else if (strcmp(PQgetvalue(r, 0, 0), "0") != 0) {
    snprintf(err, errlen, "the database schema misses %s migration(s) from version %s on:"
             " run `motcua-server --migrate -c FILE` (as the schema owner, db_migrate_conninfo)"
             " before starting the server", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
    rc = MC_ECONFIG;
  } else {
    rc = 0;
  }
  PQclear(r);
out:
  PQfinish(pg);
  return rc;
}

int mc_store_migrate(const char *conninfo, char *err, size_t errlen) {
  char dummy[8];
  if (err == NULL || errlen == 0) {
    err = dummy;
    errlen = sizeof dummy;
  }
  if (conninfo == NULL) return MC_EINVAL;
  int rc = store__migrate(conninfo, err, errlen);
  if (rc == 0)
    mc_log_info(0, "storage migrations checked count=%zu", mc_migrations_count);
  return rc;
}
