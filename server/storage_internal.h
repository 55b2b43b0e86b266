/* Storage internals shared between storage.c and the generated migration
 * table (server/embed_sql.cmake). Not for other modules. */
#ifndef MC_STORAGE_INTERNAL_H
#define MC_STORAGE_INTERNAL_H

#include <stddef.h>

/* One embedded migration: server/sql/NNN_name.sql. Applied in array order
 * (ascending version), each in its own transaction. */
struct mc_migration {
  int version;
  const char *name; /* "001_schema" */
  const char *sql;
};

extern const struct mc_migration mc_migrations[];
extern const size_t mc_migrations_count;

/* Generic asynchronous statement for storage extension files
 * (storage_<area>.c): text parameters (NULL = SQL NULL), one statement, the
 * last result handed to cb (NULL when err != 0); the result is freed after
 * cb returns. Same queueing, errors and guarantees as every mc_store_*
 * operation: 0 means cb fires exactly once, later. */
typedef struct pg_result PGresult;
typedef struct mc_store mc_store;
typedef void (*storage_rows_cb)(void *arg, int err, const PGresult *res);
int storage__exec(mc_store *s, const char *name, const char *sql,
                  const char *const *params, int nparams, storage_rows_cb cb, void *arg);

/* Maps a SQLSTATE (5 chars) to an mc_err; NULL maps to MC_EINTERNAL. */
int storage__sqlstate_to_err(const char *sqlstate);

/* The search statement ($1 viewer unit, $2 text, $3 limit), for tests that
 * EXPLAIN it. */
extern const char storage__sql_search[];

#endif
