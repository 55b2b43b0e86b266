/* Integration test of server/store/ against a real, throwaway
 * PostgreSQL 15 cluster (see pgtest.h): pool, migrations, receive,
 * forward, list, idempotency, close and failure paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "pgtest.h"
#include "store.h"
#include "store_internal.h"

#define WATCHDOG_S 150
#define DAY1 "210601"
#define DAY2 "210602"
#define T0 1622505600000LL /* 2021-06-01T00:00:00Z */

/* ----------------------------------------------------------- callbacks */

typedef struct dres {
  int done;
  int err;
  mc_dossier d;
  char action[16];
} dres;

static void dossier_cb(void *arg, int err, const mc_dossier *d) {
  dres *r = arg;
  r->done++;
  r->err = err;
  if (d) r->d = *d;
}

static void idem_cb(void *arg, int err, const char *action, const mc_dossier *d) {
  dres *r = arg;
  dossier_cb(arg, err, d);
  if (action) snprintf(r->action, sizeof r->action, "%s", action);
}

typedef struct lres {
  int done;
  int err;
  size_t n;
  char codes[60][MC_DOSSIER_CODE_MAX];
  uint32_t total;
  int capped;
} lres;

static void list_cb(void *arg, int err, const mc_dossier *ds, size_t n) {
  lres *r = arg;
  r->done++;
  r->err = err;
  r->n = n;
  for (size_t i = 0; i < n && i < 60; i++) memcpy(r->codes[i], ds[i].code, MC_DOSSIER_CODE_MAX);
}

/* mc_store_list's page callback: the rows as list_cb takes them. */
static void page_cb(void *arg, int err, const mc_page *pg) {
  const mc_dossier *ds = pg != NULL ? pg->ds : NULL;
  size_t n = pg != NULL ? pg->n : 0;
  uint32_t total = pg != NULL ? pg->total : 0;
  int capped = pg != NULL ? pg->capped : 0;
  (void)total;
  (void)capped;
  list_cb(arg, err, ds, n);
  ((lres *)arg)->total = total;
  ((lres *)arg)->capped = capped;
}

/* A page of the 18499 list under q (viewer, limit, order set here). */
static int page(mc_store *s, mc_list_query q, lres *out) {
  q.viewer_unit = "18499";
  memset(out, 0, sizeof *out);
  CHECK(mc_store_list(s, &q, page_cb, out) == 0);
  pgt_run_until(&out->done, WAIT_MS);
  return out->err;
}

typedef struct cres {
  int done, err, nunits, nprocs, town_ok, district_ok, levels_ok;
} cres;

static void catalog_cb(void *arg, int err, const mc_unit *us, size_t nu,
                       const mc_procedure *ps, size_t np) {
  cres *r = arg;
  r->done++;
  r->err = err;
  r->nunits = (int)nu;
  r->nprocs = (int)np;
  for (size_t i = 0; i < nu; i++) {
    if (strcmp(us[i].code, "18496") == 0)
      r->town_ok = strcmp(us[i].name, "Thị trấn Hương Khê") == 0 &&
                   strcmp(us[i].agency_id, "H30.44.01") == 0 &&
                   strcmp(us[i].parent, "444") == 0 && us[i].role == MC_ROLE_COMMUNE;
    if (strcmp(us[i].code, "444") == 0)
      r->district_ok = us[i].role == MC_ROLE_DISTRICT && us[i].parent[0] == '\0';
  }
  int l1 = 0, l2 = 0;
  for (size_t i = 0; i < np; i++) l1 += ps[i].level == 1, l2 += ps[i].level == 2;
  r->levels_ok = l1 >= 5 && l2 >= 5;
}


static void closed_cb(void *arg) { ++*(int *)arg; }

/* ------------------------------------------------------------ wrappers */


static int g_seq_ms;

typedef struct recv_args {
  const char *unit, *agency, *day, *key, *proc;
  const char *name;       /* NULL: a well-formed default */
  const char *fp;         /* canonical request text (P1); NULL: none */
  mc_store_dossier_cb cb; /* NULL: dossier_cb */
} recv_args;

static void submit_receive_as(mc_store *s, const recv_args *q, dres *out) {
  mc_applicant a = {"", "042190001234", "0912345678"};
  snprintf(a.name, sizeof a.name, "%s", q->name ? q->name : "Nguyễn Thị Hương");
  mc_receive_rec r = {q->key, q->unit, q->agency, q->day, q->proc, &a, MC_CH_DIRECT,
                      "Trần Văn Nam", T0 + (g_seq_ms++) * 1000, T0 + 86400000LL, q->fp,
                      NULL, NULL, 0, NULL, 0, NULL, 0, NULL}; /* no intake (015), no officer (016) */
  memset(out, 0, sizeof *out);
  CHECK(mc_store_receive(s, &r, q->cb ? q->cb : dossier_cb, out) == 0);
  CHECK(out->done == 0); /* never synchronous */
}

static void submit_receive(mc_store *s, const char *unit, const char *agency, const char *day,
                           const char *key, const char *proc, dres *out) {
  recv_args q = {unit, agency, day, key, proc, NULL, NULL, NULL};
  submit_receive_as(s, &q, out);
}

static int receive(mc_store *s, const char *unit, const char *agency, const char *day,
                   const char *key, const char *proc, dres *out) {
  submit_receive(s, unit, agency, day, key, proc, out);
  pgt_run_until(&out->done, WAIT_MS);
  return out->err;
}

static int show(mc_store *s, const char *code, dres *out);

/* The live forward path: mc_store_action with the change the rules decide,
 * built here as the caller believes the dossier is (status 2, held by
 * unit), so the store's own guard is what refuses. */
static int forward(mc_store *s, const char *unit, const char *key, const char *code,
                   dres *out) {
  dres cur;
  mc_change c = {.action = MC_ACT_FORWARD, .action_name = "forward",
                 .status_before = MC_ST_RECEIVED, .status_after = MC_ST_RECEIVED,
                 .at_ms = T0 + 3600000, .step_due_ms = T0 + 7200000};
  c.due_after_ms = show(s, code, &cur) == 0 ? cur.d.due_at_ms : 0;
  snprintf(c.holder_before, sizeof c.holder_before, "%s", unit);
  snprintf(c.from_unit, sizeof c.from_unit, "%s", unit);
  snprintf(c.holder_after, sizeof c.holder_after, "444");
  snprintf(c.to_unit, sizeof c.to_unit, "444");
  snprintf(c.notify_unit, sizeof c.notify_unit, "444");
  mc_action_rec r = {.idem_key = key, .unit_code = unit, .role = MC_ROLE_COMMUNE,
                     .officer = "Trần Văn Nam", .code = code, .change = &c, .detail = ""};
  memset(out, 0, sizeof *out);
  CHECK(mc_store_action(s, &r, dossier_cb, out) == 0);
  CHECK(out->done == 0);
  pgt_run_until(&out->done, WAIT_MS);
  return out->err;
}

static int show(mc_store *s, const char *code, dres *out) {
  memset(out, 0, sizeof *out);
  CHECK(mc_store_show(s, code, dossier_cb, out) == 0);
  pgt_run_until(&out->done, WAIT_MS);
  return out->err;
}

static int list(mc_store *s, const char *viewer, int status, int limit, lres *out) {
  mc_list_query q = {.viewer_unit = viewer, .status = status, .limit = limit, .desc = 1,
                     .total_cap = MC_LIM_LIST_TOTAL};
  memset(out, 0, sizeof *out);
  CHECK(mc_store_list(s, &q, page_cb, out) == 0);
  pgt_run_until(&out->done, WAIT_MS);
  return out->err;
}

static int idem(mc_store *s, const char *unit, const char *key, dres *out) {
  memset(out, 0, sizeof *out);
  CHECK(mc_store_idem_lookup(s, unit, key, NULL, idem_cb, out) == 0);
  pgt_run_until(&out->done, WAIT_MS);
  return out->err;
}

/* --------------------------------------------------------------- tests */

static void test_migrations(void) {
  mc_store *a = pgt_open_store(pgt_conninfo, NULL, 2, 100);
  mc_store *b = pgt_open_store(pgt_conninfo, NULL, 2, 100); /* second open: nothing to apply */
  pgt_close_store(a);
  pgt_close_store(b);
  CHECK(pgt_long("SELECT count(*) FROM schema_version") == (long)mc_migrations_count);
  CHECK(pgt_long("SELECT count(*) FROM units") == 22);
  CHECK(pgt_long("SELECT count(*) FROM procedures") >= 14);
  fprintf(stderr, "ok migrations idempotent (%zu applied once)\n", mc_migrations_count);
}

static void test_catalog(mc_store *s) {
  cres r = {0};
  CHECK(mc_store_load_catalog(s, catalog_cb, &r) == 0);
  CHECK(r.done == 0);
  pgt_run_until(&r.done, WAIT_MS);
  CHECK(r.err == 0 && r.nunits == 22 && r.nprocs >= 14);
  CHECK(r.town_ok && r.district_ok && r.levels_ok);
  fprintf(stderr, "ok catalog units=%d procedures=%d\n", r.nunits, r.nprocs);
}

static void test_receive(mc_store *s) {
  dres r1, r2, again;
  CHECK(receive(s, "18496", "H30.44.01", DAY1, "k1", "1.001193", &r1) == 0);
  CHECK(strcmp(r1.d.code, "H30.44.01-" DAY1 "-0001") == 0);
  CHECK(r1.d.status == MC_ST_RECEIVED && strcmp(r1.d.holder_unit, "18496") == 0);
  CHECK(r1.d.forwarded_to[0] == '\0' && r1.d.forwarded_at_ms == 0);
  CHECK(strcmp(r1.d.unit_name, "Thị trấn Hương Khê") == 0 && r1.d.level == 1);
  CHECK(strcmp(r1.d.applicant.name, "Nguyễn Thị Hương") == 0);
  CHECK(r1.d.received_at_ms == T0 && r1.d.due_at_ms == T0 + 86400000LL);
  CHECK(receive(s, "18496", "H30.44.01", DAY1, "k2", "2.000720", &r2) == 0);
  CHECK(strcmp(r2.d.code, "H30.44.01-" DAY1 "-0002") == 0 && r2.d.level == 2);
  long nd = pgt_long("SELECT count(*) FROM dossiers");
  long nl = pgt_long("SELECT count(*) FROM progress_log");
  CHECK(receive(s, "18496", "H30.44.01", DAY1, "k1", "1.001193", &again) == 0);
  CHECK(strcmp(again.d.code, r1.d.code) == 0 && again.d.received_at_ms == T0);
  CHECK(pgt_long("SELECT count(*) FROM dossiers") == nd);
  CHECK(pgt_long("SELECT count(*) FROM progress_log") == nl);
  CHECK(receive(s, "18496", "H30.44.01", DAY1, "k9", "9.999999", &again) == MC_ENOTFOUND);
  CHECK(receive(s, "99999", "X", DAY1, "k9", "1.001193", &again) == MC_EINVAL);
  fprintf(stderr, "ok receive %s, %s, replay, unknown procedure\n", r1.d.code, r2.d.code);
}

static void test_concurrent(mc_store *s) {
  static dres rs[50];
  char key[16];
  int seen[51] = {0};
  for (int i = 0; i < 50; i++) {
    snprintf(key, sizeof key, "c%d", i);
    submit_receive(s, "18499", "H30.44.02", DAY2, key, "1.000894", &rs[i]);
  }
  for (int i = 0; i < 50; i++) {
    pgt_run_until(&rs[i].done, WAIT_MS);
    CHECK(rs[i].err == 0 && strncmp(rs[i].d.code, "H30.44.02-" DAY2 "-", 17) == 0);
    int n = atoi(rs[i].d.code + 17);
    CHECK(n >= 1 && n <= 50 && !seen[n]);
    seen[n] = 1;
  }
  dres a, b;
  submit_receive(s, "18502", "H30.44.03", DAY2, "same", "1.000894", &a);
  submit_receive(s, "18502", "H30.44.03", DAY2, "same", "1.000894", &b);
  pgt_run_until(&a.done, WAIT_MS);
  pgt_run_until(&b.done, WAIT_MS);
  CHECK(a.err == 0 && b.err == 0 && strcmp(a.d.code, b.d.code) == 0);
  CHECK(pgt_long("SELECT count(*) FROM dossiers WHERE unit_code = '18502'") == 1);
  /* Group commit: the 50 went in a couple of transactions, not 50 (now()
   * is the transaction's start, shared by its subtransactions). */
  long txns = pgt_long("SELECT count(DISTINCT created_at) FROM dossiers WHERE unit_code = '18499'");
  CHECK(txns >= 1 && txns <= 4);
  fprintf(stderr, "ok 50 concurrent receives numbered 1..50 in %ld transactions; same-key race"
                  " -> one dossier\n", txns);
}

/* One batch where some receives are refused: each gets its own answer and
 * the others still commit. Runs after test_forward (key f1 is a forward). */
static void test_batch_isolation(mc_store *s) {
  dres ok1, ok2, ok3, conflict, unknown, badtext;
  long before = pgt_long("SELECT count(*) FROM dossiers WHERE unit_code = '18508'");
  submit_receive(s, "18508", "H30.44.05", DAY2, "b1", "1.000894", &ok1);
  submit_receive(s, "18496", "H30.44.01", DAY2, "f1", "1.000894", &conflict);
  submit_receive(s, "18508", "H30.44.05", DAY2, "b2", "9.999999", &unknown);
  submit_receive(s, "18508", "H30.44.05", DAY2, "b3", "1.000894", &ok2);
  recv_args bad = {"18508", "H30.44.05", DAY2, "b4", "1.000894", "Nguy\xe1\xbb", NULL, NULL};
  submit_receive_as(s, &bad, &badtext); /* truncated UTF-8 sequence */
  submit_receive(s, "18508", "H30.44.05", DAY2, "b5", "1.000894", &ok3);
  dres *all[] = {&ok1, &conflict, &unknown, &ok2, &badtext, &ok3};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) pgt_run_until(&all[i]->done, WAIT_MS);
  CHECK(ok1.err == 0 && ok2.err == 0 && ok3.err == 0);
  CHECK(conflict.err == MC_ECONFLICT && unknown.err == MC_ENOTFOUND && badtext.err == MC_EINVAL);
  CHECK(strcmp(ok1.d.code, ok2.d.code) != 0 && strcmp(ok2.d.code, ok3.d.code) != 0);
  CHECK(pgt_long("SELECT count(*) FROM dossiers WHERE unit_code = '18508'") == before + 3);
  CHECK(pgt_long("SELECT count(*) FROM idempotency WHERE unit_code = '18508'"
                 " AND key IN ('b2', 'b4')") == 0);
  fprintf(stderr, "ok batched receives: 3 received, key conflict, unknown procedure and bad UTF-8"
                  " refused alone\n");
}

/* P1: the same key with another fingerprint is a conflict; the same one
 * replays; a request without one (and a row without one) is not compared. */
static void test_fingerprint(mc_store *s) {
  dres first, again, other, none, lookup;
  recv_args q = {"18508", "H30.44.05", DAY2, "fp-1", "1.000894", NULL, "7:receive;1:A;", NULL};
  submit_receive_as(s, &q, &first);
  pgt_run_until(&first.done, WAIT_MS);
  CHECK(first.err == 0);
  submit_receive_as(s, &q, &again);
  q.fp = "7:receive;1:B;";
  submit_receive_as(s, &q, &other);
  pgt_run_until(&again.done, WAIT_MS);
  pgt_run_until(&other.done, WAIT_MS);
  CHECK(again.err == 0 && strcmp(again.d.code, first.d.code) == 0);
  CHECK(other.err == MC_ECONFLICT);
  q.fp = NULL;
  submit_receive_as(s, &q, &none);
  pgt_run_until(&none.done, WAIT_MS);
  CHECK(none.err == 0 && strcmp(none.d.code, first.d.code) == 0);
  CHECK(pgt_long("SELECT count(*) FROM idempotency WHERE unit_code = '18508' AND key = 'fp-1'"
                 " AND fingerprint = encode(sha256('7:receive;1:A;'::bytea), 'hex')") == 1);
  memset(&lookup, 0, sizeof lookup);
  CHECK(mc_store_idem_lookup(s, "18508", "fp-1", "7:receive;1:B;", idem_cb, &lookup) == 0);
  pgt_run_until(&lookup.done, WAIT_MS);
  CHECK(lookup.err == MC_ECONFLICT);
  memset(&lookup, 0, sizeof lookup);
  CHECK(mc_store_idem_lookup(s, "18508", "fp-1", "7:receive;1:A;", idem_cb, &lookup) == 0);
  pgt_run_until(&lookup.done, WAIT_MS);
  CHECK(lookup.err == 0 && strcmp(lookup.d.code, first.d.code) == 0);
  fprintf(stderr, "ok idempotency fingerprint: same replays, other conflicts, none not compared\n");
}

static void test_forward(mc_store *s) {
  dres f, r;
  const char *code = "H30.44.01-" DAY1 "-0002";
  CHECK(forward(s, "18496", "f1", code, &f) == 0);
  CHECK(strcmp(f.d.holder_unit, "444") == 0 && strcmp(f.d.forwarded_to, "444") == 0);
  CHECK(f.d.forwarded_at_ms == T0 + 3600000 && strcmp(f.d.unit_code, "18496") == 0);
  CHECK(forward(s, "18496", "f1", code, &r) == 0 && r.d.forwarded_at_ms == f.d.forwarded_at_ms);
  CHECK(forward(s, "18496", "f2", code, &r) == MC_EBADSTATE);
  CHECK(forward(s, "18499", "f2", code, &r) == MC_EBADSTATE);
  CHECK(forward(s, "18496", "f3", "H30.44.01-" DAY1 "-9999", &r) == MC_ENOTFOUND);
  CHECK(forward(s, "18496", "k1", code, &r) == MC_ECONFLICT);
  CHECK(forward(s, "18496", "f1", "H30.44.01-" DAY1 "-0001", &r) == MC_ECONFLICT);
  CHECK(pgt_long("SELECT count(*) FROM progress_log l JOIN dossiers d ON d.id = l.dossier_id"
               " WHERE d.code = 'H30.44.01-" DAY1 "-0002'") == 2);
  CHECK(show(s, code, &r) == 0 && strcmp(r.d.holder_unit, "444") == 0);
  CHECK(show(s, "nope", &r) == MC_ENOTFOUND);
  fprintf(stderr, "ok forward once, replay, bad state, not found, conflict\n");
}

static void test_list_idem(mc_store *s) {
  lres l = {0};
  dres r = {0};
  CHECK(list(s, "18505", 0, 100, &l) == 0 && l.n == 0);
  CHECK(list(s, "444", 0, 100, &l) == 0 && l.n == 1);
  CHECK(strcmp(l.codes[0], "H30.44.01-" DAY1 "-0002") == 0);
  CHECK(list(s, "18496", 0, 100, &l) == 0 && l.n == 2);
  CHECK(strcmp(l.codes[0], "H30.44.01-" DAY1 "-0002") == 0); /* newest first */
  CHECK(list(s, "18496", MC_ST_REFUSED, 100, &l) == 0 && l.n == 0);
  CHECK(list(s, "18499", 0, 10, &l) == 0 && l.n == 10);
  CHECK(idem(s, "18496", "k1", &r) == 0 && strcmp(r.action, "receive") == 0);
  CHECK(strcmp(r.d.code, "H30.44.01-" DAY1 "-0001") == 0);
  CHECK(idem(s, "18496", "f1", &r) == 0 && strcmp(r.action, "forward") == 0);
  CHECK(idem(s, "18496", "zz", &r) == MC_ENOTFOUND);
  mc_list_query bad = {.viewer_unit = "444"};
  CHECK(mc_store_list(s, &bad, page_cb, &l) == MC_EINVAL);
  /* the total: exact under the cap, the cap itself and "capped" at it */
  size_t all = 0;
  CHECK(page(s, (mc_list_query){.limit = 3, .desc = 1, .total_cap = 1000}, &l) == 0);
  CHECK(l.n == 3 && l.total >= 10 && !l.capped);
  all = l.total;
  CHECK(page(s, (mc_list_query){.limit = 3, .total_cap = (int)all}, &l) == 0);
  CHECK(l.total == all && !l.capped);
  CHECK(page(s, (mc_list_query){.limit = 3, .total_cap = (int)all - 1}, &l) == 0);
  CHECK(l.total == all - 1 && l.capped);
  /* past the end: no rows, the count still answered */
  CHECK(page(s, (mc_list_query){.limit = 3, .offset = (int)all, .total_cap = 1000}, &l) == 0);
  CHECK(l.n == 0 && l.total == all);
  /* pages of a sort with ties (status) meet without overlap */
  char seen[60][MC_DOSSIER_CODE_MAX];
  size_t k = 0;
  for (int off = 0; off < (int)all && k < 60; off += 4) {
    CHECK(page(s, (mc_list_query){.limit = 4, .offset = off, .sort = MC_SORT_STATUS,
                                  .total_cap = 1000}, &l) == 0);
    for (size_t i = 0; i < l.n && k < 60; i++) {
      for (size_t j = 0; j < k; j++) CHECK(strcmp(seen[j], l.codes[i]) != 0);
      memcpy(seen[k++], l.codes[i], MC_DOSSIER_CODE_MAX);
    }
  }
  CHECK(k == all || k == 60);
  mc_list_query far = {.viewer_unit = "18499", .limit = 1, .offset = MC_LIM_LIST_OFFSET + 1,
                       .total_cap = 10};
  CHECK(mc_store_list(s, &far, page_cb, &l) == MC_EINVAL);
  fprintf(stderr, "ok list visibility, total and its cap, pages, idempotency lookup\n");
}

static void test_busy_close(void) {
  mc_store *s = pgt_open_store(pgt_conninfo, NULL, 1, 2);
  dres r[3];
  memset(r, 0, sizeof r);
  CHECK(mc_store_show(s, "x", dossier_cb, &r[0]) == 0);
  CHECK(mc_store_show(s, "x", dossier_cb, &r[1]) == 0);
  CHECK(mc_store_show(s, "x", dossier_cb, &r[2]) == MC_EBUSY);
  pgt_close_store(s);
  CHECK(r[0].done == 1 && r[0].err == MC_ECLOSED && r[1].err == MC_ECLOSED);
  CHECK(r[2].done == 0);
  fprintf(stderr, "ok queue bound -> busy, close fails queued ops\n");
}

/* One connection, a stream of receives and one read: the read goes out
 * right after the first batch, not after every queued receive. */
static int g_receives_done, g_receives_at_show = -1;
static void count_receive_cb(void *arg, int err, const mc_dossier *d) {
  dossier_cb(arg, err, d);
  g_receives_done++;
}
static void show_during_cb(void *arg, int err, const mc_dossier *d) {
  dossier_cb(arg, err, d);
  g_receives_at_show = g_receives_done;
}

static void test_fair_small_pool(void) {
  static const char *units[] = {"18496", "18499", "18502", "18505",
                                "18508", "18514", "18517", "18520"};
  static dres rs[128];
  dres shown = {0};
  mc_store *s = pgt_open_store(pgt_conninfo, NULL, 1, 1000);
  char key[32], agency[8];
  for (int i = 0; i < 128; i++) {
    snprintf(key, sizeof key, "fair-%d", i);
    snprintf(agency, sizeof agency, "F%d", i % 8);
    recv_args q = {units[i % 8], agency, "210603", key, "1.000894", NULL, NULL, count_receive_cb};
    submit_receive_as(s, &q, &rs[i]);
  }
  CHECK(mc_store_show(s, "H30.44.01-" DAY1 "-0001", show_during_cb, &shown) == 0);
  for (int i = 0; i < 128; i++) pgt_run_until(&rs[i].done, WAIT_MS);
  pgt_run_until(&shown.done, WAIT_MS);
  CHECK(shown.err == 0 && g_receives_done == 128);
  CHECK(g_receives_at_show >= 0 && g_receives_at_show <= 32);
  for (int i = 0; i < 128; i++) CHECK(rs[i].err == 0);
  pgt_close_store(s);
  fprintf(stderr, "ok pool of one: the read answered after %d of 128 queued receives\n",
          g_receives_at_show);
}

/* db_receive_lanes: with one lane every receive waits for the batch in
 * flight, so 40 receives of 8 units queued at once go as 32 + 8; with four
 * lanes one batch per lane the 8 units hash to (each lane's share fits one
 * batch). Counts outside 0..16 are refused before anything connects. */
static void test_lanes(void) {
  static const char *units[] = {"18496", "18499", "18502", "18505",
                                "18508", "18514", "18517", "18520"};
  static dres rs[40];
  long got[2];
  const int lanes[2] = {1, 4};
  char key[32], agency[8];
  for (int v = 0; v < 2; v++) {
    mc_store_opts o = {.conninfo = pgt_conninfo, .pool_size = 4, .max_queue = 100,
                       .receive_lanes = lanes[v]};
    mc_store *s = NULL;
    char err[256];
    CHECK(mc_store_open(&pgt_loop, &o, &s, err, sizeof err) == 0);
    for (int i = 0; i < 40; i++) {
      snprintf(key, sizeof key, "lane-%d-%d", lanes[v], i);
      snprintf(agency, sizeof agency, "L%d", i % 8); /* codes are agency-day-number */
      submit_receive(s, units[i % 8], agency, "210604", key, "1.000894", &rs[i]);
    }
    for (int i = 0; i < 40; i++) {
      pgt_run_until(&rs[i].done, WAIT_MS);
      CHECK(rs[i].err == 0);
    }
    mc_store_stats st;
    mc_store_get_stats(s, &st);
    CHECK(st.batched_total == 40);
    got[v] = (long)st.batches_total;
    pgt_close_store(s);
  }
  CHECK(got[0] == 2);               /* one lane: 32 + 8 */
  CHECK(got[1] >= 2 && got[1] <= 4); /* four lanes: one batch each lane in use */
  const int bad[] = {-1, 17};
  for (int i = 0; i < 2; i++) {
    mc_store_opts o = {.conninfo = pgt_conninfo, .pool_size = 4, .max_queue = 100,
                       .receive_lanes = bad[i]};
    mc_store *s = NULL;
    char err[256] = "";
    CHECK(mc_store_open(&pgt_loop, &o, &s, err, sizeof err) == MC_ECONFIG && s == NULL);
    CHECK(strstr(err, "db_receive_lanes") != NULL);
  }
  fprintf(stderr, "ok receive lanes: 40 receives of 8 units in %ld batches on 1 lane, %ld on 4;"
                  " -1 and 17 refused\n", got[0], got[1]);
}

/* 029: a receive completes its idempotency row in place (HOT): no index
 * names a column the completion sets. 40 receives in one transaction, then
 * that transaction's own counters; before 029 no completion was HOT. Most,
 * not all: an update is HOT only when the new version fits on the page. */
static long receive_40(const char *prefix, const char *counter) {
  char sql[1024];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM (SELECT mc_receive('18523', '%s-' || g, 'H30.44.10', '210605',"
           " '1.000894', 'Nguyễn Văn Hòa', lpad(g::text, 12, '0'), '0912345678', 1::smallint,"
           " 'Trần Văn Nam', 1622505600000 + g, 1622592000000) FROM generate_series(1, 40) g) r;"
           "SELECT %s FROM pg_stat_xact_user_tables WHERE relname = 'idempotency'",
           prefix, counter);
  return pgt_long(sql); /* one PQexec: one transaction, its own counters */
}

static void test_idem_hot(void) {
  long upd = receive_40("hot", "n_tup_upd");
  long hot = receive_40("hot2", "n_tup_hot_upd");
  CHECK(upd >= 40);
  CHECK(hot >= 30);
  CHECK(pgt_long("SELECT count(*) FROM idempotency WHERE key LIKE 'hot%' AND sweep_pending"
                 " AND reply IS NOT NULL AND dossier_id IS NOT NULL") == 80);
  fprintf(stderr, "ok idempotency completion in place: %ld of 40 HOT (%ld updates)\n", hot, upd);
}

/* ---- live links (migration 031): changes, the lease per instance -------- */

typedef struct nres {
  int done, err;
  int64_t n;
  size_t rows;
  mc_live_link row[8];
} nres;

static void count_cb(void *arg, int err, int64_t n) {
  nres *r = arg;
  r->done++;
  r->err = err;
  r->n = n;
}

static void live_cb(void *arg, int err, const mc_live_link *rows, size_t n) {
  nres *r = arg;
  r->done++;
  r->err = err;
  r->rows = n;
  for (size_t i = 0; i < n && i < 8; i++) r->row[i] = rows[i];
}

static int64_t live_apply(mc_store *s, const char *inst, const mc_live_changes *ch) {
  nres r = {0};
  CHECK(mc_store_live_apply(s, inst, 10, ch, count_cb, &r) == 0);
  pgt_run_until(&r.done, WAIT_MS);
  CHECK(r.err == 0);
  return r.n;
}

static nres live_read(mc_store *s, const char *self) {
  nres r = {0};
  CHECK(mc_store_live_read(s, self, 10, 100, live_cb, &r) == 0);
  pgt_run_until(&r.done, WAIT_MS);
  CHECK(r.err == 0);
  return r;
}

static mc_live_link live_link(uint64_t id, const char *unit, int resident, uint32_t outbox) {
  mc_live_link l = {.session = id, .resident = resident, .connected_ms = T0, .outbox = outbox};
  snprintf(l.unit, sizeof l.unit, "%s", unit);
  return l;
}

static void test_live_links(mc_store *s) {
  mc_live_link l[3] = {live_link(1, "18499", 1, 0), live_link(2, "18499", 0, 0),
                       live_link(3, "18502", 0, 4)};
  mc_live_unit u = {.unit = "18499", .rtt_ms = 12};
  /* a partial apply before any full one: the instance has no lease yet */
  mc_live_changes ch = {.links = l, .nlinks = 3};
  CHECK(live_apply(s, "a", &ch) == MC_LIVE_RESEND);
  CHECK(pgt_long("SELECT count(*) FROM live_links WHERE instance = 'a'") == 0);
  ch = (mc_live_changes){.full = 1, .links = l, .nlinks = 3, .units = &u, .nunits = 1};
  CHECK(live_apply(s, "a", &ch) == 3);
  /* b sees a's links, the resident one with its unit's round trip */
  nres r = live_read(s, "b");
  CHECK(r.rows == 3);
  CHECK(strcmp(r.row[0].instance, "a") == 0 && r.row[0].session == 1 && r.row[0].rtt_ms == 12);
  CHECK(r.row[1].session == 2 && r.row[1].rtt_ms == -1 && r.row[1].connected_ms == T0);
  CHECK(r.row[2].session == 3 && r.row[2].outbox == 4);
  CHECK(live_read(s, "a").rows == 0); /* its own: the registry is fresher */
  /* nothing changed: only the lease, no row written */
  ch = (mc_live_changes){0};
  CHECK(live_apply(s, "a", &ch) == 0);
  ch = (mc_live_changes){.links = l, .nlinks = 3}; /* the same rows again: unchanged */
  CHECK(live_apply(s, "a", &ch) == 0);
  /* one goes, one changes, one comes; the round trip changes */
  uint64_t gone = 2;
  mc_live_link more[2] = {live_link(3, "18502", 0, 0), live_link(4, "18505", 1, 0)};
  u.rtt_ms = 30;
  ch = (mc_live_changes){.links = more, .nlinks = 2, .gone = &gone, .ngone = 1, .units = &u,
                         .nunits = 1};
  CHECK(live_apply(s, "a", &ch) == 3);
  r = live_read(s, "b");
  CHECK(r.rows == 3);
  CHECK(r.row[0].session == 1 && r.row[0].rtt_ms == 30);
  CHECK(r.row[1].session == 3 && r.row[1].outbox == 0);
  CHECK(r.row[2].session == 4 && r.row[2].rtt_ms == -1); /* 18505: not measured */
  /* a full apply replaces: links and units not in it go */
  ch = (mc_live_changes){.full = 1, .links = more, .nlinks = 1, .gone = &gone, .ngone = 1};
  CHECK(live_apply(s, "a", &ch) == 0);
  CHECK(pgt_long("SELECT count(*) FROM live_links WHERE instance = 'a'") == 1);
  CHECK(pgt_long("SELECT count(*) FROM live_units WHERE instance = 'a'") == 0);
  /* 021's call (an older server) still works, on top of the same tables */
  CHECK(pgt_long("SELECT live_links_sync('old', 10, '[{\"session\":7,\"unit\":\"18499\","
                 "\"resident\":true,\"connected_ms\":1622505600000,\"rtt_ms\":9,"
                 "\"outbox\":0}]')") == 1);
  r = live_read(s, "a");
  CHECK(r.rows == 1 && strcmp(r.row[0].instance, "old") == 0 && r.row[0].rtt_ms == 9);
  /* a's lease runs out: b's next call deletes a and its rows; a's next
   * partial call is answered MC_LIVE_RESEND, its full one restores it */
  pgt_exec("UPDATE live_instances SET seen_at = now() - interval '11 seconds'"
           " WHERE instance = 'a'");
  CHECK(live_read(s, "b").rows == 1); /* old's only */
  ch = (mc_live_changes){.full = 1}; /* b's first call: it holds no link */
  CHECK(live_apply(s, "b", &ch) == 0);
  CHECK(pgt_long("SELECT count(*) FROM live_links WHERE instance = 'a'") == 0);
  CHECK(pgt_long("SELECT count(*) FROM live_instances WHERE instance = 'a'") == 0);
  ch = (mc_live_changes){.links = more, .nlinks = 2};
  CHECK(live_apply(s, "a", &ch) == MC_LIVE_RESEND);
  ch.full = 1;
  CHECK(live_apply(s, "a", &ch) == 2);
  CHECK(live_read(s, "b").rows == 3);
  pgt_exec("DELETE FROM live_instances");
  CHECK(pgt_long("SELECT count(*) FROM live_links") == 0);
  fprintf(stderr, "ok live links: full, changes, gone, resend after the lease, 021's call\n");
}

/* Closing from inside a callback: the rest of the queue fails, no reuse. */
static mc_store *g_reentrant;
static int g_reentrant_closed;
static void close_in_cb(void *arg, int err, const mc_dossier *d) {
  dossier_cb(arg, err, d);
  mc_store_close(g_reentrant, closed_cb, &g_reentrant_closed);
  CHECK(mc_store_show(g_reentrant, "x", dossier_cb, arg) == MC_ECLOSED);
}

static void test_close_in_callback(void) {
  dres r[3];
  memset(r, 0, sizeof r);
  g_reentrant = pgt_open_store(pgt_conninfo, NULL, 1, 10);
  g_reentrant_closed = 0;
  CHECK(mc_store_show(g_reentrant, "x", close_in_cb, &r[0]) == 0);
  CHECK(mc_store_show(g_reentrant, "x", dossier_cb, &r[1]) == 0);
  CHECK(mc_store_show(g_reentrant, "x", dossier_cb, &r[2]) == 0);
  pgt_run_until(&g_reentrant_closed, WAIT_MS);
  CHECK(r[0].done == 1 && r[0].err == MC_ENOTFOUND);
  CHECK(r[1].done == 1 && r[1].err == MC_ECLOSED && r[2].err == MC_ECLOSED);
  fprintf(stderr, "ok close from inside a callback\n");
}

/* An op in flight on a connection that dies fails with MC_EUNAVAIL. */
static void test_inflight_broken(mc_store *s) {
  dres r = {0};
  pgt_exec("BEGIN");
  pgt_exec("SELECT * FROM unit_day_seq WHERE unit_code = '18496' FOR UPDATE");
  submit_receive(s, "18496", "H30.44.01", DAY1, "blocked", "1.001193", &r);
  for (int i = 0; i < 50 && pgt_long("SELECT count(*) FROM pg_stat_activity"
                                   " WHERE wait_event_type = 'Lock'") == 0; i++)
    pgt_run_for(100);
  CHECK(pgt_long("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
               " WHERE wait_event_type = 'Lock'") == 1);
  pgt_run_until(&r.done, WAIT_MS);
  CHECK(r.err == MC_EUNAVAIL);
  pgt_exec("ROLLBACK");
  fprintf(stderr, "ok in-flight op on a dying connection -> unavailable\n");
}

static void test_reconnect(mc_store *s) {
  dres r = {0};
  mc_store_stats st;
  CHECK(pgt_long("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
               " WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'") >= 1);
  pgt_run_for(1000);
  mc_store_get_stats(s, &st);
  CHECK(st.connections_up == 4);
  CHECK(show(s, "H30.44.01-" DAY1 "-0001", &r) == 0);
  fprintf(stderr, "ok reconnect after backends were terminated\n");
}

static void test_unavailable(mc_store *s) {
  dres r = {0};
  PQfinish(pgt_check);
  pgt_check = NULL;
  CHECK(pgt_sh("%s%s/pg_ctl -D %s/data -m fast -w stop >/dev/null", pgt_runas, PGBIN, pgt_dir) == 0);
  pgt_pg_started = 0;
  pgt_run_for(300);
  memset(&r, 0, sizeof r);
  CHECK(mc_store_show(s, "x", dossier_cb, &r) == 0);
  pgt_run_until(&r.done, 9000);
  CHECK(r.err == MC_EUNAVAIL);
  fprintf(stderr, "ok database down -> unavailable within the queue wait\n");
}

int main(void) {
  pgt_start(WATCHDOG_S);
  test_migrations();
  mc_store *s = pgt_open_store(pgt_conninfo, NULL, 4, 1000);
  test_catalog(s);
  test_receive(s);
  test_concurrent(s);
  test_forward(s);
  test_batch_isolation(s);
  test_fingerprint(s);
  test_list_idem(s);
  test_busy_close();
  test_fair_small_pool();
  test_lanes();
  test_idem_hot();
  test_live_links(s);
  test_close_in_callback();
  test_inflight_broken(s);
  test_reconnect(s);
  test_unavailable(s);
  pgt_close_store(s);
  uv_run(&pgt_loop, UV_RUN_DEFAULT); /* must return: nothing left open */
  CHECK(uv_loop_close(&pgt_loop) == 0);
  pgt_teardown();
  fprintf(stderr, "PASS test_storage\n");
  return 0;
}
