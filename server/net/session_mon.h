/* The session's side of monitoring: what net/ tells the monitor about a
 * session (monitor/monitor_server.h keeps the records and knows no
 * session). */
#ifndef MC_SESSION_MON_H
#define MC_SESSION_MON_H

#include <stdint.h>

#include "session.h"

/* Hello succeeded: open the session's record (resident: Hello.resident,
 * the unit's resident link), or close the session when its certificate
 * was revoked by a reload during its handshake. */
void mc_session_mon_ready(mc_session *s, int resident);
/* One envelope arrived (its request is metered from now). */
void mc_session_mon_frame(mc_session *s, const Motcua__Envelope *env);
/* Its dispatch returned rc (0: answered, or waiting on an mc_req). */
void mc_session_mon_dispatched(mc_session *s, int rc);
/* A request the officer gate held (held: the gate's mc_req) is dispatched
 * now, after PostgreSQL checked its session: metered as its own type from
 * its arrival; end with mc_session_mon_dispatched. */
void mc_session_mon_resume(mc_session *s, mc_req *held);
/* s->rtt_ms was just measured. */
void mc_session_mon_rtt(mc_session *s);
/* How many uploads the session moves now. */
void mc_session_mon_uploads(mc_session *s, uint32_t n);
/* The ClientStatus message's outbox depth. */
void mc_session_mon_outbox(mc_session *s, uint32_t depth);
/* The link is gone (reason from on_close, s->close_why from the session). */
void mc_session_mon_closed(mc_session *s, mc_link *l, int reason);

#endif
