/* The monitor inside the server (monitor_server.h): connection records,
 * the link history, certificate facts and revocation at reload, alerts on
 * a timer, and the admin HTTP routes. It knows no session: net/ calls the
 * mc_mon_conn_* functions, and revoked sessions are closed by asking the
 * server object (mc_server_close_sessions). */
#include "monitor_server.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "http.h"
#include "link.h"
#include "log.h"
#include "monitor_tls.h"
#include "retention.h"
#include "store.h"

#define TICK_MS 5000         /* alerts, database and TLS state */
#define DB_EVERY_TICKS 12    /* link history queries: every minute */
#define WAITING_LIMIT 200
/* The cluster view (migration 021): this instance's links are written at a
 * connect or disconnect (after LIVE_SOON_MS, so a burst is one statement)
 * and every LIVE_SYNC_MS; the view of every instance is read every
 * LIVE_READ_MS into the registry, which the HTTP routes and MonitorRequest
 * then render without a query. A row not refreshed within LIVE_LEASE_S
 * belongs to an instance that died: ignored by the read, deleted by the
 * next sync. The lease is several sync periods, so a slow statement or a
 * busy pool does not make a live instance's links blink. */
#define LIVE_SOON_MS 50
#define LIVE_SYNC_MS 2000
#define LIVE_READ_MS 1000
#define LIVE_LEASE_S 10
#define LIVE_READ_MAX 100000

extern const unsigned char mc_dashboard_html[];
extern const size_t mc_dashboard_html_len;

struct mc_mon_state {
  mc_monitor reg;
  mc_http *http;
  uv_timer_t tick;
  unsigned ticks;
  mc_mon_tls tls;
  int64_t boot_ms;
  int db_busy;      /* periodic queries outstanding */
  int stopped;
  uv_timer_t live_tick, live_soon;
  unsigned live_ticks;
  int live_syncing, live_again; /* one sync in flight; another wanted after it */
  int live_full;                /* the next sync sends every link (start, after a failure) */
  size_t live_ndirty;           /* links marked live_dirty */
  uint64_t *live_gone;          /* sessions that ended since the last sync sent */
  size_t live_ngone, live_gone_cap;
  int live_reading;
  int64_t live_read_ok_ms;      /* last successful read */
  mc_retention *ret;            /* NULL: retention off */
};

static mc_monitor *reg_of(mc_server *srv) { return srv->mon ? &srv->mon->reg : NULL; }

const mc_monitor *mc_mon_registry(const mc_server *srv) {
  return srv->mon ? &srv->mon->reg : NULL;
}

/* ---- facts refreshed from the server ------------------------------------- */

_Static_assert(MC_MON_TURN_BUCKETS == MC_TURN_BUCKETS, "loop turn buckets");
static void copy_turns(mc_mon_turns *to, const mc_turn_hist *from) {
  memcpy(to->within, from->within, sizeof to->within);
  to->count = from->count;
  to->sum_us = from->sum_us;
  to->max_us = from->max_us;
}

static void refresh_db(mc_server *srv) {
  mc_monitor *m = reg_of(srv);
  mc_store_stats st = {0};
  if (srv->store != NULL) mc_store_get_stats(srv->store, &st);
  m->srv.db_up = st.connections_up;
  m->srv.db_pool = (int)srv->cfg.db_pool_size;
  m->srv.db_queries = st.queries_total;
  m->srv.db_errors = st.errors_total;
  m->srv.db_queued = st.queued;
  m->srv.db_batches = st.batches_total;
  m->srv.db_batched = st.batched_total;
  m->srv.db_lanes = st.receive_lanes;
  m->srv.db_in_use = st.in_flight;
  m->srv.db_queue_limit = (int)srv->cfg.db_max_queue;
  const mc_officer_counts *o = &srv->officers;
  m->srv.logins_ok = o->logins_ok;
  m->srv.logins_failed = o->logins_failed;
  m->srv.logins_locked = o->logins_locked;
  m->srv.lockouts = o->lockouts;
  m->srv.other_unit = o->other_unit;
  m->srv.hash_busy = o->hash_busy;
  m->srv.sessions_refused = o->sessions_refused;
  m->srv.hashes_running = o->hashes_running;
  m->srv.hashes_waiting = o->hashes_waiting;
  memcpy(m->srv.turn_le_us, mc_turn_le_us, sizeof m->srv.turn_le_us);
  copy_turns(&m->srv.turn_wall, &srv->turns);
  copy_turns(&m->srv.turn_cpu, &srv->turns_cpu);
  m->srv.wait_cpu_ns = srv->turn_meter.waits_ns;
  m->srv.hs_steps = mc_link_handshake_steps();
  m->srv.hs_deferred = mc_link_handshake_deferred();
}

/* ---- the process (/proc/self), for process_* ------------------------------- */

/* Fields 14 (utime), 15 (stime) and 22 (starttime) of /proc/self/stat, in
 * clock ticks. 0 or -1. */
static int proc_stat_ticks(unsigned long long *cpu, unsigned long long *start) {
  char buf[1024];
  FILE *f = fopen("/proc/self/stat", "r");
  size_t n = f != NULL ? fread(buf, 1, sizeof buf - 1, f) : 0;
  if (f != NULL) fclose(f);
  buf[n] = '\0';
  char *p = strrchr(buf, ')');
  unsigned long long ut, st, t0;
  if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
                                 "%*d %*d %*d %*d %*d %*d %llu", &ut, &st, &t0) != 3)
    return -1;
  *cpu = ut + st;
  *start = t0;
  return 0;
}

static long long boot_time_s(void) {
  char line[256];
  long long bt = 0;
  FILE *f = fopen("/proc/stat", "r");
  while (f != NULL && fgets(line, sizeof line, f) != NULL)
    if (sscanf(line, "btime %lld", &bt) == 1) break;
  if (f != NULL) fclose(f);
  return bt;
}

static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  if (d == NULL) return -1;
  for (struct dirent *e; (e = readdir(d)) != NULL;)
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n - 1; /* the directory's own descriptor */
}

static void refresh_process(mc_mon_server *s) {
  long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
  unsigned long long cpu, start, size, rss;
  if (tck > 0 && proc_stat_ticks(&cpu, &start) == 0) {
    s->cpu_seconds = (double)cpu / (double)tck;
    if (s->process_start_ms == 0)
      s->process_start_ms = boot_time_s() * 1000 + (int64_t)(start * 1000 / (unsigned long long)tck);
  }
  FILE *f = fopen("/proc/self/statm", "r");
  if (f != NULL && fscanf(f, "%llu %llu", &size, &rss) == 2 && page > 0)
    s->rss_bytes = rss * (unsigned long long)page;
  if (f != NULL) fclose(f);
  s->open_fds = count_fds();
}

static void refresh_tls(mc_server *srv) {
  struct mc_mon_state *st = srv->mon;
  if (mc_mon_tls_load(&st->tls, srv->cfg.tls_ca, srv->cfg.tls_cert, srv->cfg.tls_crl) != 0)
    mc_log_error(0, "monitor: cannot read the CRL file=%s", srv->cfg.tls_crl);
  st->reg.srv.server_cert_not_after_ms = st->tls.server_not_after_ms;
  st->reg.srv.ca_not_after_ms = st->tls.ca_not_after_ms;
  st->reg.srv.crl_next_update_ms = st->tls.crl_next_update_ms;
  st->reg.srv.tls_ok = mc_mon_tls_valid(&st->tls, mc_server_now_ms());
}

static int working_now(void *arg, int64_t now_ms) {
  const mc_calendar *cal = &((mc_server *)arg)->cal;
  int min = mc_local_minute(cal, now_ms);
  return mc_is_working_day(cal, mc_local_day(cal, now_ms)) && min >= cal->day_start_min &&
         min < cal->day_end_min;
}

static void eval_alerts(mc_server *srv, int64_t now) {
  mc_monitor *m = reg_of(srv);
  if (mc_monitor_eval_alerts(m, now, working_now, srv) == 0) return;
  for (size_t i = 0; i < m->nalerts; i++)
    if (m->alerts[i].fresh)
      mc_log_warn(0, "alert kind=%s unit=%s subject=\"%s\" msg=\"%s\"", m->alerts[i].kind,
                  m->alerts[i].unit[0] ? m->alerts[i].unit : "-", m->alerts[i].subject,
                  m->alerts[i].message);
}

/* ---- periodic link-history queries ---------------------------------------- */

static void ack_cb(void *arg, int err) {
  mc_server *srv = arg;
  if (err != 0 && srv->mon != NULL) {
    srv->mon->reg.srv.db_errors++;
    mc_log_warn(0, "monitor: link history not written err=%s", mc_errname(err));
  }
}

static void uptime_cb(void *arg, int err, const mc_uptime_row *rows, size_t n) {
  mc_server *srv = arg;
  if (srv->mon == NULL) return;
  srv->mon->db_busy--;
  for (size_t i = 0; err == 0 && i < n; i++) {
    mc_mon_unit *u = mc_monitor_unit(&srv->mon->reg, rows[i].unit);
    if (u != NULL) u->uptime_today_pct = rows[i].pct < 0 ? -1 : (int)(rows[i].pct + 0.5);
  }
}

static void waiting_cb(void *arg, int err, const mc_waiting_row *rows, size_t n) {
  mc_server *srv = arg;
  if (srv->mon == NULL) return;
  mc_monitor *m = &srv->mon->reg;
  srv->mon->db_busy--;
  if (err != 0) return;
  int64_t now = mc_server_now_ms(), due;
  m->nstuck = 0;
  for (size_t i = 0; i < n && m->nstuck < sizeof m->stuck / sizeof m->stuck[0]; i++) {
    if (mc_deadline(&srv->cal, rows[i].forwarded_ms, (int)srv->cfg.forward_accept_hours,
                    MC_LIMIT_HOURS, &due) != 0 || due > now)
      continue;
    mc_mon_alert *a = &m->stuck[m->nstuck++];
    memset(a, 0, sizeof *a);
    snprintf(a->kind, sizeof a->kind, "forward_not_accepted");
    snprintf(a->unit, sizeof a->unit, "%s", rows[i].from_unit);
    snprintf(a->subject, sizeof a->subject, "%s", rows[i].code);
    snprintf(a->message, sizeof a->message,
             "dossier %s forwarded by %s not accepted within %ld working hours", rows[i].code,
             rows[i].from_unit, srv->cfg.forward_accept_hours);
    a->since_ms = due;
  }
}

/* The dossier gauges (migration 018's mc_report_gauges), one statement a
 * minute in the background: /metrics only reads the numbers. */
static void gauges_cb(void *arg, int err, const mc_gauge_row *rows, size_t n) {
  mc_server *srv = arg;
  if (srv->mon == NULL) return;
  srv->mon->db_busy--;
  for (size_t i = 0; err == 0 && i < n; i++) {
    mc_mon_unit *u = mc_monitor_unit(&srv->mon->reg, rows[i].unit);
    if (u == NULL) continue;
    u->dossiers_known = 1;
    u->received_today = rows[i].received_today;
    u->in_progress = rows[i].in_progress;
    u->overdue = rows[i].overdue;
  }
}

static void today(const mc_server *srv, int64_t now, char out[11]) {
  char d[7];
  mc_local_yymmdd(&srv->cal, now, d);
  snprintf(out, 11, "20%.2s-%.2s-%.2s", d, d + 2, d + 4);
}

static void query_history(mc_server *srv, int64_t now) {
  struct mc_mon_state *st = srv->mon;
  char day[11];
  if (srv->store == NULL || srv->shutting_down || st->db_busy > 0) return;
  today(srv, now, day);
  mc_store_server_alive(srv->store, st->boot_ms, now, ack_cb, srv);
  if (mc_store_link_uptime(srv->store, day, day, (int)srv->cfg.utc_offset_minutes, uptime_cb,
                           srv) == 0)
    st->db_busy++;
  if (mc_store_forwards_waiting(srv->store, srv->cfg.centre_unit, WAITING_LIMIT, waiting_cb,
                                srv) == 0)
    st->db_busy++;
  if (mc_store_report_gauges(srv->store, now, (int)srv->cfg.utc_offset_minutes, gauges_cb,
                             srv) == 0)
    st->db_busy++;
}

/* ---- the cluster view (live_links) ------------------------------------------ */

static void live_sync(mc_server *srv);

static void live_synced_cb(void *arg, int err, int64_t n) {
  mc_server *srv = arg;
  if (srv->mon == NULL) return;
  struct mc_mon_state *st = srv->mon;
  st->live_syncing = 0;
  if (err != 0) {
    st->reg.srv.db_errors++;
    st->live_full = 1; /* what that call carried is lost: send everything */
    mc_log_warn(0, "monitor: live links not published err=%s", mc_errname(err));
  } else if (n == MC_LIVE_RESEND) {
    st->live_full = st->live_again = 1;
    mc_log_info(0, "monitor: live links lease had run out, publishing all of them");
  }
  if (st->live_again) live_sync(srv);
}

/* A link that ended: its row goes with the next sync. Too many to list (a
 * mass disconnect): the next sync sends everything instead. */
static void live_gone(struct mc_mon_state *st, uint64_t id) {
  if (st->live_full) return;
  if (st->live_ngone == st->live_gone_cap) {
    size_t cap = st->live_gone_cap ? st->live_gone_cap * 2 : 256;
    uint64_t *g = cap <= LIVE_READ_MAX ? realloc(st->live_gone, cap * sizeof *g) : NULL;
    if (g == NULL) {
      st->live_full = 1;
      st->live_ngone = 0;
      return;
    }
    st->live_gone = g;
    st->live_gone_cap = cap;
  }
  st->live_gone[st->live_ngone++] = id;
}

static void live_dirty(struct mc_mon_state *st, mc_mon_conn *c) {
  if (c->live_dirty) return;
  c->live_dirty = 1;
  st->live_ndirty++;
}

/* The links of catalogue units to send: every one (full), else those that
 * came or changed; all leave the dirty set. rows has room for max. */
static size_t live_rows(struct mc_mon_state *st, int full, mc_live_link *rows, size_t max) {
  const mc_monitor *m = &st->reg;
  size_t n = 0;
  for (size_t i = 0; i < m->nunits && n < max; i++) {
    const mc_mon_unit *u = &m->units[i];
    for (mc_mon_conn *c = u->conns; c != NULL && n < max; c = c->next) {
      if (!full && !c->live_dirty) continue;
      c->live_dirty = 0;
      rows[n] = (mc_live_link){.session = c->id, .resident = c->info.resident,
                               .connected_ms = c->opened_ms, .outbox = c->outbox};
      snprintf(rows[n].unit, sizeof rows[n].unit, "%s", u->code);
      n++;
    }
  }
  st->live_ndirty = 0;
  return n;
}

/* The units whose round trip changed since sent (full: every unit with a
 * resident link; the others' rows go). */
static size_t live_units(mc_monitor *m, int full, mc_live_unit *out) {
  size_t n = 0;
  for (size_t i = 0; i < m->nunits; i++) {
    mc_mon_unit *u = &m->units[i];
    if (full ? u->nresident == 0 : u->rtt_ms == u->live_rtt) {
      if (full) u->live_rtt = -1;
      continue;
    }
    u->live_rtt = u->rtt_ms;
    out[n] = (mc_live_unit){.rtt_ms = u->rtt_ms};
    snprintf(out[n].unit, sizeof out[n].unit, "%s", u->code);
    n++;
  }
  return n;
}

static size_t live_count(const mc_monitor *m) {
  size_t n = 0;
  for (size_t i = 0; i < m->nunits; i++) n += m->units[i].nconns;
  return n;
}

/* Publish what changed since the last sync (everything when live_full;
 * nothing once stopped: the final sync withdraws this instance's links),
 * refreshing the lease even when nothing did. */
static void live_sync(mc_server *srv) {
  struct mc_mon_state *st = srv->mon;
  if (srv->store == NULL) return;
  if (st->live_syncing) {
    st->live_again = 1;
    return;
  }
  st->live_again = 0;
  int full = st->live_full || st->stopped;
  size_t max = st->stopped ? 0 : full ? live_count(&st->reg) : st->live_ndirty;
  size_t nu = st->stopped ? 0 : st->reg.nunits;
  mc_live_link *rows = max > 0 ? calloc(max, sizeof *rows) : NULL;
  mc_live_unit *units = nu > 0 ? calloc(nu, sizeof *units) : NULL;
  if ((max > 0 && rows == NULL) || (nu > 0 && units == NULL)) {
    free(rows);
    free(units);
    return; /* the next tick tries again */
  }
  mc_live_changes ch = {.full = full, .links = rows, .units = units, .gone = st->live_gone,
                        .ngone = st->live_ngone};
  ch.nlinks = max > 0 ? live_rows(st, full, rows, max) : 0;
  ch.nunits = nu > 0 ? live_units(&st->reg, full, units) : 0;
  int rc = mc_store_live_apply(srv->store, st->reg.instance, LIVE_LEASE_S, &ch, live_synced_cb,
                               srv);
  free(rows);
  free(units);
  st->live_ngone = 0;
  st->live_full = rc != 0; /* the marks are spent either way */
  if (rc == 0) st->live_syncing = 1;
  else if (!st->stopped) st->reg.srv.db_errors++;
}

static void live_read_cb(void *arg, int err, const mc_live_link *rows, size_t n) {
  mc_server *srv = arg;
  if (srv->mon == NULL) return;
  struct mc_mon_state *st = srv->mon;
  int64_t now = mc_server_now_ms();
  st->live_reading = 0;
  mc_mon_live *lv = n > 0 ? calloc(n, sizeof *lv) : NULL;
  if (err == 0 && n > 0 && lv == NULL) err = MC_ENOMEM;
  for (size_t i = 0; err == 0 && i < n; i++) {
    lv[i] = (mc_mon_live){.session = rows[i].session, .resident = rows[i].resident,
                          .connected_ms = rows[i].connected_ms, .rtt_ms = rows[i].rtt_ms,
                          .outbox = rows[i].outbox};
    snprintf(lv[i].instance, sizeof lv[i].instance, "%s", rows[i].instance);
    snprintf(lv[i].unit, sizeof lv[i].unit, "%s", rows[i].unit);
  }
  if (err == 0 && mc_monitor_set_live(&st->reg, lv, n, 1) == 0) {
    st->live_read_ok_ms = now;
  } else if (now - st->live_read_ok_ms > LIVE_LEASE_S * 1000LL && st->reg.live_known) {
    /* unread for a lease: what was read may be gone, show this instance alone */
    mc_monitor_set_live(&st->reg, NULL, 0, 0);
    mc_log_warn(0, "monitor: cluster view unavailable err=%s", mc_errname(err ? err : MC_ENOMEM));
  }
  free(lv);
}

static void live_read(mc_server *srv) {
  struct mc_mon_state *st = srv->mon;
  if (srv->store == NULL || srv->shutting_down || st->live_reading) return;
  if (mc_store_live_read(srv->store, st->reg.instance, LIVE_LEASE_S, LIVE_READ_MAX,
                         live_read_cb, srv) == 0)
    st->live_reading = 1;
}

static void live_tick_cb(uv_timer_t *t) {
  mc_server *srv = t->data;
  if (srv->shutting_down) return;
  if (srv->mon->live_ticks++ % (LIVE_SYNC_MS / LIVE_READ_MS) == 0) live_sync(srv);
  live_read(srv);
}

static void live_soon_cb(uv_timer_t *t) {
  mc_server *srv = t->data;
  if (!srv->shutting_down) live_sync(srv);
}

/* A link came or went: publish within LIVE_SOON_MS. */
static void live_changed(mc_server *srv) {
  struct mc_mon_state *st = srv->mon;
  if (st->stopped || srv->shutting_down || uv_is_active((uv_handle_t *)&st->live_soon)) return;
  uv_timer_start(&st->live_soon, live_soon_cb, LIVE_SOON_MS, 0);
}

static void tick_cb(uv_timer_t *t) {
  mc_server *srv = t->data;
  int64_t now = mc_server_now_ms();
  refresh_db(srv);
  srv->mon->reg.srv.tls_ok = mc_mon_tls_valid(&srv->mon->tls, now);
  if (srv->mon->ticks++ % DB_EVERY_TICKS == 0) query_history(srv, now);
  eval_alerts(srv, now);
}

/* ---- HTTP routes ------------------------------------------------------------ */

static void route_json(mc_server *srv, mc_http_reply *r) {
  int64_t now = mc_server_now_ms();
  refresh_db(srv);
  json_t *doc = mc_monitor_json(&srv->mon->reg, now);
  r->body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
  json_decref(doc);
  if (r->body == NULL) return;
  r->status = 200;
  r->len = strlen(r->body);
  r->content_type = "application/json; charset=utf-8";
}

static void route_metrics(mc_server *srv, mc_http_reply *r) {
  refresh_db(srv);
  refresh_process(&srv->mon->reg.srv);
  r->body = mc_monitor_prometheus(&srv->mon->reg, mc_server_now_ms(), &r->len);
  if (r->body == NULL) return;
  r->status = 200;
  r->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

static void route_ready(mc_server *srv, mc_http_reply *r) {
  char buf[256];
  refresh_db(srv);
  int db = srv->mon->reg.srv.db_up > 0;
  int tls = mc_mon_tls_valid(&srv->mon->tls, mc_server_now_ms());
  int ok = db && tls && srv->listening && !srv->shutting_down;
  int n = snprintf(buf, sizeof buf, "%s\ndatabase: %s\ncertificates and CRL: %s\nlistener: %s\n",
                   ok ? "ready" : "not ready", db ? "ok" : "unreachable",
                   tls ? "ok" : "expired or unreadable",
                   srv->listening && !srv->shutting_down ? "ok" : "down");
  r->body = strdup(buf);
  r->len = r->body ? (size_t)n : 0;
  r->status = ok ? 200 : 503;
}

static void route_cb(void *arg, const char *path, mc_http_reply *r) {
  mc_server *srv = arg;
  if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
    r->status = 200;
    r->static_body = (const char *)mc_dashboard_html;
    r->len = mc_dashboard_html_len;
    r->content_type = "text/html; charset=utf-8";
  } else if (strcmp(path, "/metrics") == 0) {
    route_metrics(srv, r);
  } else if (strcmp(path, "/healthz") == 0) {
    r->status = 200;
    r->static_body = "ok\n";
    r->len = 3;
  } else if (strcmp(path, "/readyz") == 0) {
    route_ready(srv, r);
  } else if (strcmp(path, "/api/units") == 0) {
    route_json(srv, r);
  }
}

/* ---- lifecycle ------------------------------------------------------------- */

static int start_http(mc_server *srv) {
  char err[256];
  if (srv->cfg.http_port == 0) return 0;
  mc_http_opts o = {.host = srv->cfg.http_host, .port = (int)srv->cfg.http_port,
                    .allowed_hosts = srv->cfg.http_allowed_hosts};
  int rc = mc_http_start(srv->loop, &o, route_cb, srv, &srv->mon->http, err, sizeof err);
  if (rc != 0) {
    mc_log_error(0, "monitor: %s", err);
    return rc;
  }
  mc_log_info(0, "admin http listening host=%s port=%ld", srv->cfg.http_host,
              srv->cfg.http_port);
  return 0;
}

int mc_mon_init(mc_server *srv) {
  struct mc_mon_state *st = calloc(1, sizeof *st);
  if (st == NULL) return MC_ENOMEM;
  mc_mon_config cfg;
  mc_mon_config_defaults(&cfg);
  cfg.utc_offset_min = (int)srv->cfg.utc_offset_minutes;
  cfg.offline_alert_ms = srv->cfg.offline_alert_minutes * 60000LL;
  cfg.crl_warn_ms = srv->cfg.crl_warn_hours * 3600000LL;
  st->boot_ms = mc_server_now_ms();
  st->live_full = 1; /* the first sync replaces what a previous run left */
  mc_monitor_init(&st->reg, &cfg, st->boot_ms);
  snprintf(st->reg.instance, sizeof st->reg.instance, "%s", srv->cfg.instance_name);
  snprintf(st->reg.srv.version, sizeof st->reg.srv.version, "%s", MC_VERSION);
  st->reg.srv.open_fds = -1;
  refresh_process(&st->reg.srv);
  srv->mon = st;
  refresh_tls(srv);
  uv_timer_init(srv->loop, &st->tick);
  st->tick.data = srv;
  uv_timer_start(&st->tick, tick_cb, 1000, TICK_MS);
  uv_timer_init(srv->loop, &st->live_tick);
  uv_timer_init(srv->loop, &st->live_soon);
  st->live_tick.data = st->live_soon.data = srv;
  uv_timer_start(&st->live_tick, live_tick_cb, LIVE_READ_MS, LIVE_READ_MS);
  st->ret = mc_retention_start(srv, &st->reg.srv);
  return start_http(srv);
}

void mc_mon_catalog(mc_server *srv) {
  if (srv->mon == NULL) return;
  mc_mon_unit_def *defs = calloc(srv->nunits + 1, sizeof *defs);
  if (defs == NULL) return;
  for (size_t i = 0; i < srv->nunits; i++)
    defs[i] = (mc_mon_unit_def){srv->units[i].code, srv->units[i].name, srv->units[i].role};
  if (mc_monitor_set_units(&srv->mon->reg, defs, srv->nunits, mc_server_now_ms()) != 0)
    mc_log_error(0, "monitor: out of memory for the unit list");
  srv->mon->live_full = 1; /* links may have changed units or left the catalogue */
  free(defs);
}

static int revoked_cb(void *arg, const mc_peer_id *peer) {
  return mc_mon_tls_revoked(arg, peer->serial);
}

static int serial_revoked_cb(void *arg, const char *serial) {
  return mc_mon_tls_revoked(arg, serial);
}

int mc_mon_revoked(const mc_server *srv, const char *serial) {
  return srv->mon != NULL && mc_mon_tls_revoked(&srv->mon->tls, serial);
}

void mc_mon_revoked_closed(mc_server *srv, size_t n) {
  if (srv->mon != NULL) srv->mon->reg.srv.revoked_closed += n;
}

void mc_mon_reload(mc_server *srv) {
  if (srv->mon == NULL) return;
  srv->mon->reg.srv.reloads++;
  refresh_tls(srv);
  size_t n = mc_server_close_sessions(srv, revoked_cb, &srv->mon->tls, MC_CLOSE_REVOKED,
                                      "certificate revoked");
  mc_mon_revoked_closed(srv, n);
  mc_monitor_mark_revoked(&srv->mon->reg, serial_revoked_cb, &srv->mon->tls);
  mc_log_info(0, "reload: crl_next_update_ms=%lld revoked_sessions_closed=%zu",
              (long long)srv->mon->tls.crl_next_update_ms, n);
}

void mc_mon_shutdown(mc_server *srv) {
  struct mc_mon_state *st = srv->mon;
  if (st == NULL || st->stopped) return;
  st->stopped = 1;
  live_sync(srv); /* withdraw this instance's links (best effort: else the lease) */
  uv_close((uv_handle_t *)&st->tick, NULL);
  uv_close((uv_handle_t *)&st->live_tick, NULL);
  uv_close((uv_handle_t *)&st->live_soon, NULL);
  mc_retention_stop(st->ret);
  mc_http_stop(st->http, NULL, NULL);
  st->http = NULL;
}

void mc_mon_free(mc_server *srv) {
  struct mc_mon_state *st = srv->mon;
  if (st == NULL) return;
  mc_monitor_free(&st->reg);
  mc_mon_tls_free(&st->tls);
  mc_retention_free(st->ret);
  free(st->live_gone);
  free(st);
  srv->mon = NULL;
}

/* ---- session hooks ----------------------------------------------------------- */

/* The link history: resident links only (one-shot commands are requests).
 * The connect is stored at opened_ms and the disconnect carries that same
 * instant (migration 027: each disconnect row knows its interval). */
static void link_event(mc_server *srv, const mc_mon_conn *c, int connect, const char *reason,
                       const mc_link_stats *final) {
  if (c->unit == NULL || !c->info.resident || srv->store == NULL || srv->shutting_down) return;
  mc_link_event ev = {.at_ms = connect ? c->opened_ms : mc_server_now_ms(), .unit = c->code,
                      .connect = connect, .reason = reason, .boot_ms = srv->mon->boot_ms,
                      .conn_id = c->id, .remote = c->info.remote,
                      .client_version = c->info.client_version, .connected_ms = c->opened_ms};
  if (final != NULL) {
    ev.bytes_in = final->bytes_in;
    ev.bytes_out = final->bytes_out;
  }
  if (mc_store_link_event(srv->store, &ev, ack_cb, srv) != 0) srv->mon->reg.srv.db_errors++;
}

mc_mon_conn *mc_mon_conn_open(mc_server *srv, uint64_t id, const char *unit,
                              const mc_mon_link_info *info, const mc_link_stats *st) {
  if (srv->mon == NULL) return NULL;
  mc_mon_conn *c = mc_monitor_open(&srv->mon->reg, id, unit, info, st, mc_server_now_ms());
  if (c != NULL) link_event(srv, c, 1, "", NULL);
  if (c != NULL && c->unit != NULL) {
    live_dirty(srv->mon, c);
    live_changed(srv);
  }
  return c;
}

void mc_mon_conn_frame(mc_server *srv, mc_mon_conn *c, int request) {
  if (srv->mon != NULL && c != NULL)
    mc_monitor_frame(&srv->mon->reg, c, request, mc_server_now_ms());
}

void mc_mon_conn_uploads(mc_server *srv, mc_mon_conn *c, uint32_t n) {
  if (srv->mon != NULL) mc_monitor_uploads(&srv->mon->reg, c, n);
}

void mc_mon_conn_rtt(mc_server *srv, mc_mon_conn *c, int64_t rtt_ms) {
  if (srv->mon != NULL) mc_monitor_rtt(&srv->mon->reg, c, rtt_ms);
}

void mc_mon_conn_outbox(mc_server *srv, mc_mon_conn *c, uint32_t depth) {
  if (srv->mon == NULL || c == NULL) return;
  if (c->unit != NULL && c->outbox != depth) live_dirty(srv->mon, c); /* the next sync */
  mc_monitor_outbox(&srv->mon->reg, c, depth);
}

void mc_mon_conn_close(mc_server *srv, mc_mon_conn *c, const mc_mon_close_info *ci) {
  if (srv->mon == NULL) return;
  if (ci->why == MC_CLOSE_TLS) srv->mon->reg.srv.tls_failures++;
  if (c != NULL) link_event(srv, c, 0, mc_close_why_name(ci->why), ci->final);
  if (c != NULL && c->unit != NULL) {
    if (c->live_dirty) srv->mon->live_ndirty--;
    live_gone(srv->mon, c->id);
    live_changed(srv);
  }
  mc_monitor_close(&srv->mon->reg, c, ci, mc_server_now_ms());
}

/* ---- request metering ------------------------------------------------------- */

static int64_t now_us(void) { return (int64_t)(uv_hrtime() / 1000); }

void mc_mon_meter_begin(mc_mon_meter *d, unsigned body) {
  mc_monitor_meter_begin(d, body, now_us());
}

void mc_mon_meter_end(mc_server *srv, mc_mon_meter *d, int rc) {
  if (srv->mon != NULL) mc_monitor_meter_end(&srv->mon->reg, d, rc, now_us());
  else d->dispatching = 0;
}

void mc_mon_req_end(mc_server *srv, mc_mon_meter *d, mc_mon_req_meter *r, int err) {
  mc_monitor_req_end(srv->mon != NULL ? &srv->mon->reg : NULL, d, r, err, now_us());
}
