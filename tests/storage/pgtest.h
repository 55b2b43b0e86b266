/* Fixture shared by the storage integration tests: a throwaway
 * PostgreSQL 15 cluster (initdb into a temp dir, unix socket only), a
 * blocking verification connection, a libuv loop and bounded waits.
 * When run as root the postgres commands run as the system user
 * "motcua-test" (created if absent), since postgres refuses root. */
#ifndef MC_PGTEST_H
#define MC_PGTEST_H

#include <libpq-fe.h>
#include <uv.h>

#include "store.h"

#define PGBIN "/usr/lib/postgresql/15/bin"
#define WAIT_MS 15000

extern char pgt_dir[64];       /* cluster directory; socket lives here */
extern char pgt_runas[64];     /* "runuser -u motcua-test -- " or "" */
extern char pgt_conninfo[256]; /* superuser (owner) connection */
extern int pgt_pg_started;
extern PGconn *pgt_check;      /* blocking superuser connection */
extern uv_loop_t pgt_loop;

void pgt_fail(const char *file, int line, const char *what);
#define CHECK(cond)                                   \
  do {                                                \
    if (!(cond)) pgt_fail(__FILE__, __LINE__, #cond); \
  } while (0)

int pgt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Watchdog, log level, loop, cluster: everything a test main needs first. */
void pgt_start(int watchdog_s);
void pgt_teardown(void);

long pgt_long(const char *sql);  /* one integer from the check connection */
void pgt_exec(const char *sql);  /* must succeed */

void pgt_run_until(const int *done, int ms); /* fails on timeout */

/* Open a store on the fixture's loop (migrate_conninfo may be NULL);
 * close it and wait until its done callback ran (never synchronously). */
mc_store *pgt_open_store(const char *conninfo, const char *migrate_conninfo, int pool,
                         int queue);
void pgt_close_store(mc_store *s);
void pgt_run_for(int ms);

#endif
