/* Storage (server/store/, the one module that speaks libpq): PostgreSQL
 * through libpq's asynchronous API. A small pool of connections, each
 * watched by a uv_poll_t on PQsocket(); requests queue (bounded) until a
 * connection is free. The loop never blocks on the
 * database once mc_store_open() has returned.
 *
 * Every operation returns 0 (its callback will fire exactly once, later,
 * from the loop) or a negative mc_err (the callback never fires).
 * Callback data (dossier pointers, arrays) is valid only during the call.
 * Workflow and session code never see PGconn or SQL. */
#ifndef MC_STORE_H
#define MC_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "cursor.h"
#include "model.h"
#include "report.h"

typedef struct mc_store mc_store;

/* A notification from PostgreSQL (LISTEN, docs/SCALE.md): channel and
 * payload as sent; own = 1 when one of this store's own connections sent
 * it (this instance made the change). channel NULL: the listening
 * connection (re)connected, so notifications may have been missed: re-read
 * what they would have announced. */
typedef void (*mc_store_notify_cb)(void *arg, const char *channel, const char *payload, int own);

typedef struct mc_store_opts {
  const char *conninfo;  /* libpq connection string (the server's own role) */
  int pool_size;         /* connections, >= 1 */
  int max_queue;         /* queued operations before MC_EBUSY */
  const char *migrate_conninfo; /* role that owns the schema, for migrations;
                                   NULL or "" = use conninfo */
  int no_migrate;        /* 1: never open migrate_conninfo; check with conninfo
                            that every migration is applied (else MC_ECONFIG) */
  int unit_share;        /* operations of one unit in flight at once;
                            0 = pool_size / 4 (at least 1) */
  int statement_timeout_ms; /* per search or list statement; 0 = none */
  int receive_lanes;     /* receive batches in flight at once (one per lane,
                            units hashed to lanes); 0 = this machine's CPUs
                            (2..16); at most 16 and pool_size */
  const char *pii_key_file; /* HMAC key of citizen ids and phones (W8);
                               NULL or "" = none: lookups by the clear value */
  mc_store_notify_cb notify_cb; /* NULL: no listening connection. Else one
                                   more connection LISTENs on the channels
                                   "mc_inbox" and "mc_config" (migration 019) */
  void *notify_arg;
  const char *name;      /* the pool's name in log lines; NULL = "main" */
} mc_store_opts;

/* Connects the pool and applies pending migrations (versioned, each in its
 * own transaction; rerunning is a no-op), or with no_migrate only checks
 * that none is pending. Runs before the server accepts connections; this
 * is the only place that waits on the database. */
int mc_store_open(uv_loop_t *loop, const mc_store_opts *opts, mc_store **out,
                  char *err, size_t errlen);

/* Blocking: applies pending migrations as conninfo (the schema owner) and
 * returns; the separate migration step, no pool. */
int mc_store_migrate(const char *conninfo, char *err, size_t errlen);

/* Blocking, read-only (W7): recomputes the hash chain of the progress log
 * (each row's hash = SHA-256(previous row's hash || its canonical fields),
 * per dossier) of every dossier, or of the one dossier code (NULL = all),
 * and calls broken_cb once per dossier whose chain breaks, with its first
 * broken row. *checked: rows checked. 0: the verification ran (broken rows
 * or not); <0: it could not run (err says why). */
typedef void (*mc_store_broken_cb)(void *arg, const char *code, int64_t row_id,
                                   int64_t at_ms, const char *why);
int mc_store_verify_log(const char *conninfo, const char *code, mc_store_broken_cb broken_cb,
                        void *arg, int64_t *checked, char *err, size_t errlen);

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
  const char *officer;       /* the session officer's full name (or free text) */
  int64_t received_at_ms;
  int64_t due_at_ms;
  const char *fingerprint;  /* canonical request text (mc_val_receive_canon); NULL = none */
  /* intake as the receipt records it (issue 14; NULL = "") */
  const char *address;
  const char *email;
  int sets;                 /* 0 = 1 */
  const mc_received *components; /* ordinals of the procedure, distinct */
  size_t ncomponents;       /* <= MC_LIM_COMPONENTS */
  const char *missing_reason;
  int64_t officer_id;        /* the session officer (016); 0 = none (unverified) */
  const char *officer_title;
} mc_receive_rec;

/* One transaction: replays the stored answer when (unit, idem_key) exists
 * for a receive (MC_ECONFLICT if the key was used for another action);
 * otherwise allocates the unit's next sequence number for that day without
 * races, inserts the dossier (status 2) and its first progress-log row. */
int mc_store_receive(mc_store *s, const mc_receive_rec *r, mc_store_dossier_cb cb,
                     void *arg);

/* Look up an idempotency key of a unit: cb(err=MC_ENOTFOUND) if unused,
 * else the dossier as answered the first time. action receives the
 * recorded action name ("receive", "forward"). fingerprint: the canonical
 * text of the request now (NULL = none); cb(err=MC_ECONFLICT) if the key
 * was first used with another one (rows from before 009 have none and are
 * not compared). */
typedef void (*mc_store_idem_cb)(void *arg, int err, const char *action,
                                 const mc_dossier *d);
int mc_store_idem_lookup(mc_store *s, const char *unit_code, const char *idem_key,
                         const char *fingerprint, mc_store_idem_cb cb, void *arg);

int mc_store_show(mc_store *s, const char *code, mc_store_dossier_cb cb, void *arg);

typedef struct mc_list_query {
  const char *viewer_unit; /* dossiers it received or that were forwarded to it */
  int status;              /* 0 = any */
  int limit;               /* 1..MC_LIM_LIST */
  int offset;              /* 0..MC_LIM_LIST_OFFSET rows skipped */
  int sort, desc;          /* enum mc_dom_sort_key; 1 = descending; ties by row id */
  int overdue;             /* 1 = only overdue (see mc_wf_overdue) */
  int64_t due_within_ms;   /* > 0: only unfinished dossiers due before now + this */
  int64_t now_ms;          /* the server clock, for the two filters above */
  int64_t assigned_to;     /* > 0: only dossiers assigned to this officer id ("mine") */
  int awaiting_signature;  /* 1: only dossiers whose proposed result awaits a leader */
  const char *procedure;   /* NULL or "" = any; else this procedure code */
  const char *sector;      /* NULL or "" = any; else procedures of this sector */
  const char *holder_unit; /* NULL or "" = any; else held by this unit now */
  int64_t received_from_ms, received_to_ms; /* [from, to); 0 = open end */
  int64_t due_from_ms, due_to_ms;           /* [from, to); 0 = open end */
  int total_cap;           /* 1..MC_LIM_LIST_TOTAL: matches counted up to this */
  mc_cursor after;         /* kind 0: from the first row; else a list cursor of this order */
} mc_list_query;
/* One page (issue 19): the dossiers, the cursor after each of them
 * (cursor.h), more = 1 when rows follow the last one, and how many match
 * in all (at most total_cap; capped = 1 when the count stopped there;
 * 0, 0 for a search). */
typedef struct mc_page {
  const mc_dossier *ds;
  const mc_cursor *cur;
  size_t n;
  int more;
  uint32_t total;
  int capped;
} mc_page;
typedef void (*mc_store_page_cb)(void *arg, int err, const mc_page *page);
/* One statement: the page in the asked order and the capped count. */
int mc_store_list(mc_store *s, const mc_list_query *q, mc_store_page_cb cb, void *arg);

/* The desk's "today" counts of one unit (SummaryRequest, docs/PROTOCOL.md
 * says what each counts), in one statement. */
typedef struct mc_summary_query {
  const char *unit;
  int64_t now_ms;
  int64_t soon_until_ms;             /* due_soon: due at or before this */
  int64_t day_from_ms, day_to_ms;    /* received_today: [from, to) */
} mc_summary_query;
typedef struct mc_summary {
  uint32_t to_receive, to_return, due_soon, overdue, in_progress, received_today;
} mc_summary;
typedef void (*mc_store_summary_cb)(void *arg, int err, const mc_summary *sum);
int mc_store_summary(mc_store *s, const mc_summary_query *q, mc_store_summary_cb cb, void *arg);

/* Form 06: the dossiers unit received in [from_ms, to_ms), in register
 * order (year, number) after (after_year, after_no), at most limit
 * (1..MC_LIM_LIST), with the intake's scalar fields and register numbers. */
typedef struct mc_register_page {
  const char *unit;
  int64_t from_ms, to_ms;
  int after_year, after_no;
  int limit;
} mc_register_page;
int mc_store_register(mc_store *s, const mc_register_page *q, mc_store_list_cb cb, void *arg);

/* --- workflow actions (issue 3) --- */
typedef struct mc_action_rec {
  const char *idem_key;
  const char *unit_code;        /* acting unit */
  int role;                     /* acting role (mc_role) */
  const char *officer;          /* the session officer's full name (or free text) */
  const char *code;
  const mc_change *change;      /* decided by mc_wf_decide */
  const char *detail;           /* text kept in the progress log ("" = none) */
  const char *assigned_officer; /* assign by name (before 016): new values; NULL = unchanged */
  const char *department;
  int rating;                   /* rate: 1..3; 0 = unchanged */
  int64_t fee_amount;           /* fee_request: > 0; 0 = unchanged */
  const char *collected_by;     /* return; NULL = unchanged */
  const char *fingerprint;      /* canonical request text (mc_val_action_canon); NULL = none */
  int64_t officer_id;           /* the session officer (016); 0 = none (unverified) */
  const char *officer_title;
  const char *assigned_login;   /* assign by login: a processing officer of the unit
                                   (MC_EINVAL "to_officer" otherwise); NULL = none */
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

/* Unread inbox entries of a unit, oldest first, at most limit (1..
 * MC_LIM_LIST + 1: a page and its lookahead); mark_read marks exactly the
 * returned ones read in the same transaction; without it, only entries
 * after after_id (0 = from the first; issue 19 pages). */
typedef void (*mc_store_inbox_cb)(void *arg, int err, const mc_event *ev, size_t n);
int mc_store_inbox(mc_store *s, const char *unit_code, int mark_read, int64_t after_id,
                   int limit, mc_store_inbox_cb cb, void *arg);
/* The inbox entry id of unit_code, read or not, without marking it (n = 0
 * when there is none): what a "mc_inbox" notification announced. */
int mc_store_inbox_event(mc_store *s, uint64_t id, const char *unit_code, mc_store_inbox_cb cb,
                         void *arg);

/* Accent- and case-insensitive search by code, citizen id, phone or name
 * among the dossiers viewer_unit may see (as for list); newest first. */
int mc_store_search(mc_store *s, const char *viewer_unit, const char *text, int limit,
                    const mc_cursor *after, mc_store_page_cb cb, void *arg);

/* Calendar exceptions (holidays, compensatory days, working weekends). */
typedef void (*mc_store_calendar_cb)(void *arg, int err, const mc_calday *days, size_t n);
int mc_store_load_calendar(mc_store *s, int year, mc_store_calendar_cb cb, void *arg);
/* Add (or replace) one day; remove one day (MC_ENOTFOUND if absent). */
typedef void (*mc_store_done_cb)(void *arg, int err);
int mc_store_calendar_put(mc_store *s, const mc_calday *day, mc_store_done_cb cb, void *arg);
int mc_store_calendar_remove(mc_store *s, const char *date, mc_store_done_cb cb, void *arg);
/* Office hours (014 working_hours), ordered by unit ("" = default first)
 * then valid_from. Rows arrive as stored; the caller checks them. */
typedef void (*mc_store_hours_cb)(void *arg, int err, const mc_work_hours *rows, size_t n);
int mc_store_load_hours(mc_store *s, mc_store_hours_cb cb, void *arg);
/* Replaces unit's own schedules with rows[0..n) (n <= MC_HOURS_SCHEDULES;
 * 0 = the unit follows the default again), in one transaction (017). */
int mc_store_hours_set(mc_store *s, const char *unit, const mc_work_hours *rows, size_t n,
                       mc_store_done_cb cb, void *arg);

/* Marks the n taken entries ids of unit_code unread again (a reply cut at
 * the frame cap did not carry them). cb may be NULL. */
int mc_store_inbox_unread(mc_store *s, const char *unit_code, const uint64_t *ids, size_t n,
                          mc_store_done_cb cb, void *arg);

/* Record a refused action in the audit table (fire and forget: cb may be NULL). */
int mc_store_log_refusal(mc_store *s, const char *unit_code, const char *officer,
                         const char *code, const char *action, const char *rule,
                         mc_store_done_cb cb, void *arg);

/* ---- officers and sessions (store/officers.c, sql/016_officers.sql) ----
 * Same contract as every mc_store_* call. Times are the server's clock. */

/* An officer and its encoded Argon2id hash (never logged, never sent). */
typedef void (*mc_store_officer_cb)(void *arg, int err, const mc_officer *o,
                                    const char *pw_hash);
int mc_store_officer_by_login(mc_store *s, const char *login, mc_store_officer_cb cb,
                              void *arg);
int mc_store_officer_by_id(mc_store *s, int64_t id, mc_store_officer_cb cb, void *arg);
/* The password was right: the session (token_hash = SHA-256 of the token)
 * until expires_ms, the failure count reset, the last login recorded. */
int mc_store_login_ok(mc_store *s, int64_t officer_id, const uint8_t token_hash[32],
                      int64_t expires_ms, mc_store_done_cb cb, void *arg);
/* The password was wrong: one more failure; at max_failures the login is
 * locked for lock_s from now_ms. cb gets the lock's end (0: not locked). */
typedef void (*mc_store_lock_cb)(void *arg, int err, int64_t locked_until_ms);
int mc_store_login_failed(mc_store *s, int64_t officer_id, int max_failures, int lock_s,
                          int64_t now_ms, mc_store_lock_cb cb, void *arg);
/* The live session of token_hash at now_ms (not expired, not revoked, the
 * officer not disabled): the officer and the session's end; MC_ENOTFOUND. */
typedef void (*mc_store_session_cb)(void *arg, int err, const mc_officer *o,
                                    int64_t expires_ms);
int mc_store_session_check(mc_store *s, const uint8_t token_hash[32], int64_t now_ms,
                           mc_store_session_cb cb, void *arg);
/* End the session of token_hash, or (officer_id != 0) every session of
 * the officer. cb may be NULL. */
int mc_store_session_revoke(mc_store *s, const uint8_t token_hash[32], int64_t officer_id,
                            mc_store_done_cb cb, void *arg);
/* A new password: hash stored, forced change cleared, every session ended,
 * the fresh session token_hash until expires_ms opened; one transaction. */
int mc_store_password_set(mc_store *s, int64_t officer_id, const char *pw_hash,
                          const uint8_t token_hash[32], int64_t expires_ms, mc_store_done_cb cb,
                          void *arg);

/* Blocking (the one-shot --officers-import): one row of the file. */
typedef struct mc_officer_import {
  size_t line_no;
  char unit[MC_UNIT_CODE_MAX];       /* a unit code, or "admin" for IT */
  char login[MC_LIM_LOGIN + 1];
  char password[MC_LIM_PASSWORD + 1]; /* cleared once hashed */
  unsigned roles;                    /* MC_OFF_x */
  char full_name[MC_OFFICER_MAX];
  char title[MC_LIM_TITLE + 1];
  char old_hash[192];                /* stored hash ("" = new login): fetch fills it */
  char new_hash[192];                /* to store (the old one when the password is the same) */
} mc_officer_import;
/* Fill rows[i].old_hash. 0 or MC_EUNAVAIL with err. */
int mc_store_officers_fetch(const char *conninfo, mc_officer_import *rows, size_t n, char *err,
                            size_t errlen);
/* Create or update every row in one transaction (no forced change; a row
 * whose unit, roles or hash changed loses its sessions). 0 or MC_EUNAVAIL
 * with err naming the line. */
int mc_store_officers_apply(const char *conninfo, const mc_officer_import *rows, size_t n,
                            size_t *created, size_t *updated, char *err, size_t errlen);

/* Current counters for logs/monitoring. */
typedef struct mc_store_stats {
  int connections_up;
  int queued;
  int in_flight;
  uint64_t queries_total;
  uint64_t errors_total;
  uint64_t batches_total;  /* receive batches sent (group commit) */
  uint64_t batched_total;  /* receives they carried */
  int receive_lanes;       /* lanes in use (db_receive_lanes, resolved) */
} mc_store_stats;
void mc_store_get_stats(const mc_store *s, mc_store_stats *st);

/* ---- files (store/files.c, sql/006_files.sql) ---------------------------
 * Probes, attachments, unfinished uploads, listings, expiry and garbage
 * collection; same contract as every mc_store_* call. */

/* What the server already knows for (dossier, sha256), as far as the caller
 * may know it (B2: deduplicate storage, never authorisation). */
typedef struct mc_file_probe {
  int file_exists;      /* the file is attached to this dossier, or to one the
                           unit attached it to itself (it held the bytes); a
                           file only other units hold reads as absent */
  uint64_t file_size;
  char mime[32];
  long dossier_files;   /* files attached to the dossier */
  uint64_t dossier_bytes;
} mc_file_probe;
typedef void (*mc_store_probe_cb)(void *arg, int err, const mc_file_probe *p);
int mc_store_file_probe(mc_store *s, const char *code, const char *sha, const char *unit,
                        mc_store_probe_cb cb, void *arg);

typedef struct mc_attach_rec {
  const char *code, *sha, *mime, *name, *kind, *unit;
  const char *upload_id; /* finished upload row to delete; NULL = none */
  uint64_t size;
  long max_files;
  uint64_t max_bytes;
} mc_attach_rec;
/* cb(err): 0 attached (or already attached), MC_ETOOBIG with *detail
 * "files per dossier" / "dossier bytes". */
typedef void (*mc_store_attach_cb)(void *arg, int err, const char *detail);
int mc_store_file_attach(mc_store *s, const mc_attach_rec *r, mc_store_attach_cb cb, void *arg);

typedef struct mc_upload_rec {
  const char *new_id; /* used when no row exists yet */
  const char *unit, *code, *sha, *name, *kind;
  uint64_t size;
} mc_upload_rec;
/* Find or create the row of (unit, dossier, sha256, kind). cb gives its id
 * and committed offset; MC_ECONFLICT if the row has another size. */
typedef void (*mc_store_upload_cb)(void *arg, int err, const char *id, uint64_t committed);
int mc_store_upload_open(mc_store *s, const mc_upload_rec *r, mc_store_upload_cb cb, void *arg);
/* committed = GREATEST(committed, value); fire and forget. */
int mc_store_upload_commit(mc_store *s, const char *id, uint64_t committed);
int mc_store_upload_delete(mc_store *s, const char *id);

typedef struct mc_file_row {
  const char *name, *sha, *mime, *kind, *unit;
  uint64_t size;
  int64_t added_at_ms;
} mc_file_row;
typedef void (*mc_store_file_rows_cb)(void *arg, int err, const mc_file_row *rows, size_t n);
/* Files attached to a dossier, oldest first. */
int mc_store_files_list(mc_store *s, const char *code, mc_store_file_rows_cb cb, void *arg);

/* Ids (uploads) or sha256s (files) deleted. */
typedef void (*mc_store_ids_cb)(void *arg, int err, const char *const *ids, size_t n);
/* Delete upload rows untouched for older_than_s seconds. */
int mc_store_uploads_expire(mc_store *s, long older_than_s, mc_store_ids_cb cb, void *arg);
/* Delete files rows no dossier and no upload refers to. */
int mc_store_files_gc(mc_store *s, mc_store_ids_cb cb, void *arg);

/* ---- link history (store/monitor.c, sql/005_monitor.sql) ----------------
 * The monitor's operations; same contract as every mc_store_* call. */

typedef struct mc_link_event {
  int64_t at_ms;
  const char *unit;
  int connect;            /* 1 connect, 0 disconnect */
  const char *reason;     /* disconnect: mc_close_why_name() */
  int64_t boot_ms;
  uint64_t conn_id;
  const char *remote, *client_version;
  uint64_t bytes_in, bytes_out;
  int64_t connected_ms;   /* disconnect: its connect's at_ms (migration 027) */
} mc_link_event;

typedef void (*mc_store_ack_cb)(void *arg, int err);
int mc_store_link_event(mc_store *s, const mc_link_event *ev, mc_store_ack_cb cb, void *arg);

/* Record that this server run (boot_ms) is alive now (upsert). */
int mc_store_server_alive(mc_store *s, int64_t boot_ms, int64_t now_ms, mc_store_ack_cb cb,
                          void *arg);

typedef struct mc_uptime_row {
  char unit[32];
  char day[11];           /* YYYY-MM-DD */
  int64_t online_s;
  double pct;             /* -1 = not computable (the day has not started) */
  int64_t disconnects;
} mc_uptime_row;
typedef void (*mc_store_uptime_cb)(void *arg, int err, const mc_uptime_row *rows, size_t n);
/* Local days [from, to] as "YYYY-MM-DD". */
int mc_store_link_uptime(mc_store *s, const char *from, const char *to, int offset_min,
                         mc_store_uptime_cb cb, void *arg);

/* Retention and rollups (sql/023_retention.sql), one short statement per
 * step; the sweep (monitor/retention.c) strings them together. Each answers
 * a count: CLAIM 1 = this instance sweeps now, -1 = another does; ROLLUP
 * the local days rolled up; LINK_EVENTS raw rows deleted; IDEM reply
 * snapshots dropped; -1 = another instance holds the lock. */
typedef enum mc_retention_step {
  MC_RET_CLAIM,        /* instance, every_s */
  MC_RET_ROLLUP,       /* offset_min, max_days */
  MC_RET_LINK_EVENTS,  /* keep_days (link events), offset_min, batch */
  MC_RET_IDEM,         /* keep_days (replies), batch */
  MC_RET__COUNT
} mc_retention_step;
typedef struct mc_retention_args {
  const char *instance;
  int every_s, offset_min, max_days, keep_days, batch;
} mc_retention_args;
typedef void (*mc_store_count_cb)(void *arg, int err, int64_t n);
int mc_store_retention(mc_store *s, mc_retention_step step, const mc_retention_args *a,
                       mc_store_count_cb cb, void *arg);

/* Dossiers forwarded to holder and still waiting there in status 2. */
typedef struct mc_waiting_row {
  char code[48];
  char from_unit[32];
  int64_t forwarded_ms;
} mc_waiting_row;
typedef void (*mc_store_waiting_cb)(void *arg, int err, const mc_waiting_row *rows, size_t n);
int mc_store_forwards_waiting(mc_store *s, const char *holder, int limit,
                              mc_store_waiting_cb cb, void *arg);

/* ---- live links of every instance (store/monitor.c, sql/021_live_links.sql,
 * sql/031_live_changes.sql). Each instance publishes the links it holds as
 * changes; every instance reads the others'. The lease (seconds) is one row
 * per instance, stamped with the database's clock. */
#define MC_LIVE_INSTANCE_MAX 64
typedef struct mc_live_link {
  char instance[MC_LIVE_INSTANCE_MAX];
  uint64_t session;       /* the instance's connection id */
  char unit[32];
  int resident;
  int64_t connected_ms;
  int64_t rtt_ms;         /* read: its unit's on that instance (resident links), -1 = not
                             measured; not written (mc_live_unit) */
  uint32_t outbox;
} mc_live_link;
typedef struct mc_live_unit {
  char unit[32];
  int64_t rtt_ms;         /* its resident links' last round trip; -1 = not measured */
} mc_live_unit;
/* What changed since the instance's last successful apply. full: links
 * and units are everything it holds (its first call, after a failed one,
 * after MC_LIVE_RESEND); gone is then ignored. */
typedef struct mc_live_changes {
  int full;
  const mc_live_link *links; /* came or changed; their instance field is not read */
  size_t nlinks;
  const uint64_t *gone;      /* sessions that went */
  size_t ngone;
  const mc_live_unit *units; /* round trips that changed */
  size_t nunits;
} mc_live_changes;
/* The answer of a partial apply whose lease had run out (another instance
 * may have deleted its rows): nothing was written, send everything. */
#define MC_LIVE_RESEND (-1)
/* Refresh the instance's lease, apply the changes, delete the instances
 * (their rows with them) whose lease expired. cb gets the rows written or
 * MC_LIVE_RESEND. */
int mc_store_live_apply(mc_store *s, const char *instance, int lease_s,
                        const mc_live_changes *ch, mc_store_count_cb cb, void *arg);
typedef void (*mc_store_live_cb)(void *arg, int err, const mc_live_link *rows, size_t n);
/* The links of the instances within their lease but self, by unit,
 * instance and session; at most limit. */
int mc_store_live_read(mc_store *s, const char *self, int lease_s, int limit,
                       mc_store_live_cb cb, void *arg);

/* ---- reports (store/report.c, sql/018_reports.sql) ----------------------
 * One statement each; the database aggregates (docs/REPORTS.md). */
typedef struct mc_report_query {
  int64_t from_ms, to_ms;    /* [from, to): local midnights */
  int64_t now_ms;            /* the server clock: open dossiers' standing */
  int offset_min;            /* the server's zone, minutes east of UTC */
  const char *const *units;  /* the resolving units in scope, >= 1 */
  size_t nunits;
  int by;                    /* enum mc_report_by */
  int timeout_ms;            /* statement_timeout of this statement; 0 = none */
} mc_report_query;
/* rows: one per key, key order; total: the total row (its own aggregate). */
typedef void (*mc_store_report_cb)(void *arg, int err, const mc_report_row *rows, size_t n,
                                   const mc_report_row *total);
int mc_store_report(mc_store *s, const mc_report_query *q, mc_store_report_cb cb, void *arg);

/* Per unit: received today (local day of now_ms), open dossiers it holds,
 * of them overdue now. */
typedef struct mc_gauge_row {
  char unit[32];
  int64_t received_today, in_progress, overdue;
} mc_gauge_row;
typedef void (*mc_store_gauges_cb)(void *arg, int err, const mc_gauge_row *rows, size_t n);
int mc_store_report_gauges(mc_store *s, int64_t now_ms, int offset_min, mc_store_gauges_cb cb,
                           void *arg);

/* ---- officer accounts, the admin side (store/officers_admin.c, sql/016) ----
 * Same contract as every mc_store_* call. Rows never carry a hash. */
typedef void (*mc_store_officers_cb)(void *arg, int err, const mc_officer *rows, size_t n);
/* The officers of unit (NULL or "" = the IT unit's), by login, at most
 * 1000; role_bits 0 = all, else those holding one of the MC_OFF_x bits. */
int mc_store_officers_list(mc_store *s, const char *unit, unsigned role_bits,
                           mc_store_officers_cb cb, void *arg);

typedef struct mc_officers_change {
  const char *op;        /* "add", "disable", "enable", "reset", "roles" */
  const char *unit;      /* the target unit (a unit of the catalogue) */
  const char *idem_key;  /* idempotency, per target unit, like dossier actions */
  const char *canon;     /* canonical request text (the key's fingerprint); NULL = none */
  const char *login;
  const char *full_name, *title; /* add */
  unsigned roles;        /* add, roles: MC_OFF_x bits */
  const char *pw_hash;   /* add, reset: Argon2id (encoded) of the temporary password */
  int64_t actor_id;      /* the administrator's officer id (audit) */
  const char *actor_unit; /* the certificate's unit ("admin" for IT) */
} mc_officers_change;

typedef struct mc_officers_outcome {
  mc_officer officer;    /* as it is after the change */
  int replayed;          /* the key's first answer (no change made now) */
  int sessions_ended;    /* sessions the change revoked */
} mc_officers_outcome;
typedef void (*mc_store_officers_change_cb)(void *arg, int err, const mc_officers_outcome *o);
/* One transaction: the idempotency claim (MC_ECONFLICT: the key was used
 * for another request), the change (MC_ENOTFOUND: no such login in the
 * unit; MC_ECONFLICT: add of a login that exists), disable / reset end
 * every live session of the officer, the officer_audit row. */
int mc_store_officers_change(mc_store *s, const mc_officers_change *c,
                             mc_store_officers_change_cb cb, void *arg);

#endif
