/* The server object: settings, the TLS context, the storage handle, the
 * one clock, the catalogue and calendar caches, the registry of live
 * sessions, and the lifecycle (listener, reload, shutdown). server.c owns
 * it; main.c only creates it, feeds it signals and runs the loop.
 *
 * The layers above it (net/: sessions and handlers; monitor/: the monitor
 * glue) are reached only through the hooks net/net.c installs, so no call
 * goes from here up into them: handlers call down into the server object,
 * never the other way round. */
#ifndef MC_SERVER_H
#define MC_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "frame.h"
#include "model.h"
#include "settings.h"
#include "sweep.h"
#include "store.h"
#include "tls.h"
#include "turns.h"
#include "workflow.h"

typedef struct mc_server mc_server;

/* Handshake steps per loop turn (common/link.h mc_link_handshake_budget):
 * ~1.8 ms each here, so a burst of units connecting at once costs the
 * other links at most ~15 ms a turn. A bench build may set another value
 * with -D (0 = no budget) to repeat docs/PERFORMANCE.md "A reconnect storm". */
#ifndef MC_SERVER_HANDSHAKES_PER_TURN
#define MC_SERVER_HANDSHAKES_PER_TURN 8
#endif

typedef struct mc_session mc_session;

/* Connections by admission state; net/session.c keeps them, anyone above
 * the server object (the monitor) may read them. */
typedef struct mc_conn_counts {
  size_t preauth;           /* accepted, Hello not done (TLS handshake or waiting) */
  size_t preauth_addrs;     /* distinct source addresses among them */
  size_t ready;             /* authenticated (Hello done): count against max_connections */
  uint64_t refused_addr;    /* closed at accept: max_preauth_per_addr reached */
  uint64_t evicted_full;    /* oldest pre-auth closed to make room: max_preauth reached */
  uint64_t refused_ready;   /* Hello refused: max_connections reached */
  uint64_t hello_timeouts;  /* closed: no Hello within hello_timeout_ms */
} mc_conn_counts;

/* Officer logins and sessions (issue 15): net/auth.c keeps them, the
 * monitor shows them on /metrics. */
typedef struct mc_officer_counts {
  uint64_t logins_ok;
  uint64_t logins_failed;    /* wrong login or password (bad_login) */
  uint64_t logins_locked;    /* refused: the login is locked */
  uint64_t lockouts;         /* logins that became locked */
  uint64_t other_unit;       /* login or session of an officer of another unit */
  uint64_t hash_busy;        /* refused: too many password hashes waiting */
  uint64_t sessions_refused; /* changing requests without a live session */
  unsigned hashes_running, hashes_waiting;
} mc_officer_counts;

/* Which sessions to close: 1 to close the one of this peer (unit,
 * certificate serial and expiry). */
typedef int (*mc_server_match_cb)(void *arg, const mc_peer_id *peer);

/* What the layers above do at the server's lifecycle points (net/net.c). */
typedef struct mc_server_hooks {
  /* Before the listener opens (files sweeper, monitor): 0 or an mc_err. */
  int (*start_cb)(mc_server *srv, char *err, size_t errlen);
  void (*catalog_cb)(mc_server *srv);   /* after every catalogue load */
  void (*accept_cb)(mc_server *srv);    /* a connection waits on the listener */
  void (*heartbeat_cb)(mc_server *srv); /* every heartbeat_s */
  void (*reload_cb)(mc_server *srv);    /* after SIGHUP swapped the TLS context */
  /* Close the matching live sessions (Goodbye, typed close reason why, an
   * enum mc_close_why); returns how many. */
  size_t (*close_cb)(mc_server *srv, mc_server_match_cb match, void *arg, int why,
                     const char *reason);
  void (*stop_cb)(mc_server *srv); /* shutdown: sessions, uploads, monitor */
  void (*free_cb)(mc_server *srv); /* at exit */
  mc_sweep_cbs sweep;              /* the uploads in memory, at each expiry sweep */
  /* Another instance made an event for unit (server_notify.c): push it to the
   * unit's links here; linked_cb says whether the unit has any. */
  void (*event_cb)(mc_server *srv, const char *unit, const mc_event *ev);
  int (*linked_cb)(mc_server *srv, const char *unit);
} mc_server_hooks;

struct mc_server {
  uv_loop_t *loop;
  mc_settings cfg;
  mc_server_hooks hooks;
  SSL_CTX *tls;
  mc_store *store;
  uv_tcp_t listener;
  uv_timer_t heartbeat;
  uv_timer_t stop_turn;    /* shutdown: the pools close one loop turn after the hooks */
  uv_prepare_t turn_mark;  /* before each wait for I/O: counts the turn in turns */
  uv_check_t hs_budget;    /* after each wait for I/O: a new handshake budget */
  uint64_t turn_at_ns, turn_idle_ns;
  mc_turn_meter turn_meter; /* when to read the loop thread's CPU clock (turns.h) */
  mc_turn_hist turns;       /* the monitor shows it (motcua_loop_turn_seconds) */
  mc_turn_hist turns_cpu;   /* the same turns' CPU time: turns less preemption */
  mc_session *sessions; /* net/session.c links them: doubly linked, newest first */
  size_t nsessions;
  mc_conn_counts conns; /* of them: before and after Hello, refusals */
  struct mc_net_state *net; /* net/session.c: the pre-auth budget and its counts */
  struct mc_auth_state *auth; /* net/auth.c: password work, the session cache */
  mc_officer_counts officers;  /* net/auth.c and handlers_login.c count, the monitor reads */
  uint64_t next_conn_id;
  mc_unit *units;
  size_t nunits;
  mc_procedure *procs;
  size_t nprocs;
  mc_calendar cal;
  int32_t *holidays; /* storage behind cal (sorted local day numbers) */
  int32_t *workdays;
  mc_work_hours *hours; /* office hours, by unit ("" = default first) then valid_from */
  size_t nhours;
  int listening;
  int reports_running;       /* net/handlers_report.c: reports in flight (max_reports) */
  int shutting_down;
  void (*stopped_cb)(mc_server *srv); /* storage closed at shutdown */
  mc_store *report_store;    /* db_report_conninfo's pool (reports only), or NULL */
  mc_sweeper *sweeper;       /* files/sweep.h: upload expiry, garbage collection */
  mc_file_store *files;      /* files/files.h: where file contents live (data_dir) */
  struct mc_mon_state *mon; /* monitor/monitor_server.c: registry, HTTP, alerts */
  uv_timer_t notify_timer;  /* server_notify.c: debounced reload after mc_config */
  uv_fs_poll_t crl_poll;    /* server_notify.c: the CRL file, for every instance */
  int notify_connected;     /* times the storage's listener connected */
};

/* The one clock of the server (CLOCK_REALTIME, so libfaketime applies). */
int64_t mc_server_now_ms(void);

/* Catalogue caches (NULL if unknown). */
const mc_unit *mc_server_unit(const mc_server *srv, const char *code);
const mc_procedure *mc_server_procedure(const mc_server *srv, const char *code);

/* Reload the working-day calendar and the office hours from storage
 * (asynchronously). */
void mc_server_reload_calendar(mc_server *srv);
/* Reload the catalogue (units, procedures) from storage (asynchronously). */
void mc_server_reload_catalog(mc_server *srv);

/* server_notify.c: the storage's notification callback (mc_store_opts.notify_cb),
 * and the timer and CRL watch it uses, started with the server. */
void mc_server_notify_cb(void *arg, const char *channel, const char *payload, int own);
void mc_server_notify_start(mc_server *srv);
void mc_server_notify_stop(mc_server *srv);
/* The calendar of `unit`: srv->cal (holidays, settings, the default office
 * hours) with the unit's own office hours if it has any. Valid until the
 * next reload; take it per request. */
void mc_server_calendar(const mc_server *srv, const char *unit, mc_calendar *out);

/* Close the live sessions match accepts (asks net/ through its hook). */
size_t mc_server_close_sessions(mc_server *srv, mc_server_match_cb match, void *arg, int why,
                                const char *reason);
/* Close the sessions whose certificate expired before now_ms (the
 * heartbeat runs it; a revoked one is closed the same way at SIGHUP). */
size_t mc_server_close_expired(mc_server *srv, int64_t now_ms);

/* Start: TLS context, storage (migrations), data_dir and the expiry
 * sweeper, hooks' start, calendar and catalogue, then the listener. 0 or a negative mc_err (logged). */
int mc_server_open(mc_server *srv, uv_loop_t *loop);
/* Apply the migrations and close (--migrate). 0 or a negative mc_err. */
int mc_server_migrate(mc_server *srv, uv_loop_t *loop);
/* SIGHUP: new TLS context, revocations (monitor hook), catalogue, calendar. */
void mc_server_reload(mc_server *srv);
/* SIGINT/SIGTERM: stop accepting, close every session, close storage;
 * stopped_cb (if set) runs once storage is closed. */
void mc_server_shutdown(mc_server *srv, void (*stopped_cb)(mc_server *srv));
/* After the loop ended. */
void mc_server_free(mc_server *srv);

#endif
