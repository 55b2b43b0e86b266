/* Dossier operations: show, list, search, idempotency lookups, workflow
 * actions (forward included), history, inbox and the refusal audit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "error.h"
#include "store_internal.h"

#define LIST_LIMIT_MAX MC_LIM_LIST
#define HISTORY_MAX 1000    /* progress-log rows answered by history */
#define SEARCH_TEXT_MAX 200 /* bytes */

/* ------------------------------------------------------- row decoding */


#define V(i) PQgetvalue(r, row, c0 + (i))
/* Columns 16.. (004): NULL (older idempotency snapshots) decodes as 0/"". */
static void row_to_dossier_state(const PGresult *r, int row, int c0, mc_dossier *d) {
  store__copy_str(d->assigned_officer, sizeof d->assigned_officer, V(16));
  store__copy_str(d->department, sizeof d->department, V(17));
  d->supplement_count = (int)store__parse_i64(V(18));
  d->rescheduled = (int)store__parse_i64(V(19));
  d->rating = (int)store__parse_i64(V(20));
  d->paused_at_ms = store__parse_i64(V(21));
  d->finished_at_ms = store__parse_i64(V(22));
  d->returned_at_ms = store__parse_i64(V(23));
  store__copy_str(d->collected_by, sizeof d->collected_by, V(24));
  d->fee_amount = store__parse_i64(V(25));
  store__copy_str(d->assigned_login, sizeof d->assigned_login, V(26)); /* 016 */
  d->awaiting_signature = (int)store__parse_i64(V(27));
}

void store__row_to_dossier(const PGresult *r, int row, int c0, mc_dossier *d) {
  memset(d, 0, sizeof *d);
  store__copy_str(d->code, sizeof d->code, V(0));
  d->status = (int)store__parse_i64(V(1));
  store__copy_str(d->unit_code, sizeof d->unit_code, V(2));
  store__copy_str(d->unit_name, sizeof d->unit_name, V(3));
  store__copy_str(d->procedure_code, sizeof d->procedure_code, V(4));
  store__copy_str(d->procedure_name, sizeof d->procedure_name, V(5));
  d->level = (int)store__parse_i64(V(6));
  store__copy_str(d->applicant.name, sizeof d->applicant.name, V(7));
  store__copy_str(d->applicant.id_number, sizeof d->applicant.id_number, V(8));
  store__copy_str(d->applicant.phone, sizeof d->applicant.phone, V(9));
  d->channel = (int)store__parse_i64(V(10));
  d->received_at_ms = store__parse_i64(V(11));
  d->due_at_ms = store__parse_i64(V(12));
  store__copy_str(d->holder_unit, sizeof d->holder_unit, V(13));
  store__copy_str(d->forwarded_to, sizeof d->forwarded_to, V(14));
  d->forwarded_at_ms = store__parse_i64(V(15));
  row_to_dossier_state(r, row, c0, d);
}
#undef V

int store__shape_ok(const PGresult *r, int ncols) { return PQnfields(r) >= ncols; }

/* A single-dossier answer at (o->row, o->col0): no row = MC_ENOTFOUND. */
void store__dossier_done(store_op *o, int err) {
  mc_dossier d;
  if (err == 0 && (PQntuples(o->res[0]) <= o->row ||
                   PQgetisnull(o->res[0], o->row, o->col0)))
    err = MC_ENOTFOUND;
  if (err == 0 && !store__shape_ok(o->res[0], o->col0 + DOSSIER_NCOLS)) err = MC_EINTERNAL;
  if (err != 0) {
    ((mc_store_dossier_cb)o->cb)(o->arg, err, NULL);
    return;
  }
  store__row_to_dossier(o->res[0], o->row, o->col0, &d);
  ((mc_store_dossier_cb)o->cb)(o->arg, 0, &d);
}


static void list_done(store_op *o, int err) {
  mc_dossier *ds = NULL;
  int n = err == 0 ? PQntuples(o->res[0]) : 0;
  if (err == 0 && !store__shape_ok(o->res[0], DOSSIER_NCOLS)) err = MC_EINTERNAL;
  if (err == 0 && n > 0 && (ds = calloc((size_t)n, sizeof *ds)) == NULL) err = MC_ENOMEM;
  if (err != 0) {
    ((mc_store_list_cb)o->cb)(o->arg, err, NULL, 0);
    return;
  }
  int extra = store__shape_ok(o->res[0], DOSSIER_NCOLS + DOSSIER_X_NCOLS);
  for (int i = 0; i < n; i++) {
    store__row_to_dossier(o->res[0], i, 0, &ds[i]);
    if (extra) store__row_to_extra(o->res[0], i, DOSSIER_NCOLS, &ds[i]);
  }
  ((mc_store_list_cb)o->cb)(o->arg, 0, ds, (size_t)n);
  free(ds);
}

static void idem_done(store_op *o, int err) {
  mc_dossier d;
  char action[32];
  if (err == 0 && PQntuples(o->res[0]) == 0) err = MC_ENOTFOUND;
  if (err == 0 && !store__shape_ok(o->res[0], 2 + DOSSIER_NCOLS)) err = MC_EINTERNAL;
  if (err == 0 && strcmp(PQgetvalue(o->res[0], 0, 1), "t") == 0) err = MC_ECONFLICT;
  if (err != 0) {
    ((mc_store_idem_cb)o->cb)(o->arg, err, NULL, NULL);
    return;
  }
  store__copy_str(action, sizeof action, PQgetvalue(o->res[0], 0, 0));
  store__row_to_dossier(o->res[0], 0, 2, &d);
  ((mc_store_idem_cb)o->cb)(o->arg, 0, action, &d);
}
/* differs: the key was first used with another request (009). */
static const char SQL_IDEM[] =
    "SELECT action, differs, " DOSSIER_COLS " FROM (SELECT i.action,"
    " (i.fingerprint IS NOT NULL AND mc_idem_fp($3) IS NOT NULL"
    "  AND i.fingerprint <> mc_idem_fp($3)) AS differs, r.* FROM idempotency i,"
    " jsonb_populate_record(NULL::dossier_v, i.reply) r"
    " WHERE i.unit_code = $1 AND i.key = $2 AND i.reply IS NOT NULL) x";

int mc_store_idem_lookup(mc_store *s, const char *unit_code, const char *idem_key,
                         const char *fingerprint, mc_store_idem_cb cb, void *arg) {
  if (s == NULL || unit_code == NULL || idem_key == NULL || cb == NULL) return MC_EINVAL;
  store_op *o = store__op_new("idem_lookup", SQL_IDEM, idem_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  int rc = store__param(o, unit_code);
  if (rc == 0) rc = store__param(o, idem_key);
  if (rc == 0) rc = store__param(o, fingerprint);
  return store__submit(s, o, rc);
}

/* The intake (015) and the register numbers (017) after the dossier's
 * columns, then the components handed in. */
static const char SQL_SHOW[] =
    "SELECT " DOSSIER_COLS_P("v.") ", " DOSSIER_X_COLS_P("x.") ", " DOSSIER_COMPONENTS_OF("x.id")
    " FROM dossier_v v JOIN dossiers x ON x.id = v.id WHERE v.code = $1";

static int form_code(const char *s, size_t n) {
  static const char *const names[] = {"original", "copy", "certified", "original_or_copy",
                                      "present_only"};
  for (int i = 0; i < 5; i++)
    if (strlen(names[i]) == n && strncmp(s, names[i], n) == 0) return i + 1;
  return 0;
}

/* "1:1:original,2:2:copy" (the database's own text) into in->components. */
static void parse_received(const char *s, mc_intake *in) {
  while (*s != '\0' && in->ncomponents < MC_LIM_COMPONENTS) {
    mc_received *c = &in->components[in->ncomponents];
    char *end;
    c->ordinal = (int)strtol(s, &end, 10);
    if (*end != ':') return;
    c->count = (int)strtol(end + 1, &end, 10);
    if (*end != ':') return;
    const char *f = end + 1, *comma = strchr(f, ',');
    size_t n = comma != NULL ? (size_t)(comma - f) : strlen(f);
    c->form = form_code(f, n);
    in->ncomponents++;
    if (comma == NULL) return;
    s = comma + 1;
  }
}

/* DOSSIER_X_COLS at c0 into d. */
void store__row_to_extra(const PGresult *r, int row, int c0, mc_dossier *d) {
#define V(i) PQgetvalue(r, row, c0 + (i))
  mc_intake *in = &d->intake;
  store__copy_str(in->address, sizeof in->address, V(0));
  store__copy_str(in->email, sizeof in->email, V(1));
  in->sets = (int)store__parse_i64(V(2));
  store__copy_str(in->missing_reason, sizeof in->missing_reason, V(3));
  d->register_no = (int)store__parse_i64(V(4));
  d->register_year = (int)store__parse_i64(V(5));
#undef V
}

static void show_done(store_op *o, int err) {
  mc_dossier d;
  const PGresult *r = err == 0 ? o->res[0] : NULL;
  if (err == 0 && PQntuples(r) < 1) err = MC_ENOTFOUND;
  if (err == 0 && !store__shape_ok(r, DOSSIER_NCOLS + DOSSIER_X_NCOLS + 1)) err = MC_EINTERNAL;
  if (err != 0) {
    ((mc_store_dossier_cb)o->cb)(o->arg, err, NULL);
    return;
  }
  store__row_to_dossier(r, 0, 0, &d);
  store__row_to_extra(r, 0, DOSSIER_NCOLS, &d);
  parse_received(PQgetvalue(r, 0, DOSSIER_NCOLS + DOSSIER_X_NCOLS), &d.intake);
  ((mc_store_dossier_cb)o->cb)(o->arg, 0, &d);
}

int mc_store_show(mc_store *s, const char *code, mc_store_dossier_cb cb, void *arg) {
  if (s == NULL || code == NULL || cb == NULL) return MC_EINVAL;
  store_op *o = store__op_new("show", SQL_SHOW, show_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  return store__submit(s, o, store__param(o, code));
}

/* ------------------------------------------------------ register (06) */

/* The unit's register from the cursor: one range of dossiers_register_idx
 * (017), the period a filter on it. */
static const char SQL_REGISTER[] =
    "SELECT " DOSSIER_COLS_P("v.") ", " DOSSIER_X_COLS_P("x.") " FROM dossiers x"
    " JOIN dossier_v v ON v.id = x.id WHERE x.unit_code = $1"
    " AND x.received_at >= mc_ms_to_ts($2::bigint) AND x.received_at < mc_ms_to_ts($3::bigint)"
    " AND (x.register_year, x.register_no) > ($4::int, $5::int)"
    " AND x.register_year BETWEEN extract(year FROM mc_ms_to_ts($2::bigint) - interval '1 day')"
    "  AND extract(year FROM mc_ms_to_ts($3::bigint) + interval '1 day')"
    " ORDER BY x.register_year, x.register_no LIMIT $6::int";

int mc_store_register(mc_store *s, const mc_register_page *q, mc_store_list_cb cb, void *arg) {
  if (s == NULL || q == NULL || q->unit == NULL || cb == NULL || q->limit < 1 ||
      q->limit > LIST_LIMIT_MAX || q->to_ms <= q->from_ms)
    return MC_EINVAL;
  store_op *o = store__op_new("register", SQL_REGISTER, list_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  store__op_set_class(s, o, q->unit);
  int rc = store__param(o, q->unit);
  if (rc == 0) rc = store__param_i64(o, q->from_ms, 0);
  if (rc == 0) rc = store__param_i64(o, q->to_ms, 0);
  if (rc == 0) rc = store__param_i64(o, q->after_year, 0);
  if (rc == 0) rc = store__param_i64(o, q->after_no, 0);
  if (rc == 0) rc = store__param_i64(o, q->limit, 0);
  return store__submit(s, o, rc);
}

/* ------------------------------------------------------ workflow actions */

static const char SQL_ACTION[] =
    "SELECT " DOSSIER_COLS " FROM mc_action_fp($29::text, ROW($1::text, $2::text, $3::text, $4::text,"
    " $5::text, $6::text, $7::smallint, $8::smallint, $9::text, $10::text, $11::text,"
    " $12::text, $13::text, $14::bigint, $15::bigint, $16::bigint, $17::bigint, $18::int,"
    " $19::boolean, $20::boolean, $21::boolean, $22::text, $23::text, $24::text,"
    " $25::text, $26::smallint, $27::bigint, $28::text, $30::bigint, $31::text,"
    " $32::text)::mc_action_t)";

static const char *nonempty(const char *v) { return v && v[0] ? v : NULL; }
static const char *flag(int v) { return v ? "t" : "f"; }

/* The role as stored in progress_log.role; NULL for none. */
static const char *role_text(int role) {
  return role >= MC_ROLE_COMMUNE && role <= MC_ROLE_SERVER ? mc_role_name((mc_role)role)
                                                           : NULL;
}

/* $1..$6: who acts on what. */
static int action_params_who(store_op *o, const mc_action_rec *r) {
  int rc = store__param(o, r->unit_code);
  if (rc == 0) rc = store__param(o, r->idem_key);
  if (rc == 0) rc = store__param(o, role_text(r->role));
  if (rc == 0) rc = store__param(o, r->officer ? r->officer : "");
  if (rc == 0) rc = store__param(o, r->code);
  if (rc == 0) rc = store__param(o, r->change->action_name);
  return rc;
}

/* $7..$22: the decided change. */
static int action_params_change(store_op *o, const mc_change *c) {
  int rc = store__param_i64(o, c->status_before, 0);
  if (rc == 0) rc = store__param_i64(o, c->status_after, 0);
  if (rc == 0) rc = store__param(o, c->holder_before);
  if (rc == 0) rc = store__param(o, c->holder_after);
  if (rc == 0) rc = store__param(o, nonempty(c->from_unit));
  if (rc == 0) rc = store__param(o, nonempty(c->to_unit));
  if (rc == 0) rc = store__param(o, nonempty(c->notify_unit));
  if (rc == 0) rc = store__param_i64(o, c->at_ms, 0);
  if (rc == 0) rc = store__param_i64(o, c->due_after_ms, 1);
  if (rc == 0) rc = store__param_i64(o, c->step_due_ms, 1);
  if (rc == 0) rc = store__param_i64(o, c->paused_at_after_ms, 1);
  if (rc == 0) rc = store__param_i64(o, c->supplement_inc, 0);
  if (rc == 0) rc = store__param(o, flag(c->set_finished));
  if (rc == 0) rc = store__param(o, flag(c->set_rescheduled));
  if (rc == 0) rc = store__param(o, flag(c->set_returned));
  if (rc == 0) rc = store__param(o, c->result ? c->result : "");
  return rc;
}

/* $23..$28: the request's own fields (NULL = unchanged). */
static int action_params_fields(store_op *o, const mc_action_rec *r) {
  int rc = store__param(o, r->detail ? r->detail : "");
  if (rc == 0) rc = store__param(o, r->assigned_officer);
  if (rc == 0) rc = store__param(o, r->department);
  if (rc == 0) rc = store__param_i64(o, r->rating, 1);
  if (rc == 0) rc = store__param_i64(o, r->fee_amount, 1);
  if (rc == 0) rc = store__param(o, r->collected_by);
  if (rc == 0) rc = store__param(o, r->fingerprint); /* $29: mc_action_fp (009) */
  if (rc == 0) rc = store__param_i64(o, r->officer_id, 1); /* $30..$32 (016) */
  if (rc == 0) rc = store__param(o, r->officer_title ? r->officer_title : "");
  if (rc == 0) rc = store__param(o, r->assigned_login);
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
  store_op *o = store__op_new("action", SQL_ACTION, store__dossier_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  int rc = action_params_who(o, r);
  if (rc == 0) rc = action_params_change(o, r->change);
  if (rc == 0) rc = action_params_fields(o, r);
  return store__submit(s, o, rc);
}

/* -------------------------------------------------------------- history */

#define STEP_NCOLS 14
#define HISTORY_STEP0 (DOSSIER_NCOLS + DOSSIER_X_NCOLS + 1) /* first step column */
#define XSTR(x) #x
#define STR(x) XSTR(x)

/* One row per step (the dossier repeated), or one row with NULL step
 * columns when the log is empty. Rows written before 004 have no role:
 * the acting unit's role stands in. */
static const char SQL_HISTORY[] =
    "SELECT " DOSSIER_COLS_P("v.") ", " DOSSIER_X_COLS_P("x.") ", k.comps,"
    " l.at_ms, l.unit_code, l.officer, l.role, l.action,"
    " l.status_before, l.status_after, l.from_unit, l.to_unit, l.step_due_ms, l.result,"
    " l.detail, l.officer_login, l.officer_title FROM dossier_v v JOIN dossiers x ON x.id = v.id"
    " CROSS JOIN LATERAL (SELECT " DOSSIER_COMPONENTS_OF("v.id") " AS comps) k"
    " LEFT JOIN LATERAL ("
    "  SELECT mc_ts_to_ms(p.at) AS at_ms, p.unit_code, p.officer,"
    "   coalesce(p.role, u.role) AS role, p.action, p.status_before, p.status_after,"
    "   p.from_unit, p.to_unit, mc_ts_to_ms(p.step_due_at) AS step_due_ms, p.result,"
    "   p.detail, (SELECT o.login FROM officers o WHERE o.id = p.officer_id) AS officer_login,"
    "   p.officer_title, p.at, p.id FROM progress_log p JOIN units u ON u.code = p.unit_code"
    "  WHERE p.dossier_id = v.id ORDER BY p.at, p.id LIMIT " STR(HISTORY_MAX) ") l ON true"
    " WHERE v.code = $1 ORDER BY l.at, l.id";

static void row_to_step(const PGresult *r, int row, int c0, mc_step *st) {
#define V(i) PQgetvalue(r, row, c0 + (i))
  memset(st, 0, sizeof *st);
  st->at_ms = store__parse_i64(V(0));
  store__copy_str(st->unit_code, sizeof st->unit_code, V(1));
  store__copy_str(st->officer, sizeof st->officer, V(2));
  st->role = (int)mc_role_parse(V(3));
  store__copy_str(st->action, sizeof st->action, V(4));
  st->status_before = (int)store__parse_i64(V(5));
  st->status_after = (int)store__parse_i64(V(6));
  store__copy_str(st->from_unit, sizeof st->from_unit, V(7));
  store__copy_str(st->to_unit, sizeof st->to_unit, V(8));
  st->step_due_ms = store__parse_i64(V(9));
  store__copy_str(st->result, sizeof st->result, V(10));
  store__copy_str(st->detail, sizeof st->detail, V(11));
  store__copy_str(st->officer_login, sizeof st->officer_login, V(12));
  store__copy_str(st->officer_title, sizeof st->officer_title, V(13));
#undef V
}

static void history_done(store_op *o, int err) {
  mc_dossier d;
  mc_step *steps = NULL;
  int rows = err == 0 ? PQntuples(o->res[0]) : 0;
  if (err == 0 && rows == 0) err = MC_ENOTFOUND;
  if (err == 0 && !store__shape_ok(o->res[0], HISTORY_STEP0 + STEP_NCOLS)) err = MC_EINTERNAL;
  int n = err == 0 && !PQgetisnull(o->res[0], 0, HISTORY_STEP0) ? rows : 0;
  if (n > 0 && (steps = calloc((size_t)n, sizeof *steps)) == NULL) err = MC_ENOMEM;
  if (err != 0) {
    ((mc_store_history_cb)o->cb)(o->arg, err, NULL, NULL, 0);
    return;
  }
  store__row_to_dossier(o->res[0], 0, 0, &d);
  store__row_to_extra(o->res[0], 0, DOSSIER_NCOLS, &d);
  parse_received(PQgetvalue(o->res[0], 0, DOSSIER_NCOLS + DOSSIER_X_NCOLS), &d.intake);
  for (int i = 0; i < n; i++) row_to_step(o->res[0], i, HISTORY_STEP0, &steps[i]);
  ((mc_store_history_cb)o->cb)(o->arg, 0, &d, steps, (size_t)n);
  free(steps);
}

int mc_store_history(mc_store *s, const char *code, mc_store_history_cb cb, void *arg) {
  if (s == NULL || code == NULL || cb == NULL) return MC_EINVAL;
  store_op *o = store__op_new("history", SQL_HISTORY, history_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  return store__submit(s, o, store__param(o, code));
}

/* ---------------------------------------------------------------- inbox */

#define EVENT_NCOLS 5
#define INBOX_EVENT_COLS(i)                                                    \
  "SELECT " i ".id, mc_ts_to_ms(" i ".created_at), " i ".kind, " i ".from_unit, " i \
  ".detail, " DOSSIER_COLS_P("v.")

static const char SQL_INBOX_PEEK[] =
    INBOX_EVENT_COLS("i") " FROM inbox i LEFT JOIN dossier_v v ON v.id = i.dossier_id"
    " WHERE i.unit_code = $1 AND i.read_at IS NULL AND i.id > $3::bigint"
    " ORDER BY i.id LIMIT $2::int";

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
  ev->at_ms = store__parse_i64(PQgetvalue(r, row, 1));
  store__copy_str(ev->kind, sizeof ev->kind, PQgetvalue(r, row, 2));
  store__copy_str(ev->from_unit, sizeof ev->from_unit, PQgetvalue(r, row, 3));
  store__copy_str(ev->detail, sizeof ev->detail, PQgetvalue(r, row, 4));
  if (!PQgetisnull(r, row, EVENT_NCOLS)) store__row_to_dossier(r, row, EVENT_NCOLS, &ev->dossier);
}

static void inbox_done(store_op *o, int err) {
  mc_event *evs = NULL;
  int n = err == 0 ? PQntuples(o->res[0]) : 0;
  if (err == 0 && !store__shape_ok(o->res[0], EVENT_NCOLS + DOSSIER_NCOLS)) err = MC_EINTERNAL;
  if (err == 0 && n > 0 && (evs = calloc((size_t)n, sizeof *evs)) == NULL) err = MC_ENOMEM;
  if (err != 0) {
    ((mc_store_inbox_cb)o->cb)(o->arg, err, NULL, 0);
    return;
  }
  for (int i = 0; i < n; i++) row_to_event(o->res[0], i, &evs[i]);
  ((mc_store_inbox_cb)o->cb)(o->arg, 0, evs, (size_t)n);
  free(evs);
}

int mc_store_inbox(mc_store *s, const char *unit_code, int mark_read, int64_t after_id,
                   int limit, mc_store_inbox_cb cb, void *arg) {
  if (s == NULL || unit_code == NULL || cb == NULL || limit < 1 || limit > LIST_LIMIT_MAX + 1 ||
      after_id < 0 || (mark_read && after_id != 0))
    return MC_EINVAL;
  store_op *o = store__op_new(mark_read ? "inbox_take" : "inbox_peek",
                 mark_read ? SQL_INBOX_TAKE : SQL_INBOX_PEEK, inbox_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  int rc = store__param(o, unit_code);
  if (rc == 0) rc = store__param_i64(o, limit, 0);
  if (rc == 0 && !mark_read) rc = store__param_i64(o, after_id, 0);
  return store__submit(s, o, rc);
}

/* Entries taken (marked read) but not sent: unread again, so the next
 * inbox call answers them (issue 19: a reply cut at the frame cap). */
static const char SQL_INBOX_UNREAD[] =
    "UPDATE inbox SET read_at = NULL WHERE unit_code = $1 AND id = ANY ($2::bigint[])";

int mc_store_inbox_unread(mc_store *s, const char *unit_code, const uint64_t *ids, size_t n,
                          mc_store_done_cb cb, void *arg) {
  if (s == NULL || unit_code == NULL || ids == NULL || n == 0 || n > LIST_LIMIT_MAX + 1)
    return MC_EINVAL;
  char *list = malloc(n * 21 + 3);
  if (list == NULL) return MC_ENOMEM;
  size_t at = 0;
  list[at++] = '{';
  for (size_t i = 0; i < n; i++)
    at += (size_t)sprintf(list + at, "%s%llu", i ? "," : "", (unsigned long long)ids[i]);
  list[at++] = '}';
  list[at] = '\0';
  store_op *o = store__done_op("inbox_unread", SQL_INBOX_UNREAD, cb, arg);
  int rc = o == NULL ? MC_ENOMEM : store__param(o, unit_code);
  if (rc == 0) rc = store__param(o, list);
  free(list);
  return o == NULL ? rc : store__submit(s, o, rc);
}

/* One inbox entry by id, read or not (the wake-up of another instance,
 * migration 019): answered as a list of 0 or 1 events. */
static const char SQL_INBOX_ONE[] =
    INBOX_EVENT_COLS("i") " FROM inbox i LEFT JOIN dossier_v v ON v.id = i.dossier_id"
    " WHERE i.id = $1::bigint AND i.unit_code = $2";

int mc_store_inbox_event(mc_store *s, uint64_t id, const char *unit_code, mc_store_inbox_cb cb,
                         void *arg) {
  if (s == NULL || unit_code == NULL || cb == NULL || id == 0 || id > INT64_MAX) return MC_EINVAL;
  store_op *o = store__op_new("inbox_one", SQL_INBOX_ONE, inbox_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  int rc = store__param_i64(o, (int64_t)id, 0);
  if (rc == 0) rc = store__param(o, unit_code);
  return store__submit(s, o, rc);
}

/* --------------------------------------------------------------- search */

/* Exact code (any case, or without its agency id), citizen id or phone, or a fragment of the name compared
 * without accents or case (trigram index on the same expression). The
 * input is escaped, so % and _ match themselves. A fragment shorter than
 * SEARCH_NAME_MIN characters has no trigram to look up: the name clause
 * would scan every dossier of the unit (B6), so such text is matched
 * against code, id and phone only (btree indexes), store__sql_search_exact. */
#define SEARCH_HEAD                                                   \
  "SELECT " DOSSIER_COLS_P("v.") ", " DOSSIER_X_LIST_P("x.")           \
  ", x.id, (extract(epoch FROM x.received_at) * 1000000)::bigint::text" \
  " FROM dossier_v v JOIN dossiers x ON x.id = v.id WHERE v.id IN ("   \
  " SELECT id FROM dossiers WHERE (unit_code = $1 OR forwarded_to = $1)" \
  "  AND (NOT $4::boolean OR (received_at, id) < (timestamptz 'epoch'" \
  "       + $5::bigint * interval '1 microsecond', $6::bigint))"
/* A code in any case, or its part after the agency id ("261206-0004"):
 * one btree lookup per unit's agency id (issue 14: partial codes). */
#define SEARCH_CODE                                                   \
  "  AND (code = upper($2) OR code = ANY (ARRAY("                      \
  "     SELECT agency_id || '-' || upper($2) FROM units))" SEARCH_PART
/* Any part of a code of SEARCH_PART_MIN characters or more, typed in any
 * case (issue 14: partial codes), through the code's trigram index (017).
 * The guard folds to false at planning for other text (parameters are
 * planned with their values), so such text never touches the index. */
#define SEARCH_PART                                                   \
  "   OR (length($2) >= 4 AND upper($2) ~ '^[A-Z0-9.-]+$'"            \
  "       AND code LIKE '%' || mc_like_escape(upper($2)) || '%')"
/* The citizen's id or phone: by their MAC ($7) with a pii key (W8), else by
 * the clear text ($7 NULL); one index each on coalesce(MAC, clear) (030). */
#define SEARCH_KEYS                                                   \
  SEARCH_CODE                                                         \
  " OR coalesce(applicant_id_mac, applicant_id) = coalesce($7::text, $2)" \
  " OR coalesce(applicant_phone_mac, applicant_phone) = coalesce($7::text, $2)"
#define SEARCH_NAME                                                   \
  "   OR lower(mc_unaccent(applicant_name))"                          \
  "      LIKE '%' || mc_like_escape(lower(mc_unaccent($2))) || '%'"
/* The page after the cursor ($4 true, $5 its time in microseconds, $6
 * its id), newest first, one row more than asked (more). */
#define SEARCH_TAIL ")) ORDER BY v.received_at DESC, v.id DESC LIMIT $3::int + 1"

/* Text of SEARCH_NAME_MIN characters or more (a name fragment or a part
 * of a code): migration 026's mc_search_ids chooses per input between a
 * bounded walk of the viewer's newest rows (common terms: it stops after
 * a page) and the trigram indexes (rare terms), and adds the exact
 * lookups; the same rows in the same order as SEARCH_NAME above
 * (docs/DATABASE.md "Search"). $7: the MAC of the text, or NULL. */
#define SEARCH_WALK(mac)                                                \
  "SELECT " DOSSIER_COLS_P("v.") ", " DOSSIER_X_LIST_P("x.")           \
  ", x.id, (extract(epoch FROM x.received_at) * 1000000)::bigint::text" \
  " FROM dossier_v v JOIN dossiers x ON x.id = v.id WHERE v.id IN ("   \
  " SELECT mc_search_ids($1, $2, $3::int, $4::boolean, $5::bigint, $6::bigint, " mac "))" \
  " ORDER BY v.received_at DESC, v.id DESC LIMIT $3::int + 1"

/* the single statement of every name search before 026 (tests compare) */
const char store__sql_search_one[] = SEARCH_HEAD SEARCH_KEYS SEARCH_NAME SEARCH_TAIL;
const char store__sql_search[] = SEARCH_WALK("$7::text");
const char store__sql_search_exact[] = SEARCH_HEAD SEARCH_KEYS SEARCH_TAIL;

/* Characters (UTF-8 code points) of text. */
static size_t utf8_chars(const char *text) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) n += (*p & 0xC0) != 0x80;
  return n;
}

int store__search_by_name(const char *trimmed_text) {
  return utf8_chars(trimmed_text) >= SEARCH_NAME_MIN;
}

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

static void search_done(store_op *o, int err) {
  const PGresult *r = err == 0 ? o->res[0] : NULL;
  if (err == 0 && !store__shape_ok(r, DOSSIER_NCOLS + DOSSIER_X_NCOLS + 2)) err = MC_EINTERNAL;
  if (err != 0) {
    ((mc_store_page_cb)o->cb)(o->arg, err, NULL);
    return;
  }
  mc_cursor proto = {.kind = MC_CURSOR_SEARCH};
  store__page_answer(o, r, 0, PQntuples(r), o->aux[0], &proto, 0, 0);
}

int mc_store_search(mc_store *s, const char *viewer_unit, const char *text, int limit,
                    const mc_cursor *after, mc_store_page_cb cb, void *arg) {
  char t[SEARCH_TEXT_MAX + 1];
  if (s == NULL || viewer_unit == NULL || text == NULL || cb == NULL || limit < 1 ||
      limit > LIST_LIMIT_MAX || trimmed(text, t, sizeof t) == 0 || after == NULL ||
      (after->kind != 0 && after->kind != MC_CURSOR_SEARCH))
    return MC_EINVAL;
  char mac[STORE_MAC_HEX + 1];
  int by_name = store__search_by_name(t);
  int keyed = store__pii_mac(s, t, mac);
  if (keyed < 0) return keyed;
  keyed = keyed == 0;
  store_op *o = store__op_new(by_name ? "search" : "search_exact",
                              by_name ? store__sql_search : store__sql_search_exact, search_done,
                              arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  o->aux[0] = limit;
  store__op_set_class(s, o, viewer_unit);
  int rc = store__param(o, viewer_unit);
  if (rc == 0) rc = store__param(o, t);
  if (rc == 0) rc = store__param_i64(o, limit, 0);
  if (rc == 0) rc = store__param(o, after->kind != 0 ? "t" : "f");
  if (rc == 0) rc = store__param_i64(o, after->kind != 0 ? after->key_i : 0, 0);
  if (rc == 0) rc = store__param_i64(o, after->kind != 0 ? after->id : 0, 0);
  if (rc == 0) rc = store__param(o, keyed ? mac : NULL); /* $7: NULL = no pii key */
  return store__submit(s, o, rc);
}
/* ------------------------------------------------------------- refusals */

static const char SQL_REFUSAL[] =
    "INSERT INTO refusal_log (unit_code, officer, code, action, rule)"
    " VALUES ($1, $2, $3, $4, $5)";

int mc_store_log_refusal(mc_store *s, const char *unit_code, const char *officer,
                         const char *code, const char *action, const char *rule,
                         mc_store_done_cb cb, void *arg) {
  if (s == NULL) return MC_EINVAL;
  store_op *o = store__done_op("log_refusal", SQL_REFUSAL, cb, arg);
  if (o == NULL) return MC_ENOMEM;
  int rc = store__param(o, unit_code ? unit_code : "");
  if (rc == 0) rc = store__param(o, officer ? officer : "");
  if (rc == 0) rc = store__param(o, code ? code : "");
  if (rc == 0) rc = store__param(o, action ? action : "");
  if (rc == 0) rc = store__param(o, rule ? rule : "");
  return store__submit(s, o, rc);
}
