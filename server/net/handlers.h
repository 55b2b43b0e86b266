/* Request handlers: decode-validated fields -> workflow rules -> storage
 * -> reply. Each returns 0 when it has replied or will reply
 * asynchronously, or a negative mc_err that the dispatcher turns into the
 * Error reply (the single place errors reach the wire). */
#ifndef MC_HANDLERS_H
#define MC_HANDLERS_H

#include "session.h"
#include "sweep.h"

/* 0, or a negative mc_err with *fault saying why (fault->err is set by the
 * dispatcher from the return value). */
typedef int (*mc_handler_fn)(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);

int mc_handle_hello(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_ping(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_pong(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_goodbye(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_procedures(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_receive(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_show(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
/* handlers_list.c: the desk's lists and its "today" counts (issue 16) */
int mc_handle_list(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_summary(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_forward(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_action(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
/* The dispatch table refused the caller's role (allowed: the roles that
 * may send it, a mask of 1 << mc_role): name the rule, and log and audit
 * it like any refused action when it was a workflow action. */
int mc_handle_role_refused(mc_session *s, const Motcua__Envelope *env, unsigned allowed,
                           mc_fault *fault);
int mc_handle_history(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
/* server hooks event_cb / linked_cb (server/server_notify.c) */
void mc_handle_push_event(mc_server *srv, const char *unit, const mc_event *ev);
int mc_handle_linked(mc_server *srv, const char *unit);
int mc_handle_inbox(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_search(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_holidays(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
/* issue 14 (handlers_register.c): form 06's register, office hours */
int mc_handle_register(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_hours(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);

/* officers (handlers_login.c): login (no session), logout and password
 * change (behind the session gate, s->who set) */
int mc_handle_login(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_logout(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_password(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);

/* files (handlers_files.c: uploads, handlers_download.c: list, download) */
int mc_handle_upload_begin(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_upload_chunk(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_upload_finish(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_files(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_download(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
/* monitor (handlers_monitor.c): MonitorRequest (admin), ClientStatus */
int mc_handle_monitor(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
int mc_handle_client_status(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
/* reports (handlers_report.c): ReportRequest, desk and admin certificates */
int mc_handle_report(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);
/* Uploads in memory: start (the server's start hook), drop them all at
 * shutdown (stop hook), and what they do at each tick of the server's
 * expiry sweep (files/sweep.h; the server starts and stops it). */
void mc_files_start(mc_server *srv);
void mc_files_stop(mc_server *srv);
extern const mc_sweep_cbs mc_files_sweep_cbs;
/* The session's link drained / closed: resume / end its downloads. */
void mc_files_on_drain(mc_session *s);
void mc_files_session_closed(mc_session *s);

/* OfficersRequest (handlers_officers.c): the unit's officer accounts. */
int mc_handle_officers(mc_session *s, const Motcua__Envelope *env, mc_fault *fault);

#endif
