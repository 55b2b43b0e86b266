/* The store's engine: a pool of libpq connections driven by libuv.
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
#include "store.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "error.h"
#include "log.h"
#include "store_internal.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define QUEUE_WAIT_MS 5000   /* queued ops give up when no connection is up */
#define CLOSE_WAIT_MS 5000   /* close stops waiting for in-flight ops */
#define SWEEP_MS 250
#define POOL_MAX 64

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
  store_op *cur;    /* in flight */
  int timeout_ms;   /* the session's statement_timeout; -1 = not set yet */
  int setting;      /* 1: a SET statement_timeout for cur is in flight */
  int set_failed;   /* that SET failed */
};

static void dispatch(mc_store *s);
static void conn_start(conn *c);
static void conn_broken(conn *c, const char *why);
static int is_listener(const conn *c);
static void listener_up(conn *c);

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
    {"53", MC_EUNAVAIL},      {"57", MC_EUNAVAIL},      {"MC020", MC_EINVAL},
};

int store__sqlstate_to_err(const char *sqlstate) {
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
const char *store__pq_line(const char *msg, char *buf, size_t n) {
  size_t i = 0;
  for (; msg && msg[i] && msg[i] != '\n' && i + 1 < n; i++)
    buf[i] = msg[i] == '"' ? '\'' : msg[i];
  buf[i] = '\0';
  return buf;
}

/* Bounded copy that never splits a UTF-8 sequence. */
void store__copy_str(char *dst, size_t n, const char *src) {
  size_t len = src ? strlen(src) : 0;
  if (len >= n) {
    len = n - 1;
    while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80) len--;
  }
  if (len > 0) memcpy(dst, src, len);
  dst[len] = '\0';
}

int64_t store__parse_i64(const char *v) {
  return (v && *v) ? strtoll(v, NULL, 10) : 0;
}

void store__notice_cb(void *arg, const char *msg) {
  char line[256];
  conn *c = arg;
  mc_log_debug(0, "storage notice conn_idx=%d msg=\"%s\"", c ? c->idx : -1,
               store__pq_line(msg, line, sizeof line));
}

/* ------------------------------------------------------------------ ops */

store_op *store__op_new(const char *name, const char *sql, store_done_fn done, void *arg) {
  store_op *o = calloc(1, sizeof *o);
  if (o == NULL) return NULL;
  o->name = name;
  o->sql = sql;
  o->done = done;
  o->arg = arg;
  return o;
}

void store__op_free(store_op *o) {
  for (int i = 0; i < o->nmembers; i++) store__op_free(o->members[i]);
  free(o->members);
  for (int i = 0; i < o->nparams; i++) free(o->params[i]);
  for (int i = 0; i < o->nres; i++) PQclear(o->res[i]);
  PQclear(o->err_res);
  free(o);
}

void store__op_set_class(mc_store *s, store_op *o, const char *unit) {
  store__op_set_unit(o, unit);
  o->timeout_ms = s->statement_timeout_ms;
}

void store__op_set_unit(store_op *o, const char *unit) {
  size_t n = unit ? strlen(unit) : 0;
  if (n >= sizeof o->unit) n = 0;
  memcpy(o->unit, unit ? unit : "", n);
  o->unit[n] = '\0';
}

/* Adds a text parameter; NULL value = SQL NULL. */
int store__param(store_op *o, const char *v) {
  if (o->nparams >= STORE_MAX_PARAMS) return MC_EINTERNAL;
  char *copy = NULL;
  if (v != NULL && (copy = strdup(v)) == NULL) return MC_ENOMEM;
  o->params[o->nparams++] = copy;
  return 0;
}

/* Adds an integer parameter; zero_is_null maps 0 to SQL NULL. */
int store__param_i64(store_op *o, int64_t v, int zero_is_null) {
  char buf[24];
  if (zero_is_null && v == 0) return store__param(o, NULL);
  snprintf(buf, sizeof buf, "%lld", (long long)v);
  return store__param(o, buf);
}

static void op_add_result(store_op *o, PGresult *r) {
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && o->err_res == NULL)
    o->err_res = r;
  else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
    PQclear(r);
  else if (o->nres < STORE_MAX_RESULTS)
    o->res[o->nres++] = r;
  else
    PQclear(r);
}

static int op_result_err(const store_op *o) {
  if (o->err_res == NULL) return o->nres > 0 ? 0 : MC_EINTERNAL;
  return store__sqlstate_to_err(PQresultErrorField(o->err_res, PG_DIAG_SQLSTATE));
}

/* Logs the primary message only: DETAIL lines may quote row values
 * (applicants' id numbers). */
void store__log_failure(const char *name, int err, const char *state, const char *msg) {
  char line[256];
  /* A timeout is a search or list over db_statement_timeout_ms (B6): shown. */
  int lvl = (err == MC_EINTERNAL || err == MC_EUNAVAIL || err == MC_ETIMEOUT) ? MC_LOG_WARN
                                                                               : MC_LOG_DEBUG;
  mc_log(lvl, 0, "storage op failed op=%s err=%s sqlstate=%s msg=\"%s\"", name,
         mc_errname(err), state ? state : "", store__pq_line(msg ? msg : "", line, sizeof line));
}

static void op_log_error(const store_op *o, int err) {
  const PGresult *r = o->err_res;
  store__log_failure(o->name, err, r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL,
              r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL);
}

/* Completes an op: maps errors, counts, calls back, frees. A batch is
 * counted through its members. */
void store__op_complete(mc_store *s, store_op *o, int err) {
  if (err == 0) err = op_result_err(o);
  if (o->members == NULL) s->queries_total++;
  if (err != 0) {
    if (o->members == NULL) s->errors_total++;
    op_log_error(o, err);
  }
  o->done(o, err);
  store__op_free(o);
}

/* -------------------------------------------------------------- queue */

static uint64_t now_ms(const mc_store *s) { return uv_now(s->loop); }

static void queue_push(opq *q, store_op *o) {
  o->next = NULL;
  if (q->tail) q->tail->next = o;
  else q->head = o;
  q->tail = o;
  q->n++;
}

store_op *store__queue_pop(opq *q) {
  store_op *o = q->head;
  if (o == NULL) return NULL;
  q->head = o->next;
  if (q->head == NULL) q->tail = NULL;
  q->n--;
  o->next = NULL;
  return o;
}

static int queued(const mc_store *s) {
  int n = s->q.n;
  for (int k = 0; k < s->nlanes; k++) n += s->rq[k].n;
  return n;
}

static void kick_cb(uv_timer_t *t) { dispatch(t->data); }

/* Queues an op; on error the caller still owns it. */
static int submit(mc_store *s, store_op *o) {
  if (s->closing) return MC_ECLOSED;
  if (queued(s) >= s->max_queue) return MC_EBUSY;
  o->enq_ms = now_ms(s);
  queue_push(o->batched ? &s->rq[o->lane] : &s->q, o);
  uv_timer_start(&s->kick, kick_cb, 0, 0);
  return 0;
}

/* Submits or frees: the common tail of every public operation. */
int store__submit(mc_store *s, store_op *o, int rc) {
  if (rc == 0) rc = submit(s, o);
  if (rc != 0) store__op_free(o);
  return rc;
}

static void fail_queue(mc_store *s, int err) {
  store_op *o;
  while ((o = store__queue_pop(&s->q)) != NULL) store__op_complete(s, o, err);
  for (int k = 0; k < s->nlanes; k++)
    while ((o = store__queue_pop(&s->rq[k])) != NULL) store__op_complete(s, o, err);
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
  store_op *o = c->cur;
  /* Warn on loss, on the first failed attempt and at the capped backoff;
   * the attempts in between are debug noise. */
  int loud = conn_is_up(c) || c->backoff_ms == BACKOFF_MIN_MS || c->backoff_ms == BACKOFF_MAX_MS;
  mc_log(loud ? MC_LOG_WARN : MC_LOG_DEBUG, 0,
         "storage connection down conn_idx=%d reason=\"%s\" retry_ms=%d", c->idx,
         store__pq_line(why, line, sizeof line), c->backoff_ms);
  c->cur = NULL;
  c->setting = 0;
  poll_close(c); /* before PQfinish closes the socket under libuv */
  PQfinish(c->pg);
  c->pg = NULL;
  c->state = CS_DOWN;
  if (!s->closing) conn_schedule_retry(c);
  if (o != NULL) store__op_complete(s, o, MC_EUNAVAIL);
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
  /* in_hot_standby: reported by PostgreSQL 14+ at connect (on = a standby) */
  const char *standby = PQparameterStatus(c->pg, "in_hot_standby");
  mc_log_info(0, "storage connection up pool=%s conn_idx=%d backend_pid=%d standby=%s%s",
              c->s->name, c->idx, PQbackendPID(c->pg), standby != NULL ? standby : "unknown",
              is_listener(c) ? " listener=1" : "");
  if (is_listener(c)) {
    listener_up(c);
    return;
  }
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
  c->timeout_ms = -1;
  c->setting = c->set_failed = 0;
  if (c->pg == NULL) {
    conn_broken(c, "out of memory");
    return;
  }
  if (PQstatus(c->pg) == CONNECTION_BAD) {
    conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  PQsetNoticeProcessor(c->pg, store__notice_cb, c);
  c->state = CS_CONNECTING;
  conn_watch_connect(c, PGRES_POLLING_WRITING);
}

/* ------------------------------------------------------------ queries */

/* Flushes pending output: 0 done, 1 more to send, MC_EUNAVAIL broken. */
static int conn_flush(conn *c) {
  int r = PQflush(c->pg);
  if (r < 0) return MC_EUNAVAIL;
  if (conn_watch(c, r == 1 ? UV_READABLE | UV_WRITABLE : UV_READABLE) != 0) return MC_EUNAVAIL;
  return r;
}

static void conn_send_op(conn *c, store_op *o) {
  /* Without parameters, the simple protocol allows several statements. */
  int ok = o->nparams == 0 ? PQsendQuery(c->pg, o->sql)
                           : PQsendQueryParams(c->pg, o->sql, o->nparams, NULL,
                                               (const char *const *)o->params, NULL,
                                               NULL, 0);
  if (!ok || conn_flush(c) < 0) conn_broken(c, PQerrorMessage(c->pg));
}

/* Statement timeouts by query class (B6): an op states its own (search
 * and list: statement_timeout_ms; others 0, none); when it differs from
 * the session's, a SET goes first and the op follows when it answers. */
static void conn_send(conn *c, store_op *o) {
  c->cur = o;
  c->state = CS_BUSY;
  if (o->timeout_ms == c->timeout_ms) {
    conn_send_op(c, o);
    return;
  }
  char sql[64];
  snprintf(sql, sizeof sql, "SET statement_timeout = %d", o->timeout_ms);
  c->setting = 1;
  c->set_failed = 0;
  if (!PQsendQuery(c->pg, sql) || conn_flush(c) < 0) conn_broken(c, PQerrorMessage(c->pg));
}

/* The SET's last result arrived: send the op, or fail it. */
static void conn_set_done(conn *c) {
  c->setting = 0;
  if (!c->set_failed && PQstatus(c->pg) == CONNECTION_OK) {
    c->timeout_ms = c->cur->timeout_ms;
    conn_send_op(c, c->cur);
    return;
  }
  c->timeout_ms = -1;
  conn_broken(c, "SET statement_timeout failed");
}

/* The op's last result arrived: complete it, then reuse the connection. */
static void conn_finish_op(conn *c) {
  mc_store *s = c->s;
  store_op *o = c->cur;
  c->cur = NULL;
  c->state = CS_IDLE;
  /* A connection lost mid-query ends with a libpq-made error result. */
  store__op_complete(s, o, PQstatus(c->pg) == CONNECTION_OK ? 0 : MC_EUNAVAIL);
  if (c->state != CS_IDLE) return; /* a callback closed things under us */
  if (PQstatus(c->pg) != CONNECTION_OK)
    conn_broken(c, PQerrorMessage(c->pg));
  else
    dispatch(s);
}

static int is_listener(const conn *c) { return c->idx == c->s->pool_size; }

/* A pool connection's backend sent the notification: this instance. */
static int own_backend(const mc_store *s, int pid) {
  for (int i = 0; i < s->pool_size; i++)
    if (s->conns[i].pg != NULL && PQbackendPID(s->conns[i].pg) == pid) return 1;
  return 0;
}

/* Pool connections never LISTEN: a stray notification is dropped. The
 * listener hands each to the store's notify_cb. */
static void conn_drain_notifies(conn *c) {
  PGnotify *n;
  while (c->pg != NULL && (n = PQnotifies(c->pg)) != NULL) {
    if (is_listener(c) && !c->s->closing)
      c->s->notify_cb(c->s->notify_arg, n->relname, n->extra, own_backend(c->s, n->be_pid));
    PQfreemem(n);
  }
}

/* The listener's own statements (LISTEN) answer with results nobody
 * waits for; a connection that breaks is re-made like the others. */
static void listener_read(conn *c) {
  PGresult *r;
  while (c->pg != NULL && !PQisBusy(c->pg) && (r = PQgetResult(c->pg)) != NULL) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      char line[256];
      mc_log_warn(0, "storage listener: %s",
                  store__pq_line(PQresultErrorMessage(r), line, sizeof line));
    }
    PQclear(r);
  }
  if (c->pg != NULL && PQstatus(c->pg) != CONNECTION_OK) conn_broken(c, PQerrorMessage(c->pg));
}

static void listener_up(conn *c) {
  if (!PQsendQuery(c->pg, "LISTEN mc_inbox; LISTEN mc_config") || conn_flush(c) < 0) {
    conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  c->s->notify_cb(c->s->notify_arg, NULL, NULL, 0); /* resync: changes may have been missed */
}

static void conn_read(conn *c) {
  if (!PQconsumeInput(c->pg)) {
    conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  conn_drain_notifies(c);
  if (is_listener(c)) {
    listener_read(c);
    return;
  }
  if (c->cur == NULL) {
    if (PQstatus(c->pg) != CONNECTION_OK) conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  while (!PQisBusy(c->pg)) {
    PGresult *r = PQgetResult(c->pg);
    if (r == NULL && c->setting) {
      conn_set_done(c);
      return;
    }
    if (r == NULL) {
      conn_finish_op(c);
      return;
    }
    if (c->setting) {
      c->set_failed |= PQresultStatus(r) != PGRES_COMMAND_OK;
      PQclear(r);
      continue;
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
  if ((events & UV_WRITABLE) && (c->state == CS_BUSY || is_listener(c)) && conn_flush(c) < 0) {
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


/* A batch of receives from a lane with none in flight (lanes taken in
 * turn), or NULL. store__batch_make takes at least one receive off the lane even
 * when it fails, so the inner loop ends. */
static store_op *next_batch(mc_store *s) {
  for (int i = 0; i < s->nlanes; i++) {
    int k = (s->lane_next + i) % s->nlanes;
    while (s->rq[k].n > 0 && !s->lane_busy[k]) {
      store_op *o = store__batch_make(s, k);
      if (o != NULL) {
        s->lane_next = (k + 1) % s->nlanes;
        return o;
      }
    }
  }
  return NULL;
}

/* Ops of unit in flight. */
static int unit_in_flight(const mc_store *s, const char *unit) {
  int n = 0;
  for (int i = 0; i < s->pool_size; i++) {
    const store_op *o = s->conns[i].cur;
    n += o != NULL && strcmp(o->unit, unit) == 0;
  }
  return n;
}

/* The per-unit share (B6): the oldest queued op whose unit has fewer than
 * unit_share ops in flight (ops without a unit always qualify), taken out
 * of the queue; NULL when every waiting op's unit is at its share. A unit
 * over its share waits behind its own ops only, so one unit's slow
 * searches cannot hold every connection. At most max_queue ops are looked
 * at, and their units' counts only over the pool. */
static store_op *queue_take_fair(mc_store *s) {
  store_op *prev = NULL;
  for (store_op *o = s->q.head; o != NULL; prev = o, o = o->next) {
    if (o->unit[0] != '\0' && unit_in_flight(s, o->unit) >= s->unit_share) continue;
    if (prev == NULL) return store__queue_pop(&s->q);
    prev->next = o->next;
    if (s->q.tail == o) s->q.tail = prev;
    s->q.n--;
    o->next = NULL;
    return o;
  }
  return NULL;
}

/* The next op to send: batches and other ops take turns while both wait,
 * so a steady stream of receives cannot hold up reads on a small pool. */
static store_op *next_op(mc_store *s) {
  store_op *o = s->last_was_batch && s->q.n > 0 ? NULL : next_batch(s);
  if (o == NULL) o = queue_take_fair(s);
  if (o == NULL) o = next_batch(s);
  s->last_was_batch = o != NULL && o->members != NULL;
  return o;
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
    store_op *o;
    if (c->state == CS_IDLE && (o = next_op(s)) != NULL) conn_send(c, o);
  }
}

static void sweep_one(mc_store *s, opq *q, uint64_t now) {
  while (q->head != NULL) {
    uint64_t since = q->head->enq_ms > s->down_since ? q->head->enq_ms : s->down_since;
    if (now - since < QUEUE_WAIT_MS) break;
    store__op_complete(s, store__queue_pop(q), MC_EUNAVAIL);
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
  for (int k = 0; k < s->nlanes; k++) sweep_one(s, &s->rq[k], now);
}

/* Close deadline: in-flight ops that never answer are failed. */
static void sweep_close(mc_store *s, uint64_t now) {
  if (now - s->close_started < CLOSE_WAIT_MS) return;
  for (int i = 0; i < s->pool_size; i++) {
    conn *c = &s->conns[i];
    store_op *o = c->cur;
    c->cur = NULL;
    if (o != NULL) store__op_complete(s, o, MC_ECLOSED);
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
  OPENSSL_cleanse(s->pii_key, sizeof s->pii_key);
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
  for (int i = 0; i < s->nconns; i++) {
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
/* ----------------------------------------------------------------- open */

static void store_init_handles(mc_store *s) {
  uv_timer_init(s->loop, &s->kick);
  uv_timer_init(s->loop, &s->sweep);
  s->kick.data = s;
  s->sweep.data = s;
  for (int i = 0; i < s->nconns; i++) {
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

/* db_receive_lanes = 0: one lane per CPU of this machine (the database is
 * usually on it or on one of its size), 2..16. */
static int default_lanes(void) {
  unsigned n = uv_available_parallelism();
  if (n < STORE_LANES_MIN) n = STORE_LANES_MIN;
  if (n > STORE_LANES_MAX) n = STORE_LANES_MAX;
  return (int)n;
}

static mc_store *store_alloc(uv_loop_t *loop, const mc_store_opts *opts) {
  mc_store *s = calloc(1, sizeof *s);
  if (s == NULL) return NULL;
  s->loop = loop;
  s->pool_size = opts->pool_size;
  s->max_queue = opts->max_queue;
  s->unit_share = opts->unit_share > 0 ? opts->unit_share : opts->pool_size / 4;
  if (s->unit_share < 1) s->unit_share = 1;
  if (s->unit_share > opts->pool_size) s->unit_share = opts->pool_size;
  s->nlanes = opts->receive_lanes > 0 ? opts->receive_lanes : default_lanes();
  if (s->nlanes > opts->pool_size) s->nlanes = opts->pool_size;
  s->statement_timeout_ms = opts->statement_timeout_ms;
  s->conninfo = strdup(opts->conninfo ? opts->conninfo : "");
  snprintf(s->name, sizeof s->name, "%s", opts->name != NULL ? opts->name : "main");
  s->notify_cb = opts->notify_cb;
  s->notify_arg = opts->notify_arg;
  s->nconns = opts->pool_size + (opts->notify_cb != NULL);
  s->conns = calloc((size_t)s->nconns, sizeof *s->conns);
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
  if (opts->pool_size < 1 || opts->pool_size > POOL_MAX || opts->max_queue < 1 ||
      opts->unit_share < 0 || opts->statement_timeout_ms < 0 || opts->receive_lanes < 0 ||
      opts->receive_lanes > STORE_LANES_MAX) {
    snprintf(err, errlen, "db_pool_size must be 1..%d, db_max_queue >= 1, db_receive_lanes"
             " 0..%d, db_unit_share and db_statement_timeout_ms >= 0", POOL_MAX,
             STORE_LANES_MAX);
    return MC_ECONFIG;
  }
  const char *mig = opts->migrate_conninfo && opts->migrate_conninfo[0]
                        ? opts->migrate_conninfo
                        : opts->conninfo;
  int rc = opts->no_migrate ? store__schema_check(opts->conninfo ? opts->conninfo : "", err,
                                                  errlen)
                            : store__migrate(mig ? mig : "", err, errlen);
  if (rc != 0) return rc;
  mc_store *s = store_alloc(loop, opts);
  if (s == NULL) {
    snprintf(err, errlen, "out of memory");
    return MC_ENOMEM;
  }
  if (opts->pii_key_file && opts->pii_key_file[0] &&
      ((rc = store__pii_load(s, opts->pii_key_file, err, errlen)) != 0 ||
       (rc = store__pii_backfill(s, s->conninfo, err, errlen)) != 0)) {
    store_free(s);
    return rc;
  }
  store_init_handles(s);
  for (int i = 0; i < s->nconns; i++) conn_start(&s->conns[i]);
  mc_log_info(0, "storage open pool=%s pool_size=%d max_queue=%d unit_share=%d"
              " receive_lanes=%d statement_timeout_ms=%d migrations=%zu", s->name, s->pool_size,
              s->max_queue, s->unit_share, s->nlanes, s->statement_timeout_ms,
              mc_migrations_count);
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
  st->receive_lanes = s->nlanes;
}
/* ----------------------------------------------------- acknowledged ops */

/* Completion of the operations that answer nothing but success. */
static void done_done(store_op *o, int err) {
  if (err == 0 && o->need_row && (o->nres == 0 || PQntuples(o->res[0]) == 0))
    err = MC_ENOTFOUND;
  if (o->cb != NULL) ((mc_store_done_cb)o->cb)(o->arg, err);
}

store_op *store__done_op(const char *name, const char *sql, mc_store_done_cb cb, void *arg) {
  store_op *o = store__op_new(name, sql, done_done, arg);
  if (o != NULL) o->cb = (store_cb_fn)cb;
  return o;
}

/* ------------------------------------------- generic op for extensions */

static void rows_done(store_op *o, int err) {
  const PGresult *r = err == 0 && o->nres > 0 ? o->res[o->nres - 1] : NULL;
  ((store_rows_cb)o->cb)(o->arg, err, r);
}

int store__exec(mc_store *s, const char *name, const char *sql, const char *const *params,
                  int nparams, store_rows_cb cb, void *arg) {
  if (nparams < 0 || nparams > STORE_MAX_PARAMS || cb == NULL) return MC_EINVAL;
  store_op *o = store__op_new(name, sql, rows_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  int rc = 0;
  for (int i = 0; i < nparams && rc == 0; i++) rc = store__param(o, params[i]);
  return store__submit(s, o, rc);
}
