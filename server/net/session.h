/* Sessions: one per accepted link. An explicit state machine
 * (HELLO -> READY -> CLOSING) and a dispatch table decide which message is
 * legal in which state and for which role (dispatch.c); handlers do the
 * work and call back the helpers below. A session stays allocated while
 * requests it started are still waiting on storage (refs), and is freed
 * when both are done. mc_session_enter is the one writer of its state. */
#ifndef MC_SESSION_H
#define MC_SESSION_H

#include <stdint.h>

#include "admit.h"
#include "link.h"
#include "monitor.h"
#include "server.h"

enum mc_session_state { MC_SS_HELLO, MC_SS_READY, MC_SS_CLOSING };

/* The officer session a request carries (auth.c checked it): the officer,
 * the token's SHA-256 and the session's end. */
typedef struct mc_auth_who {
  mc_officer officer;
  uint8_t token_hash[32];
  int64_t expires_ms;
} mc_auth_who;

struct mc_session {
  mc_server *srv;
  mc_link *link;     /* NULL once the link is gone */
  uint64_t id;
  enum mc_session_state state;
  int close_why;      /* enum mc_close_why when the session decided (0 = from the link) */
  mc_peer_id peer;   /* copied from the certificate at open */
  mc_actor actor;    /* the rules' view of peer (unit, role) */
  const mc_unit *unit; /* catalogue entry; NULL for admin */
  int inflight;      /* requests waiting on storage */
  int refs;          /* 1 for the link + 1 per pending request */
  uint64_t ping_sent; /* uv_now of the outstanding server ping, 0 = none */
  int64_t rtt_ms, srtt_ms;
  char client_version[33];
  uint8_t preauth;     /* holds a place in the pre-auth budget (until Hello) */
  uint8_t quiet;       /* refused at accept or evicted: its close is not logged */
  uint8_t indexed;     /* in its unit's list of ready sessions (session.c) */
  mc_bucket rate;      /* requests (rate_limit_rps, rate_burst) */
  mc_bucket ping_rate; /* Ping, Pong, ClientStatus (ping_rate_rps, ping_burst) */
  mc_addr_key addr;    /* source address, as the pre-auth budget counts it */
  mc_session *pre_prev, *pre_next; /* the pre-auth sessions, oldest first */
  struct mc_mon_conn *mon; /* monitor record once Hello succeeded */
  mc_mon_meter meter; /* the envelope being dispatched, for request counters */
  const mc_auth_who *who; /* the request's officer session: set by auth.c only while
                             a gated handler runs synchronously; handlers copy it */
  mc_session *u_prev, *u_next; /* its unit's ready sessions (indexed) */
  mc_session *prev, *next;
};

/* Why a request was refused: the error and what it names, a workflow rule
 * or the offending field (at most one set). It travels with the error from
 * the handler to the one place errors reach the wire (dispatch.c). */
typedef struct mc_fault {
  int err;           /* negative mc_err, 0 = none */
  const char *rule;  /* "only commune desks may do this", ... */
  const char *field; /* "code", "applicant.name", ... */
} mc_fault;

/* The only place a session changes state; it also keeps the counts of
 * sessions before Hello (the pre-auth budget) and after (srv->conns). */
void mc_session_enter(mc_session *s, enum mc_session_state st);

/* At accept: take the session's place in the pre-auth budget. Its source
 * address over max_preauth_per_addr: MC_EBUSY, the caller closes it at
 * once (the newest stranger from that address is refused). The whole
 * budget taken (max_preauth, strangers from many addresses): the oldest
 * connection still before Hello is closed to make room (a certified
 * unit's handshake lasts milliseconds, a stranger's until its deadline);
 * no authenticated link is ever touched. 0 or MC_EBUSY. */
int mc_session_admit(mc_session *s);


/* The admission state (srv->net), from the start hook to the free hook:
 * 0 or MC_ENOMEM. */
int mc_session_init(mc_server *srv);
void mc_session_fini(mc_server *srv);

/* Registry (dispatch.c): register at accept; when the link is gone,
 * detach (link NULL, CLOSING), then unregister (unlink, drop the link's
 * reference; the session is freed once no request holds it). */
void mc_session_register(mc_session *s);
void mc_session_detach(mc_session *s);
void mc_session_unregister(mc_session *s);

/* Send a Goodbye (if ready) and close the session; why: enum
 * mc_close_why (monitor.h), the reason the monitor records. */
void mc_session_close(mc_session *s, int why, const char *reason);
/* mc_session_close every live session match accepts (NULL: all); returns
 * how many (the server's close hook, server.h). */
size_t mc_session_close_where(mc_server *srv, mc_server_match_cb match, void *arg, int why,
                              const char *reason);
/* Send a Goodbye and close every session (shutdown). */
void mc_session_close_all(mc_server *srv, const char *reason);
/* Ready sessions of unit_code (an index per unit: no walk of every
 * session); the session with this id (NULL if gone). */
size_t mc_session_count_ready(const mc_server *srv, const char *unit_code);
mc_session *mc_session_find(mc_server *srv, uint64_t id);
/* Send env to every ready session of unit_code. */
void mc_session_push(mc_server *srv, const char *unit_code, const Motcua__Envelope *env);

/* Ping every ready session that has no ping outstanding. */
void mc_session_heartbeat(mc_server *srv);

/* --- for handlers ----------------------------------------------------- */

/* A request waiting on storage; keeps its session alive. */
typedef struct mc_req {
  mc_session *s;
  uint64_t id;
  mc_mon_req_meter meter; /* counted by the monitor when the request ends */
} mc_req;

mc_req *mc_req_start(mc_session *s, uint64_t request_id);
/* Send reply (if the session is still open) and release the request. */
void mc_req_finish(mc_req *r, const Motcua__Envelope *reply);
/* Send an Error reply (logged) and release the request. */
void mc_req_fail(mc_req *r, int err, const char *detail);

void mc_session_reply(mc_session *s, const Motcua__Envelope *reply);
void mc_session_error(mc_session *s, uint64_t request_id, int err, const char *detail);

#endif
