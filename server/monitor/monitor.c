/* Link monitor registry: pure bookkeeping over plain structs (monitor.h). */
#include "monitor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "domain.h"
#include "motcua.pb-c.h"

#define HOUR_MS 3600000LL

static const char *const why_names[MC_CLOSE__COUNT] = {
    "unspecified",  "idle_timeout", "heartbeat_lost", "tls_failure",     "cert_revoked",
    "protocol_error", "client_quit", "server_shutdown", "connection_lost", "other",
};

const char *mc_close_why_name(int why) {
  return why >= 0 && why < MC_CLOSE__COUNT ? why_names[why] : "other";
}

int mc_close_why_from(int link_reason, int ctx_why, int opened) {
  if (ctx_why != 0) return ctx_why;
  switch (link_reason) {
  case MC_OK: return MC_CLOSE_QUIT;
  case MC_ECLOSED: return MC_CLOSE_LOST;
  case MC_ETIMEOUT: return MC_CLOSE_IDLE;
  case MC_ETLS: return opened ? MC_CLOSE_LOST : MC_CLOSE_TLS;
  case MC_EUNAUTH: return opened ? MC_CLOSE_OTHER : MC_CLOSE_TLS;
  case MC_EPROTO:
  case MC_ETOOBIG:
  case MC_EVERSION: return MC_CLOSE_PROTOCOL;
  default: return MC_CLOSE_OTHER;
  }
}

void mc_mon_config_defaults(mc_mon_config *c) {
  *c = (mc_mon_config){.utc_offset_min = 420,
                       .offline_alert_ms = 15 * 60000LL,
                       .cert_warn_ms = 30 * 24 * HOUR_MS,
                       .crl_warn_ms = 3 * 24 * HOUR_MS,
                       .degraded_rtt_ms = 1000,
                       .flap_drops_1h = 4};
}

int mc_monitor_init(mc_monitor *m, const mc_mon_config *cfg, int64_t now_ms) {
  memset(m, 0, sizeof *m);
  if (cfg != NULL) m->cfg = *cfg;
  else mc_mon_config_defaults(&m->cfg);
  m->srv.started_ms = now_ms;
  return 0;
}

static void free_list(mc_mon_conn *c) {
  while (c != NULL) {
    mc_mon_conn *n = c->next;
    free(c);
    c = n;
  }
}

void mc_monitor_free(mc_monitor *m) {
  for (size_t i = 0; i < m->nunits; i++) free_list(m->units[i].conns);
  free_list(m->others);
  free(m->units);
  free(m->live);
  m->live = NULL;
  m->nlive = 0;
  m->units = NULL;
  m->others = NULL;
  m->nunits = 0;
}

mc_mon_unit *mc_monitor_unit(mc_monitor *m, const char *code) {
  for (size_t i = 0; code != NULL && i < m->nunits; i++)
    if (strcmp(m->units[i].code, code) == 0) return &m->units[i];
  return NULL;
}

static void unit_fresh(mc_mon_unit *u, const mc_mon_unit_def *d, int64_t now_ms) {
  memset(u, 0, sizeof *u);
  snprintf(u->code, sizeof u->code, "%s", d->code);
  u->rtt_ms = u->srtt_ms = u->live_rtt = -1;
  u->uptime_today_pct = -1;
  (void)now_ms; /* since_ms 0: never connected since the server started */
}

/* Move the connections of units that disappeared to the others list. */
static void orphan_conns(mc_monitor *m, mc_mon_unit *u) {
  while (u->conns != NULL) {
    mc_mon_conn *c = u->conns;
    u->conns = c->next;
    c->unit = NULL;
    c->next = m->others;
    m->others = c;
    m->nothers++;
  }
}

/* Point each unit at its rows of m->live (sorted by unit). */
static void live_index(mc_monitor *m) {
  for (size_t i = 0; i < m->nunits; i++) {
    m->units[i].live_first = 0;
    m->units[i].live_n = m->units[i].live_resident = 0;
  }
  for (size_t i = 0, j; i < m->nlive; i = j) {
    unsigned res = 0;
    for (j = i; j < m->nlive && strcmp(m->live[j].unit, m->live[i].unit) == 0; j++)
      res += m->live[j].resident != 0;
    mc_mon_unit *u = mc_monitor_unit(m, m->live[i].unit);
    if (u == NULL) continue;
    u->live_first = i;
    u->live_n = (unsigned)(j - i);
    u->live_resident = res;
  }
}

int mc_monitor_set_units(mc_monitor *m, const mc_mon_unit_def *defs, size_t n,
                         int64_t now_ms) {
  mc_mon_unit *nu = calloc(n + 1, sizeof *nu);
  if (nu == NULL) return MC_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    mc_mon_unit *old = mc_monitor_unit(m, defs[i].code);
    if (old != NULL) {
      nu[i] = *old;
      old->conns = NULL;
    } else {
      unit_fresh(&nu[i], &defs[i], now_ms);
    }
    snprintf(nu[i].name, sizeof nu[i].name, "%s", defs[i].name ? defs[i].name : "");
    nu[i].role = defs[i].role;
    for (mc_mon_conn *c = nu[i].conns; c != NULL; c = c->next) c->unit = &nu[i];
  }
  for (size_t i = 0; i < m->nunits; i++) orphan_conns(m, &m->units[i]);
  free(m->units);
  m->units = nu;
  m->nunits = n;
  live_index(m);
  return 0;
}

/* ---- the cluster view ------------------------------------------------------ */

static int live_cmp(const void *a, const void *b) {
  const mc_mon_live *x = a, *y = b;
  int c = strcmp(x->unit, y->unit);
  if (c == 0) c = strcmp(x->instance, y->instance);
  if (c == 0) c = x->session < y->session ? -1 : x->session > y->session;
  return c;
}

int mc_monitor_set_live(mc_monitor *m, const mc_mon_live *rows, size_t n, int known) {
  mc_mon_live *nl = NULL;
  size_t k = 0;
  if (known && n > 0) {
    nl = malloc(n * sizeof *nl);
    if (nl == NULL) return MC_ENOMEM;
    for (size_t i = 0; i < n; i++)
      if (strcmp(rows[i].instance, m->instance) != 0) nl[k++] = rows[i];
    qsort(nl, k, sizeof *nl, live_cmp);
  }
  free(m->live);
  m->live = nl;
  m->nlive = k;
  m->live_known = known;
  live_index(m);
  return 0;
}

/* ---- connections ---------------------------------------------------------- */

mc_mon_conn *mc_monitor_open(mc_monitor *m, uint64_t id, const char *code,
                             const mc_mon_link_info *info, const mc_link_stats *stats,
                             int64_t now_ms) {
  mc_mon_conn *c = calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  c->id = id;
  c->opened_ms = now_ms;
  c->stats = stats;
  c->code = code ? code : "";
  if (info != NULL) c->info = *info;
  const char **strs[] = {&c->info.remote, &c->info.client_version, &c->info.tls_version,
                         &c->info.cipher, &c->info.serial};
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
    if (*strs[i] == NULL) *strs[i] = "";
  c->unit = mc_monitor_unit(m, code);
  mc_mon_unit *u = c->unit;
  if (u == NULL) {
    c->next = m->others;
    m->others = c;
    m->nothers++;
    return c;
  }
  c->next = u->conns;
  u->conns = c;
  u->nconns++;
  u->last_seen_ms = now_ms;
  snprintf(u->serial, sizeof u->serial, "%s", c->info.serial);
  u->revoked = 0; /* this certificate passed the current CRL */
  if (!c->info.resident) return c;
  if (u->nresident++ == 0) u->since_ms = now_ms;
  u->connects++;
  return c;
}

void mc_monitor_frame(mc_monitor *m, mc_mon_conn *c, int is_request, int64_t now_ms) {
  (void)m;
  if (c == NULL || c->unit == NULL) return;
  c->unit->last_seen_ms = now_ms;
  if (is_request) c->unit->last_request_ms = now_ms;
}

void mc_monitor_rtt(mc_monitor *m, mc_mon_conn *c, int64_t rtt_ms) {
  (void)m;
  if (c == NULL || c->unit == NULL || !c->info.resident || rtt_ms < 0) return;
  mc_mon_unit *u = c->unit;
  u->rtt_ms = rtt_ms;
  u->srtt_ms = u->srtt_ms < 0 ? rtt_ms : (7 * u->srtt_ms + rtt_ms) / 8;
}

void mc_monitor_outbox(mc_monitor *m, mc_mon_conn *c, uint32_t depth) {
  (void)m;
  if (c == NULL || c->unit == NULL) return;
  c->outbox = depth;
  uint32_t max = 0;
  for (const mc_mon_conn *x = c->unit->conns; x != NULL; x = x->next)
    if (x->outbox > max) max = x->outbox;
  c->unit->outbox_depth = max;
}

void mc_monitor_uploads(mc_monitor *m, mc_mon_conn *c, uint32_t n) {
  (void)m;
  if (c != NULL) c->uploads = n;
}

static int unlink_conn(mc_mon_conn **head, mc_mon_conn *c) {
  for (mc_mon_conn **p = head; *p != NULL; p = &(*p)->next)
    if (*p == c) {
      *p = c->next;
      return 1;
    }
  return 0;
}

static void ring_push(mc_monitor *m, const mc_mon_closed *e) {
  m->ring[m->ring_next] = *e;
  m->ring_next = (m->ring_next + 1) % MC_MON_RING;
  if (m->ring_count < MC_MON_RING) m->ring_count++;
}

/* A link of u closed; only the last resident one takes the unit offline. */
static void unit_closed(mc_mon_unit *u, const mc_mon_closed *e, int resident, int64_t now_ms) {
  u->bytes_in += e->bytes_in;
  u->bytes_out += e->bytes_out;
  if (e->why == MC_CLOSE_REVOKED) u->revoked = 1;
  if (u->nconns > 0) u->nconns--;
  if (!resident || u->nresident == 0) return;
  u->last_close = e->why;
  if (--u->nresident > 0) return;
  u->since_ms = now_ms;
  u->rtt_ms = u->srtt_ms = -1; /* no link to measure */
  u->drops[u->ndrops % MC_MON_DROPS] = now_ms;
  u->ndrops++;
}

void mc_monitor_close(mc_monitor *m, mc_mon_conn *c, const mc_mon_close_info *ci,
                      int64_t now_ms) {
  mc_mon_closed e = {.why = ci->why, .closed_ms = now_ms, .opened_ms = ci->opened_ms};
  snprintf(e.unit, sizeof e.unit, "%s", c != NULL ? c->code : (ci->unit ? ci->unit : ""));
  snprintf(e.remote, sizeof e.remote, "%s", ci->remote ? ci->remote : "");
  snprintf(e.detail, sizeof e.detail, "%s", ci->detail ? ci->detail : "");
  if (ci->final != NULL) {
    e.bytes_in = ci->final->bytes_in;
    e.bytes_out = ci->final->bytes_out;
  }
  if (e.why < 0 || e.why >= MC_CLOSE__COUNT) e.why = MC_CLOSE_OTHER;
  m->closed_total[e.why]++;
  ring_push(m, &e);
  if (c == NULL) { /* never opened: a revoked certificate still tells its unit */
    mc_mon_unit *u = e.why == MC_CLOSE_REVOKED ? mc_monitor_unit(m, e.unit) : NULL;
    if (u != NULL) u->revoked = 1;
    return;
  }
  if (c->unit != NULL && unlink_conn(&c->unit->conns, c)) {
    if (ci->final != NULL) {
      c->unit->frames_in += ci->final->frames_in;
      c->unit->frames_out += ci->final->frames_out;
    }
    unit_closed(c->unit, &e, c->info.resident, now_ms);
  } else if (unlink_conn(&m->others, c)) {
    m->nothers--;
  }
  free(c);
}

/* ---- views --------------------------------------------------------------- */

static unsigned drops_since(const mc_mon_unit *u, int64_t from_ms) {
  unsigned n = 0, kept = u->ndrops < MC_MON_DROPS ? u->ndrops : MC_MON_DROPS;
  for (unsigned i = 0; i < kept; i++)
    if (u->drops[i] >= from_ms) n++;
  return n;
}

static void add_live(mc_mon_view *v, const mc_mon_conn *c) {
  if (c->stats != NULL) {
    v->bytes_in += c->stats->bytes_in;
    v->bytes_out += c->stats->bytes_out;
    v->frames_in += c->stats->frames_in;
    v->frames_out += c->stats->frames_out;
  }
  v->uploads += c->uploads;
  if (c->info.resident && (v->primary == NULL || c->opened_ms <= v->primary->opened_ms))
    v->primary = c;
}

static const char *offline_state(const mc_mon_unit *u) {
  if (u->revoked) return "revoked";
  return u->since_ms == 0 ? "never" : "offline";
}

void mc_monitor_view(const mc_monitor *m, const mc_mon_unit *u, int64_t now_ms,
                     mc_mon_view *v) {
  memset(v, 0, sizeof *v);
  v->u = u;
  v->bytes_in = u->bytes_in;
  v->bytes_out = u->bytes_out;
  v->frames_in = u->frames_in;
  v->frames_out = u->frames_out;
  for (const mc_mon_conn *c = u->conns; c != NULL; c = c->next) add_live(v, c);
  for (size_t i = u->live_first; i < u->live_first + u->live_n; i++) {
    const mc_mon_live *r = &m->live[i];
    if (r->resident && (v->remote == NULL || r->connected_ms < v->remote->connected_ms))
      v->remote = r;
  }
  v->links = u->nconns + u->live_n;
  v->online_here = u->nresident > 0;
  v->online = v->online_here || v->remote != NULL;
  v->since_ms = u->since_ms;
  v->rtt_ms = u->rtt_ms;
  int64_t srtt = u->srtt_ms;
  uint32_t outbox = u->outbox_depth;
  if (!v->online_here && v->remote != NULL) { /* linked through another instance only */
    v->since_ms = v->remote->connected_ms;
    v->rtt_ms = srtt = v->remote->rtt_ms;
    outbox = v->remote->outbox;
  }
  v->drops_1h = drops_since(u, now_ms - HOUR_MS);
  v->flapping = m->cfg.flap_drops_1h > 0 && v->drops_1h >= m->cfg.flap_drops_1h;
  int slow = srtt >= 0 && srtt > m->cfg.degraded_rtt_ms;
  v->state = !v->online ? offline_state(u) : (slow || v->flapping || outbox > 0)
                                                 ? "degraded" : "online";
}

static void instances_add(char *out, size_t size, const char *name) {
  size_t len = strlen(out), nl = strlen(name);
  for (const char *p = out; (p = strstr(p, name)) != NULL; p += nl)
    if ((p == out || p[-1] == ',') && (p[nl] == ',' || p[nl] == '\0')) return;
  if (len + nl + 2 > size) return; /* bounded: the rest is left out */
  snprintf(out + len, size - len, "%s%s", len > 0 ? "," : "", name);
}

void mc_monitor_instances(const mc_monitor *m, const mc_mon_view *v, char *out, size_t size) {
  const mc_mon_unit *u = v->u;
  if (size == 0) return;
  out[0] = '\0';
  if (u->nconns > 0) instances_add(out, size, m->instance);
  for (size_t i = u->live_first; i < u->live_first + u->live_n; i++)
    instances_add(out, size, m->live[i].instance);
}

size_t mc_monitor_mark_revoked(mc_monitor *m, int (*is_revoked)(void *arg, const char *serial),
                               void *arg) {
  size_t n = 0;
  for (size_t i = 0; i < m->nunits; i++) {
    mc_mon_unit *u = &m->units[i];
    if (u->nresident == 0 && u->serial[0] != '\0' && is_revoked(arg, u->serial)) {
      u->revoked = 1;
      n++;
    }
  }
  return n;
}

/* ---- requests -------------------------------------------------------------- */

const int64_t mc_mon_lat_le_us[MC_MON_LAT_BUCKETS] = {
    1000, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
    10000000};

static int metered(unsigned body) {
  return body != 0 && body < MC_MON_REQ_TYPES && body != MOTCUA__ENVELOPE__BODY_HELLO &&
         body != MOTCUA__ENVELOPE__BODY_PONG && body != MOTCUA__ENVELOPE__BODY_GOODBYE &&
         body != MOTCUA__ENVELOPE__BODY_CLIENT_STATUS;
}

void mc_monitor_request(mc_monitor *m, unsigned body, int err, int64_t dur_us) {
  if (!metered(body)) return;
  mc_mon_req *r = &m->req[body];
  int res = err == 0 ? 0 : (err < 0 && -err < MC_MON_REQ_RESULTS) ? -err : -MC_EINTERNAL;
  if (dur_us < 0) dur_us = 0;
  r->results[res]++;
  r->count++;
  r->sum_us += dur_us;
  for (int i = 0; i < MC_MON_LAT_BUCKETS; i++)
    if (dur_us <= mc_mon_lat_le_us[i]) {
      r->within[i]++;
      break;
    }
}

void mc_monitor_meter_begin(mc_mon_meter *d, unsigned body, int64_t now_us) {
  d->body = metered(body) ? body : 0;
  d->t0_us = now_us;
  d->gen++;
  d->dispatching = 1;
  d->open = d->recorded = 0;
}

void mc_monitor_meter_end(mc_monitor *m, mc_mon_meter *d, int rc, int64_t now_us) {
  d->dispatching = 0;
  if (d->body == 0 || d->recorded || (rc == 0 && d->open > 0)) return; /* counted / later */
  mc_monitor_request(m, d->body, rc, now_us - d->t0_us);
}

void mc_monitor_meter_resume(mc_mon_meter *d, mc_mon_req_meter *r) {
  d->body = r->body;
  d->t0_us = r->t0_us;
  d->gen++;
  d->dispatching = 1;
  d->open = d->recorded = 0;
  r->done = 1;
}

void mc_monitor_req_begin(mc_mon_meter *d, mc_mon_req_meter *r) {
  *r = (mc_mon_req_meter){.body = d->dispatching ? d->body : 0, .gen = d->gen,
                          .t0_us = d->t0_us};
  if (d->dispatching) d->open++;
}

void mc_monitor_req_end(mc_monitor *m, mc_mon_meter *d, mc_mon_req_meter *r, int err,
                        int64_t now_us) {
  if (r->done) return;
  r->done = 1;
  int inside = d->dispatching && r->gen == d->gen;
  if (inside) d->open--;
  if (inside && err == 0) return; /* the dispatch's return tells the outcome */
  if (inside) d->recorded = 1;
  if (m != NULL) mc_monitor_request(m, r->body, err, now_us - r->t0_us);
}

/* ---- alerts -------------------------------------------------------------- */

__attribute__((format(printf, 5, 6))) static void alert_add(mc_monitor *m, const char *kind,
                                                            const char *unit,
                                                            int64_t since, const char *fmt,
                                                            ...);

static void alert_add(mc_monitor *m, const char *kind, const char *unit, int64_t since,
                      const char *fmt, ...) {
  if (m->nalerts >= MC_MON_ALERTS_MAX) return;
  mc_mon_alert *a = &m->alerts[m->nalerts++];
  memset(a, 0, sizeof *a);
  snprintf(a->kind, sizeof a->kind, "%s", kind);
  snprintf(a->unit, sizeof a->unit, "%s", unit ? unit : "");
  a->since_ms = since;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(a->message, sizeof a->message, fmt, ap);
  va_end(ap);
}

static void alerts_units(mc_monitor *m, int64_t now_ms, int working) {
  for (size_t i = 0; i < m->nunits; i++) {
    const mc_mon_unit *u = &m->units[i];
    int64_t since = u->since_ms != 0 ? u->since_ms : m->srv.started_ms; /* never: since start */
    if (u->nresident == 0 && u->live_resident == 0 && !u->revoked && working &&
        now_ms - since >= m->cfg.offline_alert_ms)
      alert_add(m, "unit_offline", u->code, since, "unit %s offline for %lld min", u->code,
                (long long)((now_ms - since) / 60000));
    for (const mc_mon_conn *c = u->conns; c != NULL; c = c->next)
      if (c->info.not_after_ms > 0 && c->info.not_after_ms - now_ms < m->cfg.cert_warn_ms) {
        alert_add(m, "cert_expiring", u->code, c->info.not_after_ms,
                  "certificate of unit %s (serial %s) expires in %lld days", u->code,
                  c->info.serial, (long long)((c->info.not_after_ms - now_ms) / (24 * HOUR_MS)));
        snprintf(m->alerts[m->nalerts - 1].subject, sizeof m->alerts[0].subject, "%s",
                 c->info.serial);
        break;
      }
  }
}

static void alert_cert(mc_monitor *m, int64_t now_ms, int64_t not_after, const char *what) {
  if (not_after <= 0 || not_after - now_ms >= m->cfg.cert_warn_ms) return;
  alert_add(m, "cert_expiring", "", not_after, "%s certificate expires in %lld days", what,
            (long long)((not_after - now_ms) / (24 * HOUR_MS)));
  snprintf(m->alerts[m->nalerts - 1].subject, sizeof m->alerts[0].subject, "%s", what);
}

static void alerts_server(mc_monitor *m, int64_t now_ms) {
  const mc_mon_server *s = &m->srv;
  alert_cert(m, now_ms, s->server_cert_not_after_ms, "server");
  alert_cert(m, now_ms, s->ca_not_after_ms, "CA");
  if (s->crl_next_update_ms > 0 && s->crl_next_update_ms - now_ms < m->cfg.crl_warn_ms)
    alert_add(m, "crl_expiring", "", s->crl_next_update_ms,
              "revocation list next update in %lld h: publish a fresh CRL and reload",
              (long long)((s->crl_next_update_ms - now_ms) / HOUR_MS));
  for (size_t i = 0; i < m->nstuck && m->nalerts < MC_MON_ALERTS_MAX; i++)
    m->alerts[m->nalerts++] = m->stuck[i];
}

static int alert_same(const mc_mon_alert *a, const mc_mon_alert *b) {
  return strcmp(a->kind, b->kind) == 0 && strcmp(a->unit, b->unit) == 0 &&
         strcmp(a->subject, b->subject) == 0;
}

size_t mc_monitor_eval_alerts(mc_monitor *m, int64_t now_ms, mc_mon_working_fn working,
                              void *arg) {
  mc_mon_alert *old = malloc(sizeof m->alerts);
  size_t nold = m->nalerts, fresh = 0;
  if (old != NULL) memcpy(old, m->alerts, nold * sizeof *old);
  m->nalerts = 0;
  alerts_units(m, now_ms, working == NULL || working(arg, now_ms));
  alerts_server(m, now_ms);
  /* new ones first in the array order is not needed: count them */
  for (size_t i = 0; i < m->nalerts; i++) {
    int seen = 0;
    for (size_t k = 0; old != NULL && k < nold && !seen; k++)
      seen = alert_same(&m->alerts[i], &old[k]);
    m->alerts[i].fresh = !seen;
    if (!seen) fresh++;
  }
  free(old);
  return fresh;
}

size_t mc_monitor_alert_count(const mc_monitor *m, const char *kind) {
  size_t n = 0;
  for (size_t i = 0; i < m->nalerts; i++)
    if (strcmp(m->alerts[i].kind, kind) == 0) n++;
  return n;
}

/* ---- JSON ----------------------------------------------------------------- */

void mc_monitor_rfc3339(const mc_monitor *m, int64_t ms, char *out, size_t size) {
  if (ms <= 0) {
    snprintf(out, size, "%s", "");
    return;
  }
  int off = m->cfg.utc_offset_min;
  time_t t = (time_t)(ms / 1000) + off * 60;
  struct tm tm;
  gmtime_r(&t, &tm);
  char date[32];
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  int a = off < 0 ? -off : off;
  snprintf(out, size, "%s%c%02d:%02d", date, off < 0 ? '-' : '+', a / 60, a % 60);
}

static json_t *jtime(const mc_monitor *m, int64_t ms) {
  char buf[40];
  mc_monitor_rfc3339(m, ms, buf, sizeof buf);
  return buf[0] ? json_string(buf) : json_null();
}

static json_t *jms(int64_t v) { return v >= 0 ? json_integer(v) : json_null(); }

static json_t *jstr(const char *s) { return json_string(s != NULL ? s : ""); }

static void unit_json_link(json_t *o, const mc_mon_view *v) {
  const mc_mon_conn *p = v->primary;
  json_object_set_new(o, "remote", p ? jstr(p->info.remote) : json_null());
  json_object_set_new(o, "client_version", p ? jstr(p->info.client_version) : json_null());
  json_object_set_new(o, "tls_version", p ? jstr(p->info.tls_version) : json_null());
  json_object_set_new(o, "cipher", p ? jstr(p->info.cipher) : json_null());
  json_object_set_new(o, "cert_serial", p ? jstr(p->info.serial) : json_null());
}

/* Every live link of the unit, this instance's first, appended to a. */
static void links_json(json_t *a, const mc_monitor *m, const mc_mon_unit *u) {
  for (const mc_mon_conn *c = u->conns; a != NULL && c != NULL; c = c->next)
    json_array_append_new(
        a, json_pack("{s:s, s:s, s:I, s:b, s:o, s:o, s:I}", "unit", u->code, "instance",
                     m->instance, "session",
                     (json_int_t)c->id, "resident", c->info.resident, "connected",
                     jtime(m, c->opened_ms), "rtt_ms", jms(c->info.resident ? u->rtt_ms : -1),
                     "outbox_depth", (json_int_t)c->outbox));
  for (size_t i = u->live_first; a != NULL && i < u->live_first + u->live_n; i++) {
    const mc_mon_live *r = &m->live[i];
    json_array_append_new(
        a, json_pack("{s:s, s:s, s:I, s:b, s:o, s:o, s:I}", "unit", u->code, "instance",
                     r->instance, "session",
                     (json_int_t)r->session, "resident", r->resident, "connected",
                     jtime(m, r->connected_ms), "rtt_ms", jms(r->rtt_ms), "outbox_depth",
                     (json_int_t)r->outbox));
  }
}

json_t *mc_monitor_unit_json(const mc_monitor *m, const mc_mon_view *v, int64_t now_ms) {
  const mc_mon_unit *u = v->u;
  json_t *o = json_object();
  if (o == NULL) return NULL;
  json_object_set_new(o, "unit", jstr(u->code));
  json_object_set_new(o, "name", jstr(u->name));
  json_object_set_new(o, "role", jstr(mc_role_name((mc_role)u->role)));
  json_object_set_new(o, "online", json_boolean(v->online));
  json_object_set_new(o, "state", jstr(v->state));
  json_object_set_new(o, "since", jtime(m, v->since_ms));
  json_object_set_new(o, "since_ms", json_integer(v->since_ms));
  json_object_set_new(o, "offline_for_s", v->online || v->since_ms == 0
                                               ? json_null()
                                               : json_integer((now_ms - v->since_ms) / 1000));
  json_object_set_new(o, "rtt_ms", jms(v->rtt_ms));
  json_object_set_new(o, "srtt_ms", jms(u->srtt_ms));
  json_object_set_new(o, "bytes_in", json_integer((json_int_t)v->bytes_in));
  json_object_set_new(o, "bytes_out", json_integer((json_int_t)v->bytes_out));
  json_object_set_new(o, "frames_in", json_integer((json_int_t)v->frames_in));
  json_object_set_new(o, "frames_out", json_integer((json_int_t)v->frames_out));
  json_object_set_new(o, "last_seen", jtime(m, u->last_seen_ms));
  json_object_set_new(o, "last_request", jtime(m, u->last_request_ms));
  json_object_set_new(o, "outbox_depth", json_integer(u->outbox_depth));
  json_object_set_new(o, "uploads", json_integer(v->uploads));
  json_object_set_new(o, "connections", json_integer(v->links));
  char inst[256];
  mc_monitor_instances(m, v, inst, sizeof inst);
  json_object_set_new(o, "instance", inst[0] ? json_string(inst) : json_null());
  unit_json_link(o, v);
  json_object_set_new(o, "cert_not_after",
                      v->primary ? jtime(m, v->primary->info.not_after_ms) : json_null());
  json_object_set_new(o, "last_close_reason",
                      u->last_close ? jstr(mc_close_why_name(u->last_close)) : json_null());
  json_object_set_new(o, "disconnects_1h", json_integer(v->drops_1h));
  json_object_set_new(o, "flapping", json_boolean(v->flapping));
  json_object_set_new(o, "uptime_today_pct",
                      u->uptime_today_pct >= 0 ? json_integer(u->uptime_today_pct) : json_null());
  return o;
}

static json_t *closed_json(const mc_monitor *m, const mc_mon_closed *e) {
  return json_pack("{s:s, s:s, s:o, s:o, s:s, s:s, s:I, s:I}", "unit", e->unit, "remote",
                   e->remote, "opened", jtime(m, e->opened_ms), "closed",
                   jtime(m, e->closed_ms), "reason", mc_close_why_name(e->why), "detail",
                   e->detail, "bytes_in", (json_int_t)e->bytes_in, "bytes_out",
                   (json_int_t)e->bytes_out);
}

static json_t *alert_json(const mc_monitor *m, const mc_mon_alert *a) {
  return json_pack("{s:s, s:s, s:s, s:s, s:o}", "kind", a->kind, "unit", a->unit, "subject",
                   a->subject, "message", a->message, "since", jtime(m, a->since_ms));
}

static json_t *server_json(const mc_monitor *m) {
  const mc_mon_server *s = &m->srv;
  return json_pack("{s:o, s:o, s:o, s:b, s:i, s:i}", "started", jtime(m, s->started_ms),
                   "server_cert_not_after", jtime(m, s->server_cert_not_after_ms),
                   "crl_next_update", jtime(m, s->crl_next_update_ms), "tls_ok", s->tls_ok,
                   "db_up", s->db_up, "admin_sessions", (int)m->nothers);
}

json_t *mc_monitor_json(const mc_monitor *m, int64_t now_ms) {
  json_t *units = json_array(), *closed = json_array(), *alerts = json_array();
  json_t *links = json_array();
  for (size_t i = 0; i < m->nunits; i++) {
    mc_mon_view v;
    mc_monitor_view(m, &m->units[i], now_ms, &v);
    json_array_append_new(units, mc_monitor_unit_json(m, &v, now_ms));
    if (links != NULL) links_json(links, m, &m->units[i]);
  }
  for (size_t k = 0; k < m->ring_count; k++) {
    size_t i = (m->ring_next + MC_MON_RING - 1 - k) % MC_MON_RING; /* newest first */
    json_array_append_new(closed, closed_json(m, &m->ring[i]));
  }
  for (size_t i = 0; i < m->nalerts; i++)
    json_array_append_new(alerts, alert_json(m, &m->alerts[i]));
  return json_pack("{s:o, s:I, s:s, s:b, s:o, s:o, s:o, s:o, s:o}", "server_time",
                   jtime(m, now_ms), "server_time_ms", (json_int_t)now_ms, "instance",
                   m->instance, "cluster_view", m->live_known, "units", units, "links", links,
                   "recent_closed",
                   closed, "alerts", alerts, "server", server_json(m));
}
