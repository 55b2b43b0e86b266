/* Receives: queued by lane, sent in batches (group commit). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hash.h"
#include "store_internal.h"

#define BATCH_COL0 3 /* mc_receive_many: ord, sqlstate, message, dossier */

/* ------------------------------------------------------ receive batches */

/* Group commit. The receives queued while the database was busy go as one
 * statement, mc_receive_many (server/sql/007_receive_many.sql): one
 * transaction and one WAL flush for up to STORE_BATCH_MAX dossiers, each in its
 * own subtransaction so a refused one does not undo the others. Every
 * reply still leaves after the commit.
 *
 * Lanes: a receive locks its unit's day-sequence row until commit, so two
 * batches holding the same units would run one after the other. Units are
 * hashed to db_receive_lanes lanes with at most one batch in flight per lane:
 * batches in flight never share a unit, one executes while another
 * commits, and receives arriving during a commit gather into their lane's
 * next batch instead of trickling out one per free connection. */

static const char SQL_RECEIVE_MANY[] =
    "SELECT o_ord, o_state, o_msg, " DOSSIER_COLS_P("(o_d).")
    " FROM mc_receive_many($1::jsonb)";

/* A receive's parameters as a JSON array of strings and nulls; NULL when a
 * parameter is not valid UTF-8 (jansson checks) or memory ran out. */
static json_t *batch_item(const store_op *m) {
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

static void batch_done(store_op *b, int err);

/* Moves up to STORE_BATCH_MAX queued receives into a new batch op; a receive
 * that cannot be encoded is refused alone. NULL: nothing to send. */
static store_op *batch_fill(mc_store *s, store_op *b, json_t *items) {
  while (b->nmembers < STORE_BATCH_MAX && s->rq[b->lane].head != NULL) {
    store_op *m = store__queue_pop(&s->rq[b->lane]);
    if (json_array_append_new(items, batch_item(m)) != 0) {
      store__op_complete(s, m, MC_EINVAL);
      continue;
    }
    b->members[b->nmembers++] = m;
  }
  if (b->nmembers == 0) { /* every one was refused */
    s->lane_busy[b->lane] = 0;
    store__op_free(b);
    return NULL;
  }
  if ((b->params[0] = json_dumps(items, JSON_COMPACT)) == NULL) {
    store__op_complete(s, b, MC_ENOMEM); /* fails its members */
    return NULL;
  }
  b->nparams = 1;
  s->batches_total++;
  s->batched_total += (uint64_t)b->nmembers;
  return b;
}

store_op *store__batch_make(mc_store *s, int lane) {
  store_op *b = store__op_new("receive_many", SQL_RECEIVE_MANY, batch_done, s); /* arg: the store */
  json_t *items = json_array();
  if (b != NULL) b->members = calloc(STORE_BATCH_MAX, sizeof *b->members);
  if (b == NULL || items == NULL || b->members == NULL) {
    if (b != NULL) store__op_free(b);
    json_decref(items);
    store__op_complete(s, store__queue_pop(&s->rq[lane]), MC_ENOMEM); /* progress, not a spin */
    return NULL;
  }
  b->lane = lane;
  s->lane_busy[lane] = 1; /* batch_done frees it, whatever happens */
  b = batch_fill(s, b, items);
  json_decref(items);
  return b;
}

/* rowof[i] = the result row answering member i, -1 if none. */
static void batch_rows(const store_op *b, int err, int *rowof) {
  for (int i = 0; i < b->nmembers; i++) rowof[i] = -1;
  const PGresult *r = b->res[0];
  if (err != 0 || !store__shape_ok(r, BATCH_COL0 + DOSSIER_NCOLS)) return;
  for (int row = 0; row < PQntuples(r); row++) {
    int64_t ord = store__parse_i64(PQgetvalue(r, row, 0));
    if (ord >= 1 && ord <= b->nmembers) rowof[ord - 1] = row;
  }
}

/* Completes one member from its row: the row's SQLSTATE, or its dossier. */
static void batch_member_done(mc_store *s, store_op *m, PGresult *r, int row, int err) {
  if (err == 0 && row < 0) err = MC_EINTERNAL;
  if (err == 0 && !PQgetisnull(r, row, 1)) {
    err = store__sqlstate_to_err(PQgetvalue(r, row, 1));
    store__log_failure(m->name, err, PQgetvalue(r, row, 1), PQgetvalue(r, row, 2));
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
  store__op_free(m);
}

/* The batch answered (or failed as a whole: every member gets err). */
static void batch_done(store_op *b, int err) {
  mc_store *s = b->arg;
  int rowof[STORE_BATCH_MAX];
  s->lane_busy[b->lane] = 0;
  if (err == 0 && !store__shape_ok(b->res[0], BATCH_COL0 + DOSSIER_NCOLS)) err = MC_EINTERNAL;
  batch_rows(b, err, rowof);
  for (int i = 0; i < b->nmembers; i++) {
    store_op *m = b->members[i];
    b->members[i] = NULL;
    batch_member_done(s, m, b->res[0], rowof[i], err);
  }
  b->nmembers = 0;
}
/* Items 12 and 13 (013): the MACs of id and phone, NULL without a key. */
static int receive_macs(const mc_store *s, store_op *o, const mc_applicant *a) {
  char mac[STORE_MAC_HEX + 1];
  int rc = store__pii_mac(s, a->id_number, mac);
  if (rc >= 0) rc = store__param(o, rc == 0 ? mac : NULL);
  if (rc >= 0) rc = store__pii_mac(s, a->phone, mac);
  if (rc >= 0) rc = store__param(o, rc == 0 ? mac : NULL);
  return rc;
}

/* Item 19 (015): [[ordinal, count, form name or null], ...]; only
 * integers and fixed names, so no escaping is needed. */
static int receive_components(store_op *o, const mc_receive_rec *r) {
  static const char *const forms[] = {"original", "copy", "certified", "original_or_copy",
                                      "present_only"};
  char json[MC_LIM_COMPONENTS * 48 + 8];
  size_t n = r->ncomponents, len = 1;
  if (n > MC_LIM_COMPONENTS || (n > 0 && r->components == NULL)) return MC_EINVAL;
  json[0] = '[';
  for (size_t i = 0; i < n; i++) {
    const mc_received *c = &r->components[i];
    int f = c->form >= MC_FORM_ORIGINAL && c->form <= MC_FORM_PRESENT_ONLY ? c->form : 0;
    int w = snprintf(json + len, sizeof json - len, "%s[%d,%d,%s%s%s]", i > 0 ? "," : "",
                     c->ordinal, c->count, f ? "\"" : "", f ? forms[f - 1] : "null",
                     f ? "\"" : "");
    if (w < 0 || (size_t)w >= sizeof json - len) return MC_ETOOBIG;
    len += (size_t)w;
  }
  if (len + 2 > sizeof json) return MC_ETOOBIG;
  memcpy(json + len, "]", 2);
  return store__param(o, json);
}

/* Items 15..19 (015): address, e-mail, sets, missing reason, components. */
static int receive_intake(store_op *o, const mc_receive_rec *r) {
  int rc = store__param(o, r->address ? r->address : "");
  if (rc == 0) rc = store__param(o, r->email ? r->email : "");
  if (rc == 0) rc = store__param_i64(o, r->sets > 0 ? r->sets : 1, 0);
  if (rc == 0) rc = store__param(o, r->missing_reason ? r->missing_reason : "");
  if (rc == 0) rc = receive_components(o, r);
  return rc;
}

static int receive_params(const mc_store *s, store_op *o, const mc_receive_rec *r) {
  const mc_applicant *a = r->applicant;
  int rc = store__param(o, r->unit_code);
  if (rc == 0) rc = store__param(o, r->idem_key);
  if (rc == 0) rc = store__param(o, r->agency_id);
  if (rc == 0) rc = store__param(o, r->day);
  if (rc == 0) rc = store__param(o, r->procedure_code);
  if (rc == 0) rc = store__param(o, a->name);
  if (rc == 0) rc = store__param(o, a->id_number);
  if (rc == 0) rc = store__param(o, a->phone);
  if (rc == 0) rc = store__param_i64(o, r->channel, 0);
  if (rc == 0) rc = store__param(o, r->officer ? r->officer : "");
  if (rc == 0) rc = store__param_i64(o, r->received_at_ms, 0);
  if (rc == 0) rc = store__param_i64(o, r->due_at_ms, 1);
  if (rc == 0) rc = store__param(o, r->fingerprint); /* item 12 (009) */
  if (rc == 0) rc = receive_macs(s, o, a);            /* items 13, 14 (013) */
  if (rc == 0) rc = receive_intake(o, r);             /* items 15..19 (015) */
  if (rc == 0) rc = store__param_i64(o, r->officer_id, 1); /* items 20, 21 (016) */
  if (rc == 0) rc = store__param(o, r->officer_title ? r->officer_title : "");
  return rc;
}

int mc_store_receive(mc_store *s, const mc_receive_rec *r, mc_store_dossier_cb cb,
                     void *arg) {
  if (s == NULL || r == NULL || cb == NULL || r->applicant == NULL || !r->idem_key ||
      !r->unit_code || !r->agency_id || !r->day || !r->procedure_code)
    return MC_EINVAL;
  store_op *o = store__op_new("receive", NULL, store__dossier_done, arg);
  if (o == NULL) return MC_ENOMEM;
  o->cb = (store_cb_fn)cb;
  o->batched = 1; /* its parameters become one item of a batch */
  o->lane = (int)(mc_fnv1a_str(r->unit_code) % (uint32_t)s->nlanes); /* a unit: one lane */
  return store__submit(s, o, receive_params(s, o, r));
}
