/* See pgtest.h. Every wait is bounded; a watchdog alarm ends a stuck run. */
#include "pgtest.h"

#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define TEST_USER "motcua-test"

char pgt_dir[64];
char pgt_runas[64];
char pgt_conninfo[256];
int pgt_pg_started;
PGconn *pgt_check;
uv_loop_t pgt_loop;

int pgt_sh(const char *fmt, ...) {
  char cmd[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  return system(cmd);
}

void pgt_teardown(void) {
  if (pgt_check) PQfinish(pgt_check);
  pgt_check = NULL;
  if (pgt_pg_started)
    pgt_sh("%s%s/pg_ctl -D %s/data -m immediate -w stop >/dev/null 2>&1", pgt_runas, PGBIN,
           pgt_dir);
  pgt_pg_started = 0;
  if (pgt_dir[0]) pgt_sh("rm -rf %s", pgt_dir);
  pgt_dir[0] = '\0';
}

void pgt_fail(const char *file, int line, const char *what) {
  fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
  if (pgt_dir[0]) pgt_sh("tail -n 20 %s/pg.log >&2 2>/dev/null", pgt_dir);
  pgt_teardown();
  exit(1);
}

static void watchdog_cb(int sig) {
  (void)sig;
  static const char msg[] = "FAIL watchdog: test took too long\n";
  if (write(2, msg, sizeof msg - 1) < 0) _exit(2);
  pgt_teardown();
  _exit(1);
}

static void pg_user_setup(void) {
  if (geteuid() != 0) return;
  if (getpwnam(TEST_USER) == NULL)
    CHECK(pgt_sh("useradd --system --no-create-home --shell /usr/sbin/nologin %s",
                 TEST_USER) == 0);
  struct passwd *pw = getpwnam(TEST_USER);
  CHECK(pw != NULL);
  CHECK(chown(pgt_dir, pw->pw_uid, pw->pw_gid) == 0);
  snprintf(pgt_runas, sizeof pgt_runas, "runuser -u %s -- ", TEST_USER);
}

static void pg_setup(void) {
  snprintf(pgt_dir, sizeof pgt_dir, "/tmp/mcst-XXXXXX");
  CHECK(mkdtemp(pgt_dir) != NULL);
  pg_user_setup();
  CHECK(pgt_sh("%s%s/initdb -D %s/data -A trust -U postgres -E UTF8 --locale=C --no-sync"
               " >%s/initdb.log 2>&1",
               pgt_runas, PGBIN, pgt_dir, pgt_dir) == 0);
  CHECK(pgt_sh("%s%s/pg_ctl -D %s/data -l %s/pg.log -w -t 30 -o \"-c listen_addresses=''"
               " -k %s -c fsync=off -c max_connections=40\" start >/dev/null",
               pgt_runas, PGBIN, pgt_dir, pgt_dir, pgt_dir) == 0);
  pgt_pg_started = 1;
  snprintf(pgt_conninfo, sizeof pgt_conninfo, "host=%s dbname=postgres user=postgres",
           pgt_dir);
  pgt_check = PQconnectdb(pgt_conninfo);
  CHECK(PQstatus(pgt_check) == CONNECTION_OK);
}

void pgt_start(int watchdog_s) {
  signal(SIGALRM, watchdog_cb);
  alarm((unsigned)watchdog_s);
  mc_log_level_current = getenv("MC_TEST_DEBUG") ? MC_LOG_DEBUG : MC_LOG_ERROR;
  CHECK(uv_loop_init(&pgt_loop) == 0);
  pg_setup();
}

long pgt_long(const char *sql) {
  PGresult *r = PQexec(pgt_check, sql);
  CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1);
  long v = strtol(PQgetvalue(r, 0, 0), NULL, 10);
  PQclear(r);
  return v;
}

void pgt_exec(const char *sql) {
  PGresult *r = PQexec(pgt_check, sql);
  int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!ok) fprintf(stderr, "pgt_exec: %s", PQresultErrorMessage(r));
  CHECK(ok);
  PQclear(r);
}

static int g_timed_out;
static void timeout_cb(uv_timer_t *t) {
  (void)t;
  g_timed_out = 1;
}

static void run_while(const int *done, int ms) {
  uv_timer_t t;
  uv_timer_init(&pgt_loop, &t);
  g_timed_out = 0;
  /* the loop's clock stood still while the test ran synchronous SQL (a
   * 200k-row INSERT takes longer than ms under load): without this the
   * deadline lies in the past and fires on the first turn */
  uv_update_time(&pgt_loop);
  uv_timer_start(&t, timeout_cb, (uint64_t)ms, 0);
  while (!*done && !g_timed_out) uv_run(&pgt_loop, UV_RUN_ONCE);
  uv_close((uv_handle_t *)&t, NULL);
  uv_run(&pgt_loop, UV_RUN_NOWAIT);
}

void pgt_run_until(const int *done, int ms) {
  run_while(done, ms);
  CHECK(*done);
}

void pgt_run_for(int ms) {
  int never = 0;
  run_while(&never, ms);
}

static void closed_cb(void *arg) { ++*(int *)arg; }

mc_store *pgt_open_store(const char *conninfo, const char *migrate_conninfo, int pool,
                         int queue) {
  mc_store_opts o = {.conninfo = conninfo, .pool_size = pool, .max_queue = queue,
                     .migrate_conninfo = migrate_conninfo};
  mc_store *s = NULL;
  char err[256];
  int rc = mc_store_open(&pgt_loop, &o, &s, err, sizeof err);
  if (rc != 0) fprintf(stderr, "open: %s\n", err);
  CHECK(rc == 0 && s != NULL);
  return s;
}

void pgt_close_store(mc_store *s) {
  int closed = 0;
  mc_store_close(s, closed_cb, &closed);
  CHECK(closed == 0);
  pgt_run_until(&closed, WAIT_MS);
}
