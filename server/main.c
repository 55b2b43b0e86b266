/* motcua-server: settings -> TLS context -> storage (migrations) ->
 * catalogue -> listen -> run; SIGINT/SIGTERM drain and exit 0; SIGHUP
 * reloads the TLS context (CA, CRL, certificate) and the catalogue. */
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "log.h"
#include "monitor_server.h"
#include "sdnotify.h"
#include "server.h"
#include "session.h"

int64_t mc_server_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const mc_unit *mc_server_unit(const mc_server *srv, const char *code) {
  for (size_t i = 0; i < srv->nunits; i++)
    if (strcmp(srv->units[i].code, code) == 0) return &srv->units[i];
  return NULL;
}

const mc_procedure *mc_server_procedure(const mc_server *srv, const char *code) {
  for (size_t i = 0; i < srv->nprocs; i++)
    if (strcmp(srv->procs[i].code, code) == 0) return &srv->procs[i];
  return NULL;
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: motcua-server -c FILE [--migrate] [--name=value ...]\n"
          "  -c FILE      configuration (see deploy/motcua-server.conf.example)\n"
          "  --migrate    apply database migrations and exit\n"
          "  --name=value override any configuration key\n");
}

/* ---- catalogue ---------------------------------------------------------- */

static void listen_start(mc_server *srv);

/* ---- calendar ----------------------------------------------------------- */

static int32_t date_to_day(const char *date) {
  struct tm tm = {0};
  if (strptime(date, "%Y-%m-%d", &tm) == NULL) return INT32_MIN;
  return (int32_t)(timegm(&tm) / 86400);
}

static int cmp_day(const void *a, const void *b) {
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}

static void calendar_cb(void *arg, int err, const mc_calday *days, size_t n) {
  mc_server *srv = arg;
  if (err != 0) {
    mc_log_error(0, "cannot load the calendar err=%s", mc_errname(err));
    return;
  }
  int32_t *h = malloc((n + 1) * sizeof *h), *w = malloc((n + 1) * sizeof *w);
  if (h == NULL || w == NULL) {
    free(h);
    free(w);
    return;
  }
  size_t nh = 0, nw = 0;
  for (size_t i = 0; i < n; i++) {
    int32_t d = date_to_day(days[i].date);
    if (d == INT32_MIN) continue;
    if (days[i].workday) w[nw++] = d;
    else h[nh++] = d;
  }
  qsort(h, nh, sizeof *h, cmp_day);
  qsort(w, nw, sizeof *w, cmp_day);
  free(srv->holidays);
  free(srv->workdays);
  srv->holidays = h;
  srv->workdays = w;
  srv->cal.holidays = h;
  srv->cal.nholidays = nh;
  srv->cal.workdays = w;
  srv->cal.nworkdays = nw;
  mc_log_info(0, "calendar loaded days_off=%zu working_weekend_days=%zu", nh, nw);
}

void mc_server_reload_calendar(mc_server *srv) {
  int rc = mc_store_load_calendar(srv->store, 0, calendar_cb, srv);
  if (rc != 0) mc_log_error(0, "calendar not reloaded err=%s", mc_errname(rc));
}

static void catalog_cb(void *arg, int err, const mc_unit *units, size_t nunits,
                       const mc_procedure *procs, size_t nprocs) {
  mc_server *srv = arg;
  if (err != 0) {
    mc_log_error(0, "cannot load catalogue err=%s", mc_errname(err));
    if (!srv->listening) raise(SIGTERM);
    return;
  }
  mc_unit *u = malloc((nunits + 1) * sizeof *u);
  mc_procedure *p = malloc((nprocs + 1) * sizeof *p);
  if (u == NULL || p == NULL) {
    free(u);
    free(p);
    mc_log_error(0, "catalogue: out of memory");
    return;
  }
  memcpy(u, units, nunits * sizeof *u);
  memcpy(p, procs, nprocs * sizeof *p);
  free(srv->units);
  free(srv->procs);
  srv->units = u;
  srv->nunits = nunits;
  srv->procs = p;
  srv->nprocs = nprocs;
  mc_log_info(0, "catalogue loaded units=%zu procedures=%zu", nunits, nprocs);
  mc_mon_catalog(srv);
  if (!srv->listening) listen_start(srv);
}

/* ---- listener ----------------------------------------------------------- */

static void connection_cb(uv_stream_t *l, int status) {
  mc_server *srv = l->data;
  if (status < 0) {
    mc_log_warn(0, "accept error err=%s", uv_strerror(status));
    return;
  }
  mc_session_accept(srv);
}

static void heartbeat_cb(uv_timer_t *t) { mc_session_heartbeat(t->data); }

static void listen_start(mc_server *srv) {
  struct sockaddr_storage addr;
  int rc = uv_ip4_addr(srv->cfg.listen_host, (int)srv->cfg.listen_port,
                       (struct sockaddr_in *)&addr);
  if (rc != 0)
    rc = uv_ip6_addr(srv->cfg.listen_host, (int)srv->cfg.listen_port,
                     (struct sockaddr_in6 *)&addr);
  if (rc == 0) rc = uv_tcp_bind(&srv->listener, (struct sockaddr *)&addr, 0);
  if (rc == 0) rc = uv_listen((uv_stream_t *)&srv->listener, 511, connection_cb);
  if (rc != 0) {
    mc_log_error(0, "cannot listen host=%s port=%ld err=%s", srv->cfg.listen_host,
                 srv->cfg.listen_port, uv_strerror(rc));
    raise(SIGTERM);
    return;
  }
  srv->listening = 1;
  uint64_t hb = (uint64_t)srv->cfg.heartbeat_s * 1000;
  uv_timer_start(&srv->heartbeat, heartbeat_cb, hb, hb);
  mc_log_info(0, "motcua-server ready version=%s host=%s port=%ld", MC_VERSION,
              srv->cfg.listen_host, srv->cfg.listen_port);
  if (mc_sd_notify("READY=1") != 0) mc_log_warn(0, "sd_notify READY failed");
}

/* ---- shutdown and reload ------------------------------------------------ */

static void store_closed_cb(void *arg) {
  mc_server *srv = arg;
  srv->store = NULL;
  for (int i = 0; i < 3; i++) uv_close((uv_handle_t *)&srv->sig[i], NULL);
}

static void shutdown_begin(mc_server *srv) {
  if (srv->shutting_down) return;
  srv->shutting_down = 1;
  mc_sd_notify("STOPPING=1");
  mc_log_info(0, "shutting down sessions=%zu", srv->nsessions);
  uv_close((uv_handle_t *)&srv->listener, NULL);
  uv_close((uv_handle_t *)&srv->heartbeat, NULL);
  mc_mon_shutdown(srv);
  mc_session_close_all(srv, "server shutdown");
  mc_files_stop(srv);
  mc_store_close(srv->store, store_closed_cb, srv);
}

static void reload(mc_server *srv) {
  char err[512];
  SSL_CTX *ctx;
  mc_tls_files f = {srv->cfg.tls_ca, srv->cfg.tls_cert, srv->cfg.tls_key, srv->cfg.tls_crl};
  if (mc_tls_ctx_new(&ctx, 1, &f, err, sizeof err) != 0) {
    mc_log_error(0, "reload: keeping the old TLS context: %s", err);
  } else {
    mc_tls_ctx_free(srv->tls); /* live links keep their own reference */
    srv->tls = ctx;
    mc_log_info(0, "reload: TLS context replaced");
  }
  mc_mon_reload(srv); /* certificate facts; close sessions now revoked */
  int rc = mc_store_load_catalog(srv->store, catalog_cb, srv);
  if (rc != 0) mc_log_error(0, "reload: catalogue not reloaded err=%s", mc_errname(rc));
  mc_server_reload_calendar(srv);
}

static void signal_cb(uv_signal_t *h, int signum) {
  mc_server *srv = h->data;
  mc_log_info(0, "signal %s", strsignal(signum));
  if (signum == SIGHUP && !srv->shutting_down) reload(srv);
  else if (signum != SIGHUP) shutdown_begin(srv);
}

/* ---- start -------------------------------------------------------------- */

static void calendar_init(mc_server *srv) {
  srv->cal = (mc_calendar){
      .utc_offset_min = (int)srv->cfg.utc_offset_minutes,
      .cutoff_min = (int)srv->cfg.cutoff_minutes,
      .day_start_min = 450,
      .day_end_min = (int)srv->cfg.day_end_minutes,
  };
}

static int server_open(mc_server *srv, uv_loop_t *loop) {
  char err[512];
  mc_tls_files f = {srv->cfg.tls_ca, srv->cfg.tls_cert, srv->cfg.tls_key, srv->cfg.tls_crl};
  srv->loop = loop;
  calendar_init(srv);
  if (mc_tls_ctx_new(&srv->tls, 1, &f, err, sizeof err) != 0) {
    mc_log_error(0, "tls: %s", err);
    return -1;
  }
  mc_store_opts so = {.conninfo = srv->cfg.db_conninfo,
                      .pool_size = (int)srv->cfg.db_pool_size,
                      .max_queue = (int)srv->cfg.db_max_queue,
                      .migrate_conninfo = srv->cfg.db_migrate_conninfo};
  if (mc_store_open(loop, &so, &srv->store, err, sizeof err) != 0) {
    mc_log_error(0, "database: %s", err);
    return -1; /* server_free() releases the TLS context */
  }
  if (mc_files_start(srv, err, sizeof err) != 0) {
    mc_log_error(0, "files: %s", err);
    return -1;
  }
  if (mc_mon_init(srv) != 0) return -1;
  uv_tcp_init(loop, &srv->listener);
  uv_timer_init(loop, &srv->heartbeat);
  srv->listener.data = srv->heartbeat.data = srv;
  static const int signums[3] = {SIGINT, SIGTERM, SIGHUP};
  for (int i = 0; i < 3; i++) {
    uv_signal_init(loop, &srv->sig[i]);
    srv->sig[i].data = srv;
    uv_signal_start(&srv->sig[i], signal_cb, signums[i]);
  }
  /* Storage answers in order: the calendar is in place before the
   * catalogue callback opens the listener. */
  mc_server_reload_calendar(srv);
  if (mc_store_load_catalog(srv->store, catalog_cb, srv) != 0) raise(SIGTERM);
  return 0;
}

static const char *find_conf(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], "-c") == 0) return argv[i + 1];
  return NULL;
}

/* What is left after --name=value options were consumed. */
static int parse_args(int argc, char **argv, int *migrate) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) i++;
    else if (strcmp(argv[i], "--migrate") == 0) *migrate = 1;
    else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return 1;
    else {
      fprintf(stderr, "motcua-server: unknown argument \"%s\"\n", argv[i]);
      return -1;
    }
  }
  return 0;
}

static void noop_cb(void *arg) { (void)arg; }

static int migrate_only(mc_server *srv, uv_loop_t *loop) {
  char err[512];
  mc_store_opts so = {.conninfo = srv->cfg.db_conninfo, .pool_size = 1, .max_queue = 1,
                      .migrate_conninfo = srv->cfg.db_migrate_conninfo};
  if (mc_store_open(loop, &so, &srv->store, err, sizeof err) != 0) {
    mc_log_error(0, "database: %s", err);
    return 1;
  }
  mc_store_close(srv->store, noop_cb, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  mc_log_info(0, "migrations applied");
  return 0;
}

static void server_free(mc_server *srv) {
  mc_mon_free(srv);
  free(srv->units);
  free(srv->procs);
  free(srv->holidays);
  free(srv->workdays);
  if (srv->tls != NULL) mc_tls_ctx_free(srv->tls);
}

static int run(mc_server *srv, int migrate) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  int rc = migrate ? migrate_only(srv, &loop) : server_open(srv, &loop) != 0;
  if (!migrate && rc == 0) uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0) {
    mc_log_warn(0, "handles still open at exit");
    uv_run(&loop, UV_RUN_NOWAIT);
    uv_loop_close(&loop);
  }
  server_free(srv);
  if (rc == 0 && !migrate) mc_log_info(0, "stopped");
  return rc;
}

/* Large blocks (TLS plaintext, 256 KiB upload chunks, frames up to 1 MiB)
 * come and go at line rate. glibc's defaults give each back to the kernel
 * (mmap above 128 KiB, heap trimmed above 128 KiB free at the top) and
 * every reuse then faults its pages in again: during a 100 MiB upload that
 * was most of the server's CPU (111 ticks against 31-35 with these
 * settings, docs/PERFORMANCE.md). Blocks up to 2 MiB stay on the heap; the
 * heap is trimmed once 4 MiB are free at its top. */
static void tune_malloc(void) {
  mallopt(M_MMAP_THRESHOLD, 2 << 20);
  mallopt(M_TRIM_THRESHOLD, 4 << 20);
}

int main(int argc, char **argv) {
  static mc_server srv;
  char err[512];
  int migrate = 0;
  tune_malloc();
  signal(SIGPIPE, SIG_IGN);
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
      return usage(stdout), 0;
  if (mc_settings_load(&srv.cfg, find_conf(argc, argv), &argc, argv, err, sizeof err) != 0) {
    fprintf(stderr, "motcua-server: %s\n", err);
    return 2;
  }
  int a = parse_args(argc, argv, &migrate);
  if (a != 0) return usage(stderr), 2;
  int level = mc_log_level_parse(srv.cfg.log_level);
  if (level < 0) {
    fprintf(stderr, "motcua-server: log_level: unknown level \"%s\"\n", srv.cfg.log_level);
    return 2;
  }
  mc_log_level_current = level;
  return run(&srv, migrate);
}
