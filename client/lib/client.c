/* mc_client: blocking request/reply and a self-healing watch mode over one
 * mc_link, driven by a private uv loop. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>
#include <uv.h>

#include "client_cert.h"
#include "error.h"
#include "link.h"
#include "log.h"
#include "motcua_client.h"
#include "render.h"
#include "tls.h"

/* client_zone.c: keep the server's zone for offline use. */
void client__zone_save(const mc_client_config *cfg, int offset_min);

#define BACKOFF_MIN_MS 1000u
#define BACKOFF_MAX_MS 60000u
#define HEARTBEAT_DEFAULT_S 30u
#define GOODBYE_REVOKED "certificate revoked" /* server/net/session.c */

enum cstate { CS_DOWN, CS_CONNECTING, CS_HELLO, CS_READY };

struct mc_client {
  mc_client_config cfg;
  SSL_CTX *ctx;
  client__cert_sig cert_sig; /* the cert and key files ctx was built from */
  unsigned ctx_gen, link_gen; /* ctx rebuilds; the one the link uses */
  int alert_revoked;          /* the server sent certificate_revoked */
  int resident;               /* Hello.resident: a session kept open */
  int no_session_file;        /* the desk: tokens in memory only */
  uv_loop_t loop;
  uv_timer_t deadline;  /* bounds connect, Hello, a call, a heartbeat pong */
  uv_timer_t heartbeat; /* watch: ping interval */
  uv_timer_t retry;     /* watch: reconnect backoff */
  uv_signal_t sigint, sigterm;
  mc_link *link;
  enum cstate state;
  mc_client_info info;
  uint64_t next_id;
  uint64_t hello_id;
  /* ClientStatus: the outbox depth reported by the application. */
  uint32_t outbox_depth;
  /* Blocking wait (connect, call). */
  int done;
  int waiting; /* a blocking call or connect runs the loop now */
  int result;
  int pending_err; /* refusal seen before the link closed */
  uint64_t wait_id;
  Motcua__Envelope *reply;
  /* Watch mode. */
  int watching;
  int stopping;
  int watch_result; /* MC_EREVOKED when the watch stopped for it */
  unsigned attempt;
  uint64_t ping_id;
  uint64_t ping_hr;
  mc_client_event_cb event_cb;
  void *event_ud;
  mc_client_reply_cb reply_cb; /* streaming: replies nobody waits for */
  void *reply_ud;
  /* Last failure. */
  int refused;
  char errmsg[512];
  char errdetail[128];
  char target[300];
  char token[MC_CLIENT_TOKEN_MAX + 1]; /* the officer session requests carry; "" = none */
  char officer[MC_CLIENT_LOGIN_MAX + 1]; /* whose session token is; "" = not known */
};

static void watch_connect(mc_client *c);

int64_t mc_client_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 12 hex digits of the wall-clock milliseconds (48 bits, as UUIDv7's),
 * then 20 of RAND_bytes (80 bits): a unit's keys sort in the order they
 * were made, so the server's idempotency index (unit, key) takes each new
 * key at the unit's end instead of on any of its pages (at years of
 * keys, a random page per request: docs/PERFORMANCE.md "Idempotency keys
 * in time order"). Unique by the random part; the time only orders. */
int mc_client_idem_key(char *out, size_t outlen) {
  static const char hex[] = "0123456789abcdef";
  enum { TIME_DIGITS = 12 };
  unsigned char raw[(MC_CLIENT_IDEM_KEY_LEN - TIME_DIGITS) / 2];
  if (outlen < MC_CLIENT_IDEM_KEY_LEN + 1) return MC_EINVAL;
  if (RAND_bytes(raw, (int)sizeof raw) != 1) return MC_EINTERNAL;
  uint64_t ms = (uint64_t)mc_client_now_ms();
  for (int i = TIME_DIGITS - 1; i >= 0; i--, ms >>= 4) out[i] = hex[ms & 15];
  for (size_t i = 0; i < sizeof raw; i++) {
    out[TIME_DIGITS + 2 * i] = hex[raw[i] >> 4];
    out[TIME_DIGITS + 2 * i + 1] = hex[raw[i] & 15];
  }
  out[MC_CLIENT_IDEM_KEY_LEN] = '\0';
  return MC_OK;
}

__attribute__((format(printf, 3, 4))) static void set_errmsg(mc_client *c,
                                                             int refused,
                                                             const char *fmt, ...) {
  va_list ap;
  c->refused = refused;
  va_start(ap, fmt);
  vsnprintf(c->errmsg, sizeof c->errmsg, fmt, ap);
  va_end(ap);
}

static void finish(mc_client *c, int rc) {
  if (c->done) return;
  c->done = 1;
  c->result = rc;
}

static void emit(mc_client *c, const mc_client_event *ev) {
  if (c->event_cb != NULL) c->event_cb(c, ev, c->event_ud);
}

/* ---- the certificate files -------------------------------------------- */

/* A renewed certificate and key (their files changed): build a new context
 * for the next connection; the open link keeps the one it started with.
 * Half-written files fail to build: keep the old context and look again. */
static void cert_reload(mc_client *c) {
  client__cert_sig now;
  char err[256] = "";
  SSL_CTX *ctx = NULL;
  client__cert_sig_read(&c->cfg, &now);
  if (!client__cert_sig_differs(&now, &c->cert_sig)) return;
  if (client__cert_ctx_new(&c->cfg, &c->alert_revoked, &ctx, err, sizeof err) != MC_OK) {
    mc_log_warn(0, "msg=\"certificate files changed, not loaded yet\" reason=\"%s\"", err);
    return;
  }
  mc_tls_ctx_free(c->ctx); /* an open link's SSL holds its own reference */
  c->ctx = ctx;
  c->cert_sig = now;
  c->ctx_gen++;
  mc_log_info(0, "msg=\"certificate and key reloaded\" generation=%u", c->ctx_gen);
}

/* Closed as revoked: reconnect only with a certificate other than the one
 * the closed link used. */
static int watch_renewed(mc_client *c) {
  cert_reload(c);
  return c->ctx_gen != c->link_gen;
}

/* ---- timers ---------------------------------------------------------- */

static uint64_t timeout_ms(const mc_client *c) {
  return (uint64_t)c->cfg.timeout_s * 1000u;
}

static void deadline_cb(uv_timer_t *t) {
  mc_client *c = t->data;
  if (!c->refused)
    set_errmsg(c, 0, "%s: %s", c->target, "no answer before the timeout");
  if (!c->watching || c->waiting) finish(c, MC_ETIMEOUT);
  if (c->watching && c->link != NULL) mc_link_close(c->link, MC_ETIMEOUT);
}

static void heartbeat_cb(uv_timer_t *t) {
  mc_client *c = t->data;
  Motcua__Envelope env = MOTCUA__ENVELOPE__INIT;
  Motcua__Ping ping = MOTCUA__PING__INIT;
  cert_reload(c); /* periodically, not only before a reconnect */
  if (c->state != CS_READY || c->ping_id != 0) return;
  ping.sent_ms = mc_client_now_ms();
  env.body_case = MOTCUA__ENVELOPE__BODY_PING;
  env.ping = &ping;
  env.request_id = ++c->next_id;
  int rc = mc_link_send(c->link, &env);
  if (rc != MC_OK) {
    mc_link_close(c->link, rc);
    return;
  }
  c->ping_id = env.request_id;
  c->ping_hr = uv_hrtime();
  uv_timer_start(&c->deadline, deadline_cb, timeout_ms(c), 0);
}

/* Delay before reconnect attempt n (1-based): 1 s doubling to 60 s, minus
 * up to a quarter of random jitter so that 21 desks do not reconnect in
 * step after a centre restart. */
static uint64_t backoff_ms(unsigned attempt) {
  unsigned shift = attempt > 7 ? 6 : (attempt == 0 ? 0 : attempt - 1);
  uint64_t d = (uint64_t)BACKOFF_MIN_MS << shift;
  uint32_t r = 0;
  if (d > BACKOFF_MAX_MS) d = BACKOFF_MAX_MS;
  if (RAND_bytes((unsigned char *)&r, sizeof r) != 1) r = (uint32_t)uv_hrtime();
  d -= r % (d / 4 + 1);
  return d < BACKOFF_MIN_MS ? BACKOFF_MIN_MS : d;
}

static void retry_cb(uv_timer_t *t) { watch_connect(t->data); }

static void schedule_retry(mc_client *c, int err) {
  mc_client_event ev = {.kind = MC_CLIENT_EV_DISCONNECTED};
  c->attempt++;
  ev.err = err == MC_OK ? MC_ECLOSED : err;
  ev.errmsg = c->errmsg;
  ev.retry_in_ms = backoff_ms(c->attempt);
  ev.attempt = c->attempt;
  emit(c, &ev);
  uv_timer_start(&c->retry, retry_cb, ev.retry_in_ms, 0);
}

static void signal_cb(uv_signal_t *s, int signum) {
  mc_client *c = s->data;
  (void)signum;
  c->stopping = 1;
  uv_signal_stop(&c->sigint);
  uv_signal_stop(&c->sigterm);
  uv_timer_stop(&c->deadline);
  uv_timer_stop(&c->heartbeat);
  uv_timer_stop(&c->retry);
  if (c->link != NULL) mc_link_close(c->link, MC_OK);
}

/* The watch ends by itself (a revoked certificate): mc_client_watch
 * returns err once the loop has nothing left to run. */
static void watch_stop(mc_client *c, int err) {
  c->watch_result = err;
  c->stopping = 1;
  uv_signal_stop(&c->sigint);
  uv_signal_stop(&c->sigterm);
  uv_timer_stop(&c->deadline);
  uv_timer_stop(&c->heartbeat);
  uv_timer_stop(&c->retry);
}

/* ---- link callbacks -------------------------------------------------- */

static void copy_str(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* ---- errors ---------------------------------------------------------- */

/* The last failure of c as the caller's value; returns rc. */
static int fill_error(const mc_client *c, int rc, mc_client_error *e) {
  if (e == NULL || rc == MC_OK) return rc;
  e->err = rc;
  e->refused = c->refused;
  e->local = 0;
  copy_str(e->code, sizeof e->code, mc_errname(rc));
  copy_str(e->message, sizeof e->message, c->errmsg[0] ? c->errmsg : mc_strerror(rc));
  copy_str(e->field, sizeof e->field, c->refused ? c->errdetail : "");
  return rc;
}

int mc_client_error_set(mc_client_error *e, int err, const char *code, const char *field,
                        const char *message) {
  if (e == NULL) return err;
  e->err = err;
  e->refused = 0;
  e->local = 1;
  copy_str(e->code, sizeof e->code, code != NULL ? code : mc_errname(err));
  copy_str(e->field, sizeof e->field, field);
  copy_str(e->message, sizeof e->message, message != NULL ? message : mc_strerror(err));
  return err;
}

const mc_client_unit *mc_client_unit_find(const mc_client_info *info, const char *code) {
  for (size_t i = 0; code != NULL && code[0] && i < info->n_units; i++)
    if (strcmp(info->units[i].code, code) == 0) return &info->units[i];
  return NULL;
}


/* ClientStatus after Hello and on every change (no reply expected). */
static void send_status(mc_client *c) {
  Motcua__Envelope env = MOTCUA__ENVELOPE__INIT;
  Motcua__ClientStatus st = MOTCUA__CLIENT_STATUS__INIT;
  st.outbox_depth = c->outbox_depth;
  env.body_case = MOTCUA__ENVELOPE__BODY_CLIENT_STATUS;
  env.client_status = &st;
  env.request_id = ++c->next_id;
  int rc = mc_link_send(c->link, &env);
  if (rc != MC_OK) mc_log_warn(0, "msg=\"status not sent\" err=%s", mc_errname(rc));
}

static void on_ready(mc_client *c) {
  mc_client_event ev = {.kind = MC_CLIENT_EV_CONNECTED};
  c->state = CS_READY;
  send_status(c);
  uv_timer_stop(&c->deadline);
  if (!c->watching) {
    finish(c, MC_OK);
    return;
  }
  c->attempt = 0;
  uint64_t hb = (uint64_t)(c->info.heartbeat_s ? c->info.heartbeat_s
                                               : HEARTBEAT_DEFAULT_S) * 1000u;
  uv_timer_start(&c->heartbeat, heartbeat_cb, hb, hb);
  emit(c, &ev);
}

static void store_unit(mc_client_unit *u, const Motcua__UnitInfo *in) {
  copy_str(u->code, sizeof u->code, in->code);
  copy_str(u->name, sizeof u->name, in->name);
  copy_str(u->agency_id, sizeof u->agency_id, in->agency_id);
  copy_str(u->parent, sizeof u->parent, in->parent);
  u->role = (int)in->role;
  copy_str(u->province, sizeof u->province, in->province);
}

/* The zone the server renders dates in: used from now on and kept for
 * offline use (0: an older server that does not say; keep what we have). */
static void take_zone(mc_client *c, int offset_min) {
  if (offset_min == 0) return;
  mc_render_set_utc_offset(offset_min);
  client__zone_save(&c->cfg, offset_min);
}

static void store_hello(mc_client *c, const Motcua__HelloReply *h) {
  mc_client_info *i = &c->info;
  i->n_units = 0;
  for (size_t k = 0; k < h->n_units && i->n_units < MC_CLIENT_UNITS_MAX; k++)
    if (h->units[k] != NULL) store_unit(&i->units[i->n_units++], h->units[k]);
  i->utc_offset_min = h->utc_offset_min;
  take_zone(c, h->utc_offset_min);
  copy_str(i->server_version, sizeof i->server_version, h->server_version);
  copy_str(i->unit_code, sizeof i->unit_code, h->unit_code);
  copy_str(i->unit_name, sizeof i->unit_name, h->unit_name);
  i->role = (int)h->role;
  i->server_time_ms = h->server_time_ms;
  i->heartbeat_s = h->heartbeat_s;
  i->max_frame = h->max_frame;
}

/* Record a server Error frame as the current refusal; returns its mc_err. */
static int take_refusal(mc_client *c, const Motcua__Error *e) {
  int rc = mc_err_from_wire(e->code);
  const char *detail = e->detail != NULL ? e->detail : "";
  const char *msg = e->message && e->message[0] ? e->message : mc_strerror(rc);
  copy_str(c->errdetail, sizeof c->errdetail, detail);
  if (detail[0] != '\0')
    set_errmsg(c, 1, "%s (%s)", msg, detail);
  else
    set_errmsg(c, 1, "%s", msg);
  return rc;
}

/* The server closes a session whose certificate it now finds revoked with
 * this Goodbye (a reload of its CRL). */
static int goodbye_revoked(const Motcua__Envelope *env) {
  return env->body_case == MOTCUA__ENVELOPE__BODY_GOODBYE && env->goodbye->reason != NULL &&
         strcmp(env->goodbye->reason, GOODBYE_REVOKED) == 0;
}

static void handle_hello(mc_client *c, Motcua__Envelope *env) {
  int rc = MC_EPROTO;
  if (env->body_case == MOTCUA__ENVELOPE__BODY_HELLO_REPLY &&
      env->request_id == c->hello_id) {
    if (env->hello_reply->protocol_version == MC_PROTOCOL_VERSION) {
      store_hello(c, env->hello_reply);
      on_ready(c);
      return;
    }
    rc = MC_EVERSION;
    set_errmsg(c, 0, "%s: %s", c->target, "server speaks another protocol version");
  } else if (env->body_case == MOTCUA__ENVELOPE__BODY_ERROR) {
    rc = take_refusal(c, env->error);
  } else if (goodbye_revoked(env)) {
    rc = MC_EREVOKED;
    set_errmsg(c, 0, "%s: %s", c->target, GOODBYE_REVOKED);
  } else {
    set_errmsg(c, 0, "%s: unexpected %s before HelloReply", c->target,
               mc_body_name(env->body_case));
  }
  c->pending_err = rc;
  mc_link_close(c->link, rc);
}

static void handle_push(mc_client *c, Motcua__Envelope *env) {
  mc_client_event ev = {.kind = MC_CLIENT_EV_PUSH, .env = env};
  if (env->body_case == MOTCUA__ENVELOPE__BODY_ERROR) {
    c->pending_err = take_refusal(c, env->error);
  } else if (env->body_case == MOTCUA__ENVELOPE__BODY_GOODBYE) {
    set_errmsg(c, 0, "%s: server said goodbye: %s", c->target,
               env->goodbye->reason ? env->goodbye->reason : "");
    if (goodbye_revoked(env)) c->pending_err = MC_EREVOKED;
  }
  emit(c, &ev);
}

/* The server measures its own round trip: answer its Ping at once. */
static void answer_ping(mc_client *c, const Motcua__Envelope *env) {
  Motcua__Envelope out = MOTCUA__ENVELOPE__INIT;
  Motcua__Pong pong = MOTCUA__PONG__INIT;
  pong.sent_ms = env->ping->sent_ms;
  pong.server_time_ms = mc_client_now_ms();
  out.body_case = MOTCUA__ENVELOPE__BODY_PONG;
  out.pong = &pong;
  out.request_id = env->request_id;
  int rc = mc_link_send(c->link, &out);
  if (rc != MC_OK) mc_link_close(c->link, rc);
}

static void handle_pong(mc_client *c, Motcua__Envelope *env) {
  mc_client_event ev = {.kind = MC_CLIENT_EV_PONG};
  ev.rtt_ms = (uv_hrtime() - c->ping_hr) / 1000000u;
  c->ping_id = 0;
  uv_timer_stop(&c->deadline);
  if (env->body_case != MOTCUA__ENVELOPE__BODY_PONG) {
    mc_log_warn(0, "msg=\"heartbeat refused\" body=%s", mc_body_name(env->body_case));
    return;
  }
  emit(c, &ev);
}

static void handle_reply(mc_client *c, Motcua__Envelope *env) {
  c->wait_id = 0;
  if (env->body_case == MOTCUA__ENVELOPE__BODY_ERROR) {
    finish(c, take_refusal(c, env->error));
    mc_envelope_free(env);
    return;
  }
  c->reply = env;
  finish(c, MC_OK);
}

static void on_open_cb(mc_link *l) {
  mc_client *c = mc_link_data(l);
  Motcua__Envelope env = MOTCUA__ENVELOPE__INIT;
  Motcua__Hello hello = MOTCUA__HELLO__INIT;
  hello.protocol_version = MC_PROTOCOL_VERSION;
  hello.client_version = (char *)MC_VERSION;
  hello.resident = c->resident != 0;
  env.body_case = MOTCUA__ENVELOPE__BODY_HELLO;
  env.hello = &hello;
  env.request_id = c->hello_id = ++c->next_id;
  c->state = CS_HELLO;
  int rc = mc_link_send(l, &env);
  if (rc != MC_OK) mc_link_close(l, rc);
}

static void on_frame_cb(mc_link *l, Motcua__Envelope *env) {
  mc_client *c = mc_link_data(l);
  if (c->state == CS_HELLO) {
    handle_hello(c, env);
  } else if (c->state != CS_READY) {
    mc_log_debug(0, "msg=\"frame ignored\" body=%s", mc_body_name(env->body_case));
  } else if (env->body_case == MOTCUA__ENVELOPE__BODY_PING) {
    answer_ping(c, env);
  } else if (env->request_id == 0) {
    handle_push(c, env);
  } else if (env->request_id == c->ping_id) {
    handle_pong(c, env);
  } else if (env->request_id == c->wait_id) {
    handle_reply(c, env);
    return; /* env now belongs to the caller of mc_client_call */
  } else if (c->reply_cb != NULL) {
    c->reply_cb(c, env, c->reply_ud);
    return; /* env belongs to the reply callback */
  } else {
    mc_log_debug(0, "msg=\"late reply dropped\" id=%llu",
                 (unsigned long long)env->request_id);
  }
  mc_envelope_free(env);
}

static const char *close_reason_text(enum cstate st, int rc) {
  if (st == CS_CONNECTING && rc == MC_EUNAVAIL)
    return "cannot connect (refused, unreachable or name not resolved)";
  if (st == CS_CONNECTING && rc == MC_EUNAUTH)
    return "the peer's certificate is not a motcua server certificate";
  if (st == CS_CONNECTING && rc == MC_ETLS) return "TLS handshake failed";
  return mc_strerror(rc);
}

/* Why the link closed, as an mc_err: a revocation (the server's TLS alert
 * or Goodbye) wins over the TLS failure it causes. */
static int close_error(mc_client *c, int reason) {
  int rc = c->pending_err != MC_OK ? c->pending_err : reason;
  if (c->alert_revoked) {
    rc = MC_EREVOKED;
    set_errmsg(c, 0, "%s: %s", c->target, "the server says our certificate is revoked");
  }
  if (rc == MC_OK) rc = MC_ECLOSED;
  if (c->pending_err == MC_OK && c->errmsg[0] == '\0')
    set_errmsg(c, 0, "%s: %s", c->target, close_reason_text(c->state, rc));
  return rc;
}

static void on_close_cb(mc_link *l, int reason) {
  mc_client *c = mc_link_data(l);
  int rc = close_error(c, reason);
  c->link = NULL;
  c->state = CS_DOWN;
  c->ping_id = 0;
  c->wait_id = 0;
  if (!c->watching || c->waiting) finish(c, rc); /* a call in watch mode ends too */
  if (!c->watching) return;
  uv_timer_stop(&c->deadline);
  uv_timer_stop(&c->heartbeat);
  if (c->stopping) return;
  if (rc == MC_EREVOKED && !watch_renewed(c)) watch_stop(c, rc);
  else schedule_retry(c, rc);
}

static const mc_link_cbs link_cbs = {on_open_cb, on_frame_cb, on_close_cb, NULL};

/* ---- connecting ------------------------------------------------------ */

static void clear_error(mc_client *c) {
  c->alert_revoked = 0;
  c->refused = 0;
  c->pending_err = MC_OK;
  c->errmsg[0] = '\0';
  c->errdetail[0] = '\0';
}

static int start_link(mc_client *c) {
  mc_link_opts o = {0};
  o.max_frame = MC_FRAME_MAX_DEFAULT;
  o.handshake_ms = timeout_ms(c);
  o.server_name = c->cfg.server_name;
  clear_error(c);
  int rc = mc_link_connect(&c->loop, c->ctx, c->cfg.host, (int)c->cfg.port, &o,
                           &link_cbs, c, &c->link);
  if (rc != MC_OK) {
    c->link = NULL;
    set_errmsg(c, 0, "%s: %s", c->target, mc_strerror(rc));
    return rc;
  }
  c->link_gen = c->ctx_gen;
  c->state = CS_CONNECTING;
  return MC_OK;
}

static void watch_connect(mc_client *c) {
  if (c->stopping) return;
  cert_reload(c);
  int rc = start_link(c);
  if (rc != MC_OK) {
    schedule_retry(c, rc);
    return;
  }
  uv_timer_start(&c->deadline, deadline_cb, timeout_ms(c), 0);
}

/* Run the loop until finish() or the deadline ms; returns the result. In
 * watch mode the deadline timer is the heartbeat's too: a ping still
 * unanswered gets its own deadline back. */
static int wait_for(mc_client *c, uint64_t ms) {
  c->waiting = 1;
  uv_timer_start(&c->deadline, deadline_cb, ms, 0);
  while (!c->done)
    if (uv_run(&c->loop, UV_RUN_ONCE) == 0 && !c->done) finish(c, MC_EINTERNAL);
  c->waiting = 0;
  uv_timer_stop(&c->deadline);
  if (c->watching && c->ping_id != 0 && c->link != NULL)
    uv_timer_start(&c->deadline, deadline_cb, timeout_ms(c), 0);
  return c->result;
}

static int wait_result(mc_client *c) { return wait_for(c, timeout_ms(c)); }

static void wait_begin(mc_client *c) {
  c->done = 0;
  c->result = MC_OK;
}

/* Close the link if any and run the loop until its on_close has fired. */
static void drain_link(mc_client *c, int reason) {
  int was_watching = c->watching;
  c->watching = 0;
  if (c->link != NULL) mc_link_close(c->link, reason);
  while (c->link != NULL)
    if (uv_run(&c->loop, UV_RUN_ONCE) == 0 && c->link != NULL) break;
  c->watching = was_watching;
}

int mc_client_report_status(mc_client *c, uint32_t outbox_depth) {
  if (c == NULL) return MC_EINVAL;
  if (c->outbox_depth == outbox_depth) return MC_OK;
  c->outbox_depth = outbox_depth;
  if (c->state == CS_READY && c->link != NULL) send_status(c);
  return MC_OK;
}

static int connect_link(mc_client *c) {
  if (c->state == CS_READY) return MC_OK;
  if (c->watching) { /* the watch (re)connects by itself: never a second link */
    set_errmsg(c, 0, "%s: %s", c->target, "not connected");
    return MC_ECLOSED;
  }
  drain_link(c, MC_OK);
  wait_begin(c);
  int rc = start_link(c);
  if (rc != MC_OK) return rc;
  rc = wait_result(c);
  if (rc != MC_OK) drain_link(c, rc);
  return rc;
}

int mc_client_connect(mc_client *c, mc_client_error *err) {
  return fill_error(c, connect_link(c), err);
}

/* ---- lifecycle ------------------------------------------------------- */

static int init_handles(mc_client *c) {
  int rc = uv_loop_init(&c->loop);
  if (rc != 0) return rc;
  uv_timer_init(&c->loop, &c->deadline);
  uv_timer_init(&c->loop, &c->heartbeat);
  uv_timer_init(&c->loop, &c->retry);
  uv_signal_init(&c->loop, &c->sigint);
  uv_signal_init(&c->loop, &c->sigterm);
  c->deadline.data = c->heartbeat.data = c->retry.data = c;
  c->sigint.data = c->sigterm.data = c;
  return 0;
}

static void close_handles(mc_client *c) {
  uv_close((uv_handle_t *)&c->deadline, NULL);
  uv_close((uv_handle_t *)&c->heartbeat, NULL);
  uv_close((uv_handle_t *)&c->retry, NULL);
  uv_close((uv_handle_t *)&c->sigint, NULL);
  uv_close((uv_handle_t *)&c->sigterm, NULL);
  uv_run(&c->loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&c->loop) != 0)
    mc_log_warn(0, "msg=\"client loop still busy at close\"");
}

int mc_client_new(const mc_client_config *cfg, mc_client **out, char *err,
                  size_t errlen) {
  mc_client *c = NULL;
  int rc = MC_ENOMEM;
  *out = NULL;
  if (mc_client_config_check(cfg) != MC_OK) {
    snprintf(err, errlen, "[server] server_name is empty");
    return MC_ECONFIG;
  }
  c = calloc(1, sizeof *c);
  if (c == NULL) goto fail_alloc;
  c->cfg = *cfg;
  mc_client_zone_load(cfg); /* until a Hello says otherwise */
  mc_client_session_read_officer(cfg, c->token, c->officer);
  snprintf(c->target, sizeof c->target, "%s:%ld", cfg->host, cfg->port);
  client__cert_sig_read(cfg, &c->cert_sig);
  rc = client__cert_ctx_new(cfg, &c->alert_revoked, &c->ctx, err, errlen);
  if (rc != MC_OK) goto fail_tls;
  if (init_handles(c) != 0) {
    rc = MC_EINTERNAL;
    snprintf(err, errlen, "cannot initialise the event loop");
    goto fail_loop;
  }
  *out = c;
  return MC_OK;
fail_loop:
  mc_tls_ctx_free(c->ctx);
fail_tls:
  free(c);
fail_alloc:
  if (rc == MC_ENOMEM) snprintf(err, errlen, "out of memory");
  return rc;
}

int mc_client_open(const mc_client_config *cfg, mc_client **out, char *err,
                   size_t errlen) {
  mc_client *c;
  int rc = mc_client_new(cfg, &c, err, errlen);
  if (rc != MC_OK) return rc;
  rc = connect_link(c);
  if (rc != MC_OK) {
    snprintf(err, errlen, "%s", c->errmsg);
    mc_client_free(c);
    return rc;
  }
  *out = c;
  return MC_OK;
}

void mc_client_free(mc_client *c) {
  if (c == NULL) return;
  c->stopping = 1;
  drain_link(c, MC_OK);
  close_handles(c);
  mc_envelope_free(c->reply);
  mc_tls_ctx_free(c->ctx);
  free(c);
}

/* ---- requests -------------------------------------------------------- */

/* Every request carries the officer session unless it names one itself;
 * the caller's field is put back once the frame is packed (the request
 * may be the caller's unpacked message, freed by protobuf-c). */
static int send_with_token(mc_client *c, Motcua__Envelope *req) {
  char *own = req->session_token;
  if ((own == NULL || own[0] == '\0') && c->token[0] != '\0') req->session_token = c->token;
  int rc = mc_link_send(c->link, req);
  req->session_token = own;
  return rc;
}

const char *mc_client_token(const mc_client *c) { return c->token; }

const mc_client_config *mc_client_config_of(const mc_client *c) { return &c->cfg; }

void mc_client_set_token(mc_client *c, const char *token) {
  snprintf(c->token, sizeof c->token, "%s", token != NULL ? token : "");
  c->officer[0] = '\0';
}

const char *mc_client_officer_login(const mc_client *c) { return c->officer; }

void mc_client_set_officer(mc_client *c, const char *login) {
  snprintf(c->officer, sizeof c->officer, "%s",
           login != NULL && strlen(login) <= MC_CLIENT_LOGIN_MAX ? login : "");
}

static int call_link(mc_client *c, Motcua__Envelope *req, Motcua__Envelope **reply) {
  *reply = NULL;
  clear_error(c);
  if (c->state != CS_READY) {
    set_errmsg(c, 0, "%s: %s", c->target, "not connected");
    return MC_ECLOSED;
  }
  req->request_id = ++c->next_id;
  int rc = send_with_token(c, req);
  if (rc != MC_OK) {
    set_errmsg(c, 0, "%s: %s", c->target, mc_strerror(rc));
    return rc;
  }
  wait_begin(c);
  c->wait_id = req->request_id;
  rc = wait_result(c);
  c->wait_id = 0;
  if (rc == MC_OK) {
    *reply = c->reply;
    c->reply = NULL;
  }
  return rc;
}

static int ping_link(mc_client *c, uint64_t *rtt_ms, int64_t *server_time_ms) {
  Motcua__Envelope env = MOTCUA__ENVELOPE__INIT, *reply;
  Motcua__Ping ping = MOTCUA__PING__INIT;
  ping.sent_ms = mc_client_now_ms();
  env.body_case = MOTCUA__ENVELOPE__BODY_PING;
  env.ping = &ping;
  uint64_t t0 = uv_hrtime();
  int rc = call_link(c, &env, &reply);
  if (rc != MC_OK) return rc;
  uint64_t rtt = (uv_hrtime() - t0) / 1000000u;
  if (reply->body_case != MOTCUA__ENVELOPE__BODY_PONG) {
    set_errmsg(c, 0, "%s: unexpected %s to a ping", c->target,
               mc_body_name(reply->body_case));
    mc_envelope_free(reply);
    return MC_EPROTO;
  }
  if (rtt_ms != NULL) *rtt_ms = rtt;
  if (server_time_ms != NULL) *server_time_ms = reply->pong->server_time_ms;
  mc_envelope_free(reply);
  return MC_OK;
}

int mc_client_ping(mc_client *c, uint64_t *rtt_ms, int64_t *server_time_ms,
                   mc_client_error *err) {
  return fill_error(c, ping_link(c, rtt_ms, server_time_ms), err);
}

int mc_client_call(mc_client *c, Motcua__Envelope *req, Motcua__Envelope **reply,
                   mc_client_error *err) {
  return fill_error(c, call_link(c, req, reply), err);
}

/* ---- streaming ------------------------------------------------------- */

void mc_client_set_reply_cb(mc_client *c, mc_client_reply_cb cb, void *ud) {
  c->reply_cb = cb;
  c->reply_ud = ud;
}

static int send_link(mc_client *c, Motcua__Envelope *req) {
  if (c->state != CS_READY) {
    set_errmsg(c, 0, "%s: %s", c->target, "not connected");
    return MC_ECLOSED;
  }
  req->request_id = ++c->next_id;
  int rc = send_with_token(c, req);
  if (rc != MC_OK) set_errmsg(c, 0, "%s: %s", c->target, mc_strerror(rc));
  return rc;
}

int mc_client_send(mc_client *c, Motcua__Envelope *req, mc_client_error *err) {
  clear_error(c);
  return fill_error(c, send_link(c, req), err);
}

static int wait_link(mc_client *c, uint64_t ms) {
  if (c->state != CS_READY) return MC_ECLOSED;
  wait_begin(c);
  return wait_for(c, ms ? ms : timeout_ms(c));
}

int mc_client_wait(mc_client *c, uint64_t timeout_ms, mc_client_error *err) {
  return fill_error(c, wait_link(c, timeout_ms), err);
}

void mc_client_wake(mc_client *c) { finish(c, MC_OK); }

size_t mc_client_queued(const mc_client *c) {
  return c->link != NULL ? mc_link_queued(c->link) : 0;
}

void mc_client_set_event_cb(mc_client *c, mc_client_event_cb cb, void *ud) {
  c->event_cb = cb;
  c->event_ud = ud;
}

void mc_client_set_resident(mc_client *c, int resident) { c->resident = resident != 0; }

void mc_client_set_session_file(mc_client *c, int keep) {
  c->no_session_file = !keep;
  if (!keep) mc_client_set_token(c, NULL); /* what mc_client_new read */
}

int mc_client_keeps_session_file(const mc_client *c) { return !c->no_session_file; }

int mc_client_watch_start(mc_client *c, mc_client_event_cb cb, void *ud) {
  if (c == NULL) return MC_EINVAL;
  mc_client_set_event_cb(c, cb, ud);
  c->resident = 1;
  c->watching = 1;
  c->stopping = 0;
  c->watch_result = MC_OK;
  c->attempt = 0;
  if (c->state == CS_READY) {
    c->state = CS_HELLO; /* re-enter READY to start heartbeats */
    on_ready(c);
  } else {
    watch_connect(c);
  }
  return MC_OK;
}

void mc_client_watch_stop(mc_client *c) {
  if (c == NULL || !c->watching) return;
  signal_cb(&c->sigterm, SIGTERM); /* the same orderly stop as a signal */
}

int mc_client_watch_result(const mc_client *c) { return c->watch_result; }

int mc_client_loop_fd(const mc_client *c) { return uv_backend_fd(&c->loop); }

int mc_client_loop_timeout(mc_client *c) {
  uv_update_time(&c->loop); /* the loop's clock is the one of its last run */
  return uv_backend_timeout(&c->loop);
}

void mc_client_pump(mc_client *c) {
  if (c != NULL && !c->waiting) uv_run(&c->loop, UV_RUN_NOWAIT);
}

int mc_client_watch(mc_client *c, mc_client_event_cb cb, void *ud) {
  mc_client_watch_start(c, cb, ud);
  uv_signal_start(&c->sigint, signal_cb, SIGINT);
  uv_signal_start(&c->sigterm, signal_cb, SIGTERM);
  uv_run(&c->loop, UV_RUN_DEFAULT);
  c->watching = 0;
  uv_signal_stop(&c->sigint);
  uv_signal_stop(&c->sigterm);
  return c->watch_result;
}

/* ---- accessors ------------------------------------------------------- */

int mc_client_is_ready(const mc_client *c) { return c->state == CS_READY; }
const mc_client_info *mc_client_get_info(const mc_client *c) { return &c->info; }
const char *mc_client_target(const mc_client *c) { return c->target; }
