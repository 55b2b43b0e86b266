/* Prometheus text exposition (format 0.0.4) of the monitor registry.
 * Every family has HELP and TYPE; per-unit series are bounded by the
 * catalogue (one series per unit and label value). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "frame.h"
#include "monitor.h"

typedef struct sbuf {
  char *p;
  size_t len, cap;
  int oom;
} sbuf;

__attribute__((format(printf, 2, 3))) static void sb_printf(sbuf *b, const char *fmt, ...) {
  for (int tries = 0; tries < 2 && !b->oom; tries++) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->oom = 1;
      return;
    }
    if (b->p != NULL && b->len + (size_t)n < b->cap) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = b->cap ? b->cap : 8192;
    while (cap <= b->len + (size_t)n) cap *= 2;
    char *np = realloc(b->p, cap);
    if (np == NULL) {
      b->oom = 1;
      return;
    }
    b->p = np;
    b->cap = cap;
  }
}

/* Label values: escape backslash, quote and newline. Unit codes are plain. */
static const char *label(const char *s, char *buf, size_t size) {
  size_t o = 0;
  for (; *s && o + 3 < size; s++) {
    if (*s == '\\' || *s == '"') buf[o++] = '\\', buf[o++] = *s;
    else if (*s == '\n') buf[o++] = '\\', buf[o++] = 'n';
    else buf[o++] = *s;
  }
  buf[o] = '\0';
  return buf;
}

static void family(sbuf *b, const char *name, const char *type, const char *help) {
  sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static double secs(int64_t ms) { return (double)ms / 1000.0; }

/* ---- server-wide ----------------------------------------------------------- */

/* The Prometheus client-library conventions: build_info and process_*. */
static void prom_process(sbuf *b, const mc_monitor *m) {
  const mc_mon_server *s = &m->srv;
  char v[80];
  family(b, "motcua_build_info", "gauge", "Always 1; the server's version in its label.");
  sb_printf(b, "motcua_build_info{version=\"%s\"} 1\n", label(s->version, v, sizeof v));
  /* not "instance": Prometheus sets that label from the scrape target */
  family(b, "motcua_instance_info", "gauge", "Always 1; this server's instance_name in its label.");
  sb_printf(b, "motcua_instance_info{name=\"%s\"} 1\n", label(m->instance, v, sizeof v));
  family(b, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  sb_printf(b, "process_resident_memory_bytes %llu\n", (unsigned long long)s->rss_bytes);
  if (s->open_fds >= 0) {
    family(b, "process_open_fds", "gauge", "Number of open file descriptors.");
    sb_printf(b, "process_open_fds %d\n", s->open_fds);
  }
  family(b, "process_cpu_seconds_total", "counter", "User and system CPU time in seconds.");
  sb_printf(b, "process_cpu_seconds_total %.2f\n", s->cpu_seconds);
  family(b, "process_start_time_seconds", "gauge", "Process start, Unix time.");
  sb_printf(b, "process_start_time_seconds %.2f\n", secs(s->process_start_ms));
}

static void prom_turn_hist(sbuf *b, const char *name, const mc_mon_turns *t,
                           const int64_t *le_us) {
  uint64_t cum = 0;
  for (int i = 0; i < MC_MON_TURN_BUCKETS; i++) {
    cum += t->within[i];
    sb_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name, (double)le_us[i] / 1e6,
              (unsigned long long)cum);
  }
  sb_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)t->count);
  sb_printf(b, "%s_sum %.6f\n", name, (double)t->sum_us / 1e6);
  sb_printf(b, "%s_count %llu\n", name, (unsigned long long)t->count);
}

/* The event loop's turns (server.c): work between two waits for I/O. */
static void prom_turns(sbuf *b, const mc_mon_server *s) {
  if (s->turn_le_us[0] == 0) return; /* not refreshed from a server's loop */
  family(b, "motcua_loop_turn_seconds", "histogram",
         "Wall time of one event-loop turn between two waits for I/O: the longest a request "
         "that arrives meanwhile waits before it is read.");
  prom_turn_hist(b, "motcua_loop_turn_seconds", &s->turn_wall, s->turn_le_us);
  family(b, "motcua_loop_turn_cpu_seconds", "histogram",
         "CPU time of the same turns (the loop thread's): the server's own work, without the "
         "time the kernel ran other processes.");
  prom_turn_hist(b, "motcua_loop_turn_cpu_seconds", &s->turn_cpu, s->turn_le_us);
  family(b, "motcua_loop_turn_max_seconds", "gauge", "The longest loop turn since start.");
  sb_printf(b, "motcua_loop_turn_max_seconds{time=\"wall\"} %.6f\n",
            (double)s->turn_wall.max_us / 1e6);
  sb_printf(b, "motcua_loop_turn_max_seconds{time=\"cpu\"} %.6f\n",
            (double)s->turn_cpu.max_us / 1e6);
  family(b, "motcua_loop_wait_cpu_seconds_total", "counter",
         "CPU time of the loop thread inside its waits for I/O, in no turn: the kernel's way "
         "back from a wait (large on some virtual machines).");
  sb_printf(b, "motcua_loop_wait_cpu_seconds_total %.6f\n", (double)s->wait_cpu_ns / 1e9);
}

static void prom_server(sbuf *b, const mc_monitor *m) {
  const mc_mon_server *s = &m->srv;
  family(b, "motcua_start_time_seconds", "gauge", "Server start, Unix time.");
  sb_printf(b, "motcua_start_time_seconds %.3f\n", secs(s->started_ms));
  family(b, "motcua_db_connections_up", "gauge", "Database pool connections that work.");
  sb_printf(b, "motcua_db_connections_up %d\n", s->db_up);
  family(b, "motcua_db_pool_size", "gauge", "Configured database pool size.");
  sb_printf(b, "motcua_db_pool_size %d\n", s->db_pool);
  family(b, "motcua_db_connections_in_use", "gauge",
         "Database pool connections busy with a query (at most the pool size).");
  sb_printf(b, "motcua_db_connections_in_use %d\n", s->db_in_use);
  family(b, "motcua_db_queries_total", "counter", "Database operations submitted.");
  sb_printf(b, "motcua_db_queries_total %llu\n", (unsigned long long)s->db_queries);
  family(b, "motcua_db_queued", "gauge", "Database operations waiting for a connection.");
  sb_printf(b, "motcua_db_queued %d\n", s->db_queued);
  family(b, "motcua_db_queue_limit", "gauge",
         "Operations that may wait before requests get 'busy' (db_max_queue).");
  sb_printf(b, "motcua_db_queue_limit %d\n", s->db_queue_limit);
  family(b, "motcua_db_receive_batches_total", "counter",
         "Receive batches sent (group commit: one transaction each).");
  sb_printf(b, "motcua_db_receive_batches_total %llu\n", (unsigned long long)s->db_batches);
  family(b, "motcua_db_receive_lanes", "gauge",
         "Receive batches that may be in flight at once (db_receive_lanes, 0 resolved).");
  sb_printf(b, "motcua_db_receive_lanes %d\n", s->db_lanes);
  family(b, "motcua_db_batched_receives_total", "counter", "Receives carried by those batches.");
  sb_printf(b, "motcua_db_batched_receives_total %llu\n", (unsigned long long)s->db_batched);
  family(b, "motcua_db_errors_total", "counter", "Monitor database operations that failed.");
  sb_printf(b, "motcua_db_errors_total %llu\n", (unsigned long long)s->db_errors);
  family(b, "motcua_tls_ok", "gauge", "1 if the certificates and the CRL are valid now.");
  sb_printf(b, "motcua_tls_ok %d\n", s->tls_ok ? 1 : 0);
  family(b, "motcua_tls_reloads_total", "counter", "TLS context reloads (SIGHUP).");
  sb_printf(b, "motcua_tls_reloads_total %llu\n", (unsigned long long)s->reloads);
  family(b, "motcua_tls_handshake_steps_total", "counter",
         "TLS handshake steps run (about two per connection; each is CPU the loop cannot "
         "split).");
  sb_printf(b, "motcua_tls_handshake_steps_total %llu\n", (unsigned long long)s->hs_steps);
  family(b, "motcua_tls_handshake_deferrals_total", "counter",
         "Handshake steps put off to the next loop turn, over the budget of one turn "
         "(many links connecting at once).");
  sb_printf(b, "motcua_tls_handshake_deferrals_total %llu\n",
            (unsigned long long)s->hs_deferred);
  family(b, "motcua_cert_expiry_seconds", "gauge", "Certificate notAfter, Unix time.");
  if (s->server_cert_not_after_ms > 0)
    sb_printf(b, "motcua_cert_expiry_seconds{cert=\"server\"} %.3f\n",
              secs(s->server_cert_not_after_ms));
  if (s->ca_not_after_ms > 0)
    sb_printf(b, "motcua_cert_expiry_seconds{cert=\"ca\"} %.3f\n", secs(s->ca_not_after_ms));
  family(b, "motcua_crl_next_update_seconds", "gauge",
         "Next update of the revocation list, Unix time (0 = no CRL).");
  sb_printf(b, "motcua_crl_next_update_seconds %.3f\n", secs(s->crl_next_update_ms));
}

/* Officer logins and sessions (issue 15; docs/SECURITY.md). */
static void prom_officers(sbuf *b, const mc_monitor *m) {
  const mc_mon_server *s = &m->srv;
  family(b, "motcua_logins_total", "counter",
         "Officer logins by result (locked: refused while the login is locked; other_unit: "
         "an officer of another unit than the certificate's; busy: password hashes full).");
  sb_printf(b, "motcua_logins_total{result=\"ok\"} %llu\n", (unsigned long long)s->logins_ok);
  sb_printf(b, "motcua_logins_total{result=\"bad_login\"} %llu\n",
            (unsigned long long)s->logins_failed);
  sb_printf(b, "motcua_logins_total{result=\"locked\"} %llu\n",
            (unsigned long long)s->logins_locked);
  sb_printf(b, "motcua_logins_total{result=\"busy\"} %llu\n", (unsigned long long)s->hash_busy);
  family(b, "motcua_login_lockouts_total", "counter",
         "Officer logins locked after repeated wrong passwords.");
  sb_printf(b, "motcua_login_lockouts_total %llu\n", (unsigned long long)s->lockouts);
  family(b, "motcua_officer_other_unit_total", "counter",
         "Logins and sessions of an officer presented at another unit's desk.");
  sb_printf(b, "motcua_officer_other_unit_total %llu\n", (unsigned long long)s->other_unit);
  family(b, "motcua_sessions_refused_total", "counter",
         "Changing requests refused for want of a live officer session.");
  sb_printf(b, "motcua_sessions_refused_total %llu\n", (unsigned long long)s->sessions_refused);
  family(b, "motcua_password_hashes", "gauge",
         "Argon2id computations on the threadpool (running) and waiting for a slot.");
  sb_printf(b, "motcua_password_hashes{state=\"running\"} %u\n", s->hashes_running);
  sb_printf(b, "motcua_password_hashes{state=\"waiting\"} %u\n", s->hashes_waiting);
  prom_turns(b, s);
}

/* The retention sweep (retention.c): totals of this instance. */
static void prom_retention(sbuf *b, const mc_monitor *m) {
  const mc_mon_server *s = &m->srv;
  family(b, "motcua_retention_sweeps_total", "counter",
         "Retention sweeps by result (ok; skipped: another instance of the cluster swept; "
         "error: a statement failed).");
  sb_printf(b, "motcua_retention_sweeps_total{result=\"ok\"} %llu\n",
            (unsigned long long)s->ret_sweeps);
  sb_printf(b, "motcua_retention_sweeps_total{result=\"skipped\"} %llu\n",
            (unsigned long long)s->ret_skipped);
  sb_printf(b, "motcua_retention_sweeps_total{result=\"error\"} %llu\n",
            (unsigned long long)s->ret_errors);
  family(b, "motcua_retention_rows_total", "counter",
         "Rows the retention sweeps removed: raw link events deleted, idempotency answers "
         "dropped (the keys stay).");
  sb_printf(b, "motcua_retention_rows_total{table=\"link_events\"} %llu\n",
            (unsigned long long)s->ret_link_events);
  sb_printf(b, "motcua_retention_rows_total{table=\"idempotency\"} %llu\n",
            (unsigned long long)s->ret_idem_replies);
  family(b, "motcua_retention_rollup_days_total", "counter",
         "Local days of link history rolled up into link_uptime_daily.");
  sb_printf(b, "motcua_retention_rollup_days_total %llu\n",
            (unsigned long long)s->ret_rollup_days);
  family(b, "motcua_retention_last_sweep_seconds", "gauge",
         "Duration of the last finished retention sweep (0: none yet).");
  sb_printf(b, "motcua_retention_last_sweep_seconds %.3f\n", (double)s->ret_last_ms / 1000.0);
}

static void prom_connections(sbuf *b, const mc_monitor *m, int64_t now_ms) {
  unsigned on = 0, deg = 0, off = 0;
  for (size_t i = 0; i < m->nunits; i++) {
    mc_mon_view v;
    mc_monitor_view(m, &m->units[i], now_ms, &v);
    if (!v.online_here) off++; /* this instance's links: Prometheus sums the instances */
    else if (strcmp(v.state, "degraded") == 0) deg++;
    else on++;
  }
  family(b, "motcua_units", "gauge", "Units in the catalogue.");
  sb_printf(b, "motcua_units %zu\n", m->nunits);
  family(b, "motcua_connections", "gauge", "Units by link state (degraded units are online).");
  sb_printf(b, "motcua_connections{state=\"online\"} %u\n", on + deg);
  sb_printf(b, "motcua_connections{state=\"degraded\"} %u\n", deg);
  sb_printf(b, "motcua_connections{state=\"offline\"} %u\n", off);
  family(b, "motcua_admin_sessions", "gauge", "Live admin (or uncatalogued) sessions.");
  sb_printf(b, "motcua_admin_sessions %u\n", m->nothers);
  family(b, "motcua_connections_closed_total", "counter", "Closed connections by reason.");
  for (int r = 1; r < MC_CLOSE__COUNT; r++)
    sb_printf(b, "motcua_connections_closed_total{reason=\"%s\"} %llu\n", mc_close_why_name(r),
              (unsigned long long)m->closed_total[r]);
}

static void prom_alerts(sbuf *b, const mc_monitor *m) {
  static const char *const kinds[] = {"unit_offline", "cert_expiring", "crl_expiring",
                                      "forward_not_accepted"};
  family(b, "motcua_alerts", "gauge", "Active alerts by kind.");
  for (size_t k = 0; k < 4; k++)
    sb_printf(b, "motcua_alerts{kind=\"%s\"} %zu\n", kinds[k],
              mc_monitor_alert_count(m, kinds[k]));
}

/* ---- requests ---------------------------------------------------------------- */

static void prom_requests(sbuf *b, const mc_monitor *m) {
  family(b, "motcua_requests_total", "counter",
         "Requests by type (Envelope body) and result (ok or the error code).");
  for (unsigned t = 0; t < MC_MON_REQ_TYPES; t++)
    for (int r = 0; r < MC_MON_REQ_RESULTS; r++)
      if (m->req[t].results[r] > 0)
        sb_printf(b, "motcua_requests_total{type=\"%s\",result=\"%s\"} %llu\n",
                  mc_body_name((Motcua__Envelope__BodyCase)t), r == 0 ? "ok" : mc_errname(-r),
                  (unsigned long long)m->req[t].results[r]);
  family(b, "motcua_request_duration_seconds", "histogram",
         "Time from a request's arrival to its answer, by type.");
  for (unsigned t = 0; t < MC_MON_REQ_TYPES; t++) {
    const mc_mon_req *q = &m->req[t];
    const char *n = mc_body_name((Motcua__Envelope__BodyCase)t);
    uint64_t cum = 0;
    if (q->count == 0) continue;
    for (int i = 0; i < MC_MON_LAT_BUCKETS; i++) {
      cum += q->within[i];
      sb_printf(b, "motcua_request_duration_seconds_bucket{type=\"%s\",le=\"%g\"} %llu\n", n,
                (double)mc_mon_lat_le_us[i] / 1e6, (unsigned long long)cum);
    }
    sb_printf(b, "motcua_request_duration_seconds_bucket{type=\"%s\",le=\"+Inf\"} %llu\n", n,
              (unsigned long long)q->count);
    sb_printf(b, "motcua_request_duration_seconds_sum{type=\"%s\"} %.6f\n", n,
              (double)q->sum_us / 1e6);
    sb_printf(b, "motcua_request_duration_seconds_count{type=\"%s\"} %llu\n", n,
              (unsigned long long)q->count);
  }
}

/* ---- per unit -------------------------------------------------------------- */

static void prom_unit_info(sbuf *b, const mc_monitor *m) {
  family(b, "motcua_unit_info", "gauge", "Always 1; the unit's name and role in its labels.");
  for (size_t i = 0; i < m->nunits; i++) {
    const mc_mon_unit *u = &m->units[i];
    char c[80], n[400];
    sb_printf(b, "motcua_unit_info{unit=\"%s\",name=\"%s\",role=\"%s\"} 1\n",
              label(u->code, c, sizeof c), label(u->name, n, sizeof n),
              mc_role_name((mc_role)u->role));
  }
}

enum ufield { UF_ONLINE, UF_RTT, UF_SRTT, UF_BYTES, UF_FRAMES, UF_OUTBOX, UF_UPLOADS,
              UF_LAST_SEEN, UF_SINCE, UF_DISCONNECTS, UF_FLAPPING, UF_RECEIVED_TODAY,
              UF_IN_PROGRESS, UF_OVERDUE, UF__COUNT };

static const struct ufamily {
  const char *name, *type, *help;
} ufamilies[UF__COUNT] = {
    {"motcua_unit_online", "gauge", "1 if the unit's resident link is up."},
    {"motcua_unit_rtt_seconds", "gauge", "Last heartbeat round trip."},
    {"motcua_unit_rtt_smoothed_seconds", "gauge", "Smoothed heartbeat round trip (7/8)."},
    {"motcua_unit_bytes_total", "counter", "TLS bytes since the server started."},
    {"motcua_unit_frames_total", "counter", "Frames since the server started."},
    {"motcua_unit_outbox_depth", "gauge", "Items queued at the desk (client report)."},
    {"motcua_unit_uploads", "gauge", "Uploads in progress."},
    {"motcua_unit_last_seen_seconds", "gauge", "Last frame received, Unix time."},
    {"motcua_unit_state_since_seconds", "gauge",
     "Online or offline since, Unix time (no series: never connected)."},
    {"motcua_unit_disconnects_total", "counter", "Times the unit's resident link went down."},
    {"motcua_unit_flapping", "gauge", "1 if the link dropped too often in the last hour."},
    {"motcua_unit_dossiers_received_today", "gauge",
     "Dossiers the unit received today (local day; refreshed every minute)."},
    {"motcua_unit_dossiers_in_progress", "gauge",
     "Open dossiers the unit holds (status 1, 2, 4, 5, 6; refreshed every minute)."},
    {"motcua_unit_dossiers_overdue", "gauge",
     "Of them overdue now: past due, or a second supplement (refreshed every minute)."},
};

static void unit_series(sbuf *b, int f, const mc_mon_view *v, const char *u) {
  const mc_mon_unit *x = v->u;
  const char *n = ufamilies[f].name;
  switch (f) {
  case UF_ONLINE: sb_printf(b, "%s{unit=\"%s\"} %d\n", n, u, v->online_here); break;
  case UF_RTT:
    if (x->rtt_ms >= 0) sb_printf(b, "%s{unit=\"%s\"} %.3f\n", n, u, secs(x->rtt_ms));
    break;
  case UF_SRTT:
    if (x->srtt_ms >= 0) sb_printf(b, "%s{unit=\"%s\"} %.3f\n", n, u, secs(x->srtt_ms));
    break;
  case UF_BYTES:
  case UF_FRAMES: {
    uint64_t in = f == UF_BYTES ? v->bytes_in : v->frames_in;
    uint64_t out = f == UF_BYTES ? v->bytes_out : v->frames_out;
    sb_printf(b, "%s{unit=\"%s\",direction=\"in\"} %llu\n", n, u, (unsigned long long)in);
    sb_printf(b, "%s{unit=\"%s\",direction=\"out\"} %llu\n", n, u, (unsigned long long)out);
    break;
  }
  case UF_OUTBOX: sb_printf(b, "%s{unit=\"%s\"} %u\n", n, u, x->outbox_depth); break;
  case UF_UPLOADS: sb_printf(b, "%s{unit=\"%s\"} %u\n", n, u, v->uploads); break;
  case UF_LAST_SEEN:
    if (x->last_seen_ms > 0) sb_printf(b, "%s{unit=\"%s\"} %.3f\n", n, u, secs(x->last_seen_ms));
    break;
  case UF_SINCE:
    if (x->since_ms > 0) sb_printf(b, "%s{unit=\"%s\"} %.3f\n", n, u, secs(x->since_ms));
    break;
  case UF_DISCONNECTS: sb_printf(b, "%s{unit=\"%s\"} %u\n", n, u, x->ndrops); break;
  case UF_FLAPPING: sb_printf(b, "%s{unit=\"%s\"} %d\n", n, u, v->flapping); break;
  case UF_RECEIVED_TODAY:
  case UF_IN_PROGRESS:
  case UF_OVERDUE:
    if (x->dossiers_known)
      sb_printf(b, "%s{unit=\"%s\"} %lld\n", n, u,
                (long long)(f == UF_RECEIVED_TODAY ? x->received_today
                            : f == UF_IN_PROGRESS ? x->in_progress : x->overdue));
    break;
  }
}

static void prom_units(sbuf *b, const mc_monitor *m, int64_t now_ms) {
  mc_mon_view *views = calloc(m->nunits + 1, sizeof *views);
  if (views == NULL) {
    b->oom = 1;
    return;
  }
  for (size_t i = 0; i < m->nunits; i++) mc_monitor_view(m, &m->units[i], now_ms, &views[i]);
  for (int f = 0; f < UF__COUNT; f++) {
    family(b, ufamilies[f].name, ufamilies[f].type, ufamilies[f].help);
    for (size_t i = 0; i < m->nunits; i++) {
      char u[80];
      unit_series(b, f, &views[i], label(m->units[i].code, u, sizeof u));
    }
  }
  free(views);
}

char *mc_monitor_prometheus(const mc_monitor *m, int64_t now_ms, size_t *len) {
  sbuf b = {0};
  prom_process(&b, m);
  prom_server(&b, m);
  prom_officers(&b, m);
  prom_retention(&b, m);
  prom_requests(&b, m);
  prom_unit_info(&b, m);
  prom_connections(&b, m, now_ms);
  prom_alerts(&b, m);
  prom_units(&b, m, now_ms);
  if (b.oom || b.p == NULL) {
    free(b.p);
    return NULL;
  }
  if (len != NULL) *len = b.len;
  return b.p;
}
