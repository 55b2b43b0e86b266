/* Storage: PostgreSQL through libpq's asynchronous API. A small pool of
 * connections, each watched by a uv_poll_t on PQsocket(); requests queue
 * (bounded) until a connection is free. The loop never blocks on the
 * database once mc_store_open() has returned.
 *
 * Every operation returns 0 (its callback will fire exactly once, later,
 * from the loop) or a negative mc_err (the callback never fires).
 * Callback data (dossier pointers, arrays) is valid only during the call.
 * Workflow and session code never see PGconn or SQL. */
#ifndef MC_STORAGE_H
#define MC_STORAGE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "model.h"

typedef struct mc_store mc_store;

typedef struct mc_store_opts {
  const char *conninfo;  /* libpq connection string (the server's own role) */
  int pool_size;         /* connections, >= 1 */
  int max_queue;         /* queued operations before MC_EBUSY */
  const char *migrate_conninfo; /* role that owns the schema, for migrations;
                                   NULL or "" = use conninfo */
} mc_store_opts;

/* Connects the pool and applies pending migrations (versioned, each in its
 * own transaction; rerunning is a no-op). Runs before the server accepts
 * connections; this is the only place that waits on the database. */
int mc_store_open(uv_loop_t *loop, const mc_store_opts *opts, mc_store **out,
                  char *err, size_t errlen);

/* Stops accepting work, fails queued operations with MC_ECLOSED, waits for
 * in-flight ones, closes every connection and handle, then calls done_cb.
 * The store is freed before done_cb runs. */
void mc_store_close(mc_store *s, void (*done_cb)(void *arg), void *arg);

/* --- catalogue (loaded at start, cached by the server) --- */
typedef void (*mc_store_catalog_cb)(void *arg, int err, const mc_unit *units,
                                    size_t nunits, const mc_procedure *procs,
                                    size_t nprocs);
int mc_store_load_catalog(mc_store *s, mc_store_catalog_cb cb, void *arg);

/* --- dossiers --- */
typedef void (*mc_store_dossier_cb)(void *arg, int err, const mc_dossier *d);
typedef void (*mc_store_list_cb)(void *arg, int err, const mc_dossier *ds, size_t n);

typedef struct mc_receive_rec {
  const char *idem_key;     /* unique per (unit, key) */
  const char *unit_code;    /* receiving unit (caller) */
  const char *agency_id;    /* caller unit's electronic identifier */
  const char *day;          /* local receipt date "yymmdd" */
  const char *procedure_code;
  const mc_applicant *applicant;
  int channel;
  const char *officer;
  int64_t received_at_ms;
  int64_t due_at_ms;
} mc_receive_rec;

/* One transaction: replays the stored answer when (unit, idem_key) exists
 * for a receive (MC_ECONFLICT if the key was used for another action);
 * otherwise allocates the unit's next sequence number for that day without
 * races, inserts the dossier (status 2) and its first progress-log row. */
int mc_store_receive(mc_store *s, const mc_receive_rec *r, mc_store_dossier_cb cb,
                     void *arg);

typedef struct mc_forward_rec {
  const char *idem_key;
  const char *unit_code;  /* caller: must hold the dossier */
  const char *code;
  const char *to_unit;    /* the district */
  const char *officer;
  int64_t now_ms;
  int64_t step_due_ms;    /* this hand-over step's own deadline */
} mc_forward_rec;

/* One transaction: idempotent replay as for receive; otherwise moves the
 * dossier to to_unit only if the caller still holds it and it was never
 * forwarded (MC_EBADSTATE otherwise, MC_ENOTFOUND if no such code), and
 * appends a progress-log row. The session checks the workflow rules before
 * calling; the conditional update guards against races. */
int mc_store_forward(mc_store *s, const mc_forward_rec *r, mc_store_dossier_cb cb,
                     void *arg);

/* Look up an idempotency key of a unit: cb(err=MC_ENOTFOUND) if unused,
 * else the dossier as answered the first time. action receives the
 * recorded action name ("receive", "forward"). */
typedef void (*mc_store_idem_cb)(void *arg, int err, const char *action,
                                 const mc_dossier *d);
int mc_store_idem_lookup(mc_store *s, const char *unit_code, const char *idem_key,
                         mc_store_idem_cb cb, void *arg);

int mc_store_show(mc_store *s, const char *code, mc_store_dossier_cb cb, void *arg);

typedef struct mc_list_query {
  const char *viewer_unit; /* dossiers it received or that were forwarded to it */
  int status;              /* 0 = any */
  int limit;               /* 1..1000 */
  int overdue;             /* 1 = only overdue (see mc_wf_overdue) */
  int64_t due_within_ms;   /* > 0: only unfinished dossiers due before now + this */
  int64_t now_ms;          /* the server clock, for the two filters above */
} mc_list_query;
/* Newest first. */
int mc_store_list(mc_store *s, const mc_list_query *q, mc_store_list_cb cb, void *arg);

/* --- workflow actions (issue 3) --- */
typedef struct mc_action_rec {
  const char *idem_key;
  const char *unit_code;        /* acting unit */
  int role;                     /* acting role (mc_role) */
  const char *officer;
  const char *code;
  const mc_change *change;      /* decided by mc_wf_decide */
  const char *detail;           /* text kept in the progress log ("" = none) */
  const char *assigned_officer; /* assign: new values; NULL = unchanged */
  const char *department;
  int rating;                   /* rate: 1..3; 0 = unchanged */
  int64_t fee_amount;           /* fee_request: > 0; 0 = unchanged */
  const char *collected_by;     /* return; NULL = unchanged */
} mc_action_rec;

/* One transaction: idempotent replay as for receive (MC_ECONFLICT if the
 * key was used for another action or dossier); otherwise applies change
 * only if the dossier still has change->status_before and
 * change->holder_before (MC_EBADSTATE if it moved meanwhile), appends the
 * progress-log row, adds an inbox entry for change->notify_unit, records
 * the idempotency row, and answers the dossier as it is after. Forward is
 * the same path (MC_ACT_FORWARD). */
int mc_store_action(mc_store *s, const mc_action_rec *r, mc_store_dossier_cb cb, void *arg);

/* The dossier and its whole progress log, oldest first. */
typedef void (*mc_store_history_cb)(void *arg, int err, const mc_dossier *d,
                                    const mc_step *steps, size_t n);
int mc_store_history(mc_store *s, const char *code, mc_store_history_cb cb, void *arg);

/* Unread inbox entries of a unit, oldest first; mark_read marks exactly the
 * returned ones read in the same transaction. */
typedef void (*mc_store_inbox_cb)(void *arg, int err, const mc_event *ev, size_t n);
int mc_store_inbox(mc_store *s, const char *unit_code, int mark_read, int limit,
                   mc_store_inbox_cb cb, void *arg);

/* Accent- and case-insensitive search by code, citizen id, phone or name
 * among the dossiers viewer_unit may see (as for list); newest first. */
int mc_store_search(mc_store *s, const char *viewer_unit, const char *text, int limit,
                    mc_store_list_cb cb, void *arg);

/* Calendar exceptions (holidays, compensatory days, working weekends). */
typedef void (*mc_store_calendar_cb)(void *arg, int err, const mc_calday *days, size_t n);
int mc_store_load_calendar(mc_store *s, int year, mc_store_calendar_cb cb, void *arg);
/* Add (or replace) one day; remove one day (MC_ENOTFOUND if absent). */
typedef void (*mc_store_done_cb)(void *arg, int err);
int mc_store_calendar_put(mc_store *s, const mc_calday *day, mc_store_done_cb cb, void *arg);
int mc_store_calendar_remove(mc_store *s, const char *date, mc_store_done_cb cb, void *arg);

/* Record a refused action in the audit table (fire and forget: cb may be NULL). */
int mc_store_log_refusal(mc_store *s, const char *unit_code, const char *officer,
                         const char *code, const char *action, const char *rule,
                         mc_store_done_cb cb, void *arg);

/* Current counters for logs/monitoring. */
typedef struct mc_store_stats {
  int connections_up;
  int queued;
  int in_flight;
  uint64_t queries_total;
  uint64_t errors_total;
  uint64_t batches_total;  /* receive batches sent (group commit) */
  uint64_t batched_total;  /* receives they carried */
} mc_store_stats;
void mc_store_get_stats(const mc_store *s, mc_store_stats *st);

#endif
