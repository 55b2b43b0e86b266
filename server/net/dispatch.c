/* The dispatch table and the link's callbacks: which message is legal in
 * which session state and for which role, and who handles it. Sits above
 * the handlers; the session module (session.h) below both. */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "convert.h"
#include "handlers.h"
#include "log.h"
#include "monitor.h"
#include "session_mon.h"

#define ST(x) (1u << (x))
#define ROLE(x) (1u << (x))
#define ANY_ROLE (ROLE(MC_ROLE_COMMUNE) | ROLE(MC_ROLE_DISTRICT) | ROLE(MC_ROLE_ADMIN))
#define DESK (ROLE(MC_ROLE_COMMUNE) | ROLE(MC_ROLE_DISTRICT))

/* Which message is legal in which state, for which role (OpenSMTPD
 * commands[] style). Anything not listed is a protocol error. Handlers
 * authorise further against the dossier itself. */
static const struct command {
  Motcua__Envelope__BodyCase body;
  unsigned states;
  unsigned roles;
  mc_handler_fn fn;
} commands[] = {
    {MOTCUA__ENVELOPE__BODY_HELLO, ST(MC_SS_HELLO), ANY_ROLE, mc_handle_hello},
    {MOTCUA__ENVELOPE__BODY_PING, ST(MC_SS_READY), ANY_ROLE, mc_handle_ping},
    {MOTCUA__ENVELOPE__BODY_PONG, ST(MC_SS_READY), ANY_ROLE, mc_handle_pong},
    {MOTCUA__ENVELOPE__BODY_MONITOR, ST(MC_SS_READY), ROLE(MC_ROLE_ADMIN), mc_handle_monitor},
    {MOTCUA__ENVELOPE__BODY_CLIENT_STATUS, ST(MC_SS_READY), ANY_ROLE,
     mc_handle_client_status},
    {MOTCUA__ENVELOPE__BODY_GOODBYE, ST(MC_SS_HELLO) | ST(MC_SS_READY), ANY_ROLE,
     mc_handle_goodbye},
    {MOTCUA__ENVELOPE__BODY_PROCEDURES, ST(MC_SS_READY), ANY_ROLE, mc_handle_procedures},
    {MOTCUA__ENVELOPE__BODY_RECEIVE, ST(MC_SS_READY), DESK, mc_handle_receive},
    {MOTCUA__ENVELOPE__BODY_SHOW, ST(MC_SS_READY), DESK, mc_handle_show},
    {MOTCUA__ENVELOPE__BODY_LIST, ST(MC_SS_READY), DESK, mc_handle_list},
    {MOTCUA__ENVELOPE__BODY_SUMMARY, ST(MC_SS_READY), DESK, mc_handle_summary},
    {MOTCUA__ENVELOPE__BODY_FORWARD, ST(MC_SS_READY), ROLE(MC_ROLE_COMMUNE),
     mc_handle_forward},
    {MOTCUA__ENVELOPE__BODY_ACTION, ST(MC_SS_READY), DESK, mc_handle_action},
    {MOTCUA__ENVELOPE__BODY_HISTORY, ST(MC_SS_READY), DESK, mc_handle_history},
    {MOTCUA__ENVELOPE__BODY_INBOX, ST(MC_SS_READY), DESK, mc_handle_inbox},
    {MOTCUA__ENVELOPE__BODY_SEARCH, ST(MC_SS_READY), DESK, mc_handle_search},
    {MOTCUA__ENVELOPE__BODY_HOLIDAYS, ST(MC_SS_READY), ANY_ROLE, mc_handle_holidays},
    {MOTCUA__ENVELOPE__BODY_REGISTER_REQUEST, ST(MC_SS_READY), DESK, mc_handle_register},
    {MOTCUA__ENVELOPE__BODY_HOURS, ST(MC_SS_READY), ANY_ROLE, mc_handle_hours},
    {MOTCUA__ENVELOPE__BODY_UPLOAD_BEGIN, ST(MC_SS_READY), DESK, mc_handle_upload_begin},
    {MOTCUA__ENVELOPE__BODY_UPLOAD_CHUNK, ST(MC_SS_READY), DESK, mc_handle_upload_chunk},
    {MOTCUA__ENVELOPE__BODY_UPLOAD_FINISH, ST(MC_SS_READY), DESK, mc_handle_upload_finish},
    {MOTCUA__ENVELOPE__BODY_FILES, ST(MC_SS_READY), DESK, mc_handle_files},
    {MOTCUA__ENVELOPE__BODY_DOWNLOAD, ST(MC_SS_READY), DESK, mc_handle_download},
    {MOTCUA__ENVELOPE__BODY_REPORT, ST(MC_SS_READY), ANY_ROLE, mc_handle_report},
    {MOTCUA__ENVELOPE__BODY_LOGIN, ST(MC_SS_READY), ANY_ROLE, mc_handle_login},
    {MOTCUA__ENVELOPE__BODY_LOGOUT, ST(MC_SS_READY), ANY_ROLE, mc_handle_logout},
    {MOTCUA__ENVELOPE__BODY_PASSWORD, ST(MC_SS_READY), ANY_ROLE, mc_handle_password},
    {MOTCUA__ENVELOPE__BODY_OFFICERS, ST(MC_SS_READY), ANY_ROLE, mc_handle_officers},
};

static const struct command *find_command(Motcua__Envelope__BodyCase body) {
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (commands[i].body == body) return &commands[i];
  return NULL;
}

/* ---- dispatch ----------------------------------------------------------- */

/* Messages that get no reply: the only ones that may carry request id 0
 * (the answer to the server's Ping echoes its id 0). */
static int without_reply(Motcua__Envelope__BodyCase b) {
  return b == MOTCUA__ENVELOPE__BODY_PONG || b == MOTCUA__ENVELOPE__BODY_CLIENT_STATUS ||
         b == MOTCUA__ENVELOPE__BODY_GOODBYE;
}

enum rate_kind { RATE_NONE, RATE_REQUEST, RATE_PING };

/* Which bucket a message draws from. Hello (once, by the state machine),
 * Goodbye (it closes) and upload chunks (the upload window bounds them)
 * from none; heartbeats and the client's status from the generous ping
 * bucket; every other request from the request bucket. */
static enum rate_kind rate_of(Motcua__Envelope__BodyCase b) {
  switch (b) {
  case MOTCUA__ENVELOPE__BODY_HELLO:
  case MOTCUA__ENVELOPE__BODY_GOODBYE:
  case MOTCUA__ENVELOPE__BODY_UPLOAD_CHUNK: return RATE_NONE;
  case MOTCUA__ENVELOPE__BODY_PING:
  case MOTCUA__ENVELOPE__BODY_PONG:
  case MOTCUA__ENVELOPE__BODY_CLIENT_STATUS: return RATE_PING;
  default: return RATE_REQUEST;
  }
}

/* 1 if the session's bucket for this message has a token. */
static int within_rate(mc_session *s, enum rate_kind k) {
  const mc_settings *c = &s->srv->cfg;
  uint64_t now = uv_now(s->srv->loop);
  if (k == RATE_REQUEST)
    return mc_bucket_take(&s->rate, now, (double)c->rate_limit_rps, (double)c->rate_burst);
  if (k == RATE_PING)
    return mc_bucket_take(&s->ping_rate, now, (double)c->ping_rate_rps, (double)c->ping_burst);
  return 1;
}

/* Over its rate: a request is refused ("busy", the link stays open); a
 * message without reply is dropped (0: nothing to answer). */
static int over_rate(mc_session *s, const Motcua__Envelope *env, enum rate_kind k,
                     mc_fault *fault) {
  if (without_reply(env->body_case)) {
    mc_log_debug(s->id, "over its rate, dropped body=%s", mc_body_name(env->body_case));
    return 0;
  }
  fault->rule = k == RATE_PING ? "ping rate" : "rate limit";
  return MC_EBUSY;
}

/* A request that needs an officer session passes the gate (auth.c), which
 * may keep *envp until the database has checked the session. */
static int dispatch(mc_session *s, Motcua__Envelope **envp, mc_fault *fault) {
  const Motcua__Envelope *env = *envp;
  const struct command *c = find_command(env->body_case);
  if (c == NULL || !(c->states & ST(s->state))) {
    mc_log_warn(s->id, "unexpected message body=%s state=%d",
                mc_body_name(env->body_case), s->state);
    return MC_EPROTO;
  }
  if (env->request_id == 0 && !without_reply(env->body_case)) {
    fault->field = "request_id"; /* 0 is what the server sends unasked */
    return MC_EINVAL;
  }
  if (!(c->roles & ROLE(s->peer.role))) return mc_handle_role_refused(s, env, c->roles, fault);
  if (s->inflight >= s->srv->cfg.max_inflight) {
    fault->rule = "in flight";
    return MC_EBUSY;
  }
  enum rate_kind k = rate_of(env->body_case);
  if (!within_rate(s, k)) return over_rate(s, env, k, fault);
  if (mc_auth_needed(env)) return mc_auth_gate(s, envp, c->fn, fault);
  if (mc_auth_optional(env)) return mc_auth_gate_soft(s, envp, c->fn, fault);
  return c->fn(s, env, fault);
}

static const char *reason_name(int reason) {
  return reason == MC_OK ? "quit" : mc_errname(reason);
}

/* A link whose handshake finished (peer known) and that timed out before
 * Hello: closed by the hello deadline (mc_link_set_idle at open). */
static void note_no_hello(mc_session *s, int reason) {
  if (reason != MC_ETIMEOUT || s->state != MC_SS_HELLO || s->peer.unit[0] == '\0') return;
  s->srv->conns.hello_timeouts++;
  mc_log_warn(s->id, "no hello within hello_timeout_ms=%ld unit=%s, closed",
              s->srv->cfg.hello_timeout_ms, s->peer.unit);
}

static void link_close_cb(mc_link *l, int reason) {
  mc_session *s = mc_link_data(l);
  const mc_link_stats *st = mc_link_get_stats(l);
  note_no_hello(s, reason);
  if (s->quiet) mc_log_debug(s->id, "refused stranger closed");
  else
    mc_log_info(s->id, "disconnected unit=%s reason=%s bytes_in=%llu bytes_out=%llu",
                s->peer.unit[0] ? s->peer.unit : "-", reason_name(reason),
                (unsigned long long)st->bytes_in, (unsigned long long)st->bytes_out);
  mc_session_mon_closed(s, l, reason);
  mc_session_detach(s);
  mc_files_session_closed(s);
  mc_session_unregister(s);
}

/* The Error reply's detail: the rule, else the field, else the message. */
static const char *fault_detail(const mc_fault *f, Motcua__Envelope__BodyCase body) {
  return f->rule != NULL ? f->rule : f->field != NULL ? f->field : mc_body_name(body);
}

static void link_frame_cb(mc_link *l, Motcua__Envelope *env) {
  mc_session *s = mc_link_data(l);
  mc_fault f = {0};
  uint64_t rid = env->request_id;
  Motcua__Envelope__BodyCase body = env->body_case;
  mc_log_debug(s->id, "request id=%llu body=%s", (unsigned long long)rid, mc_body_name(body));
  mc_session_mon_frame(s, env);
  int rc = dispatch(s, &env, &f);
  mc_session_mon_dispatched(s, rc);
  if (rc != 0) {
    f.err = rc;
    mc_session_error(s, rid, rc, fault_detail(&f, body));
    /* Before Hello succeeds nothing else may follow a refusal. */
    if (s->state == MC_SS_HELLO && s->link != NULL) mc_link_close(s->link, rc);
  }
  if (env != NULL) mc_envelope_free(env); /* NULL: the session gate kept it */
}

static void link_open_cb(mc_link *l) {
  mc_session *s = mc_link_data(l);
  s->peer = *mc_link_peer(l);
  mc_actor_from_peer(&s->actor, &s->peer);
  mc_log_info(s->id, "tls established remote=%s unit=%s role=%s version=%s cipher=%s",
              mc_link_remote(l), s->peer.unit, mc_role_name(s->peer.role),
              mc_link_tls_version(l), mc_link_cipher(l));
  /* Hello is due within hello_timeout_ms: until then the link's idle
   * limit is that deadline (any frame before Hello settles the state). */
  mc_link_set_idle(l, (uint64_t)s->srv->cfg.hello_timeout_ms);
}

static void link_drain_cb(mc_link *l) { mc_files_on_drain(mc_link_data(l)); }

static const mc_link_cbs session_link_cbs = {
    .on_open_cb = link_open_cb,
    .on_frame_cb = link_frame_cb,
    .on_close_cb = link_close_cb,
    .on_drain_cb = link_drain_cb,
};

void mc_session_accept(mc_server *srv) {
  mc_session *s = calloc(1, sizeof *s);
  if (s == NULL) return;
  s->srv = srv;
  s->id = ++srv->next_conn_id;
  s->refs = 1;
  mc_link_opts o = {
      .max_frame = (size_t)srv->cfg.max_frame,
      .handshake_ms = (uint64_t)srv->cfg.handshake_timeout_ms,
      .idle_ms = (uint64_t)srv->cfg.idle_timeout_s * 1000,
  };
  int rc = mc_link_accept((uv_stream_t *)&srv->listener, srv->tls, &o,
                          &session_link_cbs, s, s->id, &s->link);
  if (rc != 0) {
    mc_log_warn(s->id, "accept failed err=%s", mc_errname(rc));
    free(s);
    return;
  }
  mc_session_register(s);
  if (mc_session_admit(s) != 0) mc_link_close(s->link, MC_EBUSY);
}

