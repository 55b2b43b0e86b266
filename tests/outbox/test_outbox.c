/* Unit tests of the offline outbox store and its delivery rules
 * (client/outbox.h), against a fake server: ordering, backoff schedule,
 * dependency substitution, rejection propagation, exactly-once keys, and
 * crash safety (kill -9 in the middle of a write loop). No network. */
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "error.h"
#include "outbox.h"
#include "submit.h"

#define NOW 1790000000000LL /* a fixed wall clock, ms */
#define MAX_CALLS 64

/* ---- a fake server ------------------------------------------------------- */

typedef struct fake {
  /* what the server has recorded: idempotency key -> dossier code */
  char keys[MAX_CALLS][40];
  char codes[MAX_CALLS][64];
  int nkeys;
  /* every request seen (also repeats) */
  char sent_key[MAX_CALLS][40];
  char sent_code[MAX_CALLS][64];
  int nsent;
  /* scripted failures by call number (0-based): 0 none, else an mc_err */
  int fail_at[MAX_CALLS];
  int refuse_at[MAX_CALLS];  /* the failure is a server refusal */
  int down_at[MAX_CALLS];    /* the failure is "could not connect" */
  int lose_reply_at[MAX_CALLS]; /* the server commits, the reply is lost */
  int seq;
  const char *login; /* the officer whose session the sender holds; NULL none */
} fake;

static const char *req_key(const Motcua__Envelope *req) {
  switch (req->body_case) {
  case MOTCUA__ENVELOPE__BODY_RECEIVE: return req->receive->idempotency_key;
  case MOTCUA__ENVELOPE__BODY_FORWARD: return req->forward->idempotency_key;
  case MOTCUA__ENVELOPE__BODY_ACTION: return req->action->idempotency_key;
  default: return "";
  }
}

/* The server's side: first answer per key; forward/action need a real code. */
static const char *fake_commit(fake *f, Motcua__Envelope *req, int *refused) {
  const char *key = req_key(req);
  char **code = mc_outbox_req_code(req);
  *refused = 0;
  for (int i = 0; i < f->nkeys; i++)
    if (strcmp(f->keys[i], key) == 0) return f->codes[i];
  if (code != NULL && mc_outbox_is_provisional(*code)) {
    *refused = 1;
    return NULL;
  }
  snprintf(f->keys[f->nkeys], sizeof f->keys[0], "%s", key);
  if (code != NULL)
    snprintf(f->codes[f->nkeys], sizeof f->codes[0], "%s", *code);
  else
    snprintf(f->codes[f->nkeys], sizeof f->codes[0], "H30.44.02-261008-%04d", ++f->seq);
  return f->codes[f->nkeys++];
}

static Motcua__Envelope *dossier_reply(const char *code) {
  Motcua__Envelope *env = calloc(1, sizeof *env);
  Motcua__DossierReply *r = calloc(1, sizeof *r);
  Motcua__Dossier *d = calloc(1, sizeof *d);
  motcua__envelope__init(env);
  motcua__dossier_reply__init(r);
  motcua__dossier__init(d);
  d->code = strdup(code);
  d->status = 2;
  r->dossier = d;
  env->body_case = MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY;
  env->dossier_reply = r;
  /* re-pack so that mc_envelope_free (protobuf-c's allocator) can free it */
  size_t n = motcua__envelope__get_packed_size(env);
  uint8_t *buf = malloc(n);
  motcua__envelope__pack(env, buf);
  Motcua__Envelope *out = motcua__envelope__unpack(NULL, n, buf);
  free(buf);
  free(d->code);
  free(d);
  free(r);
  free(env);
  return out;
}

static int fake_send(void *ud, const mc_outbox_item *it, Motcua__Envelope *req,
                     Motcua__Envelope **reply, mc_outbox_send_result *res) {
  fake *f = ud;
  if (!mc_outbox_officer_may_send(it, f->login)) return mc_outbox_wait_officer(it, res);
  char **code = mc_outbox_req_code(req);
  int refused;
  *reply = NULL;
  if (f->nsent >= MAX_CALLS || f->nkeys >= MAX_CALLS) abort(); /* a test's own bug */
  int n = f->nsent++;
  snprintf(f->sent_key[n], sizeof f->sent_key[0], "%s", req_key(req));
  snprintf(f->sent_code[n], sizeof f->sent_code[0], "%s", code ? *code : "");
  if (f->fail_at[n] != 0) {
    res->refused = f->refuse_at[n];
    res->link_down = f->down_at[n];
    snprintf(res->msg, sizeof res->msg, "scripted failure %d", n);
    return f->fail_at[n];
  }
  const char *got = fake_commit(f, req, &refused);
  if (refused) {
    res->refused = 1;
    snprintf(res->msg, sizeof res->msg, "dossier not found");
    return MC_ENOTFOUND;
  }
  if (f->lose_reply_at[n]) {
    snprintf(res->msg, sizeof res->msg, "no answer before the timeout");
    return MC_ETIMEOUT;
  }
  *reply = dossier_reply(got);
  return MC_OK;
}

/* ---- helpers ------------------------------------------------------------- */

static char tmpdir[256];

static mc_outbox *open_fresh(const char *name) {
  char path[512], err[256] = "";
  mc_outbox *ob = NULL;
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  unlink(path);
  CHECK_EQ(mc_outbox_open(path, "18499", &ob, err, sizeof err), MC_OK);
  if (ob == NULL) fprintf(stderr, "open: %s\n", err);
  return ob;
}

static int add_receive_as(mc_outbox *ob, const char *key, const char *officer,
                          mc_outbox_item *it) {
  Motcua__Envelope env = MOTCUA__ENVELOPE__INIT;
  Motcua__ReceiveRequest r = MOTCUA__RECEIVE_REQUEST__INIT;
  Motcua__Applicant a = MOTCUA__APPLICANT__INIT;
  a.name = "Nguyễn Văn Thử";
  a.id_number = "042190012345";
  r.idempotency_key = (char *)key;
  r.procedure_code = "1.001776";
  r.applicant = &a;
  r.officer = "cán bộ";
  env.body_case = MOTCUA__ENVELOPE__BODY_RECEIVE;
  env.receive = &r;
  return mc_outbox_add(ob, &env, "receive", "1.001776 Nguyễn Văn Thử", officer, NOW, it);
}

static int add_receive(mc_outbox *ob, const char *key, mc_outbox_item *it) {
  return add_receive_as(ob, key, NULL, it);
}

static int add_forward(mc_outbox *ob, const char *key, const char *code, mc_outbox_item *it) {
  Motcua__Envelope env = MOTCUA__ENVELOPE__INIT;
  Motcua__ForwardRequest r = MOTCUA__FORWARD_REQUEST__INIT;
  r.idempotency_key = (char *)key;
  r.code = (char *)code;
  r.officer = "cán bộ";
  env.body_case = MOTCUA__ENVELOPE__BODY_FORWARD;
  env.forward = &r;
  return mc_outbox_add(ob, &env, "forward", code, NULL, NOW, it);
}

static mc_outbox_stats pass(mc_outbox *ob, fake *f, int all, int64_t now) {
  mc_outbox_pass p = {.all = all, .wait_lock = 1, .now_ms = now};
  mc_outbox_stats st;
  CHECK_EQ(mc_outbox_deliver(ob, fake_send, f, &p, &st), MC_OK);
  return st;
}

static mc_outbox_item get(mc_outbox *ob, int64_t id) {
  mc_outbox_item it;
  memset(&it, 0, sizeof it);
  CHECK_EQ(mc_outbox_get(ob, id, &it), MC_OK);
  return it;
}

/* ---- tests --------------------------------------------------------------- */

static void test_pure(void) {
  CHECK_EQ(mc_outbox_backoff_ms(1, 0), 5000);
  CHECK_EQ(mc_outbox_backoff_ms(2, 0), 10000);
  CHECK_EQ(mc_outbox_backoff_ms(3, 0), 20000);
  CHECK_EQ(mc_outbox_backoff_ms(8, 0), 600000); /* 640 s capped at 10 min */
  CHECK_EQ(mc_outbox_backoff_ms(1000, 0), 600000);
  for (uint32_t r = 0; r < 5000; r += 97) { /* jitter: at most a quarter off */
    uint64_t d = mc_outbox_backoff_ms(4, r);
    CHECK(d <= 40000 && d >= 30000);
  }
  CHECK(mc_submit_is_unreachable(MC_EUNAVAIL, 0));
  CHECK(mc_submit_is_unreachable(MC_ETIMEOUT, 0));
  CHECK(mc_submit_is_unreachable(MC_ECLOSED, 0));
  CHECK(mc_submit_is_unreachable(MC_EIO, 0));
  CHECK(!mc_submit_is_unreachable(MC_ETLS, 0));      /* a desk must fix it */
  CHECK(!mc_submit_is_unreachable(MC_EUNAUTH, 0));
  CHECK(!mc_submit_is_unreachable(MC_EUNAVAIL, 1));  /* a refusal is reported */
  CHECK(!mc_submit_is_unreachable(MC_EINVAL, 1));
  CHECK(mc_outbox_is_transient_refusal(MC_EUNAVAIL));
  CHECK(!mc_outbox_is_transient_refusal(MC_EBADSTATE));
  CHECK(mc_outbox_is_transient_refusal(MC_ELOGIN)); /* waits for the next login */
  CHECK(!mc_outbox_is_transient_refusal(MC_EBADLOGIN));
  CHECK(mc_outbox_is_provisional("TAM-18499-000001"));
  CHECK(!mc_outbox_is_provisional("H30.44.02-261008-0001"));
  CHECK(!mc_outbox_is_provisional("TAM-"));
  CHECK(mc_outbox_space_is_low(100u << 20, 100ull << 30, MC_OUTBOX_LOW_DISK_BYTES));
  CHECK(!mc_outbox_space_is_low(300u << 20, 1ull << 30, MC_OUTBOX_LOW_DISK_BYTES));
  CHECK(mc_outbox_space_is_low(4ull << 30, 100ull << 30, MC_OUTBOX_LOW_DISK_BYTES)); /* < 5% */
  CHECK(!mc_outbox_space_is_low(6ull << 30, 100ull << 30, MC_OUTBOX_LOW_DISK_BYTES));
  uint64_t avail = 0;
  CHECK_EQ(mc_outbox_disk_low(tmpdir, UINT64_MAX / 2, &avail), 1);
  CHECK(avail > 0);
}

static void test_ordering_and_provisional(void) {
  fake f = {0};
  mc_outbox_item it[3];
  mc_outbox *ob = open_fresh("order.db");
  if (ob == NULL) return;
  CHECK_EQ(add_receive(ob, "key-order-0001", &it[0]), MC_OK);
  CHECK_EQ(add_receive(ob, "key-order-0002", &it[1]), MC_OK);
  CHECK_EQ(add_receive(ob, "key-order-0003", &it[2]), MC_OK);
  CHECK_STREQ(it[0].provisional, "TAM-18499-000001");
  CHECK_STREQ(it[2].provisional, "TAM-18499-000003");
  CHECK_STREQ(it[0].dossier, it[0].provisional);
  size_t n = 0;
  CHECK_EQ(mc_outbox_pending_count(ob, &n), MC_OK);
  CHECK_EQ(n, 3);
  mc_outbox_stats st = pass(ob, &f, 1, NOW);
  CHECK_EQ(st.delivered, 3);
  CHECK_EQ(f.nsent, 3);
  CHECK_STREQ(f.sent_key[0], "key-order-0001"); /* id order */
  CHECK_STREQ(f.sent_key[2], "key-order-0003");
  mc_outbox_item d = get(ob, it[1].id);
  CHECK_EQ(d.state, MC_OUTBOX_DELIVERED);
  CHECK_STREQ(d.real_code, "H30.44.02-261008-0002");
  CHECK_EQ(d.result_status, 2);
  st = pass(ob, &f, 1, NOW); /* a second pass delivers nothing */
  CHECK_EQ(st.delivered + st.retry + st.rejected, 0);
  CHECK_EQ(f.nsent, 3);
  mc_outbox_item *items = NULL;
  CHECK_EQ(mc_outbox_list(ob, 0, &items, &n), MC_OK);
  CHECK_EQ(n, 0); /* delivered items only with --all */
  free(items);
  CHECK_EQ(mc_outbox_list(ob, 1, &items, &n), MC_OK);
  CHECK_EQ(n, 3);
  free(items);
  mc_outbox_close(ob);
}

/* An item is delivered with its own officer's session only (the server
 * names that officer in the progress log); items of a file written before
 * officers were recorded (version 1) name nobody and go with any. */
static void test_officer_recorded(void) {
  char path[512];
  sqlite3 *db = NULL;
  snprintf(path, sizeof path, "%s/v1.db", tmpdir);
  unlink(path);
  CHECK_EQ(sqlite3_open(path, &db), SQLITE_OK);
  CHECK_EQ(sqlite3_exec(db,
                        "CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                        " created_at INTEGER NOT NULL, kind TEXT NOT NULL,"
                        " dossier TEXT NOT NULL DEFAULT '', provisional TEXT NOT NULL DEFAULT '',"
                        " summary TEXT NOT NULL DEFAULT '', body BLOB,"
                        " depends_on INTEGER NOT NULL DEFAULT 0, state INTEGER NOT NULL DEFAULT 0,"
                        " attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',"
                        " next_attempt_at INTEGER NOT NULL DEFAULT 0,"
                        " real_code TEXT NOT NULL DEFAULT '', result_status INTEGER NOT NULL DEFAULT 0,"
                        " delivered_at INTEGER NOT NULL DEFAULT 0); PRAGMA user_version = 1;",
                        NULL, NULL, NULL),
           SQLITE_OK);
  sqlite3_close(db);
  char err[256] = "";
  mc_outbox *ob = NULL;
  CHECK_EQ(mc_outbox_open(path, "18499", &ob, err, sizeof err), MC_OK);
  if (ob == NULL) return;
  mc_outbox_item old, mine, other;
  CHECK_EQ(add_receive(ob, "key-off-0001", &old), MC_OK);
  CHECK_EQ(add_receive_as(ob, "key-off-0002", "nhan.18499", &mine), MC_OK);
  CHECK_EQ(add_receive_as(ob, "key-off-0003", "xuly.18499", &other), MC_OK);
  CHECK_STREQ(old.officer, "");
  CHECK_STREQ(mine.officer, "nhan.18499");
  mc_outbox_close(ob);
  CHECK_EQ(mc_outbox_open(path, "18499", &ob, err, sizeof err), MC_OK); /* reopened: kept */
  if (ob == NULL) return;
  CHECK_STREQ(get(ob, other.id).officer, "xuly.18499");
  CHECK(mc_outbox_officer_may_send(&old, NULL));
  CHECK(!mc_outbox_officer_may_send(&mine, NULL));
  CHECK(!mc_outbox_officer_may_send(&mine, "xuly.18499"));
  CHECK(mc_outbox_officer_may_send(&mine, "nhan.18499"));
  fake f = {0};
  f.login = "xuly.18499"; /* another officer's session: only hers and the old one go */
  mc_outbox_stats st = pass(ob, &f, 1, NOW);
  CHECK_EQ(st.delivered, 2);
  CHECK_EQ(st.retry, 1);
  CHECK_EQ(st.rejected, 0);
  mc_outbox_item w = get(ob, mine.id);
  CHECK_EQ(w.state, MC_OUTBOX_PENDING);
  CHECK(strstr(w.last_error, "nhan.18499") != NULL);
  CHECK_EQ(get(ob, other.id).state, MC_OUTBOX_DELIVERED);
  f.login = "nhan.18499"; /* she logs in: delivered with her session */
  st = pass(ob, &f, 1, NOW);
  CHECK_EQ(st.delivered, 1);
  CHECK_EQ(get(ob, mine.id).state, MC_OUTBOX_DELIVERED);
  CHECK_EQ(f.nsent, 3);
  mc_outbox_close(ob);
}

static void test_backoff_schedule(void) {
  fake f = {0};
  mc_outbox_item a, b;
  mc_outbox *ob = open_fresh("backoff.db");
  if (ob == NULL) return;
  CHECK_EQ(add_receive(ob, "key-backoff-01", &a), MC_OK);
  CHECK_EQ(add_receive(ob, "key-backoff-02", &b), MC_OK);
  f.fail_at[0] = MC_ETIMEOUT; /* the first item times out, the second goes */
  mc_outbox_stats st = pass(ob, &f, 0, NOW);
  CHECK_EQ(st.retry, 1);
  CHECK_EQ(st.delivered, 1); /* a failing item never blocks the others */
  CHECK_EQ(st.stopped, 0);
  mc_outbox_item x = get(ob, a.id);
  CHECK_EQ(x.state, MC_OUTBOX_PENDING);
  CHECK_EQ(x.attempts, 1);
  CHECK_STREQ(x.last_error, "scripted failure 0");
  CHECK(x.next_attempt_ms >= NOW + 3750 && x.next_attempt_ms <= NOW + 5000);
  st = pass(ob, &f, 0, NOW + 1000); /* not due yet */
  CHECK_EQ(st.delivered + st.retry, 0);
  f.fail_at[2] = MC_ETIMEOUT;
  st = pass(ob, &f, 0, NOW + 5000); /* due: fails again, backoff doubles */
  x = get(ob, a.id);
  CHECK_EQ(x.attempts, 2);
  CHECK(x.next_attempt_ms >= NOW + 5000 + 7500 && x.next_attempt_ms <= NOW + 5000 + 10000);
  st = pass(ob, &f, 1, NOW + 6000); /* `sync`: everything now */
  CHECK_EQ(st.delivered, 1);
  CHECK_STREQ(f.sent_key[3], "key-backoff-01"); /* the same key every time */
  CHECK_STREQ(f.sent_key[0], "key-backoff-01");
  mc_outbox_close(ob);
}

static void test_dependency_substitution(void) {
  fake f = {0};
  mc_outbox_item r, fw, later;
  mc_outbox *ob = open_fresh("deps.db");
  if (ob == NULL) return;
  CHECK_EQ(add_receive(ob, "key-dep-rcv-01", &r), MC_OK);
  CHECK_EQ(add_forward(ob, "key-dep-fwd-01", r.provisional, &fw), MC_OK);
  CHECK_EQ(fw.depends_on, r.id);
  CHECK_STREQ(fw.dossier, r.provisional);
  CHECK_EQ(mc_outbox_has_pending(ob, r.provisional), 1);
  CHECK_EQ(add_forward(ob, "key-dep-bad-01", "TAM-18499-999999", NULL), MC_ENOTFOUND);
  f.fail_at[0] = MC_ETIMEOUT; /* receive fails: its forward waits */
  mc_outbox_stats st = pass(ob, &f, 1, NOW);
  CHECK_EQ(st.retry, 1);
  CHECK_EQ(st.waiting, 1);
  CHECK_EQ(f.nsent, 1);
  CHECK_EQ(get(ob, fw.id).attempts, 0);
  st = pass(ob, &f, 1, NOW + 10000);
  CHECK_EQ(st.delivered, 2);
  mc_outbox_item rd = get(ob, r.id), fd = get(ob, fw.id);
  CHECK_STREQ(f.sent_code[2], rd.real_code); /* the real code went to the server */
  CHECK_STREQ(fd.real_code, rd.real_code);
  CHECK_STREQ(f.sent_key[2], "key-dep-fwd-01");
  /* a later command on the provisional number goes straight to the real code */
  CHECK_EQ(add_forward(ob, "key-dep-fwd-02", r.provisional, &later), MC_OK);
  CHECK_STREQ(later.dossier, rd.real_code);
  CHECK_EQ(later.depends_on, 0);
  st = pass(ob, &f, 1, NOW + 20000);
  CHECK_STREQ(f.sent_code[3], rd.real_code);
  mc_outbox_close(ob);
}

static void test_order_per_dossier(void) {
  fake f = {0};
  mc_outbox_item a, b;
  const char *code = "H30.44.02-261008-0077";
  mc_outbox *ob = open_fresh("perdossier.db");
  if (ob == NULL) return;
  CHECK_EQ(mc_outbox_has_pending(ob, code), 0);
  CHECK_EQ(add_forward(ob, "key-pd-0001", code, &a), MC_OK);
  CHECK_EQ(mc_outbox_has_pending(ob, code), 1);
  CHECK_EQ(add_forward(ob, "key-pd-0002", code, &b), MC_OK);
  CHECK_EQ(b.depends_on, a.id); /* behind the earlier item of the same dossier */
  f.fail_at[0] = MC_ECLOSED;
  mc_outbox_stats st = pass(ob, &f, 1, NOW);
  CHECK_EQ(st.retry, 1);
  CHECK_EQ(st.waiting, 1);
  st = pass(ob, &f, 1, NOW + 1);
  CHECK_EQ(st.delivered, 2);
  CHECK_EQ(mc_outbox_has_pending(ob, code), 0);
  mc_outbox_close(ob);
}

static void test_rejection_propagation(void) {
  fake f = {0};
  mc_outbox_item r1, fw, act, r2;
  mc_outbox *ob = open_fresh("reject.db");
  if (ob == NULL) return;
  CHECK_EQ(add_receive(ob, "key-rej-rcv-01", &r1), MC_OK);
  CHECK_EQ(add_forward(ob, "key-rej-fwd-01", r1.provisional, &fw), MC_OK);
  CHECK_EQ(add_forward(ob, "key-rej-fwd-02", r1.provisional, &act), MC_OK);
  CHECK_EQ(act.depends_on, fw.id);
  CHECK_EQ(add_receive(ob, "key-rej-rcv-02", &r2), MC_OK);
  f.fail_at[0] = MC_EINVAL; /* the server refuses the first receive */
  f.refuse_at[0] = 1;
  mc_outbox_stats st = pass(ob, &f, 1, NOW);
  CHECK_EQ(st.rejected, 3);
  CHECK_EQ(st.delivered, 1); /* the other dossier is not blocked */
  CHECK_EQ(f.nsent, 2);
  mc_outbox_item x = get(ob, r1.id);
  CHECK_EQ(x.state, MC_OUTBOX_REJECTED);
  CHECK_STREQ(x.last_error, "scripted failure 0");
  CHECK_EQ(x.attempts, 1);
  x = get(ob, fw.id);
  CHECK_EQ(x.state, MC_OUTBOX_REJECTED);
  char want[64];
  snprintf(want, sizeof want, "depends on rejected item %lld", (long long)r1.id);
  CHECK_STREQ(x.last_error, want);
  x = get(ob, act.id);
  CHECK_EQ(x.state, MC_OUTBOX_REJECTED);
  CHECK_EQ(get(ob, r2.id).state, MC_OUTBOX_DELIVERED);
  /* nothing more can be queued on the rejected provisional number */
  CHECK_EQ(add_forward(ob, "key-rej-fwd-03", r1.provisional, NULL), MC_EBADSTATE);
  /* a transient refusal (database unavailable) is retried, not rejected */
  mc_outbox_item r3;
  CHECK_EQ(add_receive(ob, "key-rej-rcv-03", &r3), MC_OK);
  f.fail_at[2] = MC_EUNAVAIL;
  f.refuse_at[2] = 1;
  st = pass(ob, &f, 1, NOW);
  CHECK_EQ(st.retry, 1);
  CHECK_EQ(get(ob, r3.id).state, MC_OUTBOX_PENDING);
  mc_outbox_close(ob);
}

static void test_link_down_and_lost_reply(void) {
  fake f = {0};
  mc_outbox_item a, b;
  mc_outbox *ob = open_fresh("link.db");
  if (ob == NULL) return;
  CHECK_EQ(add_receive(ob, "key-link-0001", &a), MC_OK);
  CHECK_EQ(add_receive(ob, "key-link-0002", &b), MC_OK);
  f.fail_at[0] = MC_EUNAVAIL;
  f.down_at[0] = 1; /* cannot connect: the pass stops */
  mc_outbox_stats st = pass(ob, &f, 1, NOW);
  CHECK_EQ(st.stopped, 1);
  CHECK_EQ(st.retry, 1);
  CHECK_EQ(f.nsent, 1);
  CHECK_EQ(get(ob, b.id).attempts, 0);
  f.lose_reply_at[1] = 1; /* committed on the server, reply lost */
  st = pass(ob, &f, 1, NOW);
  CHECK_EQ(st.retry, 1);
  CHECK_EQ(st.delivered, 1);
  CHECK_EQ(f.nkeys, 2);
  st = pass(ob, &f, 1, NOW); /* resent: the server answers the first answer */
  CHECK_EQ(st.delivered, 1);
  CHECK_EQ(f.nkeys, 2); /* exactly once */
  CHECK_STREQ(get(ob, a.id).real_code, "H30.44.02-261008-0001");
  mc_outbox_close(ob);
}

/* Accepts any whole request (key, and a real code for a forward). */
static int whole_send(void *ud, const mc_outbox_item *it, Motcua__Envelope *req,
                      Motcua__Envelope **reply, mc_outbox_send_result *res) {
  unsigned *sent = ud;
  char **code = mc_outbox_req_code(req);
  (void)res;
  (void)it;
  CHECK(strncmp(req_key(req), "key-crash-", 10) == 0);
  CHECK(code == NULL || strcmp(*code, "H30.44.02-261008-0001") == 0);
  if (req->body_case == MOTCUA__ENVELOPE__BODY_RECEIVE)
    CHECK(req->receive->applicant && strcmp(req->receive->applicant->id_number, "042190012345") == 0);
  (*sent)++;
  *reply = dossier_reply("H30.44.02-261008-0001");
  return MC_OK;
}

/* Child: add items forever (each its own transaction). */
static void writer_loop(const char *path, int ready_fd) {
  char err[256], key[40];
  mc_outbox *ob = NULL;
  if (mc_outbox_open(path, "18499", &ob, err, sizeof err) != MC_OK) _exit(2);
  for (unsigned i = 0;; i++) {
    mc_outbox_item it;
    snprintf(key, sizeof key, "key-crash-%08u", i);
    if (add_receive(ob, key, &it) != MC_OK) _exit(3);
    if (i == 5 && write(ready_fd, "r", 1) != 1) _exit(4); /* some items are in */
    snprintf(key, sizeof key, "key-crash-f%08u", i);
    if (i % 2 == 0) add_forward(ob, key, it.provisional, NULL);
  }
}

static void check_after_crash(const char *path) {
  char err[256];
  mc_outbox *ob = NULL;
  mc_outbox_item *items = NULL;
  size_t n = 0;
  CHECK_EQ(mc_outbox_open(path, "18499", &ob, err, sizeof err), MC_OK);
  if (ob == NULL) return;
  CHECK_EQ(mc_outbox_list(ob, 1, &items, &n), MC_OK);
  CHECK(n > 0);
  for (size_t i = 0; i < n; i++) {
    mc_outbox_item *it = &items[i];
    CHECK(strcmp(it->kind, "receive") != 0 || mc_outbox_is_provisional(it->provisional));
    CHECK(it->dossier[0] != '\0');
  }
  /* every stored request is whole: one pass sends them all */
  unsigned sent = 0;
  mc_outbox_pass p = {.all = 1, .wait_lock = 1, .now_ms = NOW};
  mc_outbox_stats st;
  CHECK_EQ(mc_outbox_deliver(ob, whole_send, &sent, &p, &st), MC_OK);
  CHECK_EQ(st.rejected, 0);
  CHECK_EQ(st.delivered, n);
  CHECK_EQ(sent, n);
  free(items);
  mc_outbox_close(ob);
}

static void test_crash_safety(void) {
  char path[512];
  snprintf(path, sizeof path, "%s/crash.db", tmpdir);
  for (int round = 0; round < 3; round++) {
    int fds[2];
    char byte;
    unlink(path);
    CHECK_EQ(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) writer_loop(path, fds[1]);
    CHECK(pid > 0);
    CHECK_EQ(read(fds[0], &byte, 1), 1); /* the writer is in its loop */
    close(fds[0]);
    close(fds[1]);
    struct timespec ts = {0, (20 + 40 * round) * 1000000L};
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status)); /* killed mid-loop, not exited on an error */
    check_after_crash(path);
  }
}

int main(void) {
  snprintf(tmpdir, sizeof tmpdir, "%s", TEST_TMPDIR);
  mkdir(tmpdir, 0700);
  test_pure();
  test_ordering_and_provisional();
  test_backoff_schedule();
  test_officer_recorded();
  test_dependency_substitution();
  test_order_per_dossier();
  test_rejection_propagation();
  test_link_down_and_lost_reply();
  test_crash_safety();
  return check_result();
}
