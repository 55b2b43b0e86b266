/* Storage internals: what the engine (pool.c) shares with the area files
 * (receive.c, dossiers.c, catalog.c, files.c, monitor.c), migrate.c and
 * the generated migration table (server/cmake/embed_sql.cmake). Not for
 * other modules: store.h is the store's one public header.
 *
 * An operation ("op") carries its SQL, owned copies of its parameters, the
 * results, and two functions: done, which the engine calls once with the
 * collected results (err != 0: none), and cb, the caller's callback, which
 * only the area file that created the op knows the type of (it stores it
 * as store_cb_fn and casts it back in its done function). The engine knows
 * no caller type. */
#ifndef MC_STORE_INTERNAL_H
#define MC_STORE_INTERNAL_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "store.h"

/* One embedded migration: store/sql/NNN_name.sql. Applied in array order
 * (ascending version), each in its own transaction. */
struct mc_migration {
  int version;
  const char *name; /* "001_schema" */
  const char *sql;
};

extern const struct mc_migration mc_migrations[];
extern const size_t mc_migrations_count;

#define STORE_MAX_PARAMS 40
#define STORE_MAX_RESULTS 3
/* Units hash to lanes; one receive batch in flight per lane. The number
 * of lanes is db_receive_lanes (mc_store_opts.receive_lanes; 0 = the
 * machine's CPUs, at least STORE_LANES_MIN; at most STORE_LANES_MAX and the
 * pool's size): more lanes, more smaller transactions at once; fewer,
 * fuller batches and less database CPU per dossier (issue 19,
 * docs/PERFORMANCE.md "Receive lanes"). */
#define STORE_LANES_MIN 2 /* one batch executes while another commits */
#define STORE_LANES_MAX 16
#define STORE_BATCH_MAX 32 /* receives per transaction (< 64 cached subxids) */

typedef struct store_op store_op;
typedef struct conn conn;

/* Turns the collected results into the caller's callback. */
typedef void (*store_done_fn)(store_op *o, int err);
/* The caller's callback, type-erased (cast back by its area file). */
typedef void (*store_cb_fn)(void);

struct store_op {
  store_op *next;
  const char *name; /* for logs */
  const char *sql;
  int nparams;
  char *params[STORE_MAX_PARAMS]; /* owned; NULL = SQL NULL */
  PGresult *res[STORE_MAX_RESULTS];
  int nres;
  PGresult *err_res; /* first error result, if any */
  uint64_t enq_ms;
  store_done_fn done;
  store_cb_fn cb;
  void *arg;
  int need_row;  /* done ops: no row answered = MC_ENOTFOUND */
  int batched;   /* a receive: waits in its lane's queue, sent in a batch */
  int lane;      /* receives and batches: hash of the unit code */
  int row, col0; /* where its answer starts in res[0] (0, 0 unless batched) */
  store_op **members; /* a batch: the receives it carries (owned until done) */
  int nmembers;
  char unit[16]; /* the unit it serves ("" = none): the per-unit share */
  int timeout_ms; /* statement_timeout it runs under; 0 = none */
  int aux[3];     /* its area file's own values (a page: order, limit) */
};

/* A FIFO of ops. */
typedef struct opq {
  store_op *head, *tail;
  int n;
} opq;

struct mc_store {
  uv_loop_t *loop;
  char *conninfo;
  char name[16];              /* in log lines: "main", "reports" */
  int pool_size;
  int max_queue;
  int unit_share;             /* ops of one unit in flight at once */
  int statement_timeout_ms;   /* search and list; 0 = none */
  unsigned char pii_key[1025]; /* HMAC key of ids and phones (pii.c) */
  size_t pii_key_len;          /* 0 = no key: lookups by the clear columns */
  conn *conns;                /* pool_size, then the listener (nconns) */
  int nconns;                 /* pool_size + 1 with a notify_cb, else pool_size */
  mc_store_notify_cb notify_cb;
  void *notify_arg;
  opq q;                      /* every op but receives */
  int nlanes;                 /* receive lanes in use, 1..STORE_LANES_MAX */
  opq rq[STORE_LANES_MAX];        /* receives, by lane, sent in batches */
  int lane_busy[STORE_LANES_MAX]; /* a batch of that lane is in flight */
  int lane_next;              /* round robin over lanes */
  int last_was_batch;         /* the last op sent was a batch */
  uv_timer_t kick;            /* zero-delay: dispatch from the loop */
  uv_timer_t sweep;           /* queue wait limit, close deadline */
  uint64_t down_since;
  int closing;
  int handles_closing;
  uint64_t close_started;
  int pending_closes;
  void (*done_cb)(void *arg);
  void *done_arg;
  uint64_t queries_total;
  uint64_t errors_total;
  uint64_t batches_total, batched_total;
};

/* ---- the engine (pool.c) ---- */
store_op *store__op_new(const char *name, const char *sql, store_done_fn done, void *arg);
void store__op_free(store_op *o);
/* A text parameter (NULL = SQL NULL); an integer one (zero_is_null: 0 = NULL). */
int store__param(store_op *o, const char *v);
int store__param_i64(store_op *o, int64_t v, int zero_is_null);
/* Marks o as serving unit (bounded copy; NULL or too long = none): at most
 * unit_share ops of one unit are in flight at once. */
void store__op_set_unit(store_op *o, const char *unit);
/* The reading class (search, list): the unit's share and the store's
 * statement timeout (B6). */
void store__op_set_class(mc_store *s, store_op *o, const char *unit);
/* Maps errors, counts, calls o->done, frees. */
void store__op_complete(mc_store *s, store_op *o, int err);
store_op *store__queue_pop(opq *q);
/* Queues o when rc == 0, else (or on a queueing error) frees it: the
 * common tail of every operation. 0: o->done will run exactly once. */
int store__submit(mc_store *s, store_op *o, int rc);
/* First line of a libpq message, bounded, quotes made single (logs). */
const char *store__pq_line(const char *msg, char *buf, size_t n);
/* libpq notice processor: logs at debug level (arg: a pool connection or NULL). */
void store__notice_cb(void *arg, const char *msg);
void store__log_failure(const char *name, int err, const char *state, const char *msg);
/* Maps a SQLSTATE (5 chars) to an mc_err; NULL maps to MC_EINTERNAL. */
int store__sqlstate_to_err(const char *sqlstate);
/* Bounded copy that never splits a UTF-8 sequence; "" or digits -> int64. */
void store__copy_str(char *dst, size_t n, const char *src);
int64_t store__parse_i64(const char *v);
int store__shape_ok(const PGresult *r, int ncols);

/* An op answering only success (cb: an mc_store_done_cb, may be NULL);
 * need_row: no row = MC_ENOTFOUND. */
store_op *store__done_op(const char *name, const char *sql, mc_store_done_cb cb, void *arg);

/* Generic asynchronous statement for the area files: text parameters
 * (NULL = SQL NULL), one statement, the last result handed to cb (NULL
 * when err != 0); the result is freed after cb returns. */
typedef void (*store_rows_cb)(void *arg, int err, const PGresult *res);
int store__exec(mc_store *s, const char *name, const char *sql, const char *const *params,
                int nparams, store_rows_cb cb, void *arg);

/* ---- migrations (migrate.c): blocking, at open only ---- */
int store__migrate(const char *conninfo, char *err, size_t errlen);
/* Blocking, read-only: MC_ECONFIG when a migration is not applied yet. */
int store__schema_check(const char *conninfo, char *err, size_t errlen);

/* ---- keyed hashes of ids and phones (pii.c, W8) ---- */
#define STORE_MAC_HEX 64
/* Reads the key file into s (regular, not readable by group/others). */
int store__pii_load(mc_store *s, const char *path, char *err, size_t errlen);
/* out = hex HMAC-SHA256(key, value): 0; no key or empty value: 1, out "". */
int store__pii_mac(const mc_store *s, const char *value, char out[STORE_MAC_HEX + 1]);
/* Blocking, at open: MACs of rows written without them. */
int store__pii_backfill(const mc_store *s, const char *conninfo, char *err, size_t errlen);

/* ---- receive batches (receive.c): the engine's lanes ---- */
/* A batch op of up to STORE_BATCH_MAX receives queued on lane, or NULL
 * (then at least one receive left the lane, refused). */
store_op *store__batch_make(mc_store *s, int lane);

/* ---- officers (officers.c) ---- */
/* Columns 0..11 of an officer row (OFFICER_COLS in officers.c). */
void store__row_to_officer(const PGresult *r, int row, mc_officer *o);

/* ---- dossiers (dossiers.c) ---- */
/* The columns of dossier_v as struct mc_dossier wants them, each prefixed
 * with p (a table alias and dot, or ""). */
#define DOSSIER_COLS_P(p)                                                           \
  p "code, " p "status, " p "unit_code, " p "unit_name, " p "procedure_code, " p   \
  "procedure_name, " p "level, " p "applicant_name, " p "applicant_id, " p         \
  "applicant_phone, " p "channel, " p "received_at_ms, " p "due_at_ms, " p         \
  "holder_unit, " p "forwarded_to, " p "forwarded_at_ms, " p "assigned_officer, " p \
  "department, " p "supplement_count, " p "rescheduled, " p "rating, " p           \
  "paused_at_ms, " p "finished_at_ms, " p "returned_at_ms, " p "collected_by, " p  \
  "fee_amount, " p "assigned_login, " p "awaiting_signature"
#define DOSSIER_COLS DOSSIER_COLS_P("")
#define DOSSIER_NCOLS 28
/* The dossier's own columns after dossier_v's (015 intake, 017 register),
 * prefixed with p (the dossiers table's alias): a dossier_v row joined
 * with its dossiers row. */
#define DOSSIER_X_COLS_P(p)                                                         \
  p "applicant_address, " p "applicant_email, " p "sets, " p "missing_reason, " p  \
  "register_no, " p "register_year"
#define DOSSIER_X_NCOLS 6
/* The same for lists and searches (up to MC_LIM_LIST dossiers in one
 * frame): sets and register numbers; address, e-mail and reason empty. */
#define DOSSIER_X_LIST_P(p)                                                         \
  "'', '', " p "sets, '', " p "register_no, " p "register_year"
/* The components handed in, "ordinal:count:form,..." of dossier id expr. */
#define DOSSIER_COMPONENTS_OF(id)                                                   \
  "(SELECT coalesce(string_agg(c.ordinal || ':' || c.count || ':' || c.form, ','"  \
  " ORDER BY c.ordinal), '') FROM dossier_components c WHERE c.dossier_id = " id ")"
/* DOSSIER_COLS at c0 of row into d (cleared first); DOSSIER_X_COLS at c0. */
void store__row_to_dossier(const PGresult *r, int row, int c0, mc_dossier *d);
void store__row_to_extra(const PGresult *r, int row, int c0, mc_dossier *d);
/* A single-dossier answer at (o->row, o->col0): cb is an mc_store_dossier_cb. */
void store__dossier_done(store_op *o, int err);
/* The search statement ($1 viewer unit, $2 text, $3 limit, $4..$6 the
 * cursor, $7 the text's MAC or NULL without a pii key): migration 026's
 * mc_search_ids (030's lookups); and the single statement it
 * replaced, for tests that compare the two's rows and EXPLAIN it. */
extern const char store__sql_search[];
extern const char store__sql_search_one[];
/* The same without the name clause: text shorter than SEARCH_NAME_MIN. */
extern const char store__sql_search_exact[];
#define SEARCH_NAME_MIN 3 /* characters: shorter text has no trigram (B6) */
/* 1 when the (trimmed) search text is long enough to match names. */
int store__search_by_name(const char *trimmed_text);
/* The list statement of one order (lists.c; tests EXPLAIN it). */
const char *store__sql_list(int sort, int desc);
/* Answers an mc_store_page_cb with at most limit of r's rows (limit + 1
 * asked: more), dossier columns from first_col, extras after them, and
 * the row id and cursor key text as the last two columns. */
void store__page_answer(store_op *o, const PGresult *r, int first_col, int rows, int limit,
                        const mc_cursor *proto, uint32_t total, int capped);

#endif
