/* Retention and rollups (issue 19, docs/DATABASE.md "Retention"): a timer
 * of the monitor that, every retention_interval_s, strings together short
 * statements on the server's database pool (store.h mc_store_retention):
 * claim the period (one instance of a cluster sweeps), roll the closed
 * local days of link_events up into link_uptime_daily, delete raw link
 * events older than link_events_days in batches, drop idempotency reply
 * snapshots older than idempotency_reply_days in batches. Never blocks
 * the loop; counts go to the registry's server facts (Prometheus), one
 * log line per sweep. */
#ifndef MC_MONITOR_RETENTION_H
#define MC_MONITOR_RETENTION_H

#include "monitor.h"
#include "server.h"

typedef struct mc_retention mc_retention;

/* NULL when retention_interval_s is 0 (off) or out of memory. counters:
 * where the sweep's totals go (lives as long as the sweep). */
mc_retention *mc_retention_start(mc_server *srv, mc_mon_server *counters);
/* At the drain: no new statement (one in flight ends the sweep). */
void mc_retention_stop(mc_retention *r);
/* At exit, after the pool closed. NULL is fine. */
void mc_retention_free(mc_retention *r);

#endif
