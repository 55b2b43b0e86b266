/* Reports (issue 17): the period report and the IT gauges, each one
 * statement of migration 018's functions. The database aggregates; the
 * server receives one row per group and the total row, never a dossier. */
#include "store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "store_internal.h"

static const char SQL_REPORT[] =
    "SELECT * FROM mc_report(mc_ms_to_ts($1::bigint), mc_ms_to_ts($2::bigint),"
    " mc_ms_to_ts($3::bigint), $4::int, $5::text[], $6::text)";
#define REPORT_NCOLS (3 + MC_RC_SQL_COUNT)

static void report_row(const PGresult *res, int i, mc_report_row *r) {
  memset(r, 0, sizeof *r);
  r->total = strcmp(PQgetvalue(res, i, 0), "t") == 0;
  store__copy_str(r->key, sizeof r->key, PQgetvalue(res, i, 1));
  store__copy_str(r->name, sizeof r->name, PQgetvalue(res, i, 2));
  for (int k = 0; k < MC_RC_SQL_COUNT; k++) r->c[k] = store__parse_i64(PQgetvalue(res, i, 3 + k));
  mc_report_derive(r);
}

/* Rows in key order, the total last (ORDER BY is_total). A statement with
 * no dossier still answers its total row (GROUPING SETS ... ()). */
static void report_done(store_op *o, int err) {
  mc_store_report_cb cb = (mc_store_report_cb)o->cb;
  mc_report_row *rows = NULL, total;
  int n = err == 0 ? PQntuples(o->res[0]) : 0;
  if (err == 0 && (!store__shape_ok(o->res[0], REPORT_NCOLS) || n < 1)) err = MC_EINTERNAL;
  if (err == 0 && (rows = calloc((size_t)n, sizeof *rows)) == NULL) err = MC_ENOMEM;
  if (err != 0) {
    cb(o->arg, err, NULL, 0, NULL);
    return;
  }
  for (int i = 0; i < n; i++) report_row(o->res[0], i, &rows[i]);
  total = rows[n - 1];
  if (!total.total || (n > 1 && rows[n - 2].total)) err = MC_EINTERNAL;
  cb(o->arg, err, err == 0 ? rows : NULL, err == 0 ? (size_t)n - 1 : 0,
     err == 0 ? &total : NULL);
  free(rows);
}

/* {"a","b"} with each code quoted (codes are [0-9A-Za-z.]: checked). */
static char *units_array(const char *const *units, size_t n) {
  size_t len = 3;
  for (size_t i = 0; i < n; i++) {
    if (strspn(units[i], "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._-") !=
            strlen(units[i]) || units[i][0] == '\0')
      return NULL;
    len += strlen(units[i]) + 3;
  }
  char *a = malloc(len), *p = a;
  if (a == NULL) return NULL;
  *p++ = '{';
  for (size_t i = 0; i < n; i++) p += sprintf(p, "%s\"%s\"", i ? "," : "", units[i]);
  *p++ = '}';
  *p = '\0';
  return a;
}

static int report_params(store_op *o, const mc_report_query *q) {
  char off[16];
  snprintf(off, sizeof off, "%d", q->offset_min);
  char *units = units_array(q->units, q->nunits);
  if (units == NULL) return MC_EINVAL;
  int rc = store__param_i64(o, q->from_ms, 0);
  if (rc == 0) rc = store__param_i64(o, q->to_ms, 0);
  if (rc == 0) rc = store__param_i64(o, q->now_ms, 0);
  if (rc == 0) rc = store__param(o, off);
  if (rc == 0) rc = store__param(o, units);
  if (rc == 0) rc = store__param(o, mc_report_by_name(q->by));
  free(units);
  return rc;
}

int mc_store_report(mc_store *s, const mc_report_query *q, mc_store_report_cb cb, void *arg) {
  if (s == NULL || q == NULL || cb == NULL || q->nunits == 0 || q->to_ms <= q->from_ms ||
      mc_report_by_name(q->by) == NULL || q->timeout_ms < 0)
    return MC_EINVAL;
  store_op *o = store__op_new("report", SQL_REPORT, report_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  o->timeout_ms = q->timeout_ms;
  return store__submit(s, o, report_params(o, q));
}

/* ---- the IT gauges ---------------------------------------------------------- */

static const char SQL_GAUGES[] =
    "SELECT unit, received_today, in_progress, overdue"
    " FROM mc_report_gauges(mc_ms_to_ts($1::bigint), $2::int)";

static void gauges_done(store_op *o, int err) {
  mc_store_gauges_cb cb = (mc_store_gauges_cb)o->cb;
  mc_gauge_row *rows = NULL;
  int n = err == 0 ? PQntuples(o->res[0]) : 0;
  if (err == 0 && !store__shape_ok(o->res[0], 4)) err = MC_EINTERNAL;
  if (err == 0 && n > 0 && (rows = calloc((size_t)n, sizeof *rows)) == NULL) err = MC_ENOMEM;
  for (int i = 0; err == 0 && i < n; i++) {
    const PGresult *r = o->res[0];
    store__copy_str(rows[i].unit, sizeof rows[i].unit, PQgetvalue(r, i, 0));
    rows[i].received_today = store__parse_i64(PQgetvalue(r, i, 1));
    rows[i].in_progress = store__parse_i64(PQgetvalue(r, i, 2));
    rows[i].overdue = store__parse_i64(PQgetvalue(r, i, 3));
  }
  cb(o->arg, err, err == 0 ? rows : NULL, err == 0 ? (size_t)n : 0);
  free(rows);
}

int mc_store_report_gauges(mc_store *s, int64_t now_ms, int offset_min, mc_store_gauges_cb cb,
                           void *arg) {
  if (s == NULL || cb == NULL) return MC_EINVAL;
  store_op *o = store__op_new("report_gauges", SQL_GAUGES, gauges_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  char off[16];
  snprintf(off, sizeof off, "%d", offset_min);
  int rc = store__param_i64(o, now_ms, 0);
  if (rc == 0) rc = store__param(o, off);
  return store__submit(s, o, rc);
}
