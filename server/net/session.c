#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "monitor.h"
#include "monitor_server.h"

/* The ready sessions of one unit: what max_connections_per_unit counts at
 * every Hello and where a push goes. Before, both walked every session: at
 * N links a ramp of N Hellos was quadratic (5,000 links: 12 % of the
 * server's CPU in that walk; issue 19). A slot lives as long as the server
 * (one per unit code that completed Hello: bounded by the certificates the
 * CA issued). */
typedef struct mc_unit_slot {
  char code[sizeof ((mc_peer_id *)0)->unit];
  size_t ready;
  mc_session *head;
} mc_unit_slot;

/* The admission state of a server (srv->net). */
struct mc_net_state {
  mc_admit admit;          /* connections before Hello, in all and per address */
  uint64_t log_at;         /* uv_now of the last "stranger refused" line */
  uint64_t log_skipped;    /* refusals since that line */
  mc_session *pre_head, *pre_tail; /* sessions holding a place, oldest first */
  mc_unit_slot **units;    /* open addressing by code; nunits_cap a power of two */
  size_t nunits, nunits_cap;
};

int mc_session_init(mc_server *srv) {
  struct mc_net_state *n = calloc(1, sizeof *n);
  uint64_t seed = uv_hrtime() ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)n;
  if (n == NULL || mc_admit_init(&n->admit, (size_t)srv->cfg.max_preauth,
                                 (size_t)srv->cfg.max_preauth_per_addr, seed) != 0) {
    free(n);
    return MC_ENOMEM;
  }
  srv->net = n;
  return 0;
}

void mc_session_fini(mc_server *srv) {
  if (srv->net == NULL) return;
  mc_admit_release(&srv->net->admit);
  for (size_t i = 0; i < srv->net->nunits_cap; i++) free(srv->net->units[i]);
  free(srv->net->units);
  free(srv->net);
  srv->net = NULL;
}

/* The budget's figures into the server's counts (after a take or put). */
static void counts_sync(mc_server *srv) {
  const mc_admit *a = &srv->net->admit;
  srv->conns.preauth = a->held;
  srv->conns.preauth_addrs = a->addrs;
  srv->conns.refused_addr = a->refused_addr;
  srv->conns.evicted_full = a->refused_full;
}

/* One line a second at most, however fast strangers come. */
static void log_refused(mc_session *s, enum mc_admit_verdict v, const char *remote) {
  struct mc_net_state *n = s->srv->net;
  uint64_t now = uv_now(s->srv->loop);
  if (n->log_at != 0 && now - n->log_at < 1000) {
    n->log_skipped++;
    return;
  }
  mc_log_warn(s->id, "stranger %s limit=%s remote=%s preauth=%zu addrs=%zu max_preauth=%ld "
              "max_preauth_per_addr=%ld refused_since_last=%llu",
              v == MC_ADMIT_FULL ? "closed before hello to make room" : "refused at accept",
              v == MC_ADMIT_FULL ? "max_preauth" : "max_preauth_per_addr", remote,
              n->admit.held, n->admit.addrs, s->srv->cfg.max_preauth,
              s->srv->cfg.max_preauth_per_addr, (unsigned long long)n->log_skipped);
  n->log_at = now;
  n->log_skipped = 0;
}

static void preauth_link(mc_session *s) {
  struct mc_net_state *n = s->srv->net;
  s->preauth = 1;
  s->pre_prev = n->pre_tail;
  s->pre_next = NULL;
  if (n->pre_tail != NULL) n->pre_tail->pre_next = s;
  else n->pre_head = s;
  n->pre_tail = s;
}

/* Give the place back (Hello done, or closing before it). */
static void preauth_unlink(mc_session *s) {
  struct mc_net_state *n = s->srv->net;
  if (s->pre_prev != NULL) s->pre_prev->pre_next = s->pre_next;
  else n->pre_head = s->pre_next;
  if (s->pre_next != NULL) s->pre_next->pre_prev = s->pre_prev;
  else n->pre_tail = s->pre_prev;
  s->pre_prev = s->pre_next = NULL;
  s->preauth = 0;
  mc_admit_put(&n->admit, &s->addr);
  counts_sync(s->srv);
}

/* The whole budget is taken: close the oldest connection before Hello. */
static void preauth_evict_oldest(mc_server *srv) {
  mc_session *old = srv->net->pre_head;
  if (old == NULL) return;
  old->quiet = 1;
  log_refused(old, MC_ADMIT_FULL, old->link != NULL ? mc_link_remote(old->link) : "-");
  mc_session_enter(old, MC_SS_CLOSING); /* gives its place back now */
  if (old->link != NULL) mc_link_close(old->link, MC_EBUSY);
}

int mc_session_admit(mc_session *s) {
  struct sockaddr_storage ss;
  if (mc_link_peer_addr(s->link, &ss) != 0 ||
      mc_addr_key_from((const struct sockaddr *)&ss, &s->addr) != 0)
    memset(&s->addr, 0, sizeof s->addr); /* unknown: all such share one key */
  enum mc_admit_verdict v = mc_admit_take(&s->srv->net->admit, &s->addr);
  if (v == MC_ADMIT_FULL) {
    preauth_evict_oldest(s->srv);
    v = mc_admit_take(&s->srv->net->admit, &s->addr);
  }
  counts_sync(s->srv);
  if (v == MC_ADMIT_OK) {
    preauth_link(s);
    return 0;
  }
  s->quiet = 1;
  log_refused(s, v, mc_link_remote(s->link));
  return MC_EBUSY;
}

/* ---- ready sessions by unit ---------------------------------------------- */

/* The slot of code in a table of cap (a power of two) entries: its own or
 * the empty one where it would go. */
static mc_unit_slot **slot_at(mc_unit_slot **tab, size_t cap, const char *code) {
  size_t i = mc_fnv1a_str(code) & (cap - 1);
  while (tab[i] != NULL && strcmp(tab[i]->code, code) != 0) i = (i + 1) & (cap - 1);
  return &tab[i];
}

static mc_unit_slot *unit_find(const struct mc_net_state *n, const char *code) {
  return n == NULL || n->nunits_cap == 0 ? NULL : *slot_at(n->units, n->nunits_cap, code);
}

static int units_grow(struct mc_net_state *n) {
  size_t cap = n->nunits_cap ? n->nunits_cap * 2 : 64;
  mc_unit_slot **tab = calloc(cap, sizeof *tab);
  if (tab == NULL) return MC_ENOMEM;
  for (size_t i = 0; i < n->nunits_cap; i++)
    if (n->units[i] != NULL) *slot_at(tab, cap, n->units[i]->code) = n->units[i];
  free(n->units);
  n->units = tab;
  n->nunits_cap = cap;
  return 0;
}

static mc_unit_slot *unit_get(struct mc_net_state *n, const char *code) {
  mc_unit_slot *u = unit_find(n, code);
  if (u != NULL) return u;
  if ((n->nunits + 1) * 2 > n->nunits_cap && units_grow(n) != 0) return NULL;
  if ((u = calloc(1, sizeof *u)) == NULL) return NULL;
  snprintf(u->code, sizeof u->code, "%s", code);
  *slot_at(n->units, n->nunits_cap, code) = u;
  n->nunits++;
  return u;
}

/* Entering READY: into its unit's list. Out of memory for a new unit's
 * slot: the session works but is neither counted nor pushed to (logged). */
static void unit_add(mc_session *s) {
  mc_unit_slot *u = unit_get(s->srv->net, s->peer.unit);
  if (u == NULL) {
    mc_log_error(s->id, "unit index: out of memory unit=%s", s->peer.unit);
    return;
  }
  s->indexed = 1;
  s->u_prev = NULL;
  s->u_next = u->head;
  if (u->head != NULL) u->head->u_prev = s;
  u->head = s;
  u->ready++;
}

/* The slot is found again by code rather than kept per session: a link's
 * memory is what 100,000 idle links multiply (issue 19). */
static void unit_remove(mc_session *s) {
  if (!s->indexed) return;
  mc_unit_slot *u = unit_find(s->srv->net, s->peer.unit);
  if (s->u_prev != NULL) s->u_prev->u_next = s->u_next;
  else u->head = s->u_next;
  if (s->u_next != NULL) s->u_next->u_prev = s->u_prev;
  s->u_prev = s->u_next = NULL;
  s->indexed = 0;
  u->ready--;
}

/* ---- lifetime ----------------------------------------------------------- */

static void session_unlink(mc_session *s) {
  mc_server *srv = s->srv;
  if (s->prev != NULL) s->prev->next = s->next;
  else srv->sessions = s->next;
  if (s->next != NULL) s->next->prev = s->prev;
  srv->nsessions--;
}

static void session_unref(mc_session *s) {
  if (--s->refs == 0) free(s);
}

void mc_session_register(mc_session *s) {
  mc_server *srv = s->srv;
  s->next = srv->sessions;
  if (s->next != NULL) s->next->prev = s;
  srv->sessions = s;
  srv->nsessions++;
}

void mc_session_detach(mc_session *s) {
  s->link = NULL;
  mc_session_enter(s, MC_SS_CLOSING);
}

void mc_session_unregister(mc_session *s) {
  unit_remove(s); /* already out unless it never left READY */
  session_unlink(s);
  session_unref(s);
}

void mc_session_enter(mc_session *s, enum mc_session_state st) {
  mc_log_debug(s->id, "session state=%d->%d", s->state, st);
  if (s->preauth && st != MC_SS_HELLO) preauth_unlink(s); /* Hello done, or closing */
  if (st == MC_SS_READY && s->state != MC_SS_READY) {
    s->srv->conns.ready++;
    unit_add(s);
  }
  if (s->state == MC_SS_READY && st != MC_SS_READY) {
    s->srv->conns.ready--;
    unit_remove(s);
  }
  s->state = st;
}

/* ---- sending ------------------------------------------------------------ */

void mc_session_reply(mc_session *s, const Motcua__Envelope *reply) {
  if (s->link == NULL || s->state == MC_SS_CLOSING) return;
  int rc = mc_link_send(s->link, reply);
  if (rc == MC_EBUSY) {
    mc_log_warn(s->id, "output queue full, closing unit=%s", s->peer.unit);
    mc_link_close(s->link, MC_EBUSY);
  } else if (rc == MC_ETOOBIG && reply->body_case != MOTCUA__ENVELOPE__BODY_ERROR) {
    /* issue 19: never silence; the error frame is small */
    mc_log_error(s->id, "reply too large id=%llu body=%d max_frame=%ld",
                 (unsigned long long)reply->request_id, (int)reply->body_case,
                 s->srv->cfg.max_frame);
    if (reply->request_id != 0) mc_session_error(s, reply->request_id, MC_EREPLYBIG, "max_frame");
  } else if (rc != 0) {
    mc_log_error(s->id, "send failed err=%s", mc_errname(rc));
  }
}

void mc_session_error(mc_session *s, uint64_t request_id, int err, const char *detail) {
  mc_log_info(s->id, "request refused id=%llu err=%s detail=\"%s\"",
              (unsigned long long)request_id, mc_errname(err), detail ? detail : "");
  if (s->link == NULL || s->state == MC_SS_CLOSING) return;
  Motcua__Error e = MOTCUA__ERROR__INIT;
  Motcua__Envelope env = MOTCUA__ENVELOPE__INIT;
  e.code = mc_err_to_wire(err);
  e.message = (char *)mc_strerror(err);
  e.detail = (char *)(detail != NULL ? detail : "");
  env.request_id = request_id;
  env.body_case = MOTCUA__ENVELOPE__BODY_ERROR;
  env.error = &e;
  mc_session_reply(s, &env);
}

mc_req *mc_req_start(mc_session *s, uint64_t request_id) {
  mc_req *r = malloc(sizeof *r);
  if (r == NULL) return NULL;
  r->s = s;
  r->id = request_id;
  mc_monitor_req_begin(&s->meter, &r->meter);
  s->refs++;
  s->inflight++;
  return r;
}

void mc_req_finish(mc_req *r, const Motcua__Envelope *reply) {
  mc_session *s = r->s;
  mc_mon_req_end(s->srv, &s->meter, &r->meter, 0);
  s->inflight--;
  if (reply != NULL) mc_session_reply(s, reply);
  free(r);
  session_unref(s);
}

void mc_req_fail(mc_req *r, int err, const char *detail) {
  mc_session_error(r->s, r->id, err, detail);
  mc_mon_req_end(r->s->srv, &r->s->meter, &r->meter, err);
  mc_req_finish(r, NULL);
}

/* ---- bulk operations ---------------------------------------------------- */

void mc_session_close(mc_session *s, int why, const char *reason) {
  if (s->link == NULL || s->state == MC_SS_CLOSING) return;
  Motcua__Goodbye g = MOTCUA__GOODBYE__INIT;
  Motcua__Envelope env = MOTCUA__ENVELOPE__INIT;
  g.reason = (char *)reason;
  env.body_case = MOTCUA__ENVELOPE__BODY_GOODBYE;
  env.goodbye = &g;
  if (why == MC_CLOSE_REVOKED)
    mc_log_warn(s->id, "%s, closing unit=%s serial=%s", reason, s->peer.unit, s->peer.serial);
  if (s->state == MC_SS_READY) mc_session_reply(s, &env);
  s->close_why = why;
  mc_session_enter(s, MC_SS_CLOSING);
  mc_link_close(s->link, why == MC_CLOSE_REVOKED ? MC_EUNAUTH : MC_OK);
}

size_t mc_session_close_where(mc_server *srv, mc_server_match_cb match, void *arg, int why,
                              const char *reason) {
  size_t n = 0;
  for (mc_session *s = srv->sessions; s != NULL; s = s->next) {
    if (s->link == NULL || s->state == MC_SS_CLOSING) continue;
    if (match != NULL && !match(arg, &s->peer)) continue;
    mc_session_close(s, why, reason);
    n++;
  }
  return n;
}

void mc_session_close_all(mc_server *srv, const char *reason) {
  mc_session_close_where(srv, NULL, NULL, MC_CLOSE_SHUTDOWN, reason);
}

void mc_session_heartbeat(mc_server *srv) {
  Motcua__Ping p = MOTCUA__PING__INIT;
  Motcua__Envelope env = MOTCUA__ENVELOPE__INIT;
  env.body_case = MOTCUA__ENVELOPE__BODY_PING;
  env.ping = &p;
  uint64_t now = uv_now(srv->loop), hb = (uint64_t)srv->cfg.heartbeat_s * 1000;
  for (mc_session *s = srv->sessions; s != NULL; s = s->next) {
    if (s->state == MC_SS_READY && s->link != NULL && s->ping_sent != 0 &&
        now - s->ping_sent >= 2 * hb) { /* two intervals without a Pong */
      mc_log_warn(s->id, "heartbeat lost unit=%s", s->peer.unit);
      s->close_why = MC_CLOSE_HEARTBEAT;
      mc_link_close(s->link, MC_ETIMEOUT);
      continue;
    }
    if (s->state != MC_SS_READY || s->link == NULL || s->ping_sent != 0) continue;
    p.sent_ms = (int64_t)now;
    s->ping_sent = now;
    mc_session_reply(s, &env);
  }
}

void mc_session_push(mc_server *srv, const char *unit_code, const Motcua__Envelope *env) {
  mc_unit_slot *u = unit_find(srv->net, unit_code);
  for (mc_session *s = u != NULL ? u->head : NULL, *next; s != NULL; s = next) {
    next = s->u_next; /* a reply may close the link (its state changes later) */
    mc_session_reply(s, env);
  }
}

size_t mc_session_count_ready(const mc_server *srv, const char *unit_code) {
  const mc_unit_slot *u = unit_find(srv->net, unit_code);
  return u != NULL ? u->ready : 0;
}

mc_session *mc_session_find(mc_server *srv, uint64_t id) {
  for (mc_session *s = srv->sessions; s != NULL; s = s->next)
    if (s->id == id) return s;
  return NULL;
}
