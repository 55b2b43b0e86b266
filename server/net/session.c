#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "monitor.h"
#include "monitor_server.h"

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
  session_unlink(s);
  session_unref(s);
}

void mc_session_enter(mc_session *s, enum mc_session_state st) {
  mc_log_debug(s->id, "session state=%d->%d", s->state, st);
  s->state = st;
}

/* ---- sending ------------------------------------------------------------ */

void mc_session_reply(mc_session *s, const Motcua__Envelope *reply) {
  if (s->link == NULL || s->state == MC_SS_CLOSING) return;
  int rc = mc_link_send(s->link, reply);
  if (rc == MC_EBUSY) {
    mc_log_warn(s->id, "output queue full, closing unit=%s", s->peer.unit);
    mc_link_close(s->link, MC_EBUSY);
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
  for (mc_session *s = srv->sessions; s != NULL; s = s->next)
    if (s->state == MC_SS_READY && strcmp(s->peer.unit, unit_code) == 0)
      mc_session_reply(s, env);
}

size_t mc_session_count_ready(const mc_server *srv, const char *unit_code) {
  size_t n = 0;
  for (const mc_session *s = srv->sessions; s != NULL; s = s->next)
    if (s->state == MC_SS_READY && strcmp(s->peer.unit, unit_code) == 0) n++;
  return n;
}

mc_session *mc_session_find(mc_server *srv, uint64_t id) {
  for (mc_session *s = srv->sessions; s != NULL; s = s->next)
    if (s->id == id) return s;
  return NULL;
}
