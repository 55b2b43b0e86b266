/* The server object (server.h): clock, catalogue and calendar caches, and
 * the lifecycle: settings -> TLS context -> storage (migrations) ->
 * calendar and office hours, catalogue -> listen; SIGHUP reloads the TLS
 * context, the revocations, the catalogue and the calendar; shutdown
 * drains. */
#include "server.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "files.h"
#include "link.h"
#include "log.h"
#include "sdnotify.h"

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

size_t mc_server_close_sessions(mc_server *srv, mc_server_match_cb match, void *arg, int why,
                                const char *reason) {
  return srv->hooks.close_cb != NULL ? srv->hooks.close_cb(srv, match, arg, why, reason) : 0;
}

/* A certificate is valid up to and including its notAfter second. */
static int expired_cb(void *arg, const mc_peer_id *peer) {
  int64_t now_s = *(const int64_t *)arg / 1000;
  return peer->not_after > 0 && peer->not_after < now_s;
}

size_t mc_server_close_expired(mc_server *srv, int64_t now_ms) {
  size_t n = mc_server_close_sessions(srv, expired_cb, &now_ms,
                                      MOTCUA__CLOSE_REASON__CLOSE_CERT_REVOKED,
                                      "certificate expired");
  if (n > 0) mc_log_warn(0, "certificate expired: sessions_closed=%zu", n);
  return n;
}

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

static void calendar_set(mc_server *srv, int32_t *h, size_t nh, int32_t *w, size_t nw) {
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
  calendar_set(srv, h, nh, w, nw);
}

/* The default schedules (unit "") of h[0..n): rows arrive sorted by unit. */
static size_t default_hours(const mc_work_hours *h, size_t n) {
  size_t k = 0;
  while (k < n && h[k].unit[0] == '\0') k++;
  return k;
}

static void hours_cb(void *arg, int err, const mc_work_hours *rows, size_t n) {
  mc_server *srv = arg;
  if (err != 0) {
    mc_log_error(0, "cannot load the office hours err=%s", mc_errname(err));
    return;
  }
  mc_work_hours *h = malloc((n + 1) * sizeof *h);
  if (h == NULL) return;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (mc_cal_check_hours(&rows[i]) == 0) h[k++] = rows[i];
    else mc_log_warn(0, "office hours row ignored unit=%s valid_from=%d",
                     rows[i].unit[0] ? rows[i].unit : "-", rows[i].valid_from);
  }
  free(srv->hours);
  srv->hours = h;
  srv->nhours = k;
  srv->cal.hours = h;
  srv->cal.nhours = default_hours(h, k);
  if (srv->cal.nhours == 0) srv->cal.hours = NULL; /* day_start..day_end */
  mc_log_info(0, "office hours loaded schedules=%zu default=%zu", k, srv->cal.nhours);
}

void mc_server_calendar(const mc_server *srv, const char *unit, mc_calendar *out) {
  *out = srv->cal;
  size_t i = 0;
  while (unit != NULL && i < srv->nhours && strcmp(srv->hours[i].unit, unit) != 0) i++;
  size_t j = i;
  while (unit != NULL && j < srv->nhours && strcmp(srv->hours[j].unit, unit) == 0) j++;
  if (j > i) {
    out->hours = &srv->hours[i];
    out->nhours = j - i;
  }
}

void mc_server_reload_calendar(mc_server *srv) {
  int rc = mc_store_load_calendar(srv->store, 0, calendar_cb, srv);
  if (rc != 0) mc_log_error(0, "calendar not reloaded err=%s", mc_errname(rc));
  rc = mc_store_load_hours(srv->store, hours_cb, srv);
  if (rc != 0) mc_log_error(0, "office hours not reloaded err=%s", mc_errname(rc));
}

/* ---- catalogue ---------------------------------------------------------- */

static void listen_start(mc_server *srv);

static int catalog_set(mc_server *srv, const mc_unit *units, size_t nunits,
                       const mc_procedure *procs, size_t nprocs) {
  mc_unit *u = malloc((nunits + 1) * sizeof *u);
  mc_procedure *p = malloc((nprocs + 1) * sizeof *p);
  if (u == NULL || p == NULL) {
    free(u);
    free(p);
    return MC_ENOMEM;
  }
  memcpy(u, units, nunits * sizeof *u);
  memcpy(p, procs, nprocs * sizeof *p);
  free(srv->units);
  free(srv->procs);
  srv->units = u;
  srv->nunits = nunits;
  srv->procs = p;
  srv->nprocs = nprocs;
  return 0;
}

static void catalog_cb(void *arg, int err, const mc_unit *units, size_t nunits,
                       const mc_procedure *procs, size_t nprocs) {
  mc_server *srv = arg;
  if (err != 0) {
    mc_log_error(0, "cannot load catalogue err=%s", mc_errname(err));
    if (!srv->listening) raise(SIGTERM);
    return;
  }
  if (catalog_set(srv, units, nunits, procs, nprocs) != 0) {
    mc_log_error(0, "catalogue: out of memory");
    return;
  }
  mc_log_info(0, "catalogue loaded units=%zu procedures=%zu", nunits, nprocs);
  if (srv->hooks.catalog_cb != NULL) srv->hooks.catalog_cb(srv);
  if (!srv->listening) listen_start(srv);
}

/* ---- listener ----------------------------------------------------------- */

static void connection_cb(uv_stream_t *l, int status) {
  mc_server *srv = l->data;
  if (status < 0) {
    mc_log_warn(0, "accept error err=%s", uv_strerror(status));
    return;
  }
  srv->hooks.accept_cb(srv);
}

/* ---- loop turns --------------------------------------------------------- */

static uint64_t thread_cpu_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Before the loop waits for I/O: the time since the last wait ended (the
 * span since the previous mark less the time the loop spent waiting) is
 * one turn: timers, idle handles (yielded links), every ready link's read
 * callback, database answers. Its wall time includes the time the kernel
 * ran other processes (co-located load); its CPU time (the loop thread's)
 * is the server's own work, read once per stretch of short turns (turns.h:
 * the clock is a system call, which a busy loop would pay every turn). */
static void turn_mark_cb(uv_prepare_t *h) {
  mc_server *srv = h->data;
  uint64_t now = uv_hrtime(), idle = uv_metrics_idle_time(srv->loop);
  if (srv->turn_at_ns != 0) {
    uint64_t span = now - srv->turn_at_ns, waited = idle - srv->turn_idle_ns;
    uint64_t wall_ns = span > waited ? span - waited : 0;
    mc_turn_hist_add(&srv->turns, (int64_t)(wall_ns / 1000));
    if (mc_turn_meter_wall(&srv->turn_meter, &srv->turns_cpu, wall_ns))
      mc_turn_meter_cpu(&srv->turn_meter, &srv->turns_cpu, thread_cpu_ns());
  } else {
    mc_turn_meter_start(&srv->turn_meter, thread_cpu_ns());
  }
  srv->turn_at_ns = now;
  srv->turn_idle_ns = idle;
}

/* After the wait for I/O, before the idle handles: a new handshake budget
 * (common/link.h), so the handshakes deferred last turn (resumed by their
 * idle handles) go before the ClientHellos the next wait returns, first
 * come, first served. */
static void hs_budget_cb(uv_check_t *h) {
  (void)h;
  mc_link_turn_begin();
}

static void turn_mark_start(mc_server *srv, uv_loop_t *loop) {
  uv_loop_configure(loop, UV_METRICS_IDLE_TIME);
  mc_link_handshake_budget(MC_SERVER_HANDSHAKES_PER_TURN);
  uv_prepare_init(loop, &srv->turn_mark);
  srv->turn_mark.data = srv;
  uv_prepare_start(&srv->turn_mark, turn_mark_cb);
  uv_unref((uv_handle_t *)&srv->turn_mark);
  uv_check_init(loop, &srv->hs_budget);
  uv_check_start(&srv->hs_budget, hs_budget_cb);
  uv_unref((uv_handle_t *)&srv->hs_budget);
}

static void heartbeat_cb(uv_timer_t *t) {
  mc_server *srv = t->data;
  mc_server_close_expired(srv, mc_server_now_ms());
  if (srv->hooks.heartbeat_cb != NULL) srv->hooks.heartbeat_cb(srv);
}

static int listen_bind(mc_server *srv) {
  struct sockaddr_storage addr;
  int rc = uv_ip4_addr(srv->cfg.listen_host, (int)srv->cfg.listen_port,
                       (struct sockaddr_in *)&addr);
  if (rc != 0)
    rc = uv_ip6_addr(srv->cfg.listen_host, (int)srv->cfg.listen_port,
                     (struct sockaddr_in6 *)&addr);
  if (rc == 0) rc = uv_tcp_bind(&srv->listener, (struct sockaddr *)&addr, 0);
  if (rc == 0) rc = uv_listen((uv_stream_t *)&srv->listener, 511, connection_cb);
  return rc;
}

static void listen_start(mc_server *srv) {
  int rc = listen_bind(srv);
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

/* Both pools closed (the reports' one may not exist): stopped. */
static void store_closed_cb(void *arg) {
  mc_server *srv = arg;
  srv->store = NULL;
  if (srv->report_store == NULL && srv->stopped_cb != NULL) srv->stopped_cb(srv);
}

static void report_store_closed_cb(void *arg) {
  mc_server *srv = arg;
  srv->report_store = NULL;
  if (srv->store == NULL && srv->stopped_cb != NULL) srv->stopped_cb(srv);
}

static void stores_close_cb(uv_timer_t *t) {
  mc_server *srv = t->data;
  uv_close((uv_handle_t *)t, NULL);
  if (srv->report_store != NULL) mc_store_close(srv->report_store, report_store_closed_cb, srv);
  mc_store_close(srv->store, store_closed_cb, srv);
}

void mc_server_shutdown(mc_server *srv, void (*stopped_cb)(mc_server *srv)) {
  if (srv->shutting_down) return;
  srv->shutting_down = 1;
  srv->stopped_cb = stopped_cb;
  mc_sd_notify("STOPPING=1");
  mc_log_info(0, "shutting down sessions=%zu", srv->nsessions);
  uv_close((uv_handle_t *)&srv->listener, NULL);
  uv_close((uv_handle_t *)&srv->heartbeat, NULL);
  uv_close((uv_handle_t *)&srv->turn_mark, NULL);
  uv_close((uv_handle_t *)&srv->hs_budget, NULL);
  mc_server_notify_stop(srv);
  if (srv->hooks.stop_cb != NULL) srv->hooks.stop_cb(srv);
  mc_sweeper_stop(srv->sweeper);
  srv->sweeper = NULL;
  /* Closing a pool fails what is still queued. One loop turn first: what
   * the hooks just queued (the monitor's withdrawal of this instance's
   * live links) reaches an idle connection, and the close waits for it. */
  uv_timer_start(&srv->stop_turn, stores_close_cb, 0, 0);
}

static void tls_files(const mc_server *srv, mc_tls_files *f) {
  *f = (mc_tls_files){srv->cfg.tls_ca, srv->cfg.tls_cert, srv->cfg.tls_key, srv->cfg.tls_crl};
}

void mc_server_reload(mc_server *srv) {
  char err[512];
  SSL_CTX *ctx;
  mc_tls_files f;
  if (srv->shutting_down) return;
  tls_files(srv, &f);
  if (mc_tls_ctx_new(&ctx, 1, &f, err, sizeof err) != 0) {
    mc_log_error(0, "reload: keeping the old TLS context: %s", err);
  } else {
    mc_tls_ctx_free(srv->tls); /* live links keep their own reference */
    srv->tls = ctx;
    mc_log_info(0, "reload: TLS context replaced");
  }
  if (srv->hooks.reload_cb != NULL) srv->hooks.reload_cb(srv); /* revoked sessions */
  mc_server_reload_catalog(srv);
  mc_server_reload_calendar(srv);
}

void mc_server_reload_catalog(mc_server *srv) {
  int rc = mc_store_load_catalog(srv->store, catalog_cb, srv);
  if (rc != 0) mc_log_error(0, "reload: catalogue not reloaded err=%s", mc_errname(rc));
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

static void store_opts(mc_server *srv, mc_store_opts *so) {
  *so = (mc_store_opts){.conninfo = srv->cfg.db_conninfo,
                        .pool_size = (int)srv->cfg.db_pool_size,
                        .max_queue = (int)srv->cfg.db_max_queue,
                        .no_migrate = 1, /* the serving process never migrates (W7) */
                        .unit_share = (int)srv->cfg.db_unit_share,
                        .receive_lanes = (int)srv->cfg.db_receive_lanes,
                        .statement_timeout_ms = (int)srv->cfg.db_statement_timeout_ms,
                        .pii_key_file = srv->cfg.pii_key_file,
                        .notify_cb = mc_server_notify_cb,
                        .notify_arg = srv};
}

static int open_tls_and_store(mc_server *srv) {
  char err[512];
  mc_tls_files f;
  mc_store_opts so;
  tls_files(srv, &f);
  int rc = mc_tls_ctx_new(&srv->tls, 1, &f, err, sizeof err);
  if (rc != 0) {
    mc_log_error(0, "tls: %s", err);
    return rc;
  }
  store_opts(srv, &so);
  if ((rc = mc_store_open(srv->loop, &so, &srv->store, err, sizeof err)) != 0) {
    mc_log_error(0, "database: %s", err); /* mc_server_free() releases the TLS context */
    return rc;
  }
  if (srv->cfg.db_report_conninfo[0] == '\0') return 0;
  /* Reports read from a standby when there is one (docs/SCALE.md): their
   * own small pool, no listener, no citizen-data key (nothing written). */
  so = (mc_store_opts){.conninfo = srv->cfg.db_report_conninfo,
                       .pool_size = (int)srv->cfg.db_report_pool_size,
                       .max_queue = (int)srv->cfg.max_reports + 1,
                       .no_migrate = 1,
                       .statement_timeout_ms = (int)srv->cfg.db_statement_timeout_ms,
                       .name = "reports"};
  if ((rc = mc_store_open(srv->loop, &so, &srv->report_store, err, sizeof err)) != 0)
    mc_log_error(0, "database (reports): %s", err);
  return rc;
}

/* data_dir and the expiry sweep of the content store. */
static int files_start(mc_server *srv) {
  char err[512];
  int rc = mc_file_store_dir(&srv->files, srv->loop, srv->cfg.data_dir, err, sizeof err);
  if (rc != 0) {
    mc_log_error(0, "files: %s", err);
    return rc;
  }
  rc = mc_sweeper_start(srv->loop, srv->store, srv->files, srv->cfg.upload_expiry_s,
                        &srv->hooks.sweep, &srv->sweeper);
  if (rc != 0) mc_log_error(0, "files: sweeper err=%s", mc_errname(rc));
  return rc;
}

int mc_server_open(mc_server *srv, uv_loop_t *loop) {
  char err[512];
  srv->loop = loop;
  calendar_init(srv);
  int rc = open_tls_and_store(srv);
  if (rc == 0) rc = files_start(srv);
  if (rc == 0 && srv->hooks.start_cb != NULL && (rc = srv->hooks.start_cb(srv, err, sizeof err)))
    mc_log_error(0, "start: %s", err);
  if (rc != 0) return rc;
  uv_tcp_init(loop, &srv->listener);
  uv_timer_init(loop, &srv->heartbeat);
  uv_timer_init(loop, &srv->stop_turn);
  turn_mark_start(srv, loop);
  mc_server_notify_start(srv);
  srv->listener.data = srv->heartbeat.data = srv->stop_turn.data = srv;
  /* Storage answers in order: the calendar is in place before the
   * catalogue callback opens the listener. */
  mc_server_reload_calendar(srv);
  if (mc_store_load_catalog(srv->store, catalog_cb, srv) != 0) raise(SIGTERM);
  return 0;
}

/* The separate migration step (W7): only the owner's connection, no pool. */
int mc_server_migrate(mc_server *srv, uv_loop_t *loop) {
  char err[512];
  (void)loop;
  const char *mig = srv->cfg.db_migrate_conninfo[0] ? srv->cfg.db_migrate_conninfo
                                                    : srv->cfg.db_conninfo;
  int rc = mc_store_migrate(mig, err, sizeof err);
  if (rc != 0) {
    mc_log_error(0, "database: %s", err);
    return rc;
  }
  mc_log_info(0, "migrations applied");
  return 0;
}

void mc_server_free(mc_server *srv) {
  if (srv->hooks.free_cb != NULL) srv->hooks.free_cb(srv);
  free(srv->units);
  free(srv->procs);
  free(srv->holidays);
  free(srv->workdays);
  free(srv->hours);
  if (srv->tls != NULL) mc_tls_ctx_free(srv->tls);
  mc_file_store_free(srv->files);
  srv->files = NULL;
}
