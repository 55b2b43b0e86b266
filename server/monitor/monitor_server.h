/* The monitor inside motcua-server: connects the pure registry
 * (monitor.h) to connection records, storage (link history), the TLS
 * files (expiry, CRL, revocation at reload) and the admin HTTP listener
 * (http.h).
 * Called through the server object's hooks (lifecycle) and from net/
 * (connection records); it knows no session. */
#ifndef MC_MONITOR_SERVER_H
#define MC_MONITOR_SERVER_H

#include "server.h"
#include "monitor.h"

/* Lifecycle (server hooks installed by net/net.c). init: before the
 * listener opens; catalog: after every catalogue load; reload: after
 * SIGHUP swapped the TLS context (closes the sessions now revoked through
 * mc_server_close_sessions); shutdown: at the start of the drain; free: at
 * exit. */
int mc_mon_init(mc_server *srv); /* 0 or a negative mc_err */
void mc_mon_catalog(mc_server *srv);
void mc_mon_reload(mc_server *srv);
void mc_mon_shutdown(mc_server *srv);
void mc_mon_free(mc_server *srv);

/* Revocation: 1 if the serial is on the CRL loaded last; the count of
 * sessions closed for it (net/ closes one that began its handshake before
 * a reload). */
int mc_mon_revoked(const mc_server *srv, const char *serial);
void mc_mon_revoked_closed(mc_server *srv, size_t n);

/* Connection records (net/ calls these from its session hooks). open:
 * Hello succeeded (also writes the link history); frame: one envelope
 * arrived (request: not a heartbeat or status message); close: the link
 * is gone. All are no-ops before init / after free. */
mc_mon_conn *mc_mon_conn_open(mc_server *srv, uint64_t id, const char *unit,
                              const mc_mon_link_info *info, const mc_link_stats *st);
void mc_mon_conn_frame(mc_server *srv, mc_mon_conn *c, int request);
void mc_mon_conn_uploads(mc_server *srv, mc_mon_conn *c, uint32_t n);
void mc_mon_conn_rtt(mc_server *srv, mc_mon_conn *c, int64_t rtt_ms);
void mc_mon_conn_outbox(mc_server *srv, mc_mon_conn *c, uint32_t depth);
void mc_mon_conn_close(mc_server *srv, mc_mon_conn *c, const mc_mon_close_info *ci);

/* Request metering (monitor.h): begin when an envelope arrives, end when
 * its dispatch returns rc; an mc_req started meanwhile is begun with
 * mc_monitor_req_begin and ended here with its error (0 = finished). */
void mc_mon_meter_begin(mc_mon_meter *d, unsigned body);
void mc_mon_meter_end(mc_server *srv, mc_mon_meter *d, int rc);
void mc_mon_req_end(mc_server *srv, mc_mon_meter *d, mc_mon_req_meter *r, int err);

/* The registry (NULL before init / after free). */
const mc_monitor *mc_mon_registry(const mc_server *srv);

#endif
