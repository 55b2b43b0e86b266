/* Integration test of the workflow operations of server/store/
 * (actions, history, inbox, search, list filters, calendar, refusal log)
 * against a throwaway PostgreSQL 15 cluster (pgtest.h). The pool runs as
 * the restricted role motcua_app; migrations run as the owner. Changes
 * are decided by the real transition table (mc_wf_decide). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pgtest.h"
#include "store.h"
#include "store_internal.h"
#include "actions.h"
#include "workflow.h"

#define WATCHDOG_S 280
#define HOUR 3600000LL
#define DAY (24 * HOUR)
#define T0 1780272000000LL /* 2026-06-01T00:00:00Z = 07:00 in Hà Tĩnh, a Monday */
#define TNOW (T0 + 10 * DAY)
#define DAYS "260601"
#define DISTRICT_PROC "2.000720"
#define COMMUNE_PROC "1.001193"

static char g_app_conninfo[256];
static const mc_calendar g_cal = {420, 900, 450, 1020, NULL, 0, NULL, 0, NULL, 0};

/* ------------------------------------------------------------ callbacks */

typedef struct dres {
  int done, err;
  mc_dossier d;
} dres;

static void dossier_cb(void *arg, int err, const mc_dossier *d) {
  dres *r = arg;
  r->done++;
  r->err = err;
  if (d) r->d = *d;
}

typedef struct lres {
  int done, err;
  size_t n;
  mc_dossier ds[64];
  uint32_t total; /* a page's count of matches (page_cb) */
  int capped;
} lres;

static void list_cb(void *arg, int err, const mc_dossier *ds, size_t n) {
  lres *r = arg;
  r->done++;
  r->err = err;
  r->n = n;
  for (size_t i = 0; i < n && i < 64; i++) r->ds[i] = ds[i];
}

/* mc_store_list's page callback: the rows as list_cb takes them. */
static void page_cb(void *arg, int err, const mc_page *pg) {
  const mc_dossier *ds = pg != NULL ? pg->ds : NULL;
  size_t n = pg != NULL ? pg->n : 0;
  lres *r = arg;
  r->total = pg != NULL ? pg->total : 0;
  r->capped = pg != NULL ? pg->capped : 0;
  list_cb(arg, err, ds, n);
}

/* A search page with its cursors (issue 19). */
typedef struct pres {
  int done, err, more;
  size_t n;
  char codes[64][MC_DOSSIER_CODE_MAX];
  int64_t received[64];
  mc_cursor next;
} pres;

static void search_page_cb(void *arg, int err, const mc_page *pg) {
  pres *r = arg;
  r->done++;
  r->err = err;
  if (err != 0) return;
  r->n = pg->n;
  r->more = pg->more;
  for (size_t i = 0; i < pg->n && i < 64; i++) {
    memcpy(r->codes[i], pg->ds[i].code, MC_DOSSIER_CODE_MAX);
    r->received[i] = pg->ds[i].received_at_ms;
  }
  if (pg->n > 0) r->next = pg->cur[pg->n - 1];
}

typedef struct hres {
  int done, err;
  mc_dossier d;
  size_t n;
  mc_step steps[32];
} hres;

static void history_cb(void *arg, int err, const mc_dossier *d, const mc_step *st, size_t n) {
  hres *r = arg;
  r->done++;
  r->err = err;
  r->n = n;
  if (d) r->d = *d;
  for (size_t i = 0; i < n && i < 32; i++) r->steps[i] = st[i];
}

typedef struct ires {
  int done, err;
  size_t n;
  mc_event ev[16];
} ires;

static void inbox_cb(void *arg, int err, const mc_event *ev, size_t n) {
  ires *r = arg;
  r->done++;
  r->err = err;
  r->n = n;
  for (size_t i = 0; i < n && i < 16; i++) r->ev[i] = ev[i];
}

typedef struct cres {
  int done, err;
  size_t n;
  mc_calday days[64];
} cres;

static void calendar_cb(void *arg, int err, const mc_calday *days, size_t n) {
  cres *r = arg;
  r->done++;
  r->err = err;
  r->n = n;
  for (size_t i = 0; i < n && i < 64; i++) r->days[i] = days[i];
}

typedef struct eres {
  int done, err;
} eres;

static void done_cb(void *arg, int err) {
  eres *r = arg;
  r->done++;
  r->err = err;
}


/* ------------------------------------------------------------- wrappers */


static int g_seq;

static mc_dossier receive(mc_store *s, const char *unit, const char *agency, const char *proc,
                          const char *name, const char *id, const char *phone, int64_t due) {
  char key[24];
  dres r = {0};
  mc_applicant a = {{0}, {0}, {0}};
  snprintf(a.name, sizeof a.name, "%s", name);
  snprintf(a.id_number, sizeof a.id_number, "%s", id);
  snprintf(a.phone, sizeof a.phone, "%s", phone);
  snprintf(key, sizeof key, "rcv-%d", ++g_seq);
  mc_receive_rec rec = {key, unit, agency, DAYS, proc, &a, MC_CH_DIRECT, "Trần Văn Nam",
                        T0 + g_seq * 60000LL, due, NULL, NULL, NULL, 0, NULL, 0, NULL, 0, NULL};
  CHECK(mc_store_receive(s, &rec, dossier_cb, &r) == 0);
  pgt_run_until(&r.done, WAIT_MS);
  CHECK(r.err == 0);
  return r.d;
}

static int show(mc_store *s, const char *code, mc_dossier *out) {
  dres r = {0};
  CHECK(mc_store_show(s, code, dossier_cb, &r) == 0);
  pgt_run_until(&r.done, WAIT_MS);
  if (r.err == 0) *out = r.d;
  return r.err;
}

/* One action as a handler would do it: decide on the dossier as seen,
 * then store the change. */
typedef struct step_in {
  const char *unit;
  int role;
  int action;
  int64_t now;
  const char *key;
  int64_t new_due;
  int rating;
  int64_t fee;
  const char *detail, *assigned, *dept, *collected;
} step_in;

static void decide(const mc_dossier *d, const step_in *in, mc_change *c) {
  mc_actor who = {{0}, (mc_role)in->role, MC_OFF_ALL_ROLES};
  snprintf(who.unit, sizeof who.unit, "%s", in->unit);
  mc_action_args args = {in->action, in->now, in->new_due, in->rating};
  const char *rule = NULL;
  int rc = mc_wf_decide(&g_cal, d, "444", &who, &args, c, &rule);
  if (rc != 0) fprintf(stderr, "decide %d: %s\n", in->action, rule ? rule : "?");
  CHECK(rc == 0);
}

static void submit_action(mc_store *s, const char *code, const step_in *in, const mc_change *c,
                          dres *out) {
  mc_action_rec rec = {in->key, in->unit, in->role, "Cán bộ thử", code, c,
                       in->detail ? in->detail : "", in->assigned, in->dept, in->rating,
                       in->fee, in->collected, NULL, 0, NULL, NULL};
  memset(out, 0, sizeof *out);
  CHECK(mc_store_action(s, &rec, dossier_cb, out) == 0);
  CHECK(out->done == 0);
}

static int act(mc_store *s, mc_dossier *d, const step_in *in) {
  mc_change c;
  dres r = {0};
  decide(d, in, &c);
  submit_action(s, d->code, in, &c, &r);
  pgt_run_until(&r.done, WAIT_MS);
  if (r.err == 0) *d = r.d;
  return r.err;
}

static int inbox(mc_store *s, const char *unit, int mark, int limit, ires *out) {
  memset(out, 0, sizeof *out);
  CHECK(mc_store_inbox(s, unit, mark, 0, limit, inbox_cb, out) == 0);
  pgt_run_until(&out->done, WAIT_MS);
  return out->err;
}

static int search(mc_store *s, const char *viewer, const char *text, lres *out) {
  memset(out, 0, sizeof *out);
  mc_cursor first = {0};
  int rc = mc_store_search(s, viewer, text, 50, &first, page_cb, out);
  if (rc != 0) return rc;
  pgt_run_until(&out->done, WAIT_MS);
  return out->err;
}

static int history(mc_store *s, const char *code, hres *out) {
  memset(out, 0, sizeof *out);
  CHECK(mc_store_history(s, code, history_cb, out) == 0);
  pgt_run_until(&out->done, WAIT_MS);
  return out->err;
}

/* SQLSTATE of a statement run as motcua_app ("" on success). */
static void app_sqlstate(PGconn *app, const char *sql, char out[6]) {
  PGresult *r = PQexec(app, sql);
  const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  snprintf(out, 6, "%s", st ? st : "");
  PQclear(r);
}

/* ---------------------------------------------------------------- tests */

static void test_role(void) {
  char st[6];
  PGconn *app = PQconnectdb(g_app_conninfo);
  CHECK(PQstatus(app) == CONNECTION_OK);
  app_sqlstate(app, "SELECT count(*) FROM progress_log", st);
  CHECK(strcmp(st, "") == 0);
  app_sqlstate(app, "UPDATE progress_log SET officer = 'x'", st);
  CHECK(strcmp(st, "42501") == 0);
  app_sqlstate(app, "DELETE FROM progress_log", st);
  CHECK(strcmp(st, "42501") == 0);
  app_sqlstate(app, "TRUNCATE progress_log", st);
  CHECK(strcmp(st, "42501") == 0);
  app_sqlstate(app, "DELETE FROM dossiers", st);
  CHECK(strcmp(st, "42501") == 0);
  app_sqlstate(app, "CREATE TABLE evil (x int)", st);
  CHECK(strcmp(st, "42501") == 0);
  PQfinish(app);
  /* The owner is stopped by the 001 trigger instead. */
  PGresult *r = PQexec(pgt_check, "UPDATE progress_log SET officer = 'x'");
  const char *st_owner = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  CHECK(st_owner != NULL && strcmp(st_owner, "MC008") == 0);
  PQclear(r);
  fprintf(stderr, "ok motcua_app: UPDATE/DELETE/TRUNCATE progress_log -> permission denied\n");
}

/* The owner migrated; a store running only as motcua_app opens on the
 * up-to-date schema without creating anything. */
static void test_open_as_app(void) {
  mc_store *s = pgt_open_store(g_app_conninfo, NULL, 4, 1000);
  pgt_close_store(s);
  fprintf(stderr, "ok open as motcua_app with nothing to migrate\n");
}

static void check_final(const mc_dossier *d) {
  CHECK(d->status == MC_ST_RETURNED && strcmp(d->holder_unit, "18496") == 0);
  CHECK(strcmp(d->forwarded_to, "444") == 0 && d->forwarded_at_ms == T0 + HOUR);
  CHECK(strcmp(d->assigned_officer, "Lê Thị Mai") == 0);
  CHECK(strcmp(d->department, "Phòng Tài chính - Kế hoạch") == 0);
  CHECK(d->supplement_count == 1 && d->paused_at_ms == 0 && d->rescheduled == 0);
  CHECK(d->fee_amount == 100000 && d->rating == 3);
  CHECK(d->finished_at_ms == T0 + 2 * DAY && d->returned_at_ms == T0 + 3 * DAY);
  CHECK(strcmp(d->collected_by, "Nguyễn Văn Bảo") == 0);
}

static const char *const g_flow[] = {"receive", "forward", "accept", "assign",
                                     "supplement_request", "supplement", "fee_request",
                                     "fee_paid", "result", "send_back", "return", "rate"};

static void check_history(mc_store *s, const char *code) {
  hres h = {0};
  CHECK(history(s, code, &h) == 0 && h.n == 12 && strcmp(h.d.code, code) == 0);
  for (size_t i = 0; i < 12; i++) CHECK(strcmp(h.steps[i].action, g_flow[i]) == 0);
  for (size_t i = 1; i < 12; i++) CHECK(h.steps[i].at_ms >= h.steps[i - 1].at_ms);
  CHECK(h.steps[0].role == MC_ROLE_COMMUNE && h.steps[0].status_before == 0);
  CHECK(strcmp(h.steps[1].from_unit, "18496") == 0 && strcmp(h.steps[1].to_unit, "444") == 0);
  CHECK(h.steps[2].role == MC_ROLE_DISTRICT && strcmp(h.steps[2].unit_code, "444") == 0);
  CHECK(h.steps[2].status_before == 2 && h.steps[2].status_after == 4);
  CHECK(strcmp(h.steps[4].detail, "Thiếu bản sao CCCD") == 0);
  CHECK(h.steps[5].role == MC_ROLE_COMMUNE);
  CHECK(strcmp(h.steps[8].result, "early") == 0);
  CHECK(strcmp(h.steps[9].to_unit, "18496") == 0 && h.d.status == MC_ST_RETURNED);
  CHECK(history(s, "H30.44.01-" DAYS "-9999", &h) == MC_ENOTFOUND);
  fprintf(stderr, "ok history: 12 steps oldest first, roles, hand-overs, detail, result\n");
}

/* A district-level dossier from receipt to rating. */
static mc_dossier test_full_flow(mc_store *s) {
  mc_dossier d = receive(s, "18496", "H30.44.01", DISTRICT_PROC, "Hoàng Văn Đức",
                         "042190001111", "0911000111", T0 + 5 * DAY);
  const int C = MC_ROLE_COMMUNE, D = MC_ROLE_DISTRICT;
  step_in steps[] = {
      {"18496", C, MC_ACT_FORWARD, T0 + HOUR, "w1", 0, 0, 0, NULL, NULL, NULL, NULL},
      {"444", D, MC_ACT_ACCEPT, T0 + 2 * HOUR, "w2", 0, 0, 0, NULL, NULL, NULL, NULL},
      {"444", D, MC_ACT_ASSIGN, T0 + 3 * HOUR, "w3", 0, 0, 0, "giao việc", "Lê Thị Mai",
       "Phòng Tài chính - Kế hoạch", NULL},
      {"444", D, MC_ACT_SUPPLEMENT_REQUEST, T0 + 4 * HOUR, "w4", 0, 0, 0, "Thiếu bản sao CCCD",
       NULL, NULL, NULL},
      {"18496", C, MC_ACT_SUPPLEMENT, T0 + 5 * HOUR, "w5", 0, 0, 0, NULL, NULL, NULL, NULL},
      {"444", D, MC_ACT_FEE_REQUEST, T0 + 6 * HOUR, "w6", 0, 0, 100000, NULL, NULL, NULL, NULL},
      {"444", D, MC_ACT_FEE_PAID, T0 + 7 * HOUR, "w7", 0, 0, 0, NULL, NULL, NULL, NULL},
      {"444", D, MC_ACT_RESULT, T0 + 2 * DAY, "w8", 0, 0, 0, NULL, NULL, NULL, NULL},
      {"444", D, MC_ACT_SEND_BACK, T0 + 2 * DAY + HOUR, "w9", 0, 0, 0, NULL, NULL, NULL, NULL},
      {"18496", C, MC_ACT_RETURN, T0 + 3 * DAY, "w10", 0, 0, 0, NULL, NULL, NULL,
       "Nguyễn Văn Bảo"},
      {"18496", C, MC_ACT_RATE, T0 + 3 * DAY + HOUR, "w11", 0, 3, 0, NULL, NULL, NULL, NULL},
  };
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    CHECK(act(s, &d, &steps[i]) == 0);
    if (steps[i].action == MC_ACT_SUPPLEMENT_REQUEST)
      CHECK(d.status == MC_ST_SUPPLEMENT && d.paused_at_ms == T0 + 4 * HOUR);
    if (steps[i].action == MC_ACT_SUPPLEMENT) CHECK(d.paused_at_ms == 0 && d.due_at_ms > T0 + 5 * DAY);
  }
  check_final(&d);
  mc_dossier again;
  CHECK(show(s, d.code, &again) == 0);
  check_final(&again);
  check_history(s, d.code);
  fprintf(stderr, "ok full flow forward..rate: every new dossier field stored and read back\n");
  return d;
}

/* Two decisions on the same state: the second finds it changed. */
static void test_guard(mc_store *s) {
  mc_dossier d = receive(s, "18499", "H30.44.02", COMMUNE_PROC, "Bùi Thị Lan", "042190002222",
                         "0911000222", T0 + 2 * DAY);
  step_in acc = {"18499", MC_ROLE_COMMUNE, MC_ACT_ACCEPT, T0 + HOUR, "g1", 0, 0, 0,
                 NULL, NULL, NULL, NULL};
  step_in ref = acc;
  ref.action = MC_ACT_REFUSE;
  ref.key = "g2";
  ref.detail = "Hồ sơ không đúng thẩm quyền";
  mc_change ca, cr;
  dres ra, rr;
  decide(&d, &acc, &ca);
  decide(&d, &ref, &cr);
  submit_action(s, d.code, &acc, &ca, &ra);
  submit_action(s, d.code, &ref, &cr, &rr);
  pgt_run_until(&ra.done, WAIT_MS);
  pgt_run_until(&rr.done, WAIT_MS);
  CHECK((ra.err == 0) != (rr.err == 0)); /* exactly one wins, concurrently */
  CHECK(ra.err == MC_EBADSTATE || rr.err == MC_EBADSTATE);
  /* The same decision again under a new key: changed meanwhile. */
  step_in again = ra.err == 0 ? ref : acc;
  again.key = "g3";
  submit_action(s, d.code, &again, ra.err == 0 ? &cr : &ca, &rr);
  pgt_run_until(&rr.done, WAIT_MS);
  CHECK(rr.err == MC_EBADSTATE);
  /* Unknown code. */
  acc.key = "g4";
  submit_action(s, "H30.44.02-" DAYS "-9999", &acc, &ca, &rr);
  pgt_run_until(&rr.done, WAIT_MS);
  CHECK(rr.err == MC_ENOTFOUND);
  CHECK(pgt_long("SELECT count(*) FROM progress_log l JOIN dossiers d ON d.id = l.dossier_id"
                 " WHERE d.applicant_id = '042190002222'") == 2);
  fprintf(stderr, "ok optimistic guard: concurrent accept/refuse -> one wins, other bad_state;"
                  " unknown code -> not_found\n");
}

/* Reschedule and rate are once-only even when two race on the same state. */
static void test_once_only_race(mc_store *s) {
  mc_dossier d = receive(s, "18499", "H30.44.02", COMMUNE_PROC, "Đỗ Minh Sơn", "042190003333",
                         "0911000333", T0 + 2 * DAY);
  /* new appointments on working days in office hours (issue 14): Thu and Fri 17:00 */
  step_in r1 = {"18499", MC_ROLE_COMMUNE, MC_ACT_RESCHEDULE, T0 + HOUR, "o1",
                T0 + 3 * DAY + 10 * HOUR, 0, 0, "Xin lỗi, hẹn lại", NULL, NULL, NULL};
  step_in r2 = r1;
  r2.key = "o2";
  r2.new_due = T0 + 4 * DAY + 10 * HOUR;
  mc_change c1, c2;
  dres a, b;
  decide(&d, &r1, &c1);
  decide(&d, &r2, &c2);
  submit_action(s, d.code, &r1, &c1, &a);
  pgt_run_until(&a.done, WAIT_MS);
  submit_action(s, d.code, &r2, &c2, &b);
  pgt_run_until(&b.done, WAIT_MS);
  CHECK(a.err == 0 && a.d.rescheduled == 1 && a.d.due_at_ms == T0 + 3 * DAY + 10 * HOUR);
  CHECK(b.err == MC_EBADSTATE);
  fprintf(stderr, "ok once-only: a second reschedule on the same state -> bad_state\n");
}

static void test_replay(mc_store *s) {
  mc_dossier d = receive(s, "18502", "H30.44.03", COMMUNE_PROC, "Vũ Thị Yến", "042190004444",
                         "0911000444", T0 + 2 * DAY);
  step_in acc = {"18502", MC_ROLE_COMMUNE, MC_ACT_ACCEPT, T0 + HOUR, "r1", 0, 0, 0,
                 NULL, NULL, NULL, NULL};
  mc_change c;
  dres r = {0};
  decide(&d, &acc, &c);
  submit_action(s, d.code, &acc, &c, &r);
  pgt_run_until(&r.done, WAIT_MS);
  CHECK(r.err == 0 && r.d.status == MC_ST_PROCESSING);
  long nlog = pgt_long("SELECT count(*) FROM progress_log");
  submit_action(s, d.code, &acc, &c, &r); /* same key: the first answer, nothing new */
  pgt_run_until(&r.done, WAIT_MS);
  CHECK(r.err == 0 && r.d.status == MC_ST_PROCESSING && strcmp(r.d.code, d.code) == 0);
  CHECK(pgt_long("SELECT count(*) FROM progress_log") == nlog);
  step_in other = acc;
  other.action = MC_ACT_REFUSE; /* same key, another action */
  mc_change cr = c;
  cr.action_name = "refuse";
  submit_action(s, d.code, &other, &cr, &r);
  pgt_run_until(&r.done, WAIT_MS);
  CHECK(r.err == MC_ECONFLICT);
  submit_action(s, "H30.44.03-" DAYS "-9999", &acc, &c, &r); /* same key, another dossier */
  pgt_run_until(&r.done, WAIT_MS);
  CHECK(r.err == MC_ECONFLICT);
  fprintf(stderr, "ok action replay by key; key reuse for another action/dossier -> conflict\n");
}

/* Replies stored before 004 lack the new fields: they decode as zeros. */
static void test_old_snapshot(mc_store *s) {
  mc_dossier d = receive(s, "18502", "H30.44.03", COMMUNE_PROC, "Phan Văn Tùng",
                         "042190005555", "0911000555", T0 + 2 * DAY);
  step_in asg = {"18502", MC_ROLE_COMMUNE, MC_ACT_ACCEPT, T0 + HOUR, "old1", 0, 0, 0,
                 NULL, NULL, NULL, NULL};
  CHECK(act(s, &d, &asg) == 0);
  pgt_exec("UPDATE idempotency SET reply = reply - 'assigned_officer' - 'department'"
           " - 'supplement_count' - 'rescheduled' - 'rating' - 'paused_at_ms'"
           " - 'finished_at_ms' - 'returned_at_ms' - 'collected_by' - 'fee_amount'"
           " || '{\"fee_amount\": null}' WHERE key = 'old1'");
  mc_change c;
  dres r = {0};
  mc_dossier before = d;
  before.status = MC_ST_RECEIVED;
  decide(&before, &asg, &c);
  submit_action(s, d.code, &asg, &c, &r);
  pgt_run_until(&r.done, WAIT_MS);
  CHECK(r.err == 0 && r.d.status == MC_ST_PROCESSING && r.d.fee_amount == 0);
  CHECK(r.d.assigned_officer[0] == '\0' && r.d.supplement_count == 0 && r.d.rating == 0);
  fprintf(stderr, "ok pre-004 reply snapshot replays with zeroed new fields\n");
}

static void test_inbox(mc_store *s, const mc_dossier *flow) {
  ires in = {0};
  /* 444 got: forward of the full flow, and a second forward (the live
   * path: decided by the rules, stored by mc_store_action). */
  mc_dossier b = receive(s, "18505", "H30.44.04", DISTRICT_PROC, "Lê Văn Nam", "042190006666",
                         "0911000666", T0 + 5 * DAY);
  step_in fw = {.unit = "18505", .role = MC_ROLE_COMMUNE, .action = MC_ACT_FORWARD,
                .now = T0 + 2 * HOUR, .key = "fw-legacy"};
  CHECK(act(s, &b, &fw) == 0);
  CHECK(inbox(s, "444", 0, 100, &in) == 0 && in.n >= 3);
  size_t n444 = in.n;
  CHECK(strcmp(in.ev[0].kind, "forward") == 0 && strcmp(in.ev[0].from_unit, "18496") == 0);
  CHECK(strcmp(in.ev[0].dossier.code, flow->code) == 0);
  CHECK(in.ev[0].dossier.status == MC_ST_RETURNED); /* as it is now */
  CHECK(strcmp(in.ev[n444 - 1].dossier.code, b.code) == 0);
  CHECK(strcmp(in.ev[n444 - 1].kind, "forward") == 0);
  CHECK(in.ev[0].id < in.ev[1].id);
  /* Commune 18496: supplement request, result?, send_back ... oldest first. */
  CHECK(inbox(s, "18496", 0, 100, &in) == 0 && in.n >= 2);
  CHECK(strcmp(in.ev[0].kind, "accept") == 0 && strcmp(in.ev[0].from_unit, "444") == 0);
  int found = 0;
  for (size_t i = 0; i < in.n; i++)
    found |= strcmp(in.ev[i].kind, "supplement_request") == 0 &&
             strcmp(in.ev[i].detail, "Thiếu bản sao CCCD") == 0;
  CHECK(found);
  /* Take one: exactly that one is marked. */
  uint64_t first = in.ev[0].id;
  size_t total = in.n;
  CHECK(inbox(s, "18496", 1, 1, &in) == 0 && in.n == 1 && in.ev[0].id == first);
  CHECK(inbox(s, "18496", 0, 100, &in) == 0 && in.n == total - 1 && in.ev[0].id > first);
  CHECK(inbox(s, "18496", 1, 1000, &in) == 0 && in.n == total - 1);
  CHECK(inbox(s, "18496", 0, 100, &in) == 0 && in.n == 0);
  CHECK(inbox(s, "18496", 1, 100, &in) == 0 && in.n == 0);
  CHECK(mc_store_inbox(s, "18496", 0, 0, 0, inbox_cb, &in) == MC_EINVAL);
  CHECK(mc_store_inbox(s, "18496", 0, 0, 1002, inbox_cb, &in) == MC_EINVAL);
  CHECK(mc_store_inbox(s, "18496", 1, 5, 10, inbox_cb, &in) == MC_EINVAL); /* take: no cursor */
  CHECK(inbox(s, "444", 0, 100, &in) == 0 && in.n == n444); /* others untouched */
  fprintf(stderr, "ok inbox: forward (both paths) tells the district; peek, take one, take"
                  " rest\n");
}

static void test_search(mc_store *s) {
  lres l = {0};
  mc_dossier t = receive(s, "18508", "H30.44.05", COMMUNE_PROC, "Nguyễn Thị Thu Trang",
                         "042190007777", "0911000777", T0 + 2 * DAY);
  receive(s, "18508", "H30.44.05", COMMUNE_PROC, "Đặng Văn Hùng", "042190008888", "0911000888",
          T0 + 2 * DAY);
  receive(s, "18508", "H30.44.05", COMMUNE_PROC, "Phạm Văn Bình", "042190009999", "0911000999",
          T0 + 2 * DAY);
  CHECK(search(s, "18508", "Nguyen Thi Thu Trang", &l) == 0 && l.n == 1);
  CHECK(strcmp(l.ds[0].code, t.code) == 0 && strcmp(l.ds[0].applicant.name, "Nguyễn Thị Thu Trang") == 0);
  CHECK(search(s, "18508", "nguyễn thị thu trang", &l) == 0 && l.n == 1);
  CHECK(search(s, "18508", "  TRANG ", &l) == 0 && l.n == 1);
  CHECK(search(s, "18508", "Dang", &l) == 0 && l.n == 1);
  CHECK(strcmp(l.ds[0].applicant.name, "Đặng Văn Hùng") == 0);
  CHECK(search(s, "18508", "van", &l) == 0 && l.n == 2);
  CHECK(strcmp(l.ds[0].applicant.name, "Phạm Văn Bình") == 0); /* newest first */
  CHECK(search(s, "18508", "042190007777", &l) == 0 && l.n == 1);
  CHECK(search(s, "18508", "0911000888", &l) == 0 && l.n == 1);
  CHECK(search(s, "18508", t.code, &l) == 0 && l.n == 1);
  { /* issue 14: a code in any case, and its part after the agency id */
    char lower[64], *tail = strchr(t.code, '-');
    snprintf(lower, sizeof lower, "%s", t.code);
    for (char *p = lower; *p; p++) *p = (char)tolower((unsigned char)*p);
    CHECK(search(s, "18508", lower, &l) == 0 && l.n == 1);
    CHECK(tail != NULL && search(s, "18508", tail + 1, &l) == 0 && l.n == 1);
    CHECK(tail != NULL && search(s, "18511", tail + 1, &l) == 0 && l.n == 0); /* not visible */
  }
  CHECK(search(s, "18508", "04219000", &l) == 0 && l.n == 0); /* ids match exactly only */
  CHECK(search(s, "18508", "m_v", &l) == 0 && l.n == 0);      /* _ is literal */
  CHECK(search(s, "18508", "%", &l) == 0 && l.n == 0);
  CHECK(search(s, "18511", "Trang", &l) == 0 && l.n == 0);    /* not visible */
  CHECK(search(s, "444", "Duc", &l) == 0 && l.n == 1);        /* forwarded to the district */
  CHECK(search(s, "18508", "   ", &l) == MC_EINVAL);
  CHECK(search(s, "18508", "", &l) == MC_EINVAL);
  fprintf(stderr, "ok search: accents, đ->d, case, id/phone/code exact, LIKE escaped,"
                  " visibility\n");
}

static void test_filters(mc_store *s) {
  lres l = {0};
  mc_list_query q = {.viewer_unit = "18514", .limit = 100, .now_ms = TNOW, .desc = 1,
                     .total_cap = MC_LIM_LIST_TOTAL};
  mc_dossier d1 = receive(s, "18514", "H30.44.06", COMMUNE_PROC, "Một", "", "", TNOW - HOUR);
  mc_dossier d2 = receive(s, "18514", "H30.44.06", COMMUNE_PROC, "Hai", "", "", TNOW + 2 * HOUR);
  receive(s, "18514", "H30.44.06", COMMUNE_PROC, "Ba", "", "", TNOW + 10 * DAY);
  mc_dossier d4 = receive(s, "18514", "H30.44.06", COMMUNE_PROC, "Bốn", "", "", TNOW + 10 * DAY);
  mc_dossier d5 = receive(s, "18514", "H30.44.06", COMMUNE_PROC, "Năm", "", "", TNOW - DAY);
  const char *keys[] = {"fl1", "fl2", "fl3", "fl4", "fl5"};
  int acts[] = {MC_ACT_ACCEPT, MC_ACT_SUPPLEMENT_REQUEST, MC_ACT_SUPPLEMENT,
                MC_ACT_SUPPLEMENT_REQUEST, MC_ACT_SUPPLEMENT};
  for (int i = 0; i < 5; i++) {
    step_in st = {"18514", MC_ROLE_COMMUNE, acts[i], T0 + (i + 1) * HOUR, keys[i], 0, 0, 0,
                  NULL, NULL, NULL, NULL};
    CHECK(act(s, &d4, &st) == 0);
  }
  CHECK(d4.supplement_count == 2 && d4.status == MC_ST_PROCESSING);
  step_in a5 = {"18514", MC_ROLE_COMMUNE, MC_ACT_ACCEPT, T0 + HOUR, "fl6", 0, 0, 0, NULL, NULL,
                NULL, NULL};
  CHECK(act(s, &d5, &a5) == 0);
  a5.action = MC_ACT_RESULT; /* finished before its due time */
  a5.key = "fl7";
  CHECK(act(s, &d5, &a5) == 0 && d5.status == MC_ST_RESOLVED);
  lres all = {0};
  CHECK(mc_store_list(s, &q, page_cb, &all) == 0);
  pgt_run_until(&all.done, WAIT_MS);
  CHECK(all.err == 0 && all.n == 5);
  q.overdue = 1;
  CHECK(mc_store_list(s, &q, page_cb, &l) == 0);
  pgt_run_until(&l.done, WAIT_MS);
  CHECK(l.err == 0 && l.n == 2);
  for (size_t i = 0; i < l.n; i++) CHECK(mc_wf_overdue(&l.ds[i], TNOW));
  for (size_t i = 0; i < all.n; i++)
    CHECK(mc_wf_overdue(&all.ds[i], TNOW) ==
          (strcmp(all.ds[i].code, d1.code) == 0 || strcmp(all.ds[i].code, d4.code) == 0));
  q.overdue = 0;
  q.due_within_ms = DAY;
  memset(&l, 0, sizeof l);
  CHECK(mc_store_list(s, &q, page_cb, &l) == 0);
  pgt_run_until(&l.done, WAIT_MS);
  CHECK(l.err == 0 && l.n == 2);
  CHECK(strcmp(l.ds[0].code, d2.code) == 0 && strcmp(l.ds[1].code, d1.code) == 0);
  q.due_within_ms = HOUR;
  memset(&l, 0, sizeof l);
  CHECK(mc_store_list(s, &q, page_cb, &l) == 0);
  pgt_run_until(&l.done, WAIT_MS);
  CHECK(l.err == 0 && l.n == 1 && strcmp(l.ds[0].code, d1.code) == 0);
  q.due_within_ms = -1;
  CHECK(mc_store_list(s, &q, page_cb, &l) == MC_EINVAL);
  fprintf(stderr, "ok list filters: overdue (as mc_wf_overdue), due within 1 day / 1 hour\n");
}

static int cal_load(mc_store *s, int year, cres *out) {
  memset(out, 0, sizeof *out);
  CHECK(mc_store_load_calendar(s, year, calendar_cb, out) == 0);
  pgt_run_until(&out->done, WAIT_MS);
  return out->err;
}

static int cal_put(mc_store *s, const char *date, int workday, const char *name) {
  mc_calday d = {{0}, workday, {0}};
  eres r = {0};
  snprintf(d.date, sizeof d.date, "%s", date);
  snprintf(d.name, sizeof d.name, "%s", name);
  CHECK(mc_store_calendar_put(s, &d, done_cb, &r) == 0);
  pgt_run_until(&r.done, WAIT_MS);
  return r.err;
}

static int cal_remove(mc_store *s, const char *date) {
  eres r = {0};
  CHECK(mc_store_calendar_remove(s, date, done_cb, &r) == 0);
  pgt_run_until(&r.done, WAIT_MS);
  return r.err;
}

static void test_calendar(mc_store *s) {
  cres c = {0};
  CHECK(cal_load(s, 2026, &c) == 0 && c.n == 11);
  CHECK(strcmp(c.days[0].date, "2026-01-01") == 0 && c.days[0].workday == 0);
  CHECK(strcmp(c.days[0].name, "Tết Dương lịch") == 0);
  for (size_t i = 1; i < c.n; i++) CHECK(strcmp(c.days[i - 1].date, c.days[i].date) < 0);
  int found = 0;
  for (size_t i = 0; i < c.n; i++) found |= strcmp(c.days[i].date, "2026-04-27") == 0;
  CHECK(found);
  CHECK(cal_load(s, 2027, &c) == 0 && c.n == 11 && strcmp(c.days[10].date, "2027-09-03") == 0);
  CHECK(cal_load(s, 0, &c) == 0 && c.n == 22);
  CHECK(cal_put(s, "2026-05-09", 1, "Làm bù (thử)") == 0);
  CHECK(cal_put(s, "2026-05-09", 1, "Làm bù cho 1/5") == 0); /* replaces */
  CHECK(cal_load(s, 2026, &c) == 0 && c.n == 12);
  CHECK(strcmp(c.days[9].date, "2026-05-09") == 0 && c.days[9].workday == 1);
  CHECK(strcmp(c.days[9].name, "Làm bù cho 1/5") == 0);
  CHECK(cal_remove(s, "2026-05-09") == 0);
  CHECK(cal_remove(s, "2026-05-09") == MC_ENOTFOUND);
  CHECK(cal_put(s, "2026-13-45", 0, "x") == MC_EINVAL);
  CHECK(cal_load(s, 2026, &c) == 0 && c.n == 11);
  CHECK(mc_store_load_calendar(s, -1, calendar_cb, &c) == MC_EINVAL);
  fprintf(stderr, "ok calendar: 2026/2027 seed, put/replace/remove, not found, bad date\n");
}

static void test_refusal(mc_store *s) {
  eres r = {0};
  CHECK(mc_store_log_refusal(s, "18496", "Trần Văn Nam", "H30.44.01-" DAYS "-0001", "rate",
                             "the citizen's rating is recorded once", NULL, NULL) == 0);
  CHECK(mc_store_log_refusal(s, "444", "", "", "forward", "only commune desks may do this",
                             done_cb, &r) == 0);
  pgt_run_until(&r.done, WAIT_MS);
  CHECK(r.err == 0);
  for (int i = 0; i < 50 && pgt_long("SELECT count(*) FROM refusal_log") < 2; i++)
    pgt_run_for(20);
  CHECK(pgt_long("SELECT count(*) FROM refusal_log WHERE action = 'rate'"
                 " AND unit_code = '18496'") == 1);
  fprintf(stderr, "ok refusal log, with and without a callback\n");
}

/* Execution time (ms) EXPLAIN ANALYZE reports for sql with its n params
 * (a search's 7: $7 the text's MAC, NULL here: no pii key); *seq:
 * the plan scans dossiers sequentially. */
static double explain_n_ms(const char *sql, int n, const char *const *params, int *seq,
                          const char *want_index, int *uses) {
  char q[8192];
  double ms = -1;
  snprintf(q, sizeof q, "EXPLAIN (ANALYZE) %s", sql);
  PGresult *r = PQexecParams(pgt_check, q, n, NULL, params, NULL, NULL, 0);
  CHECK(PQresultStatus(r) == PGRES_TUPLES_OK);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) fprintf(stderr, "%s\n", PQresultErrorMessage(r));
  *seq = 0;
  if (uses != NULL) *uses = 0;
  for (int i = 0; i < PQntuples(r); i++) {
    const char *line = PQgetvalue(r, i, 0);
    if (getenv("MC_TEST_DEBUG")) fprintf(stderr, "  %s\n", line);
    *seq |= strstr(line, "Seq Scan on dossiers") != NULL;
    if (uses != NULL && want_index != NULL) *uses |= strstr(line, want_index) != NULL;
    const char *t = strstr(line, "Execution Time: ");
    if (t != NULL) ms = atof(t + 16);
  }
  PQclear(r);
  return ms;
}

static double explain_ms(const char *sql, const char *const *params, int *seq) {
  return explain_n_ms(sql, 7, params, seq, NULL, NULL);
}

/* B6: text shorter than 3 characters is matched against code, id and phone
 * only (btree), never by a scan of the unit's names. Prints the figures of
 * the name statement (what every search ran before) and of the one run now. */
static void test_short_search_scale(mc_store *s) {
  const char *zq[7] = {"18508", "zq", "50", "f", "0", "0"};
  const char *trang[7] = {"18508", "Trang", "50", "f", "0", "0"};
  int seq_name, seq_exact, seq_trang;
  double before = explain_ms(store__sql_search_one, zq, &seq_name);
  double after = explain_ms(store__sql_search_exact, zq, &seq_exact);
  double normal = explain_ms(store__sql_search_one, trang, &seq_trang);
  CHECK(!seq_exact && !seq_trang);
  lres l = {0};
  uint64_t t = uv_hrtime();
  CHECK(search(s, "18508", "zq", &l) == 0 && l.n == 0);
  uint64_t ms = (uv_hrtime() - t) / 1000000;
  CHECK(search(s, "18508", " 00 ", &l) == 0 && l.n == 0); /* no id fragment either */
  fprintf(stderr, "ok 200k dossiers: 'zq' by name %.1f ms%s, by code/id/phone %.1f ms"
                  " (store %llu ms); 'Trang' by name %.1f ms\n", before,
          seq_name ? " (seq scan)" : "", after, (unsigned long long)ms, normal);
}

/* Any part of a code (4+ characters, any case; issue 14, migration 017):
 * through the code's trigram index, never a scan; the caller's own only. */
static void test_part_search_scale(mc_store *s) {
  const char *part[7] = {"18508", "gen-12344", "50", "f", "0", "0"};
  char sql[2048];
  snprintf(sql, sizeof sql, "EXPLAIN %s", store__sql_search_one);
  PGresult *r = PQexecParams(pgt_check, sql, 7, NULL, part, NULL, NULL, 0);
  CHECK(PQresultStatus(r) == PGRES_TUPLES_OK);
  int uses = 0, seq = 0;
  for (int i = 0; i < PQntuples(r); i++) {
    uses |= strstr(PQgetvalue(r, i, 0), "dossiers_code_trgm_idx") != NULL;
    seq |= strstr(PQgetvalue(r, i, 0), "Seq Scan on dossiers") != NULL;
  }
  PQclear(r);
  CHECK(uses && !seq);
  int seq_ms;
  double ms = explain_ms(store__sql_search_one, part, &seq_ms);
  lres l = {0};
  CHECK(search(s, "18508", "gen-12344", &l) == 0 && l.n == 2); /* GEN-12344, GEN-123444 */
  CHECK(search(s, "18514", "gen-12344", &l) == 0 && l.n == 1); /* GEN-123445 */
  CHECK(search(s, "18508", "n-1", &l) == 0 && l.n == 0);       /* 3 characters: no part */
  fprintf(stderr, "ok 200k dossiers: a part of a code uses dossiers_code_trgm_idx (%.1f ms)\n",
          ms);
}

/* Issue 19: a list page deep in 20,000 matches (status 2 of one unit)
 * continues after its cursor through the (unit, status, received, id)
 * index, reading about a page; the same page by OFFSET reads every row
 * before it. And a search of 20,000 matches walked page by page by its
 * cursor: newest first, no row twice. */
static void test_pages_scale(mc_store *s) {
  char key[32], id[32];
  snprintf(key, sizeof key, "%ld", pgt_long("SELECT (extract(epoch FROM received_at) * 1000000)"
                                              "::bigint FROM dossiers WHERE code = 'GEN-100004'"));
  snprintf(id, sizeof id, "%ld", pgt_long("SELECT id FROM dossiers WHERE code = 'GEN-100004'"));
  const char *keyset[20] = {"18508", "2", "50", "f", NULL, NULL, NULL, "f", NULL, NULL, NULL,
                            NULL, NULL, NULL, NULL, "0", "10001", "t", key, id};
  const char *offset[20] = {"18508", "2", "50", "f", NULL, NULL, NULL, "f", NULL, NULL, NULL,
                            NULL, NULL, NULL, NULL, "10000", "10001", "f", NULL, "0"};
  int seq_k, seq_o, uses;
  /* every row here has status 2: either of 022's indexes of the unit reads the range */
  double ms_k = explain_n_ms(store__sql_list(MC_SORT_RECEIVED, 1), 20, keyset, &seq_k,
                             "_received_id_idx", &uses);
  double ms_o = explain_n_ms(store__sql_list(MC_SORT_RECEIVED, 1), 20, offset, &seq_o, NULL,
                             NULL);
  CHECK(uses);
  mc_list_query q = {.viewer_unit = "18508", .status = 2, .limit = 50, .sort = MC_SORT_RECEIVED,
                     .desc = 1, .total_cap = MC_LIM_LIST_TOTAL,
                     .after = {.kind = MC_CURSOR_LIST, .sort = MC_SORT_RECEIVED, .desc = 1}};
  q.after.id = atoll(id);
  q.after.key_i = atoll(key);
  lres l = {0};
  CHECK(mc_store_list(s, &q, page_cb, &l) == 0);
  pgt_run_until(&l.done, WAIT_MS);
  CHECK(l.err == 0 && l.n == 50);
  CHECK(strcmp(l.ds[0].code, "GEN-99994") == 0); /* the unit's next older one */
  fprintf(stderr, "ok 200k dossiers: a page deep in 20k matches %.2f ms by its cursor"
                  " (a 022 index%s), %.2f ms by OFFSET 10000%s\n", ms_k,
          seq_k ? "; the count scans" : "", ms_o, seq_o ? " (seq scan)" : "");
  /* the search: "Hoang" matches 20k of 18508's rows; five pages */
  mc_cursor after = {0};
  char seen[250][MC_DOSSIER_CODE_MAX];
  size_t nseen = 0;
  int64_t last = INT64_MAX;
  for (int p = 0; p < 5; p++) {
    pres pr = {0};
    CHECK(mc_store_search(s, "18508", "Hoang", 50, &after, search_page_cb, &pr) == 0);
    pgt_run_until(&pr.done, WAIT_MS);
    CHECK(pr.err == 0 && pr.n == 50 && pr.more);
    for (size_t i = 0; i < pr.n; i++) {
      for (size_t k = 0; k < nseen; k++) CHECK(strcmp(seen[k], pr.codes[i]) != 0);
      CHECK(pr.received[i] <= last); /* newest first across pages */
      snprintf(seen[nseen++], MC_DOSSIER_CODE_MAX, "%s", pr.codes[i]);
      last = pr.received[i];
    }
    after = pr.next;
  }
  CHECK(strcmp(seen[0], "GEN-199994") == 0 && strcmp(seen[50], "GEN-199494") == 0);
  fprintf(stderr, "ok search pages by cursor: 5 x 50 of 20k matches, newest first, none twice\n");
}

/* Migration 032: the district's overdue list at scale. 60,000 of the 200k
 * rows forwarded to the district, a third of them finished late, a third
 * on time, a third running past due: the list's bounded count (10,001)
 * and its page are index-only scans of 024's forwarded index (032 made it
 * cover the test), never a scan of dossiers; the total is the count of
 * mc_wf_overdue's rule over the district's rows, capped. */
static void test_overdue_scale(mc_store *s) {
  pgt_exec("UPDATE dossiers SET forwarded_to = '444', forwarded_at = received_at,"
           " due_at = received_at + interval '5 days',"
           " finished_at = CASE (id % 3) WHEN 0 THEN received_at + interval '6 days'"
           "                             WHEN 1 THEN received_at + interval '4 days' END,"
           " status = CASE WHEN id % 3 = 2 THEN 4 ELSE 9 END"
           " WHERE code LIKE 'GEN-%' AND substring(code FROM 5)::int % 10 < 3");
  pgt_exec("VACUUM ANALYZE dossiers");
  const char *p[20] = {"444", "0", "50", "t", NULL, "1767225600000", NULL, "f", NULL, NULL,
                       NULL, NULL, NULL, NULL, NULL, "0", "10001", "f", NULL, "0"};
  int seq = 0, uses = 0;
  double ms = explain_n_ms(store__sql_list(MC_SORT_RECEIVED, 1), 20, p, &seq,
                           "Index Only Scan using dossiers_forwarded_overdue_idx", &uses);
  CHECK(uses && !seq);
  long want = pgt_long("SELECT least(count(*), 10001) FROM dossiers WHERE forwarded_to = '444'"
                       " AND (supplement_count >= 2 OR coalesce(finished_at, paused_at,"
                       " timestamptz '2026-01-01') > due_at)");
  CHECK(want == 10001); /* 40,000 late or overdue: the count stops at its cap */
  mc_list_query q = {.viewer_unit = "444", .overdue = 1, .limit = 50, .sort = MC_SORT_RECEIVED,
                     .desc = 1, .total_cap = MC_LIM_LIST_TOTAL, .now_ms = 1767225600000};
  lres l = {0};
  CHECK(mc_store_list(s, &q, page_cb, &l) == 0);
  pgt_run_until(&l.done, WAIT_MS);
  CHECK(l.err == 0 && l.n == 50 && l.capped && l.total == MC_LIM_LIST_TOTAL);
  for (size_t i = 0; i < l.n; i++) CHECK(mc_wf_overdue(&l.ds[i], q.now_ms));
  fprintf(stderr, "ok 200k dossiers, 60k forwarded: the district's overdue list %.2f ms,"
                  " index-only on dossiers_forwarded_overdue_idx, no scan\n", ms);
}

/* The ids (column "x.id", the last but one) of sql's rows for params. */
static int search_ids(const char *sql, const char *const *params, char *out, size_t n) {
  PGresult *r = PQexecParams(pgt_check, sql, 7, NULL, params, NULL, NULL, 0);
  int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!ok) fprintf(stderr, "%s\n", PQresultErrorMessage(r));
  size_t at = 0;
  out[0] = '\0';
  int rows = ok ? PQntuples(r) : -1;
  for (int i = 0; ok && i < rows && at + 24 < n; i++)
    at += (size_t)snprintf(out + at, n - at, "%s,", PQgetvalue(r, i, PQnfields(r) - 2));
  PQclear(r);
  return rows;
}

/* A whole code, with or without its agency id, answers that code alone
 * from the exact lookups (no trigram scan); the number 1003 typed whole is
 * not a prefix of 10034 (the single statement's LIKE matched both); a part
 * of the number still finds both through the trigrams. */
static void test_search_whole_code(void) {
  pgt_exec("INSERT INTO dossiers (code, status, unit_code, procedure_code, applicant_name,"
           " channel, received_at, holder_unit)"
           " SELECT u.agency_id || '-261206-' || n, 2, '18496', '1.001193', 'Whole Code', 1,"
           "  timestamptz '2026-12-06 08:00' + n::int * interval '1 second', '18496'"
           " FROM units u, (VALUES ('1003'), ('10034')) v(n) WHERE u.code = '18496'");
  char want[256], got[256], code[64];
  long agency = pgt_long("SELECT count(*) FROM units WHERE code = '18496' AND"
                         " agency_id ~ '^[A-Z0-9.]+$'");
  CHECK(agency == 1);
  PGresult *r = PQexec(pgt_check, "SELECT agency_id || '-261206-1003' FROM units"
                                  " WHERE code = '18496'");
  snprintf(code, sizeof code, "%s", PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "?");
  PQclear(r);
  const char *whole[7] = {"18496", code, "30", "f", "0", "0"};
  const char *tail[7] = {"18496", "261206-1003", "30", "f", "0", "0"};
  const char *part[7] = {"18496", "261206-100", "30", "f", "0", "0"};
  CHECK(search_ids(store__sql_search_one, whole, want, sizeof want) == 2);
  CHECK(search_ids(store__sql_search, whole, got, sizeof got) == 1);
  CHECK(search_ids(store__sql_search, tail, want, sizeof want) == 1 && strcmp(want, got) == 0);
  CHECK(search_ids(store__sql_search, part, got, sizeof got) == 2);
  fprintf(stderr, "ok search (026): a whole code answers itself alone, a part finds both\n");
}

/* The id after the n-th (1-based) of a search_ids list; 0 if it is shorter. */
static long nth_id(const char *list, int n) {
  const char *p = list;
  for (int i = 1; i < n && p != NULL; i++) {
    p = strchr(p, ',');
    if (p != NULL) p++;
  }
  return p != NULL && *p != '\0' ? atol(p) : 0;
}

/* Migration 028: one phone (and one id number) on 3,000 dossiers of three
 * units, some forwarded to the district, a few sharing a received_at: each
 * viewer pages through all of its matches by the cursor and gets the
 * single statement's rows, page by page; by the MAC the same as in clear. */
static void test_search_common_phone(void) {
  pgt_exec("INSERT INTO dossiers (code, status, unit_code, procedure_code, applicant_name,"
           " applicant_id, applicant_phone, applicant_id_mac, applicant_phone_mac, channel,"
           " received_at, holder_unit, forwarded_to, forwarded_at)"
           " SELECT 'PHN-' || g, 2, u, '1.001193', 'Same Phone ' || g,"
           "  CASE WHEN g % 2 = 0 THEN '042000000111' ELSE '042000000222' END,"
           "  '0987000111', NULL, NULL, 1,"
           "  timestamptz '2025-06-01' + (g / 3) * interval '1 minute', u,"
           "  CASE WHEN g % 5 < 2 THEN '444' END,"
           "  CASE WHEN g % 5 < 2 THEN timestamptz '2025-06-02' END"
           " FROM generate_series(1, 3000) g,"
           " LATERAL (SELECT (ARRAY['18496','18508','18529'])[1 + g % 3] AS u) x");
  static const char *const texts[] = {"0987000111", "042000000111"};
  static const char *const units[] = {"18496", "444", "18529"};
  char want[4096], got[4096], key[32], id[32], q[160];
  int pages = 0, rows = 0;
  for (size_t u = 0; u < 3; u++) {
    for (size_t t = 0; t < 2; t++) {
      const char *p[7] = {units[u], texts[t], "30", "f", "0", "0"};
      for (int page = 0; page < 200; page++) {
        int nw = search_ids(store__sql_search_one, p, want, sizeof want);
        int ng = search_ids(store__sql_search, p, got, sizeof got);
        CHECK(nw >= 0 && nw == ng && strcmp(want, got) == 0);
        if (nw != ng || strcmp(want, got) != 0) {
          fprintf(stderr, "  %s %s page %d: %d [%.80s] vs %d [%.80s]\n", units[u], texts[t],
                  page, nw, want, ng, got);
          break;
        }
        pages++;
        rows += nw > 30 ? 30 : nw;
        if (nw <= 30) break;
        snprintf(id, sizeof id, "%ld", nth_id(want, 30));
        snprintf(q, sizeof q, "SELECT (extract(epoch FROM received_at) * 1000000)::bigint"
                              " FROM dossiers WHERE id = %s", id);
        snprintf(key, sizeof key, "%ld", pgt_long(q));
        p[3] = "t", p[4] = key, p[5] = id;
      }
    }
  }
  /* 18496: 1,000 rows; 444: the 1,200 forwarded; 18529: 1,000; the phone on
   * all of them, the id on half */
  CHECK(rows == 1000 + 500 + 1200 + 600 + 1000 + 500);
  /* by the MAC (a pii key; 030: one index on coalesce(MAC, clear)): once
   * the rows carry MACs, the same ids as the clear phone found before, and
   * the clear text alone finds them no more */
  PGresult *r = PQexec(pgt_check, "SELECT string_agg(i::text, ',') FROM mc_search_ids('444',"
                                  " '0987000111', 30, false, 0, 0, NULL) i");
  snprintf(want, sizeof want, "%s", PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "?");
  PQclear(r);
  CHECK(strchr(want, ',') != NULL);
  pgt_exec("UPDATE dossiers SET applicant_id_mac = repeat('a', 64),"
           " applicant_phone_mac = repeat('b', 64) WHERE code LIKE 'PHN-%'");
  snprintf(q, sizeof q, "SELECT string_agg(i::text, ',') FROM mc_search_ids('444',"
                        " '%s', 30, false, 0, 0, %s) i", "0987000111", "repeat('b', 64)");
  r = PQexec(pgt_check, q);
  snprintf(got, sizeof got, "%s", PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "?");
  PQclear(r);
  CHECK(strcmp(want, got) == 0);
  CHECK(pgt_long("SELECT count(*) FROM mc_search_ids('444', '0987000111', 30, false, 0, 0,"
                 " NULL)") == 0);
  /* the short statement (B6) by the MAC: the phone's rows of 18496 */
  char mac[65];
  memset(mac, 'b', 64), mac[64] = '\0';
  const char *m[7] = {"18496", "0987000111", "30", "f", "0", "0", mac};
  CHECK(search_ids(store__sql_search_exact, m, got, sizeof got) == 31);
  fprintf(stderr, "ok search (028): a phone on 3,000 dossiers, %d pages by the cursor as the"
                  " single statement's, %d rows; by its MAC the same\n", pages, rows);
}

/* Migration 026: the walk of the viewer's newest rows (common terms), the
 * trigram indexes beyond its edge (rare terms) and both (a term with fewer
 * than a page in the walk's rows) answer the same rows in the same order
 * as the single statement, on first pages and after a cursor. */
static void test_search_shapes(void) {
  static const char *const texts[] = {"Hoang", "Trang", "Nguyen Van An", "gen-12344",
                                      "Hoang Duc Son 12344", "zzz", "000000012344",
                                      "GEN-199994", "Dũng 19", "0123"};
  static const char *const units[] = {"18508", "18496"};
  long walk = pgt_long("SELECT mc_search_walk_rows()");
  CHECK(walk > 0 && walk < 20000); /* "Hoang": 2,000 of the walk; "Trang": beyond it */
  char want[8192], got[8192], key[32], id[32];
  int pages = 0;
  for (size_t u = 0; u < 2; u++) {
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
      const char *p[7] = {units[u], texts[t], "30", "f", "0", "0"};
      int nw = search_ids(store__sql_search_one, p, want, sizeof want);
      int ng = search_ids(store__sql_search, p, got, sizeof got);
      CHECK(nw >= 0 && nw == ng && strcmp(want, got) == 0);
      if (nw != ng || strcmp(want, got) != 0)
        fprintf(stderr, "  %s %s: %d [%.80s] vs %d [%.80s]\n", units[u], texts[t], nw, want,
                ng, got);
      pages++;
      if (nw < 2) continue;
      /* the page after the first row (a cursor inside the walk) */
      char *comma = strchr(want, ',');
      snprintf(id, sizeof id, "%.*s", (int)(comma - want), want);
      char q[128];
      snprintf(q, sizeof q, "SELECT (extract(epoch FROM received_at) * 1000000)::bigint"
                            " FROM dossiers WHERE id = %s", id);
      snprintf(key, sizeof key, "%ld", pgt_long(q));
      const char *c[7] = {units[u], texts[t], "30", "t", key, id};
      nw = search_ids(store__sql_search_one, c, want, sizeof want);
      ng = search_ids(store__sql_search, c, got, sizeof got);
      CHECK(nw >= 0 && nw == ng && strcmp(want, got) == 0);
      pages++;
    }
  }
  /* at the walk's edge: 18529's 10,000 rows, 1 in 300 a "Kappa Mu": 27
   * of them among the walk's 8,000 newest, 6 beyond it */
  pgt_exec("INSERT INTO dossiers (code, status, unit_code, procedure_code, applicant_name,"
           " channel, received_at, holder_unit)"
           " SELECT 'MIX-' || g, 2, '18529', '1.001193',"
           "  CASE WHEN g % 300 = 0 THEN 'Kappa Mu ' ELSE 'Zeta ' END || g, 1,"
           "  timestamptz '2024-01-01' + g * interval '1 minute', '18529'"
           " FROM generate_series(1, 10000) g");
  const char *k1[7] = {"18529", "kappa mu", "30", "f", "0", "0"};
  int nw = search_ids(store__sql_search_one, k1, want, sizeof want);
  CHECK(walk != 8000 || pgt_long("SELECT count(*) FROM (SELECT 1 FROM dossiers"
                                 " WHERE unit_code = '18529' AND received_at >="
                                 " timestamptz '2024-01-01' + 2001 * interval '1 minute'"
                                 " AND applicant_name LIKE 'Kappa%') k") == 27);
  CHECK(nw == 31 && search_ids(store__sql_search, k1, got, sizeof got) == 31 &&
        strcmp(want, got) == 0);
  const char *k2[7] = {"18529", "kappa mu", "500", "f", "0", "0"};
  nw = search_ids(store__sql_search_one, k2, want, sizeof want);
  CHECK(nw == 33 && search_ids(store__sql_search, k2, got, sizeof got) == 33 &&
        strcmp(want, got) == 0);
  fprintf(stderr, "ok search (026): walk, trigram and both give the single statement's rows"
                  " (%d pages, walk %ld rows)\n", pages, walk);
  test_search_whole_code();
  test_search_common_phone();
}

/* 200k generated dossiers: the name search must use the trigram index. */
static void test_search_scale(mc_store *s) {
  pgt_exec("INSERT INTO dossiers (code, status, unit_code, procedure_code, applicant_name,"
           " applicant_id, applicant_phone, channel, received_at, due_at, holder_unit)"
           " SELECT 'GEN-' || g, 2, u, '1.001193',"
           "  (ARRAY['Nguyễn','Trần','Lê','Phạm','Hoàng','Phan','Vũ','Đặng','Bùi','Đỗ'])[1 + g % 10]"
           "  || ' ' || (ARRAY['Văn','Thị','Đức','Minh'])[1 + (g / 10) % 4] || ' '"
           "  || (ARRAY['An','Bình','Cường','Dũng','Hà','Hương','Lan','Nam','Sơn','Tùng'])"
           "     [1 + (g / 40) % 10] || ' ' || g,"
           "  lpad(g::text, 12, '0'), '09' || lpad(g::text, 8, '0'), 1,"
           "  timestamptz '2025-01-01' + g * interval '1 minute', NULL, u"
           " FROM generate_series(1, 200000) g,"
           " LATERAL (SELECT (ARRAY['18496','18499','18502','18505','18508','18514','18517',"
           "  '18520','18523','18526'])[1 + g % 10] AS u) x");
  pgt_exec("ANALYZE dossiers");
  const char *params[7] = {"18508", "Trang", "50", "f", "0", "0"};
  char sql[2048];
  snprintf(sql, sizeof sql, "EXPLAIN %s", store__sql_search_one);
  PGresult *r = PQexecParams(pgt_check, sql, 7, NULL, params, NULL, NULL, 0);
  CHECK(PQresultStatus(r) == PGRES_TUPLES_OK);
  int uses = 0;
  for (int i = 0; i < PQntuples(r); i++) {
    if (getenv("MC_TEST_DEBUG")) fprintf(stderr, "  %s\n", PQgetvalue(r, i, 0));
    uses |= strstr(PQgetvalue(r, i, 0), "dossiers_name_trgm_idx") != NULL;
  }
  PQclear(r);
  CHECK(uses);
  lres l = {0};
  uint64_t t = uv_hrtime();
  CHECK(search(s, "18508", "Trang", &l) == 0 && l.n == 1);
  uint64_t ms = (uv_hrtime() - t) / 1000000;
  CHECK(search(s, "18508", "000000012344", &l) == 0 && l.n == 1); /* g % 10 = 4: 18508 */
  CHECK(search(s, "18508", "000000012345", &l) == 0 && l.n == 0); /* 18514's */
  CHECK(search(s, "18508", "Hoang Duc Son 12344", &l) == 0 && l.n == 1);
  CHECK(strcmp(l.ds[0].applicant.name, "Hoàng Đức Sơn 12344") == 0);
  t = uv_hrtime(); /* a common name: 20k of the unit's rows match */
  CHECK(search(s, "18508", "Hoang", &l) == 0 && l.n == 50);
  CHECK(strcmp(l.ds[0].code, "GEN-199994") == 0); /* newest first */
  uint64_t ms_common = (uv_hrtime() - t) / 1000000;
  fprintf(stderr, "ok 200k dossiers: name search uses dossiers_name_trgm_idx (rare %llu ms,"
                  " common %llu ms)\n", (unsigned long long)ms, (unsigned long long)ms_common);
  test_short_search_scale(s);
  test_part_search_scale(s);
  test_pages_scale(s);
  test_search_shapes();
  test_overdue_scale(s);
}

static void test_search_rule(void) {
  CHECK(!store__search_by_name("zq"));
  CHECK(!store__search_by_name("Đỗ"));  /* 2 characters, 5 bytes */
  CHECK(store__search_by_name("Đỗa"));
  CHECK(store__search_by_name("Lan"));
  CHECK(!store__search_by_name(""));
  fprintf(stderr, "ok a name fragment needs 3 characters\n");
}

/* ---------------------------------------------- timeout and unit share */

typedef struct sres {
  int done, err;
  uint64_t at;
} sres;

static void slow_done(store_op *o, int err) {
  sres *r = o->arg;
  r->done++;
  r->err = err;
  r->at = uv_hrtime();
}

static void submit_unit(mc_store *s, const char *unit, const char *sql, sres *r) {
  store_op *o = store__op_new("test_slow", sql, slow_done, r);
  CHECK(o != NULL);
  if (unit != NULL) store__op_set_class(s, o, unit);
  CHECK(store__submit(s, o, 0) == 0);
}

/* A search/list statement over db_statement_timeout_ms ends with
 * MC_ETIMEOUT, other statements have none; with a
 * pool of 4 and a share of 2, unit A's four 300 ms statements run two at
 * a time and unit B's statement, queued after them, is not held up. */
static void test_timeout_and_share(void) {
  mc_store_opts o = {.conninfo = g_app_conninfo, .pool_size = 4, .max_queue = 100,
                     .no_migrate = 1, .unit_share = 2, .statement_timeout_ms = 1000};
  mc_store *s = NULL;
  char err[256];
  CHECK(mc_store_open(&pgt_loop, &o, &s, err, sizeof err) == 0);
  sres t = {0};
  submit_unit(s, "18508", "SELECT pg_sleep(3)", &t);
  pgt_run_until(&t.done, WAIT_MS);
  CHECK(t.err == MC_ETIMEOUT);
  sres u = {0}; /* not a reading class: no timeout (the first idle connection,
                 * the one that just timed out) */
  submit_unit(s, NULL, "SELECT pg_sleep(1.2)", &u);
  pgt_run_until(&u.done, WAIT_MS);
  CHECK(u.err == 0);
  sres a[4] = {{0}}, b = {0};
  uint64_t t0 = uv_hrtime();
  for (int i = 0; i < 4; i++) submit_unit(s, "18496", "SELECT pg_sleep(0.15)", &a[i]);
  submit_unit(s, "18499", "SELECT 1", &b);
  for (int i = 0; i < 4; i++) pgt_run_until(&a[i].done, WAIT_MS); /* any order */
  pgt_run_until(&b.done, WAIT_MS);
  CHECK(b.done && b.err == 0 && b.at < a[0].at);
  for (int i = 0; i < 4; i++) CHECK(a[i].done && a[i].err == 0);
  CHECK(a[2].at - t0 >= 280000000ULL); /* the second pair waited for the first */
  fprintf(stderr, "ok statement timeout of the reading class -> MC_ETIMEOUT, none for others;"
                  " unit share 2: B answered in %llu ms,"
                  " A's four in %llu ms\n", (unsigned long long)((b.at - t0) / 1000000),
          (unsigned long long)((a[3].at - t0) / 1000000));
  pgt_close_store(s);
}

int main(void) {
  pgt_start(WATCHDOG_S);
  snprintf(g_app_conninfo, sizeof g_app_conninfo, "host=%s dbname=postgres user=motcua_app",
           pgt_dir);
  mc_store *s = pgt_open_store(g_app_conninfo, pgt_conninfo, 4, 1000);
  test_open_as_app();
  mc_dossier flow = test_full_flow(s);
  test_role(); /* progress_log has rows now */
  test_guard(s);
  test_once_only_race(s);
  test_replay(s);
  test_old_snapshot(s);
  test_inbox(s, &flow);
  test_search(s);
  test_filters(s);
  test_calendar(s);
  test_refusal(s);
  test_search_rule();
  test_timeout_and_share();
  test_search_scale(s);
  pgt_close_store(s);
  uv_run(&pgt_loop, UV_RUN_DEFAULT); /* must return: nothing left open */
  CHECK(uv_loop_close(&pgt_loop) == 0);
  pgt_teardown();
  fprintf(stderr, "PASS test_storage_workflow\n");
  return 0;
}
