/* The desk's lists (ListRequest: filters, order, page, capped total) and
 * its "today" counts (SummaryRequest), one statement each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "error.h"
#include "store_internal.h"

/* ------------------------------------------------------------ the list */

/* The filters, over the columns of dossiers: $2 status, $4 overdue only
 * (mc_dom_overdue's rule, restated for the index), $5 due within this
 * many ms of now (open statuses only, the set written from
 * MC_STATUS_OPEN_SET; NULL = off), $6 the server's now (NULL = the
 * database's), $7 assigned officer, $8 awaiting a leader's signature,
 * $9 procedure, $10 sector, $11..$14 received and due ranges [from, to),
 * $15 holder. NULL = not filtered. %1$s: the open set. */
#define LIST_NOW "coalesce(mc_ms_to_ts($6::bigint), now())"
/* Every overdue dossier is in this set, written exactly as the predicate
 * of migration 024's partial indexes: with $4 true (folded in the plan of
 * the bound values) the planner proves them usable. */
#define LIST_OVERDUE_SET                                                                    \
  "(supplement_count >= 2 OR coalesce(finished_at, paused_at) > due_at"                     \
  " OR (finished_at IS NULL AND paused_at IS NULL))"
#define LIST_FILTERS                                                                        \
  " AND ($2::int = 0 OR status = $2::int)"                                                  \
  " AND (NOT $4::boolean OR " LIST_OVERDUE_SET ")"                                          \
  " AND (NOT $4::boolean OR supplement_count >= 2"                                          \
  "      OR coalesce(finished_at, paused_at, " LIST_NOW ") > due_at)"                        \
  " AND ($5::bigint IS NULL OR (status IN (%1$s)"                                           \
  "      AND due_at <= " LIST_NOW " + $5::bigint * interval '1 millisecond'))"              \
  " AND ($7::bigint IS NULL OR assigned_officer_id = $7::bigint)"                            \
  " AND (NOT $8::boolean OR (awaiting_signature AND status = 4 AND holder_unit = $1"        \
  "      AND (SELECT l.action FROM progress_log l WHERE l.dossier_id = dossiers.id"         \
  "           ORDER BY l.id DESC LIMIT 1) = 'propose'))"                                    \
  " AND ($9::text IS NULL OR procedure_code = $9::text)"                                    \
  " AND ($10::text IS NULL OR procedure_code IN"                                            \
  "      (SELECT p.code FROM procedures p WHERE p.sector = $10::text))"                     \
  " AND ($11::bigint IS NULL OR received_at >= mc_ms_to_ts($11::bigint))"                   \
  " AND ($12::bigint IS NULL OR received_at < mc_ms_to_ts($12::bigint))"                    \
  " AND ($13::bigint IS NULL OR due_at >= mc_ms_to_ts($13::bigint))"                        \
  " AND ($14::bigint IS NULL OR due_at < mc_ms_to_ts($14::bigint))"                         \
  " AND ($15::text IS NULL OR holder_unit = $15::text)"

/* The keyset (issue 19): rows after the cursor in the asked order, $18
 * true when there is one, $19 its key as text (NULL: a row without a due
 * date), $20 its row id. Each sort's column compared with the row id as
 * the tie-break (< descending, > ascending); due dates
 * may be NULL, which PostgreSQL orders last ascending, first descending. */
#define KEY_TS "(timestamptz 'epoch' + $19::text::bigint * interval '1 microsecond')"
#define KEYSET_ROW(col, key, op) \
  " AND (NOT $18::boolean OR (" col ", id) " op " (" key ", $20::bigint))"
static const char *const keyset_sql[MC_SORT__COUNT][2] = {
    [MC_SORT_RECEIVED] = {KEYSET_ROW("received_at", KEY_TS, ">"),
                          KEYSET_ROW("received_at", KEY_TS, "<")},
    [MC_SORT_DUE] =
        {" AND (NOT $18::boolean OR ($19::text IS NULL AND due_at IS NULL AND id > $20::bigint)"
         "  OR ($19::text IS NOT NULL AND ((due_at, id) > (" KEY_TS ", $20::bigint)"
         "      OR due_at IS NULL)))",
         " AND (NOT $18::boolean OR ($19::text IS NULL AND (due_at IS NOT NULL OR id < $20::bigint))"
         "  OR (due_at, id) < (" KEY_TS ", $20::bigint))"},
    [MC_SORT_CODE] = {KEYSET_ROW("code", "$19::text", ">"), KEYSET_ROW("code", "$19::text", "<")},
    [MC_SORT_STATUS] = {KEYSET_ROW("status", "$19::text::int", ">"),
                        KEYSET_ROW("status", "$19::text::int", "<")},
};

/* The sort key as the cursor writes it (cursor.h): times in microseconds. */
static const char *const key_columns[MC_SORT__COUNT] = {
    [MC_SORT_RECEIVED] = "(extract(epoch FROM x.received_at) * 1000000)::bigint",
    [MC_SORT_DUE] = "(extract(epoch FROM x.due_at) * 1000000)::bigint",
    [MC_SORT_CODE] = "x.code", [MC_SORT_STATUS] = "x.status"};

/* Column 0: the matches counted up to $17: two plain index scans (received
 * by the viewer / forwarded to it and received elsewhere), each stopping
 * at $17 rows; a BitmapOr of the two would read every match before the
 * LIMIT (issue 19: the district's 400k forwarded dossiers). Then the page ($16 rows skipped, $3 taken, one
 * more to know whether another page follows) after the cursor (%4$s):
 * two index scans (received by / forwarded to the viewer), each cut at
 * offset + limit + 1 in the asked order (%2$s column, %3$s direction, the
 * row id breaking ties), merged. The LEFT JOIN answers one row of NULL
 * dossier columns when the page is empty, so the count always arrives.
 * %5$s: the sort key in the cursor's form. */
static const char SQL_LIST_FMT[] =
    "SELECT t.n, p.* FROM"
    " (SELECT count(*) AS n FROM ("
    "  (SELECT 1 FROM dossiers WHERE unit_code = $1" LIST_FILTERS " LIMIT $17::int)"
    "  UNION ALL"
    "  (SELECT 1 FROM dossiers WHERE forwarded_to = $1 AND unit_code <> $1" LIST_FILTERS
    "   LIMIT $17::int) LIMIT $17::int) c) t"
    " LEFT JOIN (SELECT " DOSSIER_COLS_P("v.") ", " DOSSIER_X_LIST_P("x.")
    ", x.%2$s AS s_key, x.id AS s_id, %5$s::text AS s_cur FROM dossier_v v"
    " JOIN dossiers x ON x.id = v.id"
    " WHERE v.id IN ("
    " (SELECT id FROM dossiers WHERE unit_code = $1" LIST_FILTERS "%4$s"
    "   ORDER BY %2$s %3$s, id %3$s LIMIT $16::int + $3::int + 1)"
    " UNION"
    " (SELECT id FROM dossiers WHERE forwarded_to = $1" LIST_FILTERS "%4$s"
    "   ORDER BY %2$s %3$s, id %3$s LIMIT $16::int + $3::int + 1))"
    " ORDER BY x.%2$s %3$s, x.id %3$s OFFSET $16::int LIMIT $3::int + 1) p ON true"
    " ORDER BY p.s_key %3$s, p.s_id %3$s";

static const char *const sort_columns[MC_SORT__COUNT] = {
    [MC_SORT_RECEIVED] = "received_at", [MC_SORT_DUE] = "due_at", [MC_SORT_CODE] = "code",
    [MC_SORT_STATUS] = "status"};

/* The statement for one order, written once (the loop's one thread). */
const char *store__sql_list(int sort, int desc) {
  static char sql[MC_SORT__COUNT][2][sizeof SQL_LIST_FMT + 2048];
  char *out = sql[sort][desc != 0];
  if (out[0] == '\0') {
    snprintf(out, sizeof sql[0][0], SQL_LIST_FMT, mc_dom_status_set_sql(MC_STATUS_OPEN_SET),
             sort_columns[sort], desc ? "DESC" : "ASC", keyset_sql[sort][desc != 0], key_columns[sort]);
  }
  return out;
}

/* The page's cursors: the position after each row (cursor.h). */
static int page_cursors(const PGresult *r, int n, int id_col, int key_col, const mc_cursor *proto,
                        mc_cursor *cur) {
  for (int i = 0; i < n; i++) {
    cur[i] = *proto;
    cur[i].id = store__parse_i64(PQgetvalue(r, i, id_col));
    if (mc_cursor_set_key(&cur[i], PQgetvalue(r, i, key_col), PQgetisnull(r, i, key_col)) != 0)
      return MC_EINTERNAL;
  }
  return 0;
}

/* Answers a page of at most limit rows of r (limit + 1 asked: "more"). */
void store__page_answer(store_op *o, const PGresult *r, int first_col, int rows, int limit,
                        const mc_cursor *proto, uint32_t total, int capped) {
  int n = rows > limit ? limit : rows;
  mc_dossier *ds = n > 0 ? calloc((size_t)n, sizeof *ds) : NULL;
  mc_cursor *cur = n > 0 ? calloc((size_t)n, sizeof *cur) : NULL;
  int err = n > 0 && (ds == NULL || cur == NULL) ? MC_ENOMEM : 0;
  int ncols = PQnfields(r);
  if (err == 0) err = page_cursors(r, n, ncols - 2, ncols - 1, proto, cur);
  if (err == 0) {
    for (int i = 0; i < n; i++) {
      store__row_to_dossier(r, i, first_col, &ds[i]);
      store__row_to_extra(r, i, first_col + DOSSIER_NCOLS, &ds[i]);
    }
    mc_page page = {.ds = ds, .cur = cur, .n = (size_t)n, .more = rows > limit,
                    .total = total, .capped = capped};
    ((mc_store_page_cb)o->cb)(o->arg, 0, &page);
  } else {
    ((mc_store_page_cb)o->cb)(o->arg, err, NULL);
  }
  free(cur);
  free(ds);
}

static void list_done(store_op *o, int err) {
  const PGresult *r = err == 0 ? o->res[0] : NULL;
  int rows = r != NULL ? PQntuples(r) : 0;
  if (err == 0 && (rows < 1 || !store__shape_ok(r, 1 + DOSSIER_NCOLS + DOSSIER_X_NCOLS + 3)))
    err = MC_EINTERNAL;
  if (err != 0) {
    ((mc_store_page_cb)o->cb)(o->arg, err, NULL);
    return;
  }
  int n = !PQgetisnull(r, 0, 1) ? rows : 0;
  int64_t count = store__parse_i64(PQgetvalue(r, 0, 0));
  int64_t cap = store__parse_i64(o->params[16]);
  int capped = count >= cap;
  mc_cursor proto = {.kind = MC_CURSOR_LIST};
  proto.sort = o->aux[0];
  proto.desc = o->aux[1];
  /* the s_id, s_cur columns last: PQnfields - 2, - 1 */
  store__page_answer(o, r, 1, n, (int)store__parse_i64(o->params[2]), &proto,
              (uint32_t)(capped ? cap - 1 : count), capped);
}

static const char *opt(const char *v) { return v != NULL && v[0] != '\0' ? v : NULL; }

static int list_params(store_op *o, const mc_list_query *q) {
  int rc = store__param(o, q->viewer_unit);
  if (rc == 0) rc = store__param_i64(o, q->status, 0);
  if (rc == 0) rc = store__param_i64(o, q->limit, 0);
  if (rc == 0) rc = store__param(o, q->overdue ? "t" : "f");
  if (rc == 0) rc = store__param_i64(o, q->due_within_ms, 1);
  if (rc == 0) rc = store__param_i64(o, q->now_ms, 1);
  if (rc == 0) rc = store__param_i64(o, q->assigned_to, 1);
  if (rc == 0) rc = store__param(o, q->awaiting_signature ? "t" : "f");
  if (rc == 0) rc = store__param(o, opt(q->procedure));
  if (rc == 0) rc = store__param(o, opt(q->sector));
  if (rc == 0) rc = store__param_i64(o, q->received_from_ms, 1);
  if (rc == 0) rc = store__param_i64(o, q->received_to_ms, 1);
  if (rc == 0) rc = store__param_i64(o, q->due_from_ms, 1);
  if (rc == 0) rc = store__param_i64(o, q->due_to_ms, 1);
  if (rc == 0) rc = store__param(o, opt(q->holder_unit));
  if (rc == 0) rc = store__param_i64(o, q->offset, 0);
  if (rc == 0) rc = store__param_i64(o, (int64_t)q->total_cap + 1, 0); /* +1: "more" */
  char key[MC_LIM_DOSSIER_CODE + 1];
  mc_cursor_key_text(&q->after, key);
  int keyed = q->after.kind == MC_CURSOR_LIST;
  if (rc == 0) rc = store__param(o, keyed ? "t" : "f");
  if (rc == 0) rc = store__param(o, keyed && !q->after.key_null ? key : NULL);
  if (rc == 0) rc = store__param_i64(o, keyed ? q->after.id : 0, 0);
  o->aux[0] = q->sort; /* read back by list_done */
  o->aux[1] = q->desc;
  return rc;
}

static int list_query_ok(const mc_list_query *q) {
  return q->viewer_unit != NULL && q->limit >= 1 && q->limit <= MC_LIM_LIST &&
         q->offset >= 0 && q->offset <= MC_LIM_LIST_OFFSET && q->sort >= 0 &&
         q->sort < MC_SORT__COUNT && (q->status == 0 || mc_dom_status_valid(q->status)) &&
         q->due_within_ms >= 0 && q->total_cap >= 1 && q->total_cap <= MC_LIM_LIST_TOTAL &&
         (q->after.kind == 0 || (q->after.kind == MC_CURSOR_LIST && q->after.sort == q->sort &&
                                 q->after.desc == q->desc));
}

int mc_store_list(mc_store *s, const mc_list_query *q, mc_store_page_cb cb, void *arg) {
  if (s == NULL || q == NULL || cb == NULL || !list_query_ok(q)) return MC_EINVAL;
  store_op *o = store__op_new("list", store__sql_list(q->sort, q->desc), list_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  store__op_set_class(s, o, q->viewer_unit);
  return store__submit(s, o, list_params(o, q));
}

/* --------------------------------------------------------- the summary */

/* One scan of what the unit holds in the statuses that count (the holder
 * index of migration 020) and one range of its receipts today. $1 unit,
 * $2 now, $3 due-soon limit, $4..$5 today. to_receive: forwarded to it and
 * not yet accepted or assigned (status 2), or sent back to it with a
 * result (9, forwarded, held by its receiving unit again); to_return: its
 * own receipts resolved (9) and held here; the others over the open set
 * (%1$s) with mc_dom_overdue's rule restated. */
#define SUM_OVERDUE "(supplement_count >= 2 OR coalesce(paused_at, mc_ms_to_ts($2::bigint)) > due_at)"
static const char SQL_SUMMARY_FMT[] =
    "SELECT count(*) FILTER (WHERE (forwarded_to = $1 AND status = 2)"
    "   OR (unit_code = $1 AND forwarded_to IS NOT NULL AND status = 9)),"
    " count(*) FILTER (WHERE unit_code = $1 AND status = 9),"
    " count(*) FILTER (WHERE status IN (%1$s) AND paused_at IS NULL AND NOT " SUM_OVERDUE
    "   AND due_at <= mc_ms_to_ts($3::bigint)),"
    " count(*) FILTER (WHERE status IN (%1$s) AND " SUM_OVERDUE "),"
    " count(*) FILTER (WHERE status IN (%1$s)),"
    " (SELECT count(*) FROM dossiers r WHERE r.unit_code = $1"
    "   AND r.received_at >= mc_ms_to_ts($4::bigint) AND r.received_at < mc_ms_to_ts($5::bigint))"
    " FROM dossiers WHERE holder_unit = $1 AND status IN (%1$s,9)";

static const char *sql_summary(void) {
  static char sql[sizeof SQL_SUMMARY_FMT + 128];
  if (sql[0] == '\0') {
    const char *open = mc_dom_status_set_sql(MC_STATUS_OPEN_SET);
    snprintf(sql, sizeof sql, SQL_SUMMARY_FMT, open);
  }
  return sql;
}

static uint32_t count_at(const PGresult *r, int col) {
  int64_t v = store__parse_i64(PQgetvalue(r, 0, col));
  return v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void summary_done(store_op *o, int err) {
  const PGresult *r = err == 0 ? o->res[0] : NULL;
  if (err == 0 && (PQntuples(r) != 1 || !store__shape_ok(r, 6))) err = MC_EINTERNAL;
  mc_summary sum = {0};
  if (err == 0) {
    sum.to_receive = count_at(r, 0);
    sum.to_return = count_at(r, 1);
    sum.due_soon = count_at(r, 2);
    sum.overdue = count_at(r, 3);
    sum.in_progress = count_at(r, 4);
    sum.received_today = count_at(r, 5);
  }
  ((mc_store_summary_cb)o->cb)(o->arg, err, err == 0 ? &sum : NULL);
}

int mc_store_summary(mc_store *s, const mc_summary_query *q, mc_store_summary_cb cb, void *arg) {
  if (s == NULL || q == NULL || q->unit == NULL || cb == NULL || q->day_to_ms <= q->day_from_ms)
    return MC_EINVAL;
  store_op *o = store__op_new("summary", sql_summary(), summary_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  store__op_set_class(s, o, q->unit);
  int rc = store__param(o, q->unit);
  if (rc == 0) rc = store__param_i64(o, q->now_ms, 0);
  if (rc == 0) rc = store__param_i64(o, q->soon_until_ms, 0);
  if (rc == 0) rc = store__param_i64(o, q->day_from_ms, 0);
  if (rc == 0) rc = store__param_i64(o, q->day_to_ms, 0);
  return store__submit(s, o, rc);
}
