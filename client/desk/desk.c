/* motcua desk (desk.h): the outer loop, the resident link in it, the event
 * list for long polls, outbox delivery and idle logout. */
#include "desk.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "desk_internal.h"
#include "desk_tmp.h"
#include "error.h"
#include "log.h"
#include "outbox.h"
#include "render.h"

#define HOUSEKEEP_MS 15000u
#define DELIVER_BUDGET_MS 5000u

/* ---- the private loop, polled from the outer one ------------------------- */

static void client_timer_cb(uv_timer_t *t);
static void wake_cb(uv_timer_t *t);

void desk_client_arm(desk *d) {
  if (d->client == NULL || d->stopping) return;
  int ms = mc_client_loop_timeout(d->client);
  if (ms < 0 || ms > 1000) ms = 1000;
  /* never later than already armed: re-arming on every HTTP run would
   * otherwise postpone the private loop's timers for ever */
  if (uv_is_active((uv_handle_t *)&d->client_timer) &&
      uv_timer_get_due_in(&d->client_timer) <= (uint64_t)ms)
    return;
  uv_timer_start(&d->client_timer, client_timer_cb, (uint64_t)ms, 0);
}

static void pump(desk *d) {
  mc_client_pump(d->client);
  desk_client_arm(d);
}

static void client_poll_cb(uv_poll_t *p, int status, int events) {
  (void)status;
  (void)events;
  pump(p->data);
}

static void client_timer_cb(uv_timer_t *t) { pump(t->data); }

/* ---- events -------------------------------------------------------------- */

void desk_event_push(desk *d, json_t *ev) {
  if (ev == NULL) return;
  uint64_t id = ++d->event_last;
  json_object_set_new(ev, "id", json_integer((json_int_t)id));
  size_t slot = (size_t)(id % DESK_EVENTS_MAX);
  json_decref(d->events[slot]);
  d->events[slot] = ev;
  if (!d->stopping) uv_timer_start(&d->wake, wake_cb, 0, 0); /* resume long polls */
}

json_t *desk_events_after(desk *d, uint64_t after) {
  json_t *a = json_array();
  uint64_t first = d->event_last > DESK_EVENTS_MAX ? d->event_last - DESK_EVENTS_MAX + 1 : 1;
  if (after + 1 > first) first = after + 1;
  for (uint64_t id = first; id <= d->event_last; id++) {
    json_t *e = d->events[id % DESK_EVENTS_MAX];
    if (e != NULL) json_array_append(a, e);
  }
  return a;
}

/* ---- outbox delivery ----------------------------------------------------- */

/* The live session delivery may use for item it: its officer's own (the
 * server records who did it), or for an item that names nobody (queued
 * before officers were recorded) the most recently active one. NULL: none
 * here now; the item waits for that officer's login. */
static const desk_session *delivery_session(desk *d, const mc_outbox_item *it) {
  const desk_session *best = NULL;
  int64_t now = mc_client_now_ms();
  for (size_t i = 0; i < DESK_SESSIONS_MAX; i++) {
    const desk_session *s = &d->sessions.s[i];
    if (!s->used || now - s->last_ms >= d->sessions.idle_ms) continue;
    if (!mc_outbox_officer_may_send(it, s->officer.login)) continue;
    if (best == NULL || s->last_ms > best->last_ms) best = s;
  }
  return best;
}

static int any_session(desk *d) {
  int64_t now = mc_client_now_ms();
  for (size_t i = 0; i < DESK_SESSIONS_MAX; i++)
    if (d->sessions.s[i].used && now - d->sessions.s[i].last_ms < d->sessions.idle_ms) return 1;
  return 0;
}

static int deliver_send(void *ud, const mc_outbox_item *it, Motcua__Envelope *req,
                        Motcua__Envelope **reply, mc_outbox_send_result *res) {
  desk *d = ud;
  mc_client_error e = {0};
  *reply = NULL;
  if (!mc_client_is_ready(d->client)) {
    res->link_down = 1;
    snprintf(res->msg, sizeof res->msg, "not connected");
    return MC_ECLOSED;
  }
  const desk_session *s = delivery_session(d, it);
  if (s == NULL) return mc_outbox_wait_officer(it, res);
  mc_client_set_token(d->client, s->token);
  mc_client_set_officer(d->client, s->officer.login);
  int rc = mc_client_call(d->client, req, reply, &e);
  mc_client_set_token(d->client, NULL);
  if (rc != MC_OK) {
    res->refused = e.refused;
    res->link_down = !e.refused && !mc_client_is_ready(d->client);
    snprintf(res->msg, sizeof res->msg, "%s", e.message);
  }
  return rc;
}

static void deliver_report(void *ud, const mc_outbox_item *it, mc_outbox_outcome out,
                           Motcua__Envelope **reply) {
  desk *d = ud;
  (void)reply;
  if (out == MC_OUTBOX_OUT_WAITING) return;
  json_t *o = mc_outbox_outcome_json(it, out);
  if (o == NULL) return;
  json_object_set_new(o, "event", json_string("outbox"));
  json_object_set_new(o, "at", mc_render_time_json(mc_client_now_ms()));
  desk_event_push(d, o);
  mc_log_info(0, "desk: outbox item %lld %s", (long long)it->id, mc_outbox_outcome_name(out));
}

static void deliver(desk *d) {
  char path[MC_CLIENT_PATH_MAX], unit[32], err[256];
  mc_outbox *ob = NULL;
  mc_outbox_stats st;
  size_t n = 0;
  struct stat sb;
  int all = d->deliver == 2;
  if (!mc_client_is_ready(d->client) || !any_session(d)) return; /* kept for later */
  d->deliver = 0;
  if (mc_outbox_config_path(&d->cfg, path, sizeof path, unit, sizeof unit, err, sizeof err) != MC_OK ||
      stat(path, &sb) != 0 || mc_outbox_open(path, unit, &ob, err, sizeof err) != MC_OK)
    return;
  if (mc_outbox_pending_count(ob, &n) == MC_OK && n > 0) {
    mc_outbox_pass pass = {.all = all, .wait_lock = 0, .now_ms = mc_client_now_ms(),
                           .budget_ms = DELIVER_BUDGET_MS, .report = deliver_report, .report_ud = d};
    if (mc_outbox_deliver(ob, deliver_send, d, &pass, &st) != MC_OK)
      mc_log_warn(0, "desk: outbox: %s", mc_outbox_errmsg(ob));
  }
  if (mc_outbox_pending_count(ob, &n) == MC_OK)
    mc_client_report_status(d->client, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
  mc_outbox_close(ob);
  desk_client_arm(d);
}

static void wake_cb(uv_timer_t *t) {
  desk *d = t->data;
  if (d->stopping) return;
  if (d->deliver) deliver(d);
  desk_http_wake(d->http);
}

void desk_want_delivery(desk *d, int all) {
  if (d->deliver < (all ? 2 : 1)) d->deliver = all ? 2 : 1;
  if (!d->stopping) uv_timer_start(&d->wake, wake_cb, 0, 0);
}

/* ---- the resident link's events (run inside the private loop) ------------ */

static void event_cb(mc_client *c, const mc_client_event *ev, void *ud) {
  desk *d = ud;
  switch (ev->kind) {
  case MC_CLIENT_EV_CONNECTED:
    d->since_ms = mc_client_now_ms();
    d->link_err = MC_OK;
    mc_log_info(0, "desk: link up");
    desk_want_delivery(d, 1);
    break;
  case MC_CLIENT_EV_DISCONNECTED:
    if (d->link_err != ev->err) mc_log_warn(0, "desk: link down err=%s", mc_errname(ev->err));
    d->link_err = ev->err;
    d->since_ms = mc_client_now_ms();
    break;
  case MC_CLIENT_EV_PONG:
    d->rtt_ms = ev->rtt_ms;
    desk_want_delivery(d, 0);
    return; /* not an event for the screen */
  case MC_CLIENT_EV_PUSH: break;
  }
  desk_event_push(d, mc_client_event_json(c, ev, d->lang));
}

static void stop(desk *d);

/* ---- housekeeping: idle logout ------------------------------------------- */

static void housekeep_cb(uv_timer_t *t) {
  desk *d = t->data;
  char token[MC_CLIENT_TOKEN_MAX + 1];
  while (desk_sessions_expire(&d->sessions, mc_client_now_ms(), token)) {
    mc_log_info(0, "desk: idle session logged out");
    if (mc_client_is_ready(d->client)) {
      mc_client_set_token(d->client, token);
      mc_client_logout(d->client, 0, NULL);
      mc_client_set_token(d->client, NULL);
    }
  }
  if (mc_client_watch_result(d->client) == MC_EREVOKED) { /* no retry with these files */
    mc_log_error(0, "desk: the server refused our certificate as revoked");
    stop(d);
    return;
  }
  if (d->deliver) deliver(d);
  desk_client_arm(d);
}

/* ---- start and stop ------------------------------------------------------ */

static void stop(desk *d) {
  if (d->stopping) return;
  d->stopping = 1;
  mc_log_info(0, "desk: stopping");
  uv_signal_stop(&d->sigint);
  uv_signal_stop(&d->sigterm);
  uv_timer_stop(&d->wake);
  uv_timer_stop(&d->housekeep);
  uv_timer_stop(&d->client_timer);
  if (d->http != NULL) desk_http_stop(d->http);
  d->http = NULL;
  uv_close((uv_handle_t *)&d->sigint, NULL);
  uv_close((uv_handle_t *)&d->sigterm, NULL);
  uv_close((uv_handle_t *)&d->wake, NULL);
  uv_close((uv_handle_t *)&d->housekeep, NULL);
  uv_close((uv_handle_t *)&d->client_timer, NULL);
  uv_close((uv_handle_t *)&d->client_poll, NULL);
}

static void signal_cb(uv_signal_t *s, int signum) {
  (void)signum;
  stop(s->data);
}

/* "ADDR:PORT", "[v6]:PORT" or "ADDR" into host and port. */
static int split_listen(const char *s, char *host, size_t size, int *port) {
  const char *colon = strrchr(s, ':');
  const char *h = s;
  size_t hl;
  if (s[0] == '[') {
    const char *close = strchr(s, ']');
    if (close == NULL) return -1;
    h = s + 1;
    hl = (size_t)(close - h);
    colon = close[1] == ':' ? close + 1 : NULL;
  } else {
    hl = colon != NULL ? (size_t)(colon - s) : strlen(s);
  }
  if (hl == 0 || hl >= size) return -1;
  memcpy(host, h, hl);
  host[hl] = '\0';
  if (colon != NULL) {
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end != '\0' || p < 0 || p > 65535) return -1;
    *port = (int)p;
  }
  return 0;
}

static int is_loopback(const char *host) {
  return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 || strcmp(host, "localhost") == 0;
}

static int make_tmpdir(desk *d) {
  const char *base = getenv("TMPDIR");
  if (base == NULL || base[0] == '\0') base = "/tmp";
  desk_tmp_sweep(base);
  return desk_tmp_make(base, d->tmpdir, sizeof d->tmpdir, &d->tmp_lock);
}

static int setup(desk *d, const char *host, int port, char *err, size_t errlen) {
  int rc;
  if ((rc = mc_client_new(&d->cfg, &d->client, err, errlen)) != MC_OK) return rc;
  mc_client_set_session_file(d->client, 0);
  mc_outbox_cert_unit(d->cfg.cert, d->unit, sizeof d->unit, err, errlen);
  if (mc_http_hosts_init(&d->hosts, host, port, d->cfg.desk_hosts) != 0)
    return snprintf(err, errlen, "desk_hosts: too many names or a name too long"), MC_ECONFIG;
  if (make_tmpdir(d) != 0) return snprintf(err, errlen, "cannot create a private temporary directory"), MC_EIO;
  if ((rc = desk_http_start(d, host, port, err, errlen)) != MC_OK) return rc;
  /* the Host allow-list names the port actually bound (--port 0) */
  mc_http_hosts_init(&d->hosts, host, desk_http_port(d->http), d->cfg.desk_hosts);
  if (uv_poll_init(&d->loop, &d->client_poll, mc_client_loop_fd(d->client)) != 0)
    return snprintf(err, errlen, "cannot poll the client loop"), MC_EINTERNAL;
  d->client_poll.data = d;
  uv_poll_start(&d->client_poll, UV_READABLE, client_poll_cb);
  mc_client_watch_start(d->client, event_cb, d);
  desk_client_arm(d);
  uv_timer_start(&d->housekeep, housekeep_cb, HOUSEKEEP_MS, HOUSEKEEP_MS);
  uv_signal_start(&d->sigint, signal_cb, SIGINT);
  uv_signal_start(&d->sigterm, signal_cb, SIGTERM);
  return MC_OK;
}

static void init_handles(desk *d) {
  uv_timer_init(&d->loop, &d->client_timer);
  uv_timer_init(&d->loop, &d->wake);
  uv_timer_init(&d->loop, &d->housekeep);
  uv_signal_init(&d->loop, &d->sigint);
  uv_signal_init(&d->loop, &d->sigterm);
  d->client_timer.data = d->wake.data = d->housekeep.data = d;
  d->sigint.data = d->sigterm.data = d;
}

static void teardown(desk *d) {
  if (!d->stopping) { /* setup failed half-way */
    if (d->http != NULL) desk_http_stop(d->http);
    d->http = NULL;
    d->stopping = 1;
    uv_close((uv_handle_t *)&d->sigint, NULL);
    uv_close((uv_handle_t *)&d->sigterm, NULL);
    uv_close((uv_handle_t *)&d->wake, NULL);
    uv_close((uv_handle_t *)&d->housekeep, NULL);
    uv_close((uv_handle_t *)&d->client_timer, NULL);
    if (uv_is_active((uv_handle_t *)&d->client_poll) || d->client_poll.data == d)
      uv_close((uv_handle_t *)&d->client_poll, NULL);
  }
  uv_run(&d->loop, UV_RUN_DEFAULT);
  /* officers still logged in: end their server sessions */
  for (size_t i = 0; i < DESK_SESSIONS_MAX; i++)
    if (d->sessions.s[i].used) {
      if (mc_client_is_ready(d->client)) {
        mc_client_set_token(d->client, d->sessions.s[i].token);
        mc_client_logout(d->client, 0, NULL);
      }
      desk_sessions_remove(&d->sessions.s[i]);
    }
  mc_client_watch_stop(d->client);
  mc_client_free(d->client);
  if (uv_loop_close(&d->loop) != 0) mc_log_warn(0, "desk: loop still busy at close");
  for (size_t i = 0; i < DESK_EVENTS_MAX; i++) json_decref(d->events[i]);
  mc_envelope_free(d->procs);
  if (d->tmpdir[0]) desk_tmp_remove(d->tmpdir);
  if (d->tmp_lock >= 0) close(d->tmp_lock);
}

int mc_desk_run(const mc_desk_opts *o, mc_desk_ready_fn ready, void *ud, char *err,
                size_t errlen) {
  char host[256], url[400];
  int port = 8480;
  desk *d = calloc(1, sizeof *d);
  if (d == NULL) return snprintf(err, errlen, "out of memory"), MC_ENOMEM;
  d->tmp_lock = -1;
  d->opts = *o;
  d->cfg = *o->cfg;
  d->lang = o->lang;
  desk_sessions_init(&d->sessions, (int64_t)(d->cfg.desk_idle_min > 0 ? d->cfg.desk_idle_min : 15) * 60000);
  const char *listen = o->listen != NULL ? o->listen : d->cfg.desk_listen;
  int rc = MC_OK;
  if (split_listen(listen, host, sizeof host, &port) != 0) {
    free(d);
    return snprintf(err, errlen, "--listen: not ADDR:PORT: %s", listen), MC_ECONFIG;
  }
  if (o->port >= 0) port = o->port;
  d->tls = d->cfg.desk_tls_cert[0] != '\0' && d->cfg.desk_tls_key[0] != '\0';
  if (!is_loopback(host) && !d->tls) {
    free(d);
    return snprintf(err, errlen, "%s is not loopback: HTTPS needed (desk_tls_cert, desk_tls_key)", host),
           MC_ECONFIG;
  }
  uv_loop_init(&d->loop);
  init_handles(d);
  rc = setup(d, host, port, err, errlen);
  if (rc == MC_OK) {
    snprintf(url, sizeof url, "%s://%s%s%s:%d/", d->tls ? "https" : "http", strchr(host, ':') ? "[" : "",
             host, strchr(host, ':') ? "]" : "", desk_http_port(d->http));
    mc_log_info(0, "desk: listening on %s", url);
    if (ready != NULL) ready(url, d->unit, ud);
    uv_run(&d->loop, UV_RUN_DEFAULT);
    if (mc_client_watch_result(d->client) == MC_EREVOKED) rc = MC_EREVOKED;
  }
  teardown(d);
  free(d);
  return rc;
}
