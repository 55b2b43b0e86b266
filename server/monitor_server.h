/* The monitor inside motcua-server: connects the pure registry
 * (monitor.h) to sessions, storage (link history), the TLS files (expiry,
 * CRL, revoked sessions at reload) and the admin HTTP listener (http.h).
 * Called from main.c (lifecycle), session.c and handlers.c (small hooks). */
#ifndef MC_MONITOR_SERVER_H
#define MC_MONITOR_SERVER_H

#include "server.h"
#include "monitor.h"
#include "session.h"

/* Lifecycle (main.c). init: before the listener opens; catalog: after
 * every catalogue load; reload: after SIGHUP swapped the TLS context;
 * shutdown: at the start of the drain; free: at exit. */
int mc_mon_init(mc_server *srv);
void mc_mon_catalog(mc_server *srv);
void mc_mon_reload(mc_server *srv);
void mc_mon_shutdown(mc_server *srv);
void mc_mon_free(mc_server *srv);

/* Session hooks. ready: Hello succeeded; frame: one envelope arrived;
 * rtt: the session's rtt_ms was just measured; closed: the link is gone
 * (reason from on_close, s->close_why from the session's context). */
void mc_mon_session_ready(mc_session *s);
void mc_mon_session_frame(mc_session *s, const Motcua__Envelope *env);
void mc_mon_session_rtt(mc_session *s);
/* uploads: how many uploads the session is moving now (handlers_files.c). */
void mc_mon_session_uploads(mc_session *s, uint32_t n);
void mc_mon_session_closed(mc_session *s, mc_link *l, int reason);

/* The registry (NULL before init / after free). */
const mc_monitor *mc_mon_registry(const mc_server *srv);

/* Handlers (dispatch table): MonitorRequest (admin), ClientStatus. */
int mc_handle_monitor(mc_session *s, const Motcua__Envelope *env);
int mc_handle_client_status(mc_session *s, const Motcua__Envelope *env);

#endif
