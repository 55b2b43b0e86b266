/* Link monitor: the registry IT staff read (docs/MONITOR.md). Pure: plain
 * structs, no sockets, no SQL, no clock reads (every call takes now_ms).
 * Per catalogue unit: live connections (a unit may hold several, e.g. a
 * watch and one-shot CLI calls), counters since the server started, the
 * heartbeat round trip, the client's outbox depth; a ring of the last
 * MC_MON_RING closed connections with a typed reason; alerts; request
 * counters and latency by request type; and the renderings (JSON snapshot,
 * Prometheus text exposition).
 *
 * Only a unit's RESIDENT links (Hello.resident: the desk, `motcua watch`)
 * count for online/offline, its since time, disconnects, flapping and RTT;
 * a one-shot link (a CLI command) is traffic and requests only. A unit is
 * "never" until its first resident link, "revoked" while offline after a
 * link of it was closed for a revoked certificate or the CRL lists the
 * serial it last presented, until a newer certificate says Hello.
 *
 * monitor_server.c connects it to connection records, storage and the HTTP
 * listener; tests/monitor drives it directly. */
#ifndef MC_MONITOR_H
#define MC_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"
#include "link.h"

#define MC_MON_RING 256   /* closed connections kept */
#define MC_MON_DROPS 16   /* disconnect times kept per unit (flapping) */
#define MC_MON_ALERTS_MAX 128

/* Why a connection closed: the same numbers as CloseReason in the proto. */
enum mc_close_why {
  MC_CLOSE_UNSPEC = 0,
  MC_CLOSE_IDLE = 1,
  MC_CLOSE_HEARTBEAT = 2,
  MC_CLOSE_TLS = 3,
  MC_CLOSE_REVOKED = 4,
  MC_CLOSE_PROTOCOL = 5,
  MC_CLOSE_QUIT = 6,
  MC_CLOSE_SHUTDOWN = 7,
  MC_CLOSE_LOST = 8,
  MC_CLOSE_OTHER = 9,
  MC_CLOSE__COUNT
};

/* "idle_timeout", "heartbeat_lost", ... (label values and JSON). */
const char *mc_close_why_name(int why);
/* Map a link's on_close reason (common/link.h) plus what the session knew
 * (ctx_why: MC_CLOSE_HEARTBEAT / REVOKED / SHUTDOWN, or 0) to a reason.
 * had_hello: the peer completed Hello (a TLS error before it is a TLS
 * failure; an error frame on an open session is a protocol error). */
int mc_close_why_from(int link_reason, int ctx_why, int opened);

typedef struct mc_mon_config {
  int utc_offset_min;        /* local time of the timestamps in JSON */
  int64_t offline_alert_ms;  /* unit offline this long in working hours: alert */
  int64_t cert_warn_ms;      /* certificate expiring within: alert (30 days) */
  int64_t crl_warn_ms;       /* CRL next update within: alert */
  int64_t degraded_rtt_ms;   /* smoothed RTT above this: degraded */
  unsigned flap_drops_1h;    /* disconnects in the last hour for "flapping" */
} mc_mon_config;

void mc_mon_config_defaults(mc_mon_config *c);

/* What the link tells at Hello. The strings are not copied: like stats they
 * point into the link and its session (or at OpenSSL's static names) and
 * stay valid until mc_monitor_close; NULL reads as "". */
typedef struct mc_mon_link_info {
  const char *remote;
  const char *client_version;
  const char *tls_version;
  const char *cipher;
  const char *serial;
  int64_t not_after_ms;
  int resident;             /* Hello.resident: the unit's resident link */
} mc_mon_link_info;

typedef struct mc_mon_unit mc_mon_unit;

/* One live, identified connection. stats points at the link's counters
 * while it is open (read at snapshot time). */
typedef struct mc_mon_conn {
  uint64_t id;
  mc_mon_unit *unit;        /* NULL: admin or a unit not in the catalogue */
  const char *code;         /* certificate CN (the session's, not copied) */
  int64_t opened_ms;
  mc_mon_link_info info;
  const mc_link_stats *stats;
  uint32_t uploads;
  uint32_t outbox;          /* this connection's ClientStatus */
  uint8_t live_dirty;       /* came or changed since the cluster view was last sent */
  struct mc_mon_conn *next; /* in the unit's (or the monitor's other) list */
} mc_mon_conn;

struct mc_mon_unit {
  char code[32];
  char name[160];
  int role;                 /* mc_role */
  mc_mon_conn *conns;
  unsigned nconns;          /* live links, one-shot ones included */
  unsigned nresident;       /* live resident links: online when > 0 */
  int64_t since_ms;         /* resident: online since / offline since (0 = never) */
  int64_t rtt_ms, srtt_ms;  /* resident link's; -1 = not measured or offline */
  int64_t live_rtt;         /* rtt_ms as the cluster view was last sent */
  char serial[68];          /* certificate serial of the unit's last Hello */
  int revoked;              /* closed for a revoked certificate / serial on the CRL */
  uint64_t bytes_in, bytes_out, frames_in, frames_out; /* closed connections */
  int64_t last_seen_ms, last_request_ms;
  uint32_t outbox_depth;    /* max over live connections; last known when offline */
  int last_close;           /* enum mc_close_why of the last resident link */
  int64_t drops[MC_MON_DROPS];
  unsigned ndrops;          /* resident drops, total ever; drops[] holds the last ones */
  int uptime_today_pct;     /* from storage, -1 = unknown */
  /* dossiers (issue 17), from storage every minute; known = 0 until then */
  int dossiers_known;
  int64_t received_today, in_progress, overdue;
  uint64_t connects;        /* resident connects */
  /* links of the unit on OTHER instances (mc_monitor_set_live): m->live[live_first ..
   * live_first + live_n), live_resident of them resident */
  size_t live_first;
  unsigned live_n, live_resident;
};

typedef struct mc_mon_closed {
  char unit[32];
  char remote[64];
  int64_t opened_ms, closed_ms;
  int why;
  char detail[24];
  uint64_t bytes_in, bytes_out;
} mc_mon_closed;

typedef struct mc_mon_alert {
  char kind[24];     /* unit_offline, cert_expiring, crl_expiring, forward_not_accepted */
  char unit[32];
  char subject[96];
  char message[200];
  int64_t since_ms;
  int fresh;         /* new at the last evaluation (to be logged) */
} mc_mon_alert;

#define MC_MON_TURN_BUCKETS 10 /* server.h MC_TURN_BUCKETS */
typedef struct mc_mon_turns {
  uint64_t within[MC_MON_TURN_BUCKETS], count;
  int64_t sum_us, max_us;
} mc_mon_turns;
/* Server-wide facts the glue refreshes (certificates, CRL, database). */
typedef struct mc_mon_server {
  int64_t started_ms;
  int64_t server_cert_not_after_ms, ca_not_after_ms; /* 0 = unknown */
  int64_t crl_next_update_ms;                        /* 0 = no CRL */
  int tls_ok;            /* certificates and CRL loaded and currently valid */
  int db_up;             /* connections of the pool that answered lately */
  int db_pool;
  uint64_t db_queries, db_errors;
  int db_queued;                      /* operations waiting for a connection */
  uint64_t db_batches, db_batched;    /* receive batches, receives in them */
  int db_lanes;                       /* receive lanes in use */
  uint64_t tls_failures, accepted;
  uint64_t hs_steps, hs_deferred;     /* handshake steps, and those put off a turn (link.h) */
  uint64_t reloads, revoked_closed;
  /* build and process (the glue reads /proc), database limits */
  char version[32];
  int64_t process_start_ms;
  uint64_t rss_bytes;
  int open_fds;                       /* -1 = unknown */
  double cpu_seconds;
  int db_in_use;                      /* connections busy with a query */
  int db_queue_limit;
  /* officer logins and sessions (issue 15), copied from the server object */
  uint64_t logins_ok, logins_failed, logins_locked, lockouts, other_unit;
  uint64_t hash_busy, sessions_refused;
  unsigned hashes_running, hashes_waiting;
  /* retention sweeps (retention.c, docs/DATABASE.md "Retention") */
  uint64_t ret_sweeps, ret_skipped, ret_errors;
  uint64_t ret_rollup_days, ret_link_events, ret_idem_replies;
  int64_t ret_last_ms, ret_last_at_ms; /* last sweep's duration and start (0 = none) */
  /* loop turns (server.h mc_turn_hist), copied with their bucket bounds */
  int64_t turn_le_us[MC_MON_TURN_BUCKETS];
  mc_mon_turns turn_wall, turn_cpu;
  uint64_t wait_cpu_ns;               /* the loop thread's CPU inside waits for I/O */
} mc_mon_server;

/* Request counters and latency per request type (Envelope body field
 * number below MC_MON_REQ_TYPES) and result (0 = ok, i = error -i). */
#define MC_MON_REQ_TYPES 64
#define MC_MON_REQ_RESULTS (MC_ERR_WIRE_MAX + 1)
#define MC_MON_LAT_BUCKETS 12
extern const int64_t mc_mon_lat_le_us[MC_MON_LAT_BUCKETS]; /* bucket upper bounds */

typedef struct mc_mon_req {
  uint64_t results[MC_MON_REQ_RESULTS];
  uint64_t within[MC_MON_LAT_BUCKETS]; /* finished within le[i] and above le[i-1] */
  uint64_t count;
  int64_t sum_us;
} mc_mon_req;

/* A link held by another instance of the cluster, as it published it
 * (migration 021's live_links, read by the glue every second). */
#define MC_MON_INSTANCE_MAX 64
typedef struct mc_mon_live {
  char instance[MC_MON_INSTANCE_MAX];
  uint64_t session;
  char unit[32];
  int resident;
  int64_t connected_ms;
  int64_t rtt_ms;           /* -1 = not measured */
  uint32_t outbox;
} mc_mon_live;

typedef struct mc_monitor {
  mc_mon_config cfg;
  char instance[MC_MON_INSTANCE_MAX]; /* this instance's name (instance_name) */
  mc_mon_live *live;        /* other instances' links, by unit (mc_monitor_set_live) */
  size_t nlive;
  int live_known;           /* the cluster view is current (read within the lease) */
  mc_mon_unit *units;
  size_t nunits;
  mc_mon_conn *others;      /* admin and unknown units */
  unsigned nothers;
  mc_mon_closed ring[MC_MON_RING];
  size_t ring_next, ring_count;
  uint64_t closed_total[MC_CLOSE__COUNT];
  mc_mon_server srv;
  mc_mon_alert stuck[32];   /* forward_not_accepted, set by the glue */
  size_t nstuck;
  mc_mon_alert alerts[MC_MON_ALERTS_MAX]; /* last evaluation */
  size_t nalerts;
  mc_mon_req req[MC_MON_REQ_TYPES];
} mc_monitor;

typedef struct mc_mon_unit_def {
  const char *code, *name;
  int role;
} mc_mon_unit_def;

int mc_monitor_init(mc_monitor *m, const mc_mon_config *cfg, int64_t now_ms);
/* Frees every live connection record too. */
void mc_monitor_free(mc_monitor *m);

/* Replace the unit list (catalogue load or reload); records of units that
 * stay are kept, live connections are re-attached. MC_ENOMEM. */
int mc_monitor_set_units(mc_monitor *m, const mc_mon_unit_def *defs, size_t n,
                         int64_t now_ms);
mc_mon_unit *mc_monitor_unit(mc_monitor *m, const char *code);

/* The cluster view: rows as read from live_links (sorted by unit). Rows
 * of this instance (m->instance) are skipped: its own registry is fresher.
 * known = 0 (the read failed): the previous rows are dropped and the view
 * is this instance's alone. MC_ENOMEM. */
int mc_monitor_set_live(mc_monitor *m, const mc_mon_live *rows, size_t n, int known);

/* A connection completed Hello. Returns the record (NULL on ENOMEM). code,
 * info's strings and stats are kept as pointers: valid until mc_monitor_close. */
mc_mon_conn *mc_monitor_open(mc_monitor *m, uint64_t id, const char *code,
                             const mc_mon_link_info *info, const mc_link_stats *stats,
                             int64_t now_ms);
/* A frame arrived; is_request: not a heartbeat or status message. */
void mc_monitor_frame(mc_monitor *m, mc_mon_conn *c, int is_request, int64_t now_ms);
void mc_monitor_rtt(mc_monitor *m, mc_mon_conn *c, int64_t rtt_ms);
void mc_monitor_outbox(mc_monitor *m, mc_mon_conn *c, uint32_t depth);
void mc_monitor_uploads(mc_monitor *m, mc_mon_conn *c, uint32_t n);

/* Mark offline units whose last serial is_revoked(arg, serial) says is on
 * the CRL (after a reload). Returns how many are marked. */
size_t mc_monitor_mark_revoked(mc_monitor *m, int (*is_revoked)(void *arg, const char *serial),
                               void *arg);

/* ---- requests ------------------------------------------------------------
 * A request is metered from the arrival of its envelope to its end: the
 * dispatch's return (answered or refused there), or the end of the mc_req
 * it started (net/session.c) when that outlives the dispatch. Hello, Pong,
 * Goodbye and ClientStatus are not requests. Times in microseconds. */
typedef struct mc_mon_meter {   /* per session: the envelope being dispatched */
  unsigned body;                /* 0 = not a request */
  int64_t t0_us;
  unsigned gen;                 /* dispatch number */
  int dispatching, open, recorded;
} mc_mon_meter;

typedef struct mc_mon_req_meter { /* per mc_req */
  unsigned body, gen;
  int64_t t0_us;
  int done;
} mc_mon_req_meter;

void mc_monitor_meter_begin(mc_mon_meter *d, unsigned body, int64_t now_us);
/* The dispatch returned rc (0 = answered or waiting on an mc_req). */
void mc_monitor_meter_end(mc_monitor *m, mc_mon_meter *d, int rc, int64_t now_us);
void mc_monitor_req_begin(mc_mon_meter *d, mc_mon_req_meter *r);
/* A request held by an mc_req r outside its dispatch (the officer gate
 * waiting on PostgreSQL) is dispatched now: d meters it again as r's body
 * from r's start, and r no longer counts. End with mc_monitor_meter_end. */
void mc_monitor_meter_resume(mc_mon_meter *d, mc_mon_req_meter *r);
/* The mc_req ended with err (0: finished). */
void mc_monitor_req_end(mc_monitor *m, mc_mon_meter *d, mc_mon_req_meter *r, int err,
                        int64_t now_us);
/* Count one request of body type that ended with err after dur_us. */
void mc_monitor_request(mc_monitor *m, unsigned body, int err, int64_t dur_us);
/* A connection ended. c may be NULL (never completed Hello); then unit
 * is the certificate's CN or "" and remote/opened describe it. final: the
 * link's last counters (may be NULL). c is freed. */
typedef struct mc_mon_close_info {
  const char *unit, *remote, *detail;
  int why;
  int64_t opened_ms;
  const mc_link_stats *final;
} mc_mon_close_info;
void mc_monitor_close(mc_monitor *m, mc_mon_conn *c, const mc_mon_close_info *ci,
                      int64_t now_ms);

/* ---- reading ------------------------------------------------------------ */

/* The derived view of one unit at now_ms. */
typedef struct mc_mon_view {
  const mc_mon_unit *u;
  const mc_mon_conn *primary; /* oldest live resident connection, NULL if offline */
  const mc_mon_live *remote;  /* else the oldest resident link on another instance */
  int online;                 /* a resident link on any instance */
  int online_here;            /* a resident link on this instance */
  int64_t since_ms;           /* online/offline since, cluster-wide (0 = never) */
  int64_t rtt_ms;             /* of the resident link (this instance's first), -1 */
  unsigned links;             /* live links on every instance */
  const char *state;          /* "online" | "degraded" | "offline" | "never" | "revoked" */
  uint64_t bytes_in, bytes_out, frames_in, frames_out; /* closed + live */
  unsigned drops_1h;
  int flapping;
  uint32_t uploads;
} mc_mon_view;

void mc_monitor_view(const mc_monitor *m, const mc_mon_unit *u, int64_t now_ms,
                     mc_mon_view *v);

/* Working-hours predicate for the offline alert (the glue passes the
 * working-day calendar). */
typedef int (*mc_mon_working_fn)(void *arg, int64_t now_ms);

/* Recompute m->alerts at now_ms. Returns how many are new since the last
 * evaluation (marked fresh, for the caller to log). */
size_t mc_monitor_eval_alerts(mc_monitor *m, int64_t now_ms, mc_mon_working_fn working,
                              void *arg);

/* Count alerts of one kind. */
size_t mc_monitor_alert_count(const mc_monitor *m, const char *kind);

/* "s1" or "s1,s2": the instances holding the unit's links (this one
 * first), "" when none. */
void mc_monitor_instances(const mc_monitor *m, const mc_mon_view *v, char *out, size_t size);

/* JSON snapshot: {"server_time", "server_time_ms", "instance", "cluster_view", "units":[...],
 * "recent_closed":[...], "alerts":[...], "server":{...}}. New reference. */
json_t *mc_monitor_json(const mc_monitor *m, int64_t now_ms);
/* One unit's object (also used by the CLI's field names). */
json_t *mc_monitor_unit_json(const mc_monitor *m, const mc_mon_view *v, int64_t now_ms);

/* Prometheus text exposition format 0.0.4 (HELP and TYPE for each family).
 * Returns a malloc'd NUL-terminated string (NULL on ENOMEM); *len its
 * length. */
char *mc_monitor_prometheus(const mc_monitor *m, int64_t now_ms, size_t *len);

/* "2026-10-08T09:30:00+07:00" in the configured offset; "" for 0. */
void mc_monitor_rfc3339(const mc_monitor *m, int64_t ms, char *out, size_t size);

#endif
