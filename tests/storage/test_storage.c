/* Integration test of server/storage.c against a real, throwaway
 * PostgreSQL 15 cluster (initdb into a temp dir, unix socket only).
 * When run as root the postgres commands run as the system user
 * "motcua-test" (created if absent), since postgres refuses root.
 * Every wait is bounded; a watchdog alarm ends a stuck run. */
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "error.h"
#include "log.h"
#include "storage.h"
#include "storage_internal.h"

#define PGBIN "/usr/lib/postgresql/15/bin"
#define TEST_USER "motcua-test"
#define WATCHDOG_S 150
#define WAIT_MS 15000
#define DAY1 "210601"
#define DAY2 "210602"
#define T0 1622505600000LL /* 2021-06-01T00:00:00Z */

static char g_dir[64];
static char g_runas[64];
static char g_conninfo[256];
static int g_pg_started;
static PGconn *g_check; /* blocking connection for verification */
static uv_loop_t g_loop;

/* ------------------------------------------------------------ cluster */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...) {
  char cmd[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  return system(cmd);
}

static void pg_teardown(void) {
  if (g_check) PQfinish(g_check);
  g_check = NULL;
  if (g_pg_started)
    sh("%s%s/pg_ctl -D %s/data -m immediate -w stop >/dev/null 2>&1", g_runas, PGBIN, g_dir);
  g_pg_started = 0;
  if (g_dir[0]) sh("rm -rf %s", g_dir);
  g_dir[0] = '\0';
}

static void fail_exit(const char *file, int line, const char *what) {
  fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
  if (g_dir[0]) sh("tail -n 20 %s/pg.log >&2 2>/dev/null", g_dir);
  pg_teardown();
  exit(1);
}

#define CHECK(cond)                                   \
  do {                                                \
    if (!(cond)) fail_exit(__FILE__, __LINE__, #cond); \
  } while (0)

static void watchdog_cb(int sig) {
  (void)sig;
  static const char msg[] = "FAIL watchdog: test took too long\n";
  if (write(2, msg, sizeof msg - 1) < 0) _exit(2);
  pg_teardown();
  _exit(1);
}

static void pg_user_setup(void) {
  if (geteuid() != 0) return;
  if (getpwnam(TEST_USER) == NULL)
    CHECK(sh("useradd --system --no-create-home --shell /usr/sbin/nologin %s", TEST_USER) ==
          0);
  struct passwd *pw = getpwnam(TEST_USER);
  CHECK(pw != NULL);
  CHECK(chown(g_dir, pw->pw_uid, pw->pw_gid) == 0);
  snprintf(g_runas, sizeof g_runas, "runuser -u %s -- ", TEST_USER);
}

static void pg_setup(void) {
  snprintf(g_dir, sizeof g_dir, "/tmp/mcst-XXXXXX");
  CHECK(mkdtemp(g_dir) != NULL);
  pg_user_setup();
  CHECK(sh("%s%s/initdb -D %s/data -A trust -U postgres -E UTF8 --locale=C --no-sync"
           " >%s/initdb.log 2>&1",
           g_runas, PGBIN, g_dir, g_dir) == 0);
  CHECK(sh("%s%s/pg_ctl -D %s/data -l %s/pg.log -w -t 30 -o \"-c listen_addresses=''"
           " -k %s -c fsync=off -c max_connections=40\" start >/dev/null",
           g_runas, PGBIN, g_dir, g_dir, g_dir) == 0);
  g_pg_started = 1;
  snprintf(g_conninfo, sizeof g_conninfo, "host=%s dbname=postgres user=postgres", g_dir);
  g_check = PQconnectdb(g_conninfo);
  CHECK(PQstatus(g_check) == CONNECTION_OK);
}

static long q_long(const char *sql) {
  PGresult *r = PQexec(g_check, sql);
  CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1);
  long v = strtol(PQgetvalue(r, 0, 0), NULL, 10);
  PQclear(r);
  return v;
}

/* ---------------------------------------------------------------- loop */

static int g_timed_out;
static void timeout_cb(uv_timer_t *t) {
  (void)t;
  g_timed_out = 1;
}

/* Runs the loop until *done or ms elapse; fails on timeout. */
static void run_until(const int *done, int ms) {
  uv_timer_t t;
  uv_timer_init(&g_loop, &t);
  g_timed_out = 0;
  uv_timer_start(&t, timeout_cb, (uint64_t)ms, 0);
  while (!*done && !g_timed_out) uv_run(&g_loop, UV_RUN_ONCE);
  uv_close((uv_handle_t *)&t, NULL);
  uv_run(&g_loop, UV_RUN_NOWAIT);
  CHECK(*done);
}

static void run_for(int ms) {
  int never = 0;
  uv_timer_t t;
  uv_timer_init(&g_loop, &t);
  g_timed_out = 0;
  uv_timer_start(&t, timeout_cb, (uint64_t)ms, 0);
  while (!never && !g_timed_out) uv_run(&g_loop, UV_RUN_ONCE);
  uv_close((uv_handle_t *)&t, NULL);
  uv_run(&g_loop, UV_RUN_NOWAIT);
}

/* ----------------------------------------------------------- callbacks */

typedef struct dres {
  int done;
  int err;
  mc_dossier d;
  char action[16];
} dres;

static void dossier_cb(void *arg, int err, const mc_dossier *d) {
  dres *r = arg;
  r->done++;
  r->err = err;
  if (d) r->d = *d;
}

static void idem_cb(void *arg, int err, const char *action, const mc_dossier *d) {
  dres *r = arg;
  dossier_cb(arg, err, d);
  if (action) snprintf(r->action, sizeof r->action, "%s", action);
}

typedef struct lres {
  int done;
  int err;
  size_t n;
  char codes[60][MC_DOSSIER_CODE_MAX];
} lres;

static void list_cb(void *arg, int err, const mc_dossier *ds, size_t n) {
  lres *r = arg;
  r->done++;
  r->err = err;
  r->n = n;
  for (size_t i = 0; i < n && i < 60; i++) memcpy(r->codes[i], ds[i].code, MC_DOSSIER_CODE_MAX);
}

typedef struct cres {
  int done, err, nunits, nprocs, town_ok, district_ok, levels_ok;
} cres;

static void catalog_cb(void *arg, int err, const mc_unit *us, size_t nu,
                       const mc_procedure *ps, size_t np) {
  cres *r = arg;
  r->done++;
  r->err = err;
  r->nunits = (int)nu;
  r->nprocs = (int)np;
  for (size_t i = 0; i < nu; i++) {
    if (strcmp(us[i].code, "18496") == 0)
      r->town_ok = strcmp(us[i].name, "Thị trấn Hương Khê") == 0 &&
                   strcmp(us[i].agency_id, "H30.44.01") == 0 &&
                   strcmp(us[i].parent, "444") == 0 && us[i].role == MC_ROLE_COMMUNE;
    if (strcmp(us[i].code, "444") == 0)
      r->district_ok = us[i].role == MC_ROLE_DISTRICT && us[i].parent[0] == '\0';
  }
  int l1 = 0, l2 = 0;
  for (size_t i = 0; i < np; i++) l1 += ps[i].level == 1, l2 += ps[i].level == 2;
  r->levels_ok = l1 >= 5 && l2 >= 5;
}

static void closed_cb(void *arg) { ++*(int *)arg; }

/* ------------------------------------------------------------ wrappers */

static mc_store *open_store(int pool, int queue) {
  mc_store_opts o = {.conninfo = g_conninfo, .pool_size = pool, .max_queue = queue};
  mc_store *s = NULL;
  char err[256];
  int rc = mc_store_open(&g_loop, &o, &s, err, sizeof err);
  if (rc != 0) fprintf(stderr, "open: %s\n", err);
  CHECK(rc == 0 && s != NULL);
  return s;
}

static void close_store(mc_store *s) {
  int closed = 0;
  mc_store_close(s, closed_cb, &closed);
  CHECK(closed == 0);
  run_until(&closed, WAIT_MS);
}

static int g_seq_ms;

static void submit_receive(mc_store *s, const char *unit, const char *agency, const char *day,
                           const char *key, const char *proc, dres *out) {
  mc_applicant a = {"Nguyễn Thị Hương", "042190001234", "0912345678"};
  mc_receive_rec r = {key, unit, agency, day, proc, &a, MC_CH_DIRECT, "Trần Văn Nam",
                      T0 + (g_seq_ms++) * 1000, T0 + 86400000LL};
  memset(out, 0, sizeof *out);
  CHECK(mc_store_receive(s, &r, dossier_cb, out) == 0);
  CHECK(out->done == 0); /* never synchronous */
}

static int receive(mc_store *s, const char *unit, const char *agency, const char *day,
                   const char *key, const char *proc, dres *out) {
  submit_receive(s, unit, agency, day, key, proc, out);
  run_until(&out->done, WAIT_MS);
  return out->err;
}

static int forward(mc_store *s, const char *unit, const char *key, const char *code,
                   dres *out) {
  mc_forward_rec r = {key, unit, code, "444", "Trần Văn Nam", T0 + 3600000, T0 + 7200000};
  memset(out, 0, sizeof *out);
  CHECK(mc_store_forward(s, &r, dossier_cb, out) == 0);
  CHECK(out->done == 0);
  run_until(&out->done, WAIT_MS);
  return out->err;
}

static int show(mc_store *s, const char *code, dres *out) {
  memset(out, 0, sizeof *out);
  CHECK(mc_store_show(s, code, dossier_cb, out) == 0);
  run_until(&out->done, WAIT_MS);
  return out->err;
}

static int list(mc_store *s, const char *viewer, int status, int limit, lres *out) {
  mc_list_query q = {.viewer_unit = viewer, .status = status, .limit = limit};
  memset(out, 0, sizeof *out);
  CHECK(mc_store_list(s, &q, list_cb, out) == 0);
  run_until(&out->done, WAIT_MS);
  return out->err;
}

static int idem(mc_store *s, const char *unit, const char *key, dres *out) {
  memset(out, 0, sizeof *out);
  CHECK(mc_store_idem_lookup(s, unit, key, idem_cb, out) == 0);
  run_until(&out->done, WAIT_MS);
  return out->err;
}

/* --------------------------------------------------------------- tests */

static void test_migrations(void) {
  mc_store *a = open_store(2, 100);
  mc_store *b = open_store(2, 100); /* second open: nothing to apply */
  close_store(a);
  close_store(b);
  CHECK(q_long("SELECT count(*) FROM schema_version") == (long)mc_migrations_count);
  CHECK(q_long("SELECT count(*) FROM units") == 22);
  CHECK(q_long("SELECT count(*) FROM procedures") >= 14);
  fprintf(stderr, "ok migrations idempotent (%zu applied once)\n", mc_migrations_count);
}

static void test_catalog(mc_store *s) {
  cres r = {0};
  CHECK(mc_store_load_catalog(s, catalog_cb, &r) == 0);
  CHECK(r.done == 0);
  run_until(&r.done, WAIT_MS);
  CHECK(r.err == 0 && r.nunits == 22 && r.nprocs >= 14);
  CHECK(r.town_ok && r.district_ok && r.levels_ok);
  fprintf(stderr, "ok catalog units=%d procedures=%d\n", r.nunits, r.nprocs);
}

static void test_receive(mc_store *s) {
  dres r1, r2, again;
  CHECK(receive(s, "18496", "H30.44.01", DAY1, "k1", "1.001193", &r1) == 0);
  CHECK(strcmp(r1.d.code, "H30.44.01-" DAY1 "-0001") == 0);
  CHECK(r1.d.status == MC_ST_RECEIVED && strcmp(r1.d.holder_unit, "18496") == 0);
  CHECK(r1.d.forwarded_to[0] == '\0' && r1.d.forwarded_at_ms == 0);
  CHECK(strcmp(r1.d.unit_name, "Thị trấn Hương Khê") == 0 && r1.d.level == 1);
  CHECK(strcmp(r1.d.applicant.name, "Nguyễn Thị Hương") == 0);
  CHECK(r1.d.received_at_ms == T0 && r1.d.due_at_ms == T0 + 86400000LL);
  CHECK(receive(s, "18496", "H30.44.01", DAY1, "k2", "2.000720", &r2) == 0);
  CHECK(strcmp(r2.d.code, "H30.44.01-" DAY1 "-0002") == 0 && r2.d.level == 2);
  long nd = q_long("SELECT count(*) FROM dossiers");
  long nl = q_long("SELECT count(*) FROM progress_log");
  CHECK(receive(s, "18496", "H30.44.01", DAY1, "k1", "1.001193", &again) == 0);
  CHECK(strcmp(again.d.code, r1.d.code) == 0 && again.d.received_at_ms == T0);
  CHECK(q_long("SELECT count(*) FROM dossiers") == nd);
  CHECK(q_long("SELECT count(*) FROM progress_log") == nl);
  CHECK(receive(s, "18496", "H30.44.01", DAY1, "k9", "9.999999", &again) == MC_ENOTFOUND);
  CHECK(receive(s, "99999", "X", DAY1, "k9", "1.001193", &again) == MC_EINVAL);
  fprintf(stderr, "ok receive %s, %s, replay, unknown procedure\n", r1.d.code, r2.d.code);
}

static void test_concurrent(mc_store *s) {
  static dres rs[50];
  char key[16];
  int seen[51] = {0};
  for (int i = 0; i < 50; i++) {
    snprintf(key, sizeof key, "c%d", i);
    submit_receive(s, "18499", "H30.44.02", DAY2, key, "1.000894", &rs[i]);
  }
  for (int i = 0; i < 50; i++) {
    run_until(&rs[i].done, WAIT_MS);
    CHECK(rs[i].err == 0 && strncmp(rs[i].d.code, "H30.44.02-" DAY2 "-", 17) == 0);
    int n = atoi(rs[i].d.code + 17);
    CHECK(n >= 1 && n <= 50 && !seen[n]);
    seen[n] = 1;
  }
  dres a, b;
  submit_receive(s, "18502", "H30.44.03", DAY2, "same", "1.000894", &a);
  submit_receive(s, "18502", "H30.44.03", DAY2, "same", "1.000894", &b);
  run_until(&a.done, WAIT_MS);
  run_until(&b.done, WAIT_MS);
  CHECK(a.err == 0 && b.err == 0 && strcmp(a.d.code, b.d.code) == 0);
  CHECK(q_long("SELECT count(*) FROM dossiers WHERE unit_code = '18502'") == 1);
  fprintf(stderr, "ok 50 concurrent receives numbered 1..50; same-key race -> one dossier\n");
}

static void test_forward(mc_store *s) {
  dres f, r;
  const char *code = "H30.44.01-" DAY1 "-0002";
  CHECK(forward(s, "18496", "f1", code, &f) == 0);
  CHECK(strcmp(f.d.holder_unit, "444") == 0 && strcmp(f.d.forwarded_to, "444") == 0);
  CHECK(f.d.forwarded_at_ms == T0 + 3600000 && strcmp(f.d.unit_code, "18496") == 0);
  CHECK(forward(s, "18496", "f1", code, &r) == 0 && r.d.forwarded_at_ms == f.d.forwarded_at_ms);
  CHECK(forward(s, "18496", "f2", code, &r) == MC_EBADSTATE);
  CHECK(forward(s, "18499", "f2", code, &r) == MC_EBADSTATE);
  CHECK(forward(s, "18496", "f3", "H30.44.01-" DAY1 "-9999", &r) == MC_ENOTFOUND);
  CHECK(forward(s, "18496", "k1", code, &r) == MC_ECONFLICT);
  CHECK(forward(s, "18496", "f1", "H30.44.01-" DAY1 "-0001", &r) == MC_ECONFLICT);
  CHECK(q_long("SELECT count(*) FROM progress_log l JOIN dossiers d ON d.id = l.dossier_id"
               " WHERE d.code = 'H30.44.01-" DAY1 "-0002'") == 2);
  CHECK(show(s, code, &r) == 0 && strcmp(r.d.holder_unit, "444") == 0);
  CHECK(show(s, "nope", &r) == MC_ENOTFOUND);
  fprintf(stderr, "ok forward once, replay, bad state, not found, conflict\n");
}

static void test_list_idem(mc_store *s) {
  lres l;
  dres r;
  CHECK(list(s, "18505", 0, 100, &l) == 0 && l.n == 0);
  CHECK(list(s, "444", 0, 100, &l) == 0 && l.n == 1);
  CHECK(strcmp(l.codes[0], "H30.44.01-" DAY1 "-0002") == 0);
  CHECK(list(s, "18496", 0, 100, &l) == 0 && l.n == 2);
  CHECK(strcmp(l.codes[0], "H30.44.01-" DAY1 "-0002") == 0); /* newest first */
  CHECK(list(s, "18496", MC_ST_REFUSED, 100, &l) == 0 && l.n == 0);
  CHECK(list(s, "18499", 0, 10, &l) == 0 && l.n == 10);
  CHECK(idem(s, "18496", "k1", &r) == 0 && strcmp(r.action, "receive") == 0);
  CHECK(strcmp(r.d.code, "H30.44.01-" DAY1 "-0001") == 0);
  CHECK(idem(s, "18496", "f1", &r) == 0 && strcmp(r.action, "forward") == 0);
  CHECK(idem(s, "18496", "zz", &r) == MC_ENOTFOUND);
  mc_list_query bad = {.viewer_unit = "444"};
  CHECK(mc_store_list(s, &bad, list_cb, &l) == MC_EINVAL);
  fprintf(stderr, "ok list visibility, idempotency lookup\n");
}

static void test_busy_close(void) {
  mc_store *s = open_store(1, 2);
  dres r[3];
  memset(r, 0, sizeof r);
  CHECK(mc_store_show(s, "x", dossier_cb, &r[0]) == 0);
  CHECK(mc_store_show(s, "x", dossier_cb, &r[1]) == 0);
  CHECK(mc_store_show(s, "x", dossier_cb, &r[2]) == MC_EBUSY);
  close_store(s);
  CHECK(r[0].done == 1 && r[0].err == MC_ECLOSED && r[1].err == MC_ECLOSED);
  CHECK(r[2].done == 0);
  fprintf(stderr, "ok queue bound -> busy, close fails queued ops\n");
}

/* Closing from inside a callback: the rest of the queue fails, no reuse. */
static mc_store *g_reentrant;
static int g_reentrant_closed;
static void close_in_cb(void *arg, int err, const mc_dossier *d) {
  dossier_cb(arg, err, d);
  mc_store_close(g_reentrant, closed_cb, &g_reentrant_closed);
  CHECK(mc_store_show(g_reentrant, "x", dossier_cb, arg) == MC_ECLOSED);
}

static void test_close_in_callback(void) {
  dres r[3];
  memset(r, 0, sizeof r);
  g_reentrant = open_store(1, 10);
  g_reentrant_closed = 0;
  CHECK(mc_store_show(g_reentrant, "x", close_in_cb, &r[0]) == 0);
  CHECK(mc_store_show(g_reentrant, "x", dossier_cb, &r[1]) == 0);
  CHECK(mc_store_show(g_reentrant, "x", dossier_cb, &r[2]) == 0);
  run_until(&g_reentrant_closed, WAIT_MS);
  CHECK(r[0].done == 1 && r[0].err == MC_ENOTFOUND);
  CHECK(r[1].done == 1 && r[1].err == MC_ECLOSED && r[2].err == MC_ECLOSED);
  fprintf(stderr, "ok close from inside a callback\n");
}

static void check_exec(const char *sql) {
  PGresult *r = PQexec(g_check, sql);
  CHECK(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
  PQclear(r);
}

/* An op in flight on a connection that dies fails with MC_EUNAVAIL. */
static void test_inflight_broken(mc_store *s) {
  dres r;
  check_exec("BEGIN");
  check_exec("SELECT * FROM unit_day_seq WHERE unit_code = '18496' FOR UPDATE");
  submit_receive(s, "18496", "H30.44.01", DAY1, "blocked", "1.001193", &r);
  for (int i = 0; i < 50 && q_long("SELECT count(*) FROM pg_stat_activity"
                                   " WHERE wait_event_type = 'Lock'") == 0; i++)
    run_for(100);
  CHECK(q_long("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
               " WHERE wait_event_type = 'Lock'") == 1);
  run_until(&r.done, WAIT_MS);
  CHECK(r.err == MC_EUNAVAIL);
  check_exec("ROLLBACK");
  fprintf(stderr, "ok in-flight op on a dying connection -> unavailable\n");
}

static void test_reconnect(mc_store *s) {
  dres r;
  mc_store_stats st;
  CHECK(q_long("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
               " WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'") >= 1);
  run_for(1000);
  mc_store_get_stats(s, &st);
  CHECK(st.connections_up == 4);
  CHECK(show(s, "H30.44.01-" DAY1 "-0001", &r) == 0);
  fprintf(stderr, "ok reconnect after backends were terminated\n");
}

static void test_unavailable(mc_store *s) {
  dres r;
  PQfinish(g_check);
  g_check = NULL;
  CHECK(sh("%s%s/pg_ctl -D %s/data -m fast -w stop >/dev/null", g_runas, PGBIN, g_dir) == 0);
  g_pg_started = 0;
  run_for(300);
  memset(&r, 0, sizeof r);
  CHECK(mc_store_show(s, "x", dossier_cb, &r) == 0);
  run_until(&r.done, 9000);
  CHECK(r.err == MC_EUNAVAIL);
  fprintf(stderr, "ok database down -> unavailable within the queue wait\n");
}

int main(void) {
  signal(SIGALRM, watchdog_cb);
  alarm(WATCHDOG_S);
  mc_log_level_current = getenv("MC_TEST_DEBUG") ? MC_LOG_DEBUG : MC_LOG_ERROR;
  CHECK(uv_loop_init(&g_loop) == 0);
  pg_setup();
  test_migrations();
  mc_store *s = open_store(4, 1000);
  test_catalog(s);
  test_receive(s);
  test_concurrent(s);
  test_forward(s);
  test_list_idem(s);
  test_busy_close();
  test_close_in_callback();
  test_inflight_broken(s);
  test_reconnect(s);
  test_unavailable(s);
  close_store(s);
  uv_run(&g_loop, UV_RUN_DEFAULT); /* must return: nothing left open */
  CHECK(uv_loop_close(&g_loop) == 0);
  pg_teardown();
  fprintf(stderr, "PASS test_storage\n");
  return 0;
}
