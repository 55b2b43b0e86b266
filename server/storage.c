/* Storage: a pool of libpq connections driven by libuv.
 *
 * Each connection is a small state machine (DOWN -> CONNECTING -> IDLE <->
 * BUSY, back to DOWN on any failure) watched by a uv_poll_t on PQsocket().
 * Operations are heap "ops" holding their SQL, owned copies of their
 * parameters and a completion function that turns PGresults into model
 * structs. Submitting only queues an op and arms a zero-delay timer; ops are
 * sent and completed from loop callbacks, so a callback never runs inside
 * the call that submitted it.
 *
 * Migrations are the one blocking part: mc_store_open() applies them with
 * PQexec under an advisory lock before the pool starts, as the schema
 * owner (migrate_conninfo); the pool then runs as the restricted role.
 *
 * Each operation is one statement, hence one round trip and one
 * transaction; multi-step work lives in PL/pgSQL (server/sql/). Receives
 * are the exception that proves it: they wait in their own queue and go
 * to the database in batches (group commit, see "receive batches"). */
#include "storage.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "storage_internal.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define QUEUE_WAIT_MS 5000   /* queued ops give up when no connection is up */
#define CLOSE_WAIT_MS 5000   /* close stops waiting for in-flight ops */
#define SWEEP_MS 250
#define POOL_MAX 64
#define MAX_PARAMS 32
#define MAX_RESULTS 2
#define LIST_LIMIT_MAX 1000
#define HISTORY_MAX 1000     /* progress-log rows answered by history */
#define SEARCH_TEXT_MAX 200  /* bytes */
#define BATCH_MAX 32         /* receives per transaction (< 64 cached subxids) */
#define BATCH_LANES 4        /* units hash to lanes; one batch in flight per lane */
#define BATCH_COL0 3         /* mc_receive_many: ord, sqlstate, message, dossier */
#define MIGRATE_LOCK_KEY "7236281427968" /* pg_advisory_lock key, "motcua" */

/* ---------------------------------------------------------------- types */

typedef struct op op;
typedef struct conn conn;

/* Turns the collected results into a user callback. err != 0: no results. */
typedef void (*op_done_fn)(op *o, int err);

struct op {
  op *next;
  const char *name; /* for logs */
  const char *sql;
  int nparams;
  char *params[MAX_PARAMS]; /* owned; NULL = SQL NULL */
  PGresult *res[MAX_RESULTS];
  int nres;
  PGresult *err_res; /* first error result, if any */
  uint64_t enq_ms;
  op_done_fn done;
  union {
    mc_store_dossier_cb dossier;
    mc_store_list_cb list;
    mc_store_idem_cb idem;
    mc_store_catalog_cb catalog;
    mc_store_history_cb history;
    mc_store_inbox_cb inbox;
    mc_store_calendar_cb calendar;
    mc_store_done_cb done;
    storage_rows_cb rows;
  } cb;
  int need_row; /* done ops: no row answered = MC_ENOTFOUND */
  int batched;  /* a receive: waits in its lane's queue, sent in a batch */
  int lane;     /* receives and batches: hash of the unit code */
  int row, col0; /* where its answer starts in res[0] (0, 0 unless batched) */
  op **members; /* a batch: the receives it carries (owned until done) */
  int nmembers;
  void *arg;
};

/* A FIFO of ops. */
typedef struct opq {
  op *head, *tail;
  int n;
} opq;

enum conn_state { CS_DOWN, CS_CONNECTING, CS_IDLE, CS_BUSY };

struct conn {
  mc_store *s;
  int idx;
  enum conn_state state;
  PGconn *pg;
  uv_poll_t *poll; /* heap: re-created when the socket changes */
  int poll_fd;
  uv_timer_t timer; /* reconnect backoff */
  int backoff_ms;
  op *cur;          /* in flight */
};

struct mc_store {
  uv_loop_t *loop;
  char *conninfo;
  int pool_size;
  int max_queue;
  conn *conns;
  opq q;  /* every op but receives */
  opq rq[BATCH_LANES]; /* receives, by lane, sent in batches */
  int lane_busy[BATCH_LANES]; /* a batch of that lane is in flight */
  int lane_next;              /* round robin over lanes */
  int last_was_batch;         /* the last op sent was a batch */
  uv_timer_t kick;  /* zero-delay: dispatch from the loop */
  uv_timer_t sweep; /* queue wait limit, close deadline */
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

static void dispatch(mc_store *s);
static void conn_start(conn *c);
static void conn_broken(conn *c, const char *why);

/* ------------------------------------------------------- error mapping */

/* The one place where database errors become mc_err. Custom codes MC0nn
 * are raised by the functions in server/sql/003_dossier_functions.sql. */
static const struct {
  const char *state; /* exact SQLSTATE, or a 2-char class */
  int err;
} sqlstate_map[] = {
    {"MC006", MC_EINVAL},     {"MC008", MC_EFORBIDDEN}, {"MC009", MC_ENOTFOUND},
    {"MC010", MC_ECONFLICT},  {"MC015", MC_EBADSTATE},  {"23505", MC_ECONFLICT},
    {"23503", MC_EINVAL},     {"23514", MC_EINVAL},     {"23502", MC_EINVAL},
    {"40001", MC_EUNAVAIL},   {"40P01", MC_EUNAVAIL},   {"55P03", MC_EUNAVAIL},
    {"57014", MC_ETIMEOUT},   {"22", MC_EINVAL},        {"08", MC_EUNAVAIL},
    {"53", MC_EUNAVAIL},      {"57", MC_EUNAVAIL},
};

int storage__sqlstate_to_err(const char *sqlstate) {
  if (sqlstate == NULL || strlen(sqlstate) != 5) return MC_EINTERNAL;
  size_t n = sizeof sqlstate_map / sizeof sqlstate_map[0];
  for (size_t i = 0; i < n; i++) {
    const char *k = sqlstate_map[i].state;
    if (strncmp(sqlstate, k, strlen(k)) == 0) return sqlstate_map[i].err;
  }
  return MC_EINTERNAL;
}

/* ------------------------------------------------------------- helpers */

/* First line of a libpq message, bounded, double quotes made single so
 * it fits a msg="..." field. libpq never puts passwords in its messages,
 * and we never log the conninfo itself. */
static const char *pq_line(const char *msg, char *buf, size_t n) {
  size_t i = 0;
  for (; msg && msg[i] && msg[i] != '\n' && i + 1 < n; i++)
    buf[i] = msg[i] == '"' ? '\'' : msg[i];
  buf[i] = '\0';
  return buf;
}

/* Bounded copy that never splits a UTF-8 sequence. */
static void copy_str(char *dst, size_t n, const char *src) {
  size_t len = src ? strlen(src) : 0;
  if (len >= n) {
    len = n - 1;
    while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80) len--;
  }
  if (len > 0) memcpy(dst, src, len);
  dst[len] = '\0';
}

static int64_t parse_i64(const char *v) {
  return (v && *v) ? strtoll(v, NULL, 10) : 0;
}

static void notice_cb(void *arg, const char *msg) {
  char line[256];
  conn *c = arg;
  mc_log_debug(0, "storage notice conn_idx=%d msg=\"%s\"", c ? c->idx : -1,
               pq_line(msg, line, sizeof line));
}

/* ------------------------------------------------------------------ ops */

static op *op_new(const char *name, const char *sql, op_done_fn done, void *arg) {
  op *o = calloc(1, sizeof *o);
  if (o == NULL) return NULL;
  o->name = name;
  o->sql = sql;
  o->done = done;
  o->arg = arg;
  return o;
}

static void op_free(op *o) {
  for (int i = 0; i < o->nmembers; i++) op_free(o->members[i]);
  free(o->members);
  for (int i = 0; i < o->nparams; i++) free(o->params[i]);
  for (int i = 0; i < o->nres; i++) PQclear(o->res[i]);
  PQclear(o->err_res);
  free(o);
}

/* Adds a text parameter; NULL value = SQL NULL. */
static int op_param(op *o, const char *v) {
  if (o->nparams >= MAX_PARAMS) return MC_EINTERNAL;
  char *copy = NULL;
  if (v != NULL && (copy = strdup(v)) == NULL) return MC_ENOMEM;
  o->params[o->nparams++] = copy;
  return 0;
}

/* Adds an integer parameter; zero_is_null maps 0 to SQL NULL. */
static int op_param_i64(op *o, int64_t v, int zero_is_null) {
  char buf[24];
  if (zero_is_null && v == 0) return op_param(o, NULL);
  snprintf(buf, sizeof buf, "%lld", (long long)v);
  return op_param(o, buf);
}

static void op_add_result(op *o, PGresult *r) {
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && o->err_res == NULL)
    o->err_res = r;
  else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
    PQclear(r);
  else if (o->nres < MAX_RESULTS)
    o->res[o->nres++] = r;
  else
    PQclear(r);
}

static int op_result_err(const op *o) {
  if (o->err_res == NULL) return o->nres > 0 ? 0 : MC_EINTERNAL;
  return storage__sqlstate_to_err(PQresultErrorField(o->err_res, PG_DIAG_SQLSTATE));
}

/* Logs the primary message only: DETAIL lines may quote row values
 * (applicants' id numbers). */
static void log_failure(const char *name, int err, const char *state, const char *msg) {
  char line[256];
  int lvl = (err == MC_EINTERNAL || err == MC_EUNAVAIL) ? MC_LOG_WARN : MC_LOG_DEBUG;
  mc_log(lvl, 0, "storage op failed op=%s err=%s sqlstate=%s msg=\"%s\"", name,
         mc_errname(err), state ? state : "", pq_line(msg ? msg : "", line, sizeof line));
}

static void op_log_error(const op *o, int err) {
  const PGresult *r = o->err_res;
  log_failure(o->name, err, r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL,
              r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL);
}

/* Completes an op: maps errors, counts, calls back, frees. A batch is
 * counted through its members. */
static void op_complete(mc_store *s, op *o, int err) {
  if (err == 0) err = op_result_err(o);
  if (o->members == NULL) s->queries_total++;
  if (err != 0) {
    if (o->members == NULL) s->errors_total++;
    op_log_error(o, err);
  }
  o->done(o, err);
  op_free(o);
}

/* -------------------------------------------------------------- queue */

static uint64_t now_ms(const mc_store *s) { return uv_now(s->loop); }

static void queue_push(opq *q, op *o) {
  o->next = NULL;
  if (q->tail) q->tail->next = o;
  else q->head = o;
  q->tail = o;
  q->n++;
}

static op *queue_pop(opq *q) {
  op *o = q->head;
  if (o == NULL) return NULL;
  q->head = o->next;
  if (q->head == NULL) q->tail = NULL;
  q->n--;
  o->next = NULL;
  return o;
}

static int queued(const mc_store *s) {
  int n = s->q.n;
  for (int k = 0; k < BATCH_LANES; k++) n += s->rq[k].n;
  return n;
}

static void kick_cb(uv_timer_t *t) { dispatch(t->data); }

/* Queues an op; on error the caller still owns it. */
static int submit(mc_store *s, op *o) {
  if (s->closing) return MC_ECLOSED;
  if (queued(s) >= s->max_queue) return MC_EBUSY;
  o->enq_ms = now_ms(s);
  queue_push(o->batched ? &s->rq[o->lane] : &s->q, o);
  uv_timer_start(&s->kick, kick_cb, 0, 0);
  return 0;
}

/* Submits or frees: the common tail of every public operation. */
static int submit_or_free(mc_store *s, op *o, int rc) {
  if (rc == 0) rc = submit(s, o);
  if (rc != 0) op_free(o);
  return rc;
}

static void fail_queue(mc_store *s, int err) {
  op *o;
  while ((o = queue_pop(&s->q)) != NULL) op_complete(s, o, err);
  for (int k = 0; k < BATCH_LANES; k++)
    while ((o = queue_pop(&s->rq[k])) != NULL) op_complete(s, o, err);
}

/* -------------------------------------------------------- poll handles */

static void close_done(mc_store *s);

static void poll_closed_cb(uv_handle_t *h) {
  conn *c = h->data;
  mc_store *s = c->s;
  free(h);
  close_done(s);
}

static void poll_close(conn *c) {
  if (c->poll == NULL) return;
  uv_poll_stop(c->poll);
  uv_close((uv_handle_t *)c->poll, poll_closed_cb);
  c->s->pending_closes++;
  c->poll = NULL;
  c->poll_fd = -1;
}

static void conn_poll_cb(uv_poll_t *h, int status, int events);

/* Watches the connection's current socket, re-creating the handle when
 * libpq switched sockets. */
static int conn_watch(conn *c, int events) {
  int fd = PQsocket(c->pg);
  if (fd < 0) return MC_EUNAVAIL;
  if (c->poll != NULL && c->poll_fd != fd) poll_close(c);
  if (c->poll == NULL) {
    uv_poll_t *p = malloc(sizeof *p);
    if (p == NULL) return MC_ENOMEM;
    if (uv_poll_init(c->s->loop, p, fd) != 0) {
      free(p);
      return MC_EUNAVAIL;
    }
    p->data = c;
    c->poll = p;
    c->poll_fd = fd;
  }
  return uv_poll_start(c->poll, events, conn_poll_cb) == 0 ? 0 : MC_EUNAVAIL;
}

/* --------------------------------------------------------- connections */

static int conn_is_up(const conn *c) {
  return c->state == CS_IDLE || c->state == CS_BUSY;
}

static void retry_cb(uv_timer_t *t) { conn_start(t->data); }

static void conn_schedule_retry(conn *c) {
  uv_timer_start(&c->timer, retry_cb, (uint64_t)c->backoff_ms, 0);
  c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff_ms * 2;
}

/* Drops the connection, fails its in-flight op with MC_EUNAVAIL and
 * schedules a reconnect (unless the store is closing). */
static void conn_broken(conn *c, const char *why) {
  char line[256];
  mc_store *s = c->s;
  op *o = c->cur;
  /* Warn on loss, on the first failed attempt and at the capped backoff;
   * the attempts in between are debug noise. */
  int loud = conn_is_up(c) || c->backoff_ms == BACKOFF_MIN_MS || c->backoff_ms == BACKOFF_MAX_MS;
  mc_log(loud ? MC_LOG_WARN : MC_LOG_DEBUG, 0,
         "storage connection down conn_idx=%d reason=\"%s\" retry_ms=%d", c->idx,
         pq_line(why, line, sizeof line), c->backoff_ms);
  c->cur = NULL;
  poll_close(c); /* before PQfinish closes the socket under libuv */
  PQfinish(c->pg);
  c->pg = NULL;
  c->state = CS_DOWN;
  if (!s->closing) conn_schedule_retry(c);
  if (o != NULL) op_complete(s, o, MC_EUNAVAIL);
  dispatch(s);
}

static void conn_up(conn *c) {
  if (PQsetnonblocking(c->pg, 1) != 0) {
    conn_broken(c, "PQsetnonblocking failed");
    return;
  }
  if (conn_watch(c, UV_READABLE) != 0) {
    conn_broken(c, "cannot watch socket");
    return;
  }
  c->state = CS_IDLE;
  c->backoff_ms = BACKOFF_MIN_MS;
  mc_log_info(0, "storage connection up conn_idx=%d backend_pid=%d", c->idx,
              PQbackendPID(c->pg));
  dispatch(c->s);
}

static void conn_watch_connect(conn *c, PostgresPollingStatusType st) {
  int events = st == PGRES_POLLING_READING ? UV_READABLE : UV_WRITABLE;
  if (conn_watch(c, events) != 0) conn_broken(c, "cannot watch socket");
}

/* One PQconnectPoll step. The handle is stopped first: libpq may close
 * the socket and open another one inside PQconnectPoll. */
static void conn_connect_step(conn *c) {
  if (c->poll != NULL) uv_poll_stop(c->poll);
  PostgresPollingStatusType st = PQconnectPoll(c->pg);
  if (st == PGRES_POLLING_OK)
    conn_up(c);
  else if (st == PGRES_POLLING_FAILED)
    conn_broken(c, PQerrorMessage(c->pg));
  else
    conn_watch_connect(c, st);
}

static void conn_start(conn *c) {
  mc_store *s = c->s;
  if (s->closing) return;
  c->pg = PQconnectStart(s->conninfo);
  if (c->pg == NULL) {
    conn_broken(c, "out of memory");
    return;
  }
  if (PQstatus(c->pg) == CONNECTION_BAD) {
    conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  PQsetNoticeProcessor(c->pg, notice_cb, c);
  c->state = CS_CONNECTING;
  conn_watch_connect(c, PGRES_POLLING_WRITING);
}

/* ------------------------------------------------------------ queries */

/* Flushes pending output: 0 done, 1 more to send, <0 broken. */
static int conn_flush(conn *c) {
  int r = PQflush(c->pg);
  if (r < 0) return -1;
  if (conn_watch(c, r == 1 ? UV_READABLE | UV_WRITABLE : UV_READABLE) != 0) return -1;
  return r;
}

static void conn_send(conn *c, op *o) {
  c->cur = o;
  c->state = CS_BUSY;
  /* Without parameters, the simple protocol allows several statements. */
  int ok = o->nparams == 0 ? PQsendQuery(c->pg, o->sql)
                           : PQsendQueryParams(c->pg, o->sql, o->nparams, NULL,
                                               (const char *const *)o->params, NULL,
                                               NULL, 0);
  if (!ok || conn_flush(c) < 0) conn_broken(c, PQerrorMessage(c->pg));
}

/* The op's last result arrived: complete it, then reuse the connection. */
static void conn_finish_op(conn *c) {
  mc_store *s = c->s;
  op *o = c->cur;
  c->cur = NULL;
  c->state = CS_IDLE;
  /* A connection lost mid-query ends with a libpq-made error result. */
  op_complete(s, o, PQstatus(c->pg) == CONNECTION_OK ? 0 : MC_EUNAVAIL);
  if (c->state != CS_IDLE) return; /* a callback closed things under us */
  if (PQstatus(c->pg) != CONNECTION_OK)
    conn_broken(c, PQerrorMessage(c->pg));
  else
    dispatch(s);
}

static void conn_drain_notifies(conn *c) {
  PGnotify *n;
  while ((n = PQnotifies(c->pg)) != NULL) PQfreemem(n);
}

static void conn_read(conn *c) {
  if (!PQconsumeInput(c->pg)) {
    conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  conn_drain_notifies(c);
  if (c->cur == NULL) {
    if (PQstatus(c->pg) != CONNECTION_OK) conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  while (!PQisBusy(c->pg)) {
    PGresult *r = PQgetResult(c->pg);
    if (r == NULL) {
      conn_finish_op(c);
      return;
    }
    op_add_result(c->cur, r);
  }
}

static void conn_poll_cb(uv_poll_t *h, int status, int events) {
  conn *c = h->data;
  if (status < 0) {
    conn_broken(c, uv_strerror(status));
    return;
  }
  if (c->state == CS_CONNECTING) {
    conn_connect_step(c);
    return;
  }
  if ((events & UV_WRITABLE) && c->state == CS_BUSY && conn_flush(c) < 0) {
    conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  if (events & UV_READABLE) conn_read(c);
}

/* ------------------------------------------------------------- dispatch */

static int connections_up(const mc_store *s) {
  int n = 0;
  for (int i = 0; i < s->pool_size; i++) n += conn_is_up(&s->conns[i]);
  return n;
}

static int in_flight(const mc_store *s) {
  int n = 0;
  for (int i = 0; i < s->pool_size; i++) n += s->conns[i].cur != NULL;
  return n;
}

static void finish_close(mc_store *s);

static op *batch_make(mc_store *s, int lane);

/* A batch of receives from a lane with none in flight (lanes taken in
 * turn), or NULL. batch_make takes at least one receive off the lane even
 * when it fails, so the inner loop ends. */
static op *next_batch(mc_store *s) {
  for (int i = 0; i < BATCH_LANES; i++) {
    int k = (s->lane_next + i) % BATCH_LANES;
    while (s->rq[k].n > 0 && !s->lane_busy[k]) {
      op *o = batch_make(s, k);
      if (o != NULL) {
        s->lane_next = (k + 1) % BATCH_LANES;
        return o;
      }
    }
  }
  return NULL;
}

/* The next op to send: batches and other ops take turns while both wait,
 * so a steady stream of receives cannot hold up reads on a small pool. */
static op *next_op(mc_store *s) {
  op *o = s->last_was_batch && s->q.n > 0 ? NULL : next_batch(s);
  s->last_was_batch = o != NULL;
  return o != NULL ? o : queue_pop(&s->q);
}

/* Sends queued ops to idle connections; while closing, fails the queue
 * and tears down once nothing is in flight. Runs only from the loop. */
static void dispatch(mc_store *s) {
  if (s->closing) {
    fail_queue(s, MC_ECLOSED);
    if (in_flight(s) == 0) finish_close(s);
    return;
  }
  for (int i = 0; i < s->pool_size && queued(s) > 0; i++) {
    conn *c = &s->conns[i];
    op *o;
    if (c->state == CS_IDLE && (o = next_op(s)) != NULL) conn_send(c, o);
  }
}

static void sweep_one(mc_store *s, opq *q, uint64_t now) {
  while (q->head != NULL) {
    uint64_t since = q->head->enq_ms > s->down_since ? q->head->enq_ms : s->down_since;
    if (now - since < QUEUE_WAIT_MS) break;
    op_complete(s, queue_pop(q), MC_EUNAVAIL);
  }
}

/* Gives up on ops queued while no connection has been up for too long. */
static void sweep_queue(mc_store *s, uint64_t now) {
  if (connections_up(s) > 0) {
    s->down_since = 0;
    return;
  }
  if (s->down_since == 0) s->down_since = now;
  sweep_one(s, &s->q, now);
  for (int k = 0; k < BATCH_LANES; k++) sweep_one(s, &s->rq[k], now);
}

/* Close deadline: in-flight ops that never answer are failed. */
static void sweep_close(mc_store *s, uint64_t now) {
  if (now - s->close_started < CLOSE_WAIT_MS) return;
  for (int i = 0; i < s->pool_size; i++) {
    conn *c = &s->conns[i];
    op *o = c->cur;
    c->cur = NULL;
    if (o != NULL) op_complete(s, o, MC_ECLOSED);
  }
  finish_close(s);
}

static void sweep_cb(uv_timer_t *t) {
  mc_store *s = t->data;
  uint64_t now = now_ms(s);
  if (s->closing)
    sweep_close(s, now);
  else
    sweep_queue(s, now);
}

/* ---------------------------------------------------------------- close */

static void store_free(mc_store *s) {
  free(s->conns);
  free(s->conninfo);
  free(s);
}

static void close_done(mc_store *s) {
  if (--s->pending_closes > 0 || !s->handles_closing) return;
  void (*done_cb)(void *) = s->done_cb;
  void *arg = s->done_arg;
  store_free(s);
  if (done_cb) done_cb(arg);
}

static void handle_closed_cb(uv_handle_t *h) {
  mc_store *s = h->data;
  close_done(s);
}

static void conn_timer_closed_cb(uv_handle_t *h) {
  conn *c = h->data;
  close_done(c->s);
}

static void close_handle(mc_store *s, uv_handle_t *h, uv_close_cb cb) {
  s->pending_closes++;
  uv_close(h, cb);
}

/* Closes every handle and connection; the last close callback frees. */
static void finish_close(mc_store *s) {
  if (s->handles_closing) return;
  s->handles_closing = 1;
  s->pending_closes++; /* held until every close below is issued */
  for (int i = 0; i < s->pool_size; i++) {
    conn *c = &s->conns[i];
    poll_close(c);
    PQfinish(c->pg);
    c->pg = NULL;
    c->state = CS_DOWN;
    close_handle(s, (uv_handle_t *)&c->timer, conn_timer_closed_cb);
  }
  close_handle(s, (uv_handle_t *)&s->kick, handle_closed_cb);
  close_handle(s, (uv_handle_t *)&s->sweep, handle_closed_cb);
  close_done(s);
}

void mc_store_close(mc_store *s, void (*done_cb)(void *arg), void *arg) {
  if (s == NULL || s->closing) return;
  s->closing = 1;
  s->close_started = now_ms(s);
  s->done_cb = done_cb;
  s->done_arg = arg;
  mc_log_info(0, "storage closing queued=%d in_flight=%d", queued(s), in_flight(s));
  uv_timer_start(&s->kick, kick_cb, 0, 0);
}

/* ----------------------------------------------------------- migrations */

static int migrate_exec(PGconn *pg, const char *sql, char *err, size_t errlen) {
  PGresult *r = PQexec(pg, sql);
  ExecStatusType st = PQresultStatus(r);
  int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? 0 : MC_EUNAVAIL;
  if (rc != 0) snprintf(err, errlen, "%s", PQresultErrorMessage(r));
  PQclear(r);
  return rc;
}

/* 1 applied, 0 not yet, <0 error. */
static int migration_applied(PGconn *pg, int version, char *err, size_t errlen) {
  char v[16];
  snprintf(v, sizeof v, "%d", version);
  const char *params[1] = {v};
  PGresult *r = PQexecParams(pg, "SELECT 1 FROM schema_version WHERE version = $1::int",
                             1, NULL, params, NULL, NULL, 0);
  int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) > 0 : MC_EUNAVAIL;
  if (rc < 0) snprintf(err, errlen, "%s", PQresultErrorMessage(r));
  PQclear(r);
  return rc;
}

static int migration_record(PGconn *pg, const struct mc_migration *m, char *err,
                            size_t errlen) {
  char v[16];
  snprintf(v, sizeof v, "%d", m->version);
  const char *params[2] = {v, m->name};
  PGresult *r = PQexecParams(pg,
                             "INSERT INTO schema_version (version, name) VALUES ($1::int, $2)",
                             2, NULL, params, NULL, NULL, 0);
  int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : MC_EUNAVAIL;
  if (rc != 0) snprintf(err, errlen, "%s", PQresultErrorMessage(r));
  PQclear(r);
  return rc;
}

/* Applies one migration in its own transaction with its version row. */
static int migration_apply(PGconn *pg, const struct mc_migration *m, char *err,
                           size_t errlen) {
  char why[512] = "";
  int rc = migrate_exec(pg, "BEGIN", why, sizeof why);
  if (rc == 0) rc = migrate_exec(pg, m->sql, why, sizeof why);
  if (rc == 0) rc = migration_record(pg, m, why, sizeof why);
  if (rc == 0) rc = migrate_exec(pg, "COMMIT", why, sizeof why);
  if (rc == 0) {
    mc_log_info(0, "storage migration applied version=%d name=%s", m->version, m->name);
    return 0;
  }
  char tmp[512];
  migrate_exec(pg, "ROLLBACK", tmp, sizeof tmp);
  snprintf(err, errlen, "migration %s failed: %s", m->name, pq_line(why, tmp, sizeof tmp));
  return MC_EUNAVAIL;
}

static int migrate_all(PGconn *pg, char *err, size_t errlen) {
  for (size_t i = 0; i < mc_migrations_count; i++) {
    const struct mc_migration *m = &mc_migrations[i];
    int rc = migration_applied(pg, m->version, err, errlen);
    if (rc == 0) rc = migration_apply(pg, m, err, errlen);
    if (rc < 0) return rc;
  }
  return 0;
}

/* Creates schema_version unless it exists: the restricted role may check
 * an up-to-date schema but not create tables. */
static int migrate_version_table(PGconn *pg, char *err, size_t errlen) {
  PGresult *r = PQexec(pg, "SELECT to_regclass('schema_version') IS NOT NULL");
  int exists = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
               strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  PQclear(r);
  if (exists) return 0;
  return migrate_exec(pg,
                      "CREATE TABLE IF NOT EXISTS schema_version ("
                      " version int PRIMARY KEY, name text NOT NULL,"
                      " applied_at timestamptz NOT NULL DEFAULT now())",
                      err, errlen);
}

/* Blocking: connect, lock, create schema_version, apply what is pending. */
static int migrate(const char *conninfo, char *err, size_t errlen) {
  char why[512];
  int rc = MC_EUNAVAIL;
  PGconn *pg = PQconnectdb(conninfo);
  if (PQstatus(pg) != CONNECTION_OK) {
    snprintf(err, errlen, "database connection failed: %s",
             pq_line(PQerrorMessage(pg), why, sizeof why));
    goto out;
  }
  PQsetNoticeProcessor(pg, notice_cb, NULL);
  if (migrate_exec(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", err, errlen) != 0)
    goto out;
  rc = migrate_version_table(pg, err, errlen);
  if (rc == 0) rc = migrate_all(pg, err, errlen);
  migrate_exec(pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", why, sizeof why);
out:
  PQfinish(pg);
  return rc;
}

/* ----------------------------------------------------------------- open */

static void store_init_handles(mc_store *s) {
  uv_timer_init(s->loop, &s->kick);
  uv_timer_init(s->loop, &s->sweep);
  s->kick.data = s;
  s->sweep.data = s;
  for (int i = 0; i < s->pool_size; i++) {
    conn *c = &s->conns[i];
    c->s = s;
    c->idx = i;
    c->poll_fd = -1;
    c->backoff_ms = BACKOFF_MIN_MS;
    uv_timer_init(s->loop, &c->timer);
    c->timer.data = c;
  }
  uv_timer_start(&s->sweep, sweep_cb, SWEEP_MS, SWEEP_MS);
}

static mc_store *store_alloc(uv_loop_t *loop, const mc_store_opts *opts) {
  mc_store *s = calloc(1, sizeof *s);
  if (s == NULL) return NULL;
  s->loop = loop;
  s->pool_size = opts->pool_size;
  s->max_queue = opts->max_queue;
  s->conninfo = strdup(opts->conninfo ? opts->conninfo : "");
  s->conns = calloc((size_t)opts->pool_size, sizeof *s->conns);
  if (s->conninfo == NULL || s->conns == NULL) {
    store_free(s);
    return NULL;
  }
  return s;
}

int mc_store_open(uv_loop_t *loop, const mc_store_opts *opts, mc_store **out, char *err,
                  size_t errlen) {
  char dummy[8];
  if (loop == NULL || opts == NULL || out == NULL) return MC_EINVAL;
  if (err == NULL || errlen == 0) {
    err = dummy;
    errlen = sizeof dummy;
  }
  *out = NULL;
  if (opts->pool_size < 1 || opts->pool_size > POOL_MAX || opts->max_queue < 1) {
    snprintf(err, errlen, "db_pool_size must be 1..%d and db_max_queue >= 1", POOL_MAX);
    return MC_ECONFIG;
  }
  const char *mig = opts->migrate_conninfo && opts->migrate_conninfo[0]
                        ? opts->migrate_conninfo
                        : opts->conninfo;
  int rc = migrate(mig ? mig : "", err, errlen);
  if (rc != 0) return rc;
  mc_store *s = store_alloc(loop, opts);
  if (s == NULL) {
    snprintf(err, errlen, "out of memory");
    return MC_ENOMEM;
  }
  store_init_handles(s);
  for (int i = 0; i < s->pool_size; i++) conn_start(&s->conns[i]);
  mc_log_info(0, "storage open pool_size=%d max_queue=%d migrations=%zu", s->pool_size,
              s->max_queue, mc_migrations_count);
  *out = s;
  return 0;
}

void mc_store_get_stats(const mc_store *s, mc_store_stats *st) {
  st->connections_up = connections_up(s);
  st->queued = queued(s);
  st->in_flight = in_flight(s);
  st->queries_total = s->queries_total;
  st->errors_total = s->errors_total;
  st->batches_total = s->batches_total;
  st->batched_total = s->batched_total;
}

/* ------------------------------------------------------- row decoding */

/* The columns of dossier_v as struct mc_dossier wants them, each prefixed
 * with p (a table alias and dot, or ""). */
#define DOSSIER_COLS_P(p)                                                           \
  p "code, " p "status, " p "unit_code, " p "unit_name, " p "procedure_code, " p   \
  "procedure_name, " p "level, " p "applicant_name, " p "applicant_id, " p         \
  "applicant_phone, " p "channel, " p "received_at_ms, " p "due_at_ms, " p         \
  "holder_unit, " p "forwarded_to, " p "forwarded_at_ms, " p "assigned_officer, " p \
  "department, " p "supplement_count, " p "rescheduled, " p "rating, " p           \
  "paused_at_ms, " p "finished_at_ms, " p "returned_at_ms, " p "collected_by, " p  \
  "fee_amount"
#define DOSSIER_COLS DOSSIER_COLS_P("")
#define DOSSIER_NCOLS 26

#define V(i) PQgetvalue(r, row, c0 + (i))
/* Columns 16.. (004): NULL (older idempotency snapshots) decodes as 0/"". */
static void row_to_dossier_state(const PGresult *r, int row, int c0, mc_dossier *d) {
  copy_str(d->assigned_officer, sizeof d->assigned_officer, V(16));
  copy_str(d->department, sizeof d->department, V(17));
  d->supplement_count = (int)parse_i64(V(18));
  d->rescheduled = (int)parse_i64(V(19));
  d->rating = (int)parse_i64(V(20));
  d->paused_at_ms = parse_i64(V(21));
  d->finished_at_ms = parse_i64(V(22));
  d->returned_at_ms = parse_i64(V(23));
  copy_str(d->collected_by, sizeof d->collected_by, V(24));
  d->fee_amount = parse_i64(V(25));
}

static void row_to_dossier(const PGresult *r, int row, int c0, mc_dossier *d) {
  memset(d, 0, sizeof *d);
  copy_str(d->code, sizeof d->code, V(0));
  d->status = (int)parse_i64(V(1));
  copy_str(d->unit_code, sizeof d->unit_code, V(2));
  copy_str(d->unit_name, sizeof d->unit_name, V(3));
  copy_str(d->procedure_code, sizeof d->procedure_code, V(4));
  copy_str(d->procedure_name, sizeof d->procedure_name, V(5));
  d->level = (int)parse_i64(V(6));
  copy_str(d->applicant.name, sizeof d->applicant.name, V(7));
  copy_str(d->applicant.id_number, sizeof d->applicant.id_number, V(8));
  copy_str(d->applicant.phone, sizeof d->applicant.phone, V(9));
  d->channel = (int)parse_i64(V(10));
  d->received_at_ms = parse_i64(V(11));
  d->due_at_ms = parse_i64(V(12));
  copy_str(d->holder_unit, sizeof d->holder_unit, V(13));
  copy_str(d->forwarded_to, sizeof d->forwarded_to, V(14));
  d->forwarded_at_ms = parse_i64(V(15));
  row_to_dossier_state(r, row, c0, d);
}
#undef V

static int shape_ok(const PGresult *r, int ncols) { return PQnfields(r) >= ncols; }

/* A single-dossier answer at (o->row, o->col0): no row = MC_ENOTFOUND. */
static void dossier_done(op *o, int err) {
  mc_dossier d;
  if (err == 0 && (PQntuples(o->res[0]) <= o->row ||
                   PQgetisnull(o->res[0], o->row, o->col0)))
    err = MC_ENOTFOUND;
  if (err == 0 && !shape_ok(o->res[0], o->col0 + DOSSIER_NCOLS)) err = MC_EINTERNAL;
  if (err != 0) {
    o->cb.dossier(o->arg, err, NULL);
    return;
  }
  row_to_dossier(o->res[0], o->row, o->col0, &d);
  o->cb.dossier(o->arg, 0, &d);
}

static void list_done(op *o, int err) {
  mc_dossier *ds = NULL;
  int n = err == 0 ? PQntuples(o->res[0]) : 0;
  if (err == 0 && !shape_ok(o->res[0], DOSSIER_NCOLS)) err = MC_EINTERNAL;
  if (err == 0 && n > 0 && (ds = calloc((size_t)n, sizeof *ds)) == NULL) err = MC_ENOMEM;
  if (err != 0) {
    o->cb.list(o->arg, err, NULL, 0);
    return;
  }
  for (int i = 0; i < n; i++) row_to_dossier(o->res[0], i, 0, &ds[i]);
  o->cb.list(o->arg, 0, ds, (size_t)n);
  free(ds);
}

static void idem_done(op *o, int err) {
  mc_dossier d;
  char action[32];
  if (err == 0 && PQntuples(o->res[0]) == 0) err = MC_ENOTFOUND;
  if (err == 0 && !shape_ok(o->res[0], 1 + DOSSIER_NCOLS)) err = MC_EINTERNAL;
  if (err != 0) {
    o->cb.idem(o->arg, err, NULL, NULL);
    return;
  }
  copy_str(action, sizeof action, PQgetvalue(o->res[0], 0, 0));
  row_to_dossier(o->res[0], 0, 1, &d);
  o->cb.idem(o->arg, 0, action, &d);
}

/* ------------------------------------------------------------ catalogue */

static mc_role role_of(const char *s) {
  return strcmp(s, "district") == 0 ? MC_ROLE_DISTRICT : MC_ROLE_COMMUNE;
}

static void row_to_unit(const PGresult *r, int row, mc_unit *u) {
  copy_str(u->code, sizeof u->code, PQgetvalue(r, row, 0));
  copy_str(u->name, sizeof u->name, PQgetvalue(r, row, 1));
  copy_str(u->agency_id, sizeof u->agency_id, PQgetvalue(r, row, 2));
  copy_str(u->parent, sizeof u->parent, PQgetvalue(r, row, 3));
  u->role = role_of(PQgetvalue(r, row, 4));
}

static void row_to_proc(const PGresult *r, int row, mc_procedure *p) {
  copy_str(p->code, sizeof p->code, PQgetvalue(r, row, 0));
  copy_str(p->name, sizeof p->name, PQgetvalue(r, row, 1));
  copy_str(p->sector, sizeof p->sector, PQgetvalue(r, row, 2));
  p->level = (int)parse_i64(PQgetvalue(r, row, 3));
  p->limit_value = (int)parse_i64(PQgetvalue(r, row, 4));
  p->limit_unit = (int)parse_i64(PQgetvalue(r, row, 5));
}

static void catalog_done(op *o, int err) {
  mc_unit *us = NULL;
  mc_procedure *ps = NULL;
  if (err == 0 && (o->nres != 2 || !shape_ok(o->res[0], 5) || !shape_ok(o->res[1], 6)))
    err = MC_EINTERNAL;
  int nu = err == 0 ? PQntuples(o->res[0]) : 0;
  int np = err == 0 ? PQntuples(o->res[1]) : 0;
  if (err == 0 && ((nu > 0 && (us = calloc((size_t)nu, sizeof *us)) == NULL) ||
                   (np > 0 && (ps = calloc((size_t)np, sizeof *ps)) == NULL)))
    err = MC_ENOMEM;
  if (err != 0) {
    o->cb.catalog(o->arg, err, NULL, 0, NULL, 0);
    goto out;
  }
  for (int i = 0; i < nu; i++) row_to_unit(o->res[0], i, &us[i]);
  for (int i = 0; i < np; i++) row_to_proc(o->res[1], i, &ps[i]);
  o->cb.catalog(o->arg, 0, us, (size_t)nu, ps, (size_t)np);
out:
  free(us);
  free(ps);
}

/* ------------------------------------------------------ receive batches */

/* Group commit. The receives queued while the database was busy go as one
 * statement, mc_receive_many (server/sql/007_receive_many.sql): one
 * transaction and one WAL flush for up to BATCH_MAX dossiers, each in its
 * own subtransaction so a refused one does not undo the others. Every
 * reply still leaves after the commit.
 *
 * Lanes: a receive locks its unit's day-sequence row until commit, so two
 * batches holding the same units would run one after the other. Units are
 * hashed to BATCH_LANES lanes with at most one batch in flight per lane:
 * batches in flight never share a unit, one executes while another
 * commits, and receives arriving during a commit gather into their lane's
 * next batch instead of trickling out one per free connection. */

static const char SQL_RECEIVE_MANY[] =
    "SELECT o_ord, o_state, o_msg, " DOSSIER_COLS_P("(o_d).")
    " FROM mc_receive_many($1::jsonb)";

/* FNV-1a of the unit code: the receive's lane. */
static uint32_t fnv1a(const char *str) {
  uint32_t h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *)str; *p; p++) h = (h ^ *p) * 16777619u;
  return h;
}

/* A receive's parameters as a JSON array of strings and nulls; NULL when a
 * parameter is not valid UTF-8 (jansson checks) or memory ran out. */
static json_t *batch_item(const op *m) {
  json_t *a = json_array();
  for (int i = 0; a != NULL && i < m->nparams; i++) {
    json_t *v = m->params[i] != NULL ? json_string(m->params[i]) : json_null();
    if (json_array_append_new(a, v) != 0) {
      json_decref(a);
      a = NULL;
    }
  }
  return a;
}

static void batch_done(op *b, int err);

/* Moves up to BATCH_MAX queued receives into a new batch op; a receive
 * that cannot be encoded is refused alone. NULL: nothing to send. */
static op *batch_fill(mc_store *s, op *b, json_t *items) {
  while (b->nmembers < BATCH_MAX && s->rq[b->lane].head != NULL) {
    op *m = queue_pop(&s->rq[b->lane]);
    if (json_array_append_new(items, batch_item(m)) != 0) {
      op_complete(s, m, MC_EINVAL);
      continue;
    }
    b->members[b->nmembers++] = m;
  }
  if (b->nmembers == 0) { /* every one was refused */
    s->lane_busy[b->lane] = 0;
    op_free(b);
    return NULL;
  }
  if ((b->params[0] = json_dumps(items, JSON_COMPACT)) == NULL) {
    op_complete(s, b, MC_ENOMEM); /* fails its members */
    return NULL;
  }
  b->nparams = 1;
  s->batches_total++;
  s->batched_total += (uint64_t)b->nmembers;
  return b;
}

static op *batch_make(mc_store *s, int lane) {
  op *b = op_new("receive_many", SQL_RECEIVE_MANY, batch_done, s); /* arg: the store */
  json_t *items = json_array();
  if (b != NULL) b->members = calloc(BATCH_MAX, sizeof *b->members);
  if (b == NULL || items == NULL || b->members == NULL) {
    if (b != NULL) op_free(b);
    json_decref(items);
    op_complete(s, queue_pop(&s->rq[lane]), MC_ENOMEM); /* progress, not a spin */
    return NULL;
  }
  b->lane = lane;
  s->lane_busy[lane] = 1; /* batch_done frees it, whatever happens */
  b = batch_fill(s, b, items);
  json_decref(items);
  return b;
}

/* rowof[i] = the result row answering member i, -1 if none. */
static void batch_rows(const op *b, int err, int *rowof) {
  for (int i = 0; i < b->nmembers; i++) rowof[i] = -1;
  const PGresult *r = b->res[0];
  if (err != 0 || !shape_ok(r, BATCH_COL0 + DOSSIER_NCOLS)) return;
  for (int row = 0; row < PQntuples(r); row++) {
    int64_t ord = parse_i64(PQgetvalue(r, row, 0));
    if (ord >= 1 && ord <= b->nmembers) rowof[ord - 1] = row;
  }
}

/* Completes one member from its row: the row's SQLSTATE, or its dossier. */
static void batch_member_done(mc_store *s, op *m, PGresult *r, int row, int err) {
  if (err == 0 && row < 0) err = MC_EINTERNAL;
  if (err == 0 && !PQgetisnull(r, row, 1)) {
    err = storage__sqlstate_to_err(PQgetvalue(r, row, 1));
    log_failure(m->name, err, PQgetvalue(r, row, 1), PQgetvalue(r, row, 2));
  }
  s->queries_total++;
  if (err != 0) s->errors_total++;
  m->res[0] = err == 0 ? r : NULL; /* borrowed from the batch */
  m->nres = err == 0;
  m->row = row;
  m->col0 = BATCH_COL0;
  m->done(m, err);
  m->res[0] = NULL;
  m->nres = 0;
  op_free(m);
}

/* The batch answered (or failed as a whole: every member gets err). */
static void batch_done(op *b, int err) {
  mc_store *s = b->arg;
  int rowof[BATCH_MAX];
  s->lane_busy[b->lane] = 0;
  if (err == 0 && !shape_ok(b->res[0], BATCH_COL0 + DOSSIER_NCOLS)) err = MC_EINTERNAL;
  batch_rows(b, err, rowof);
  for (int i = 0; i < b->nmembers; i++) {
    op *m = b->members[i];
    b->members[i] = NULL;
    batch_member_done(s, m, b->res[0], rowof[i], err);
  }
  b->nmembers = 0;
}

/* ------------------------------------------------------ public queries */

static const char SQL_CATALOG[] =
    "SELECT code, name, agency_id, coalesce(parent, ''), role FROM units"
    " WHERE valid_from <= current_date"
    " AND (valid_to IS NULL OR valid_to >= current_date) ORDER BY code;"
    "SELECT code, name, sector, level, limit_value, limit_unit FROM procedures"
    " ORDER BY level, sector, code";

int mc_store_load_catalog(mc_store *s, mc_store_catalog_cb cb, void *arg) {
  if (s == NULL || cb == NULL) return MC_EINVAL;
  op *o = op_new("load_catalog", SQL_CATALOG, catalog_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb.catalog = cb;
  return submit_or_free(s, o, 0);
}

static int receive_params(op *o, const mc_receive_rec *r) {
  const mc_applicant *a = r->applicant;
  int rc = op_param(o, r->unit_code);
  if (rc == 0) rc = op_param(o, r->idem_key);
  if (rc == 0) rc = op_param(o, r->agency_id);
  if (rc == 0) rc = op_param(o, r->day);
  if (rc == 0) rc = op_param(o, r->procedure_code);
  if (rc == 0) rc = op_param(o, a->name);
  if (rc == 0) rc = op_param(o, a->id_number);
  if (rc == 0) rc = op_param(o, a->phone);
  if (rc == 0) rc = op_param_i64(o, r->channel, 0);
  if (rc == 0) rc = op_param(o, r->officer ? r->officer : "");
  if (rc == 0) rc = op_param_i64(o, r->received_at_ms, 0);
  if (rc == 0) rc = op_param_i64(o, r->due_at_ms, 1);
  return rc;
}

int mc_store_receive(mc_store *s, const mc_receive_rec *r, mc_store_dossier_cb cb,
                     void *arg) {
  if (s == NULL || r == NULL || cb == NULL || r->applicant == NULL || !r->idem_key ||
      !r->unit_code || !r->agency_id || !r->day || !r->procedure_code)
    return MC_EINVAL;
  op *o = op_new("receive", NULL, dossier_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb.dossier = cb;
  o->batched = 1; /* its parameters become one item of a batch */
  o->lane = (int)(fnv1a(r->unit_code) % BATCH_LANES);
  return submit_or_free(s, o, receive_params(o, r));
}

static const char SQL_FORWARD[] =
    "SELECT " DOSSIER_COLS " FROM mc_forward($1::text, $2::text, $3::text, $4::text,"
    " $5::text, $6::bigint, $7::bigint)";

static int forward_params(op *o, const mc_forward_rec *r) {
  int rc = op_param(o, r->unit_code);
  if (rc == 0) rc = op_param(o, r->idem_key);
  if (rc == 0) rc = op_param(o, r->code);
  if (rc == 0) rc = op_param(o, r->to_unit);
  if (rc == 0) rc = op_param(o, r->officer ? r->officer : "");
  if (rc == 0) rc = op_param_i64(o, r->now_ms, 0);
  if (rc == 0) rc = op_param_i64(o, r->step_due_ms, 1);
  return rc;
}

int mc_store_forward(mc_store *s, const mc_forward_rec *r, mc_store_dossier_cb cb,
                     void *arg) {
  if (s == NULL || r == NULL || cb == NULL || !r->idem_key || !r->unit_code || !r->code ||
      !r->to_unit)
    return MC_EINVAL;
  op *o = op_new("forward", SQL_FORWARD, dossier_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb.dossier = cb;
  return submit_or_free(s, o, forward_params(o, r));
}

static const char SQL_IDEM[] =
    "SELECT action, " DOSSIER_COLS " FROM (SELECT i.action, r.* FROM idempotency i,"
    " jsonb_populate_record(NULL::dossier_v, i.reply) r"
    " WHERE i.unit_code = $1 AND i.key = $2 AND i.reply IS NOT NULL) x";

int mc_store_idem_lookup(mc_store *s, const char *unit_code, const char *idem_key,
                         mc_store_idem_cb cb, void *arg) {
  if (s == NULL || unit_code == NULL || idem_key == NULL || cb == NULL) return MC_EINVAL;
  op *o = op_new("idem_lookup", SQL_IDEM, idem_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb.idem = cb;
  int rc = op_param(o, unit_code);
  if (rc == 0) rc = op_param(o, idem_key);
  return submit_or_free(s, o, rc);
}

static const char SQL_SHOW[] = "SELECT " DOSSIER_COLS " FROM dossier_v WHERE code = $1";

int mc_store_show(mc_store *s, const char *code, mc_store_dossier_cb cb, void *arg) {
  if (s == NULL || code == NULL || cb == NULL) return MC_EINVAL;
  op *o = op_new("show", SQL_SHOW, dossier_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb.dossier = cb;
  return submit_or_free(s, o, op_param(o, code));
}

/* The list filters: $4 overdue only (as mc_wf_overdue), $5 due within
 * this many ms of now (unfinished only; NULL = off), $6 the server's now
 * (NULL = the database's). */
#define LIST_NOW "coalesce(mc_ms_to_ts($6::bigint), now())"
#define LIST_FILTERS                                                             \
  " AND ($2::int = 0 OR status = $2::int)"                                       \
  " AND (NOT $4::boolean OR supplement_count >= 2"                               \
  "      OR coalesce(finished_at, paused_at, " LIST_NOW ") > due_at)"             \
  " AND ($5::bigint IS NULL OR (status IN (1, 2, 4, 5, 6)"                       \
  "      AND due_at <= " LIST_NOW " + $5::bigint * interval '1 millisecond'))"

/* Two index scans (received by / forwarded to the viewer), merged. */
static const char SQL_LIST[] =
    "SELECT " DOSSIER_COLS " FROM dossier_v WHERE id IN ("
    " (SELECT id FROM dossiers WHERE unit_code = $1" LIST_FILTERS
    "   ORDER BY received_at DESC LIMIT $3::int)"
    " UNION"
    " (SELECT id FROM dossiers WHERE forwarded_to = $1" LIST_FILTERS
    "   ORDER BY received_at DESC LIMIT $3::int))"
    " ORDER BY received_at DESC, id DESC LIMIT $3::int";

static int list_params(op *o, const mc_list_query *q) {
  int rc = op_param(o, q->viewer_unit);
  if (rc == 0) rc = op_param_i64(o, q->status, 0);
  if (rc == 0) rc = op_param_i64(o, q->limit, 0);
  if (rc == 0) rc = op_param(o, q->overdue ? "t" : "f");
  if (rc == 0) rc = op_param_i64(o, q->due_within_ms, 1);
  if (rc == 0) rc = op_param_i64(o, q->now_ms, 1);
  return rc;
}

int mc_store_list(mc_store *s, const mc_list_query *q, mc_store_list_cb cb, void *arg) {
  if (s == NULL || q == NULL || q->viewer_unit == NULL || cb == NULL) return MC_EINVAL;
  if (q->limit < 1 || q->limit > LIST_LIMIT_MAX || q->status < 0 || q->status > 10 ||
      q->due_within_ms < 0)
    return MC_EINVAL;
  op *o = op_new("list", SQL_LIST, list_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb.list = cb;
  return submit_or_free(s, o, list_params(o, q));
}

/* ------------------------------------------------------ workflow actions */

static const char SQL_ACTION[] =
    "SELECT " DOSSIER_COLS " FROM mc_action(ROW($1::text, $2::text, $3::text, $4::text,"
    " $5::text, $6::text, $7::smallint, $8::smallint, $9::text, $10::text, $11::text,"
    " $12::text, $13::text, $14::bigint, $15::bigint, $16::bigint, $17::bigint, $18::int,"
    " $19::boolean, $20::boolean, $21::boolean, $22::text, $23::text, $24::text,"
    " $25::text, $26::smallint, $27::bigint, $28::text)::mc_action_t)";

static const char *nonempty(const char *v) { return v && v[0] ? v : NULL; }
static const char *flag(int v) { return v ? "t" : "f"; }

/* The role as stored in progress_log.role; NULL for none. */
static const char *role_text(int role) {
  return role >= MC_ROLE_COMMUNE && role <= MC_ROLE_SERVER ? mc_role_name((mc_role)role)
                                                           : NULL;
}

/* $1..$6: who acts on what. */
static int action_params_who(op *o, const mc_action_rec *r) {
  int rc = op_param(o, r->unit_code);
  if (rc == 0) rc = op_param(o, r->idem_key);
  if (rc == 0) rc = op_param(o, role_text(r->role));
  if (rc == 0) rc = op_param(o, r->officer ? r->officer : "");
  if (rc == 0) rc = op_param(o, r->code);
  if (rc == 0) rc = op_param(o, r->change->action_name);
  return rc;
}

/* $7..$22: the decided change. */
static int action_params_change(op *o, const mc_change *c) {
  int rc = op_param_i64(o, c->status_before, 0);
  if (rc == 0) rc = op_param_i64(o, c->status_after, 0);
  if (rc == 0) rc = op_param(o, c->holder_before);
  if (rc == 0) rc = op_param(o, c->holder_after);
  if (rc == 0) rc = op_param(o, nonempty(c->from_unit));
  if (rc == 0) rc = op_param(o, nonempty(c->to_unit));
  if (rc == 0) rc = op_param(o, nonempty(c->notify_unit));
  if (rc == 0) rc = op_param_i64(o, c->at_ms, 0);
  if (rc == 0) rc = op_param_i64(o, c->due_after_ms, 1);
  if (rc == 0) rc = op_param_i64(o, c->step_due_ms, 1);
  if (rc == 0) rc = op_param_i64(o, c->paused_at_after_ms, 1);
  if (rc == 0) rc = op_param_i64(o, c->supplement_inc, 0);
  if (rc == 0) rc = op_param(o, flag(c->set_finished));
  if (rc == 0) rc = op_param(o, flag(c->set_rescheduled));
  if (rc == 0) rc = op_param(o, flag(c->set_returned));
  if (rc == 0) rc = op_param(o, c->result ? c->result : "");
  return rc;
}

/* $23..$28: the request's own fields (NULL = unchanged). */
static int action_params_fields(op *o, const mc_action_rec *r) {
  int rc = op_param(o, r->detail ? r->detail : "");
  if (rc == 0) rc = op_param(o, r->assigned_officer);
  if (rc == 0) rc = op_param(o, r->department);
  if (rc == 0) rc = op_param_i64(o, r->rating, 1);
  if (rc == 0) rc = op_param_i64(o, r->fee_amount, 1);
  if (rc == 0) rc = op_param(o, r->collected_by);
  return rc;
}

static int action_valid(const mc_action_rec *r) {
  const mc_change *c = r->change;
  if (!r->idem_key || !r->unit_code || !r->code || c == NULL || c->action_name == NULL)
    return 0;
  if (c->status_before < 1 || c->status_before > 10 || c->status_after < 1 ||
      c->status_after > 10 || c->supplement_inc < 0)
    return 0;
  return r->rating >= 0 && r->rating <= 3 && r->fee_amount >= 0;
}

int mc_store_action(mc_store *s, const mc_action_rec *r, mc_store_dossier_cb cb, void *arg) {
  if (s == NULL || r == NULL || cb == NULL || !action_valid(r)) return MC_EINVAL;
  op *o = op_new("action", SQL_ACTION, dossier_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb.dossier = cb;
  int rc = action_params_who(o, r);
  if (rc == 0) rc = action_params_change(o, r->change);
  if (rc == 0) rc = action_params_fields(o, r);
  return submit_or_free(s, o, rc);
}

/* -------------------------------------------------------------- history */

#define STEP_NCOLS 12
#define XSTR(x) #x
#define STR(x) XSTR(x)

/* One row per step (the dossier repeated), or one row with NULL step
 * columns when the log is empty. Rows written before 004 have no role:
 * the acting unit's role stands in. */
static const char SQL_HISTORY[] =
    "SELECT " DOSSIER_COLS_P("v.") ", l.at_ms, l.unit_code, l.officer, l.role, l.action,"
    " l.status_before, l.status_after, l.from_unit, l.to_unit, l.step_due_ms, l.result,"
    " l.detail FROM dossier_v v LEFT JOIN LATERAL ("
    "  SELECT mc_ts_to_ms(p.at) AS at_ms, p.unit_code, p.officer,"
    "   coalesce(p.role, u.role) AS role, p.action, p.status_before, p.status_after,"
    "   p.from_unit, p.to_unit, mc_ts_to_ms(p.step_due_at) AS step_due_ms, p.result,"
    "   p.detail, p.at, p.id FROM progress_log p JOIN units u ON u.code = p.unit_code"
    "  WHERE p.dossier_id = v.id ORDER BY p.at, p.id LIMIT " STR(HISTORY_MAX) ") l ON true"
    " WHERE v.code = $1 ORDER BY l.at, l.id";

static void row_to_step(const PGresult *r, int row, int c0, mc_step *st) {
#define V(i) PQgetvalue(r, row, c0 + (i))
  memset(st, 0, sizeof *st);
  st->at_ms = parse_i64(V(0));
  copy_str(st->unit_code, sizeof st->unit_code, V(1));
  copy_str(st->officer, sizeof st->officer, V(2));
  st->role = (int)mc_role_parse(V(3));
  copy_str(st->action, sizeof st->action, V(4));
  st->status_before = (int)parse_i64(V(5));
  st->status_after = (int)parse_i64(V(6));
  copy_str(st->from_unit, sizeof st->from_unit, V(7));
  copy_str(st->to_unit, sizeof st->to_unit, V(8));
  st->step_due_ms = parse_i64(V(9));
  copy_str(st->result, sizeof st->result, V(10));
  copy_str(st->detail, sizeof st->detail, V(11));
#undef V
}

static void history_done(op *o, int err) {
  mc_dossier d;
  mc_step *steps = NULL;
  int rows = err == 0 ? PQntuples(o->res[0]) : 0;
  if (err == 0 && rows == 0) err = MC_ENOTFOUND;
  if (err == 0 && !shape_ok(o->res[0], DOSSIER_NCOLS + STEP_NCOLS)) err = MC_EINTERNAL;
  int n = err == 0 && !PQgetisnull(o->res[0], 0, DOSSIER_NCOLS) ? rows : 0;
  if (n > 0 && (steps = calloc((size_t)n, sizeof *steps)) == NULL) err = MC_ENOMEM;
  if (err != 0) {
    o->cb.history(o->arg, err, NULL, NULL, 0);
    return;
  }
  row_to_dossier(o->res[0], 0, 0, &d);
  for (int i = 0; i < n; i++) row_to_step(o->res[0], i, DOSSIER_NCOLS, &steps[i]);
  o->cb.history(o->arg, 0, &d, steps, (size_t)n);
  free(steps);
}

int mc_store_history(mc_store *s, const char *code, mc_store_history_cb cb, void *arg) {
  if (s == NULL || code == NULL || cb == NULL) return MC_EINVAL;
  op *o = op_new("history", SQL_HISTORY, history_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb.history = cb;
  return submit_or_free(s, o, op_param(o, code));
}

/* ---------------------------------------------------------------- inbox */

#define EVENT_NCOLS 5
#define INBOX_EVENT_COLS(i)                                                    \
  "SELECT " i ".id, mc_ts_to_ms(" i ".created_at), " i ".kind, " i ".from_unit, " i \
  ".detail, " DOSSIER_COLS_P("v.")

static const char SQL_INBOX_PEEK[] =
    INBOX_EVENT_COLS("i") " FROM inbox i LEFT JOIN dossier_v v ON v.id = i.dossier_id"
    " WHERE i.unit_code = $1 AND i.read_at IS NULL ORDER BY i.id LIMIT $2::int";

/* Marks exactly the rows it answers; entries another connection is
 * marking right now are skipped, not waited for. */
static const char SQL_INBOX_TAKE[] =
    "WITH picked AS (SELECT id FROM inbox WHERE unit_code = $1 AND read_at IS NULL"
    "  ORDER BY id LIMIT $2::int FOR UPDATE SKIP LOCKED),"
    " marked AS (UPDATE inbox i SET read_at = now() FROM picked p WHERE i.id = p.id"
    "  RETURNING i.id, i.created_at, i.kind, i.from_unit, i.detail, i.dossier_id) "
    INBOX_EVENT_COLS("m") " FROM marked m LEFT JOIN dossier_v v ON v.id = m.dossier_id"
    " ORDER BY m.id";

static void row_to_event(const PGresult *r, int row, mc_event *ev) {
  memset(ev, 0, sizeof *ev);
  ev->id = strtoull(PQgetvalue(r, row, 0), NULL, 10);
  ev->at_ms = parse_i64(PQgetvalue(r, row, 1));
  copy_str(ev->kind, sizeof ev->kind, PQgetvalue(r, row, 2));
  copy_str(ev->from_unit, sizeof ev->from_unit, PQgetvalue(r, row, 3));
  copy_str(ev->detail, sizeof ev->detail, PQgetvalue(r, row, 4));
  if (!PQgetisnull(r, row, EVENT_NCOLS)) row_to_dossier(r, row, EVENT_NCOLS, &ev->dossier);
}

static void inbox_done(op *o, int err) {
  mc_event *evs = NULL;
  int n = err == 0 ? PQntuples(o->res[0]) : 0;
  if (err == 0 && !shape_ok(o->res[0], EVENT_NCOLS + DOSSIER_NCOLS)) err = MC_EINTERNAL;
  if (err == 0 && n > 0 && (evs = calloc((size_t)n, sizeof *evs)) == NULL) err = MC_ENOMEM;
  if (err != 0) {
    o->cb.inbox(o->arg, err, NULL, 0);
    return;
  }
  for (int i = 0; i < n; i++) row_to_event(o->res[0], i, &evs[i]);
  o->cb.inbox(o->arg, 0, evs, (size_t)n);
  free(evs);
}

int mc_store_inbox(mc_store *s, const char *unit_code, int mark_read, int limit,
                   mc_store_inbox_cb cb, void *arg) {
  if (s == NULL || unit_code == NULL || cb == NULL || limit < 1 || limit > LIST_LIMIT_MAX)
    return MC_EINVAL;
  op *o = op_new(mark_read ? "inbox_take" : "inbox_peek",
                 mark_read ? SQL_INBOX_TAKE : SQL_INBOX_PEEK, inbox_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb.inbox = cb;
  int rc = op_param(o, unit_code);
  if (rc == 0) rc = op_param_i64(o, limit, 0);
  return submit_or_free(s, o, rc);
}

/* --------------------------------------------------------------- search */

/* Exact code, citizen id or phone, or a fragment of the name compared
 * without accents or case (trigram index on the same expression). The
 * input is escaped, so % and _ match themselves. */
const char storage__sql_search[] =
    "SELECT " DOSSIER_COLS " FROM dossier_v WHERE id IN ("
    " SELECT id FROM dossiers WHERE (unit_code = $1 OR forwarded_to = $1)"
    "  AND (code = $2 OR applicant_id = $2 OR applicant_phone = $2"
    "   OR lower(mc_unaccent(applicant_name))"
    "      LIKE '%' || mc_like_escape(lower(mc_unaccent($2))) || '%'))"
    " ORDER BY received_at DESC, id DESC LIMIT $3::int";

/* Copies text without leading/trailing blanks; 0 if nothing is left. */
static size_t trimmed(const char *text, char *out, size_t n) {
  while (*text == ' ' || *text == '\t') text++;
  size_t len = strlen(text);
  while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t')) len--;
  if (len >= n) return 0;
  memcpy(out, text, len);
  out[len] = '\0';
  return len;
}

int mc_store_search(mc_store *s, const char *viewer_unit, const char *text, int limit,
                    mc_store_list_cb cb, void *arg) {
  char t[SEARCH_TEXT_MAX + 1];
  if (s == NULL || viewer_unit == NULL || text == NULL || cb == NULL || limit < 1 ||
      limit > LIST_LIMIT_MAX || trimmed(text, t, sizeof t) == 0)
    return MC_EINVAL;
  op *o = op_new("search", storage__sql_search, list_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb.list = cb;
  int rc = op_param(o, viewer_unit);
  if (rc == 0) rc = op_param(o, t);
  if (rc == 0) rc = op_param_i64(o, limit, 0);
  return submit_or_free(s, o, rc);
}

/* ------------------------------------------------------------- calendar */

static const char SQL_CALENDAR[] =
    "SELECT to_char(day, 'YYYY-MM-DD'), workday::int, name FROM calendar_days"
    " WHERE $1::int = 0 OR extract(year FROM day) = $1::int ORDER BY day";

static void calendar_done(op *o, int err) {
  mc_calday *days = NULL;
  int n = err == 0 ? PQntuples(o->res[0]) : 0;
  if (err == 0 && !shape_ok(o->res[0], 3)) err = MC_EINTERNAL;
  if (err == 0 && n > 0 && (days = calloc((size_t)n, sizeof *days)) == NULL) err = MC_ENOMEM;
  if (err != 0) {
    o->cb.calendar(o->arg, err, NULL, 0);
    return;
  }
  for (int i = 0; i < n; i++) {
    copy_str(days[i].date, sizeof days[i].date, PQgetvalue(o->res[0], i, 0));
    days[i].workday = (int)parse_i64(PQgetvalue(o->res[0], i, 1));
    copy_str(days[i].name, sizeof days[i].name, PQgetvalue(o->res[0], i, 2));
  }
  o->cb.calendar(o->arg, 0, days, (size_t)n);
  free(days);
}

int mc_store_load_calendar(mc_store *s, int year, mc_store_calendar_cb cb, void *arg) {
  if (s == NULL || cb == NULL || year < 0 || year > 9999) return MC_EINVAL;
  op *o = op_new("load_calendar", SQL_CALENDAR, calendar_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb.calendar = cb;
  return submit_or_free(s, o, op_param_i64(o, year, 0));
}

/* Completion of the operations that answer nothing but success. */
static void done_done(op *o, int err) {
  if (err == 0 && o->need_row && (o->nres == 0 || PQntuples(o->res[0]) == 0))
    err = MC_ENOTFOUND;
  if (o->cb.done) o->cb.done(o->arg, err);
}

static op *done_op(const char *name, const char *sql, mc_store_done_cb cb, void *arg) {
  op *o = op_new(name, sql, done_done, arg);
  if (o != NULL) o->cb.done = cb;
  return o;
}

static const char SQL_CALENDAR_PUT[] =
    "INSERT INTO calendar_days (day, workday, name) VALUES ($1::date, $2::boolean, $3)"
    " ON CONFLICT (day) DO UPDATE SET workday = EXCLUDED.workday, name = EXCLUDED.name";

int mc_store_calendar_put(mc_store *s, const mc_calday *day, mc_store_done_cb cb, void *arg) {
  if (s == NULL || day == NULL || cb == NULL || strnlen(day->date, sizeof day->date) != 10 ||
      strnlen(day->name, sizeof day->name) == sizeof day->name)
    return MC_EINVAL;
  op *o = done_op("calendar_put", SQL_CALENDAR_PUT, cb, arg);
  if (o == NULL) return MC_ENOMEM;
  int rc = op_param(o, day->date);
  if (rc == 0) rc = op_param(o, flag(day->workday));
  if (rc == 0) rc = op_param(o, day->name);
  return submit_or_free(s, o, rc);
}

static const char SQL_CALENDAR_REMOVE[] =
    "DELETE FROM calendar_days WHERE day = $1::date RETURNING day";

int mc_store_calendar_remove(mc_store *s, const char *date, mc_store_done_cb cb, void *arg) {
  if (s == NULL || date == NULL || cb == NULL || strlen(date) != 10) return MC_EINVAL;
  op *o = done_op("calendar_remove", SQL_CALENDAR_REMOVE, cb, arg);
  if (o == NULL) return MC_ENOMEM;
  o->need_row = 1;
  return submit_or_free(s, o, op_param(o, date));
}

/* ------------------------------------------------------------- refusals */

static const char SQL_REFUSAL[] =
    "INSERT INTO refusal_log (unit_code, officer, code, action, rule)"
    " VALUES ($1, $2, $3, $4, $5)";

int mc_store_log_refusal(mc_store *s, const char *unit_code, const char *officer,
                         const char *code, const char *action, const char *rule,
                         mc_store_done_cb cb, void *arg) {
  if (s == NULL) return MC_EINVAL;
  op *o = done_op("log_refusal", SQL_REFUSAL, cb, arg);
  if (o == NULL) return MC_ENOMEM;
  int rc = op_param(o, unit_code ? unit_code : "");
  if (rc == 0) rc = op_param(o, officer ? officer : "");
  if (rc == 0) rc = op_param(o, code ? code : "");
  if (rc == 0) rc = op_param(o, action ? action : "");
  if (rc == 0) rc = op_param(o, rule ? rule : "");
  return submit_or_free(s, o, rc);
}

/* ------------------------------------------- generic op for extensions */

static void rows_done(op *o, int err) {
  const PGresult *r = err == 0 && o->nres > 0 ? o->res[o->nres - 1] : NULL;
  o->cb.rows(o->arg, err, r);
}

int storage__exec(mc_store *s, const char *name, const char *sql, const char *const *params,
                  int nparams, storage_rows_cb cb, void *arg) {
  if (nparams < 0 || nparams > MAX_PARAMS || cb == NULL) return MC_EINVAL;
  op *o = op_new(name, sql, rows_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb.rows = cb;
  int rc = 0;
  for (int i = 0; i < nparams && rc == 0; i++) rc = op_param(o, params[i]);
  return submit_or_free(s, o, rc);
}
