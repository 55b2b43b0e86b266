/* Link history operations (store.h) on store__exec. */
#include "store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "error.h"
#include "store_internal.h"

typedef struct call {
  void (*fn)(void);  /* the caller's callback, cast back by type */
  void *arg;
} call;

static call *call_new(void (*fn)(void), void *arg) {
  call *c = malloc(sizeof *c);
  if (c != NULL) *c = (call){fn, arg};
  return c;
}

static int submit(mc_store *s, const char *name, const char *sql, const char *const *p, int n,
                  store_rows_cb done, call *c) {
  if (c == NULL) return MC_ENOMEM;
  int rc = store__exec(s, name, sql, p, n, done, c);
  if (rc != 0) free(c);
  return rc;
}

/* ---- events ------------------------------------------------------------- */

static const char sql_event[] =
    "INSERT INTO link_events (at, unit, kind, reason, boot_ms, conn_id, remote, "
    "client_version, bytes_in, bytes_out, connected_at) VALUES (to_timestamp($1::bigint / 1000.0), "
    "$2, $3, $4, $5, $6, $7, $8, $9, $10, "
    "CASE WHEN $3 = 'disconnect' THEN to_timestamp($11::bigint / 1000.0) END)";

static void event_done(void *arg, int err, const PGresult *res) {
  call *c = arg;
  (void)res;
  ((mc_store_ack_cb)c->fn)(c->arg, err);
  free(c);
}

/* One row, one integer: mc_store_count_cb. */
static void count_done(void *arg, int err, const PGresult *res) {
  call *c = arg;
  if (err == 0 && (!store__shape_ok(res, 1) || PQntuples(res) != 1)) err = MC_EINTERNAL;
  int64_t n = err == 0 ? store__parse_i64(PQgetvalue(res, 0, 0)) : 0;
  ((mc_store_count_cb)c->fn)(c->arg, err, n);
  free(c);
}

int mc_store_link_event(mc_store *s, const mc_link_event *ev, mc_store_ack_cb cb, void *arg) {
  char at[24], boot[24], id[24], bin[24], bout[24], con[24];
  snprintf(at, sizeof at, "%" PRId64, ev->at_ms);
  snprintf(con, sizeof con, "%" PRId64, ev->connected_ms);
  snprintf(boot, sizeof boot, "%" PRId64, ev->boot_ms);
  snprintf(id, sizeof id, "%" PRIu64, ev->conn_id);
  snprintf(bin, sizeof bin, "%" PRIu64, ev->bytes_in);
  snprintf(bout, sizeof bout, "%" PRIu64, ev->bytes_out);
  const char *p[11] = {at, ev->unit, ev->connect ? "connect" : "disconnect",
                       ev->reason ? ev->reason : "", boot, id, ev->remote ? ev->remote : "",
                       ev->client_version ? ev->client_version : "", bin, bout, con};
  return submit(s, "link_event", sql_event, p, 11, event_done, call_new((void (*)(void))cb, arg));
}

static const char sql_alive[] =
    "INSERT INTO link_server_runs (boot_ms, started_at, last_alive) "
    "VALUES ($1::bigint, to_timestamp($1::bigint / 1000.0), to_timestamp($2::bigint / 1000.0)) "
    "ON CONFLICT (boot_ms) DO UPDATE SET last_alive = EXCLUDED.last_alive";

int mc_store_server_alive(mc_store *s, int64_t boot_ms, int64_t now_ms, mc_store_ack_cb cb,
                          void *arg) {
  char boot[24], now[24];
  snprintf(boot, sizeof boot, "%" PRId64, boot_ms);
  snprintf(now, sizeof now, "%" PRId64, now_ms);
  const char *p[2] = {boot, now};
  return submit(s, "server_alive", sql_alive, p, 2, event_done, call_new((void (*)(void))cb, arg));
}

/* ---- uptime --------------------------------------------------------------- */

static const char sql_uptime[] =
    "SELECT unit, day::text, online_s, COALESCE(uptime_pct, -1)::float8, disconnects "
    "FROM link_uptime($1::date, $2::date, $3::int)";

static void uptime_row(const PGresult *res, int i, mc_uptime_row *r) {
  snprintf(r->unit, sizeof r->unit, "%s", PQgetvalue(res, i, 0));
  snprintf(r->day, sizeof r->day, "%s", PQgetvalue(res, i, 1));
  r->online_s = strtoll(PQgetvalue(res, i, 2), NULL, 10);
  r->pct = strtod(PQgetvalue(res, i, 3), NULL);
  r->disconnects = strtoll(PQgetvalue(res, i, 4), NULL, 10);
}

static void uptime_done(void *arg, int err, const PGresult *res) {
  call *c = arg;
  mc_store_uptime_cb cb = (mc_store_uptime_cb)c->fn;
  int n = err == 0 ? PQntuples(res) : 0;
  mc_uptime_row *rows = n > 0 ? calloc((size_t)n, sizeof *rows) : NULL;
  if (n > 0 && rows == NULL) err = MC_ENOMEM;
  for (int i = 0; err == 0 && i < n; i++) uptime_row(res, i, &rows[i]);
  cb(c->arg, err, err == 0 ? rows : NULL, err == 0 ? (size_t)n : 0);
  free(rows);
  free(c);
}

int mc_store_link_uptime(mc_store *s, const char *from, const char *to, int offset_min,
                         mc_store_uptime_cb cb, void *arg) {
  char off[16];
  snprintf(off, sizeof off, "%d", offset_min);
  const char *p[3] = {from, to, off};
  return submit(s, "link_uptime", sql_uptime, p, 3, uptime_done,
                call_new((void (*)(void))cb, arg));
}

/* ---- forwarded, not yet accepted ------------------------------------------ */

static const char sql_waiting[] =
    "SELECT code, unit_code, (extract(epoch FROM forwarded_at) * 1000)::bigint "
    "FROM dossiers WHERE holder_unit = $1 AND forwarded_to = $1 AND status = 2 "
    "ORDER BY forwarded_at LIMIT $2::int";

static void waiting_done(void *arg, int err, const PGresult *res) {
  call *c = arg;
  mc_store_waiting_cb cb = (mc_store_waiting_cb)c->fn;
  int n = err == 0 ? PQntuples(res) : 0;
  mc_waiting_row *rows = n > 0 ? calloc((size_t)n, sizeof *rows) : NULL;
  if (n > 0 && rows == NULL) err = MC_ENOMEM;
  for (int i = 0; err == 0 && i < n; i++) {
    snprintf(rows[i].code, sizeof rows[i].code, "%s", PQgetvalue(res, i, 0));
    snprintf(rows[i].from_unit, sizeof rows[i].from_unit, "%s", PQgetvalue(res, i, 1));
    rows[i].forwarded_ms = strtoll(PQgetvalue(res, i, 2), NULL, 10);
  }
  cb(c->arg, err, err == 0 ? rows : NULL, err == 0 ? (size_t)n : 0);
  free(rows);
  free(c);
}

int mc_store_forwards_waiting(mc_store *s, const char *holder, int limit,
                              mc_store_waiting_cb cb, void *arg) {
  char lim[16];
  snprintf(lim, sizeof lim, "%d", limit);
  const char *p[2] = {holder, lim};
  return submit(s, "forwards_waiting", sql_waiting, p, 2, waiting_done,
                call_new((void (*)(void))cb, arg));
}

/* ---- live links (sql/021_live_links.sql, sql/031_live_changes.sql) ------- */

static const char sql_live_apply[] =
    "SELECT live_links_apply($1, $2::int, $3::boolean, $4::jsonb, $5::bigint[], $6::jsonb)";

static json_t *live_json(const void *rows, size_t i) {
  const mc_live_link *l = (const mc_live_link *)rows + i;
  return json_pack("{s:I, s:s, s:b, s:I, s:I}", "session", (json_int_t)l->session, "unit",
                   l->unit, "resident", l->resident, "connected_ms", (json_int_t)l->connected_ms,
                   "outbox", (json_int_t)l->outbox);
}

static json_t *unit_json(const void *rows, size_t i) {
  const mc_live_unit *u = (const mc_live_unit *)rows + i;
  return json_pack("{s:s, s:I}", "unit", u->unit, "rtt_ms",
                   (json_int_t)(u->rtt_ms < 0 ? -1 : u->rtt_ms));
}

/* A JSON array of item(rows, i) for i < n, as text (NULL on ENOMEM). */
static char *json_rows(const void *rows, size_t n, json_t *(*item)(const void *, size_t)) {
  json_t *a = json_array();
  for (size_t i = 0; a != NULL && i < n; i++)
    if (json_array_append_new(a, item(rows, i)) != 0) {
      json_decref(a);
      a = NULL;
    }
  char *doc = a != NULL ? json_dumps(a, JSON_COMPACT) : NULL;
  json_decref(a);
  return doc;
}

/* {1,2,3}: PostgreSQL's text form of a bigint[] (NULL on ENOMEM). */
static char *id_array(const uint64_t *ids, size_t n) {
  size_t cap = 3 + n * 21, len = 1;
  char *t = malloc(cap);
  if (t == NULL) return NULL;
  t[0] = '{';
  for (size_t i = 0; i < n; i++)
    len += (size_t)snprintf(t + len, cap - len, "%s%" PRIu64, i ? "," : "", ids[i]);
  snprintf(t + len, cap - len, "}");
  return t;
}

int mc_store_live_apply(mc_store *s, const char *instance, int lease_s,
                        const mc_live_changes *ch, mc_store_count_cb cb, void *arg) {
  char *links = json_rows(ch->links, ch->nlinks, live_json);
  char *units = json_rows(ch->units, ch->nunits, unit_json);
  char *gone = id_array(ch->gone, ch->full ? 0 : ch->ngone);
  int rc = MC_ENOMEM;
  if (links != NULL && units != NULL && gone != NULL) {
    char lease[16];
    snprintf(lease, sizeof lease, "%d", lease_s);
    const char *p[6] = {instance, lease, ch->full ? "true" : "false", links, gone, units};
    rc = submit(s, "live_apply", sql_live_apply, p, 6, count_done,
                call_new((void (*)(void))cb, arg));
  }
  free(links);
  free(units);
  free(gone);
  return rc;
}

static const char sql_live_read[] = "SELECT * FROM live_links_read($1, $2::int, $3::int)";

static void live_row(const PGresult *res, int i, mc_live_link *r) {
  store__copy_str(r->instance, sizeof r->instance, PQgetvalue(res, i, 0));
  r->session = (uint64_t)store__parse_i64(PQgetvalue(res, i, 1));
  store__copy_str(r->unit, sizeof r->unit, PQgetvalue(res, i, 2));
  r->resident = PQgetvalue(res, i, 3)[0] == 't';
  r->connected_ms = store__parse_i64(PQgetvalue(res, i, 4));
  r->rtt_ms = store__parse_i64(PQgetvalue(res, i, 5));
  int64_t ob = store__parse_i64(PQgetvalue(res, i, 6));
  r->outbox = ob < 0 ? 0 : ob > UINT32_MAX ? UINT32_MAX : (uint32_t)ob;
}

static void live_read_done(void *arg, int err, const PGresult *res) {
  call *c = arg;
  mc_store_live_cb cb = (mc_store_live_cb)c->fn;
  if (err == 0 && !store__shape_ok(res, 7)) err = MC_EINTERNAL;
  int n = err == 0 ? PQntuples(res) : 0;
  mc_live_link *rows = n > 0 ? calloc((size_t)n, sizeof *rows) : NULL;
  if (n > 0 && rows == NULL) err = MC_ENOMEM;
  for (int i = 0; err == 0 && i < n; i++) live_row(res, i, &rows[i]);
  cb(c->arg, err, err == 0 ? rows : NULL, err == 0 ? (size_t)n : 0);
  free(rows);
  free(c);
}

int mc_store_live_read(mc_store *s, const char *self, int lease_s, int limit,
                       mc_store_live_cb cb, void *arg) {
  char lease[16], lim[16];
  snprintf(lease, sizeof lease, "%d", lease_s);
  snprintf(lim, sizeof lim, "%d", limit);
  const char *p[3] = {self, lease, lim};
  return submit(s, "live_read", sql_live_read, p, 3, live_read_done,
                call_new((void (*)(void))cb, arg));
}

/* ---- retention and rollups (sql/023_retention.sql) ---------------------------- */

static const char *const sql_retention[MC_RET__COUNT] = {
    [MC_RET_CLAIM] = "SELECT CASE WHEN retention_claim($1, $2::int) THEN 1 ELSE -1 END",
    [MC_RET_ROLLUP] = "SELECT link_rollup($1::int, $2::int)",
    [MC_RET_LINK_EVENTS] = "SELECT link_events_prune($1::int, $2::int, $3::int)",
    [MC_RET_IDEM] = "SELECT idem_prune($1::int, $2::int)",
};
static const char *const name_retention[MC_RET__COUNT] = {
    [MC_RET_CLAIM] = "retention_claim", [MC_RET_ROLLUP] = "link_rollup",
    [MC_RET_LINK_EVENTS] = "link_events_prune", [MC_RET_IDEM] = "idem_prune",
};

int mc_store_retention(mc_store *s, mc_retention_step step, const mc_retention_args *a,
                       mc_store_count_cb cb, void *arg) {
  char v[3][16];
  const char *p[3] = {v[0], v[1], v[2]};
  int n = 0;
  switch (step) {
    case MC_RET_CLAIM:
      p[0] = a->instance;
      snprintf(v[1], sizeof v[1], "%d", a->every_s);
      n = 2;
      break;
    case MC_RET_ROLLUP:
      snprintf(v[0], sizeof v[0], "%d", a->offset_min);
      snprintf(v[1], sizeof v[1], "%d", a->max_days);
      n = 2;
      break;
    case MC_RET_LINK_EVENTS:
      snprintf(v[0], sizeof v[0], "%d", a->keep_days);
      snprintf(v[1], sizeof v[1], "%d", a->offset_min);
      snprintf(v[2], sizeof v[2], "%d", a->batch);
      n = 3;
      break;
    case MC_RET_IDEM:
      snprintf(v[0], sizeof v[0], "%d", a->keep_days);
      snprintf(v[1], sizeof v[1], "%d", a->batch);
      n = 2;
      break;
    default:
      return MC_EINVAL;
  }
  return submit(s, name_retention[step], sql_retention[step], p, n, count_done,
                call_new((void (*)(void))cb, arg));
}
