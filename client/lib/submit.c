/* The send-or-queue policy (submit.h) over mc_client and the outbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "error.h"
#include "submit.h"

struct mc_sender {
  mc_client *client;
  mc_client_config cfg;
  mc_outbox *ob;
  char path[MC_CLIENT_PATH_MAX];
  int offline;             /* the connect failed with this mc_err; MC_OK = connected */
  mc_client_error down;    /* ... and why */
  char key[MC_CLIENT_IDEM_KEY_LEN + 1]; /* the key fixed by the last submit */
  /* a delivery pass run for one submit */
  int64_t want_id;         /* the item whose outcome the pass captures */
  int want_outcome;        /* its mc_outbox_outcome, -1 if not handled */
  Motcua__Envelope *reply; /* its reply, when delivered */
  mc_client_error last;    /* the last failure of a request sent in the pass */
};

/* ---- the rule ---------------------------------------------------------------- */

int mc_submit_is_unreachable(int err, int refused) {
  if (refused) return 0; /* the server answered: report it */
  /* not MC_ETLS / MC_EUNAUTH: a certificate problem needs the desk's IT */
  return err == MC_EUNAVAIL || err == MC_ETIMEOUT || err == MC_ECLOSED || err == MC_EIO;
}

int mc_submit_queueable(const Motcua__Envelope *req) {
  return req->body_case == MOTCUA__ENVELOPE__BODY_RECEIVE ||
         req->body_case == MOTCUA__ENVELOPE__BODY_FORWARD ||
         req->body_case == MOTCUA__ENVELOPE__BODY_ACTION;
}

/* ---- sender ------------------------------------------------------------------ */

int mc_sender_new(mc_client *c, const mc_client_config *cfg, mc_sender **out) {
  mc_sender *s = calloc(1, sizeof *s);
  *out = NULL;
  if (s == NULL) return MC_ENOMEM;
  s->client = c;
  s->cfg = *cfg;
  *out = s;
  return MC_OK;
}

void mc_sender_free(mc_sender *s) {
  if (s == NULL) return;
  mc_outbox_close(s->ob);
  mc_envelope_free(s->reply);
  free(s);
}

int mc_sender_offline(const mc_sender *s) { return s->offline != MC_OK; }

const char *mc_sender_outbox_path(const mc_sender *s) { return s->path; }

int mc_sender_connect(mc_sender *s, int may_queue, mc_client_error *err) {
  mc_client_error e = {0};
  int rc = mc_client_connect(s->client, &e);
  if (rc != MC_OK && may_queue && mc_submit_is_unreachable(rc, e.refused)) {
    s->offline = rc; /* queue instead */
    s->down = e;
    return MC_OK;
  }
  if (err != NULL) *err = e;
  return rc;
}

int mc_sender_outbox(mc_sender *s, int create, mc_outbox **ob, mc_client_error *err) {
  char unit[32], msg[MC_OUTBOX_ERR_MAX] = "";
  *ob = s->ob;
  if (s->ob != NULL) return MC_OK;
  int rc = mc_outbox_config_path(&s->cfg, s->path, sizeof s->path, unit, sizeof unit, msg,
                                 sizeof msg);
  if (rc == MC_OK && !create && access(s->path, F_OK) != 0) return MC_ENOTFOUND;
  if (rc == MC_OK) rc = mc_outbox_open(s->path, unit, &s->ob, msg, sizeof msg);
  if (rc != MC_OK) return mc_client_error_set(err, rc, MC_SUBMIT_E_OUTBOX_OPEN, NULL, msg);
  *ob = s->ob;
  return MC_OK;
}

/* ---- request fields -------------------------------------------------------- */

static char **key_of(Motcua__Envelope *req) {
  switch (req->body_case) {
  case MOTCUA__ENVELOPE__BODY_RECEIVE: return &req->receive->idempotency_key;
  case MOTCUA__ENVELOPE__BODY_FORWARD: return &req->forward->idempotency_key;
  case MOTCUA__ENVELOPE__BODY_ACTION: return &req->action->idempotency_key;
  default: return NULL;
  }
}

/* A fresh key unless the caller fixed one. */
static int fix_key(mc_sender *s, Motcua__Envelope *req, mc_client_error *err) {
  char **key = key_of(req);
  if (key == NULL) return MC_OK;
  if (*key != NULL && (*key)[0] != '\0') /* fixed by the caller: the shared rule */
    return mc_dom_idem_key(*key) == MC_DOM_OK
               ? MC_OK : mc_client_error_set(err, MC_EINVAL, NULL, "idempotency_key", NULL);
  if (mc_client_idem_key(s->key, sizeof s->key) != MC_OK)
    return mc_client_error_set(err, MC_EINTERNAL, NULL, "RAND_bytes", NULL);
  *key = s->key;
  return MC_OK;
}

/* What the outbox listing shows for the item: no citizen id number. */
static void summary_of(const Motcua__Envelope *req, const char *kind, char *buf, size_t size) {
  if (req->body_case == MOTCUA__ENVELOPE__BODY_RECEIVE) {
    const Motcua__ReceiveRequest *r = req->receive;
    snprintf(buf, size, "%s %s", r->procedure_code ? r->procedure_code : "",
             r->applicant && r->applicant->name ? r->applicant->name : "");
    return;
  }
  char **code = mc_outbox_req_code((Motcua__Envelope *)req);
  snprintf(buf, size, "%s %s", kind, code && *code ? *code : "");
}

/* ---- queueing ---------------------------------------------------------------- */

/* mc_outbox_add's errors as the submit's. */
static int add_error(mc_sender *s, int rc, const char *code, mc_client_error *err) {
  if (rc == MC_ENOTFOUND)
    return mc_client_error_set(err, rc, MC_SUBMIT_E_PROVISIONAL, code, NULL);
  if (rc == MC_EBADSTATE)
    return mc_client_error_set(err, rc, MC_SUBMIT_E_REJECTED, code, NULL);
  return mc_client_error_set(err, rc, MC_SUBMIT_E_OUTBOX, code, mc_outbox_errmsg(s->ob));
}

static void note_disk(const mc_sender *s, mc_submit_result *res) {
  const char *env = getenv("MOTCUA_OUTBOX_MIN_FREE_MB");
  uint64_t min = env != NULL && env[0] ? strtoull(env, NULL, 10) << 20 : 0;
  res->disk_low = mc_outbox_disk_low(s->path, min, &res->disk_avail) == 1;
}

static int queue_offline(mc_sender *s, Motcua__Envelope *req, const char *kind,
                         mc_submit_result *res, mc_client_error *err) {
  char summary[MC_OUTBOX_SUMMARY_MAX];
  mc_outbox *ob;
  mc_client_error e = {0};
  int64_t now = mc_client_now_ms();
  char **code = mc_outbox_req_code(req);
  if (mc_sender_outbox(s, 1, &ob, &e) != MC_OK) {
    snprintf(res->outbox_error, sizeof res->outbox_error, "%s", e.message);
    if (err != NULL) *err = s->down; /* reported as the transport failure it is */
    return s->offline;
  }
  summary_of(req, kind, summary, sizeof summary);
  int rc = mc_outbox_add(ob, req, kind, summary, mc_client_officer_login(s->client), now,
                         &res->item);
  if (rc != MC_OK) return add_error(s, rc, code ? *code : NULL, err);
  mc_outbox_note_failure(ob, res->item.id, s->down.message, now);
  res->queued = res->offline = 1;
  note_disk(s, res);
  return MC_OK;
}

/* Records the outcome (and reply) of the item the submit waits for. */
static void capture_cb(void *ud, const mc_outbox_item *it, mc_outbox_outcome out,
                       Motcua__Envelope **reply) {
  mc_sender *s = ud;
  if (it->id != s->want_id) return;
  s->want_outcome = (int)out;
  if (out == MC_OUTBOX_OUT_DELIVERED && reply != NULL) {
    s->reply = *reply;
    *reply = NULL;
  }
}

static int capture_send(void *ud, const mc_outbox_item *it, Motcua__Envelope *req,
                        Motcua__Envelope **reply, mc_outbox_send_result *res) {
  mc_sender *s = ud;
  memset(&s->last, 0, sizeof s->last);
  return mc_outbox_client_send_e(s->client, it, req, reply, res, &s->last);
}

/* Online, but the dossier has undelivered items: queue behind them, then
 * deliver the outbox now over this connection. */
static int queue_behind(mc_sender *s, Motcua__Envelope *req, const char *kind,
                        mc_submit_result *res, mc_client_error *err) {
  char summary[MC_OUTBOX_SUMMARY_MAX];
  mc_outbox_stats st;
  mc_outbox_pass pass = {.all = 1, .wait_lock = 1, .report = capture_cb, .report_ud = s};
  char **code = mc_outbox_req_code(req);
  summary_of(req, kind, summary, sizeof summary);
  pass.now_ms = mc_client_now_ms();
  int rc = mc_outbox_add(s->ob, req, kind, summary, mc_client_officer_login(s->client),
                         pass.now_ms, &res->item);
  if (rc != MC_OK) return add_error(s, rc, code ? *code : NULL, err);
  s->want_id = res->item.id;
  s->want_outcome = -1;
  if (mc_outbox_deliver(s->ob, capture_send, s, &pass, &st) == MC_OK && s->reply != NULL) {
    res->reply = s->reply;
    s->reply = NULL;
    return MC_OK;
  }
  if (s->want_outcome == MC_OUTBOX_OUT_REJECTED && s->last.refused) {
    if (err != NULL) *err = s->last; /* reported as the server's refusal */
    return s->last.err;
  }
  res->queued = 1;
  note_disk(s, res);
  return MC_OK;
}

/* A provisional number online: its receive delivered -> the real code (into
 * real), MC_OK; still pending -> 1 (queue behind it); else an error. */
static int resolve_provisional(mc_sender *s, const char *code, char *real, size_t size,
                               mc_client_error *err) {
  mc_outbox_item rcv;
  mc_outbox *ob;
  int rc = mc_sender_outbox(s, 0, &ob, err);
  if (rc == MC_OK) rc = mc_outbox_find_provisional(ob, code, &rcv);
  if (rc == MC_ENOTFOUND) return mc_client_error_set(err, rc, MC_SUBMIT_E_PROVISIONAL, code, NULL);
  if (rc != MC_OK) return rc;
  if (rcv.state == MC_OUTBOX_REJECTED)
    return mc_client_error_set(err, MC_EBADSTATE, MC_SUBMIT_E_REJECTED, code, NULL);
  if (rcv.state == MC_OUTBOX_PENDING) return 1;
  snprintf(real, size, "%s", rcv.real_code);
  return MC_OK;
}

/* The link died once the request may have left (reset, EOF, timeout): the
 * desk cannot know whether the server committed it, so it is queued with
 * its fixed idempotency key; delivery resends it and the server answers the
 * first answer again, so it is delivered exactly once either way. */
static int call_or_queue(mc_sender *s, Motcua__Envelope *req, const char *kind,
                         mc_submit_result *res, mc_client_error *err) {
  mc_client_error e = {0};
  int rc = mc_client_call(s->client, req, &res->reply, &e);
  if (rc == MC_OK) return MC_OK;
  if (!mc_submit_is_unreachable(rc, e.refused)) {
    if (err != NULL) *err = e;
    return rc;
  }
  s->offline = rc;
  s->down = e;
  return queue_offline(s, req, kind, res, err);
}

static int has_pending(mc_sender *s, const char *code) {
  mc_outbox *ob;
  return mc_sender_outbox(s, 0, &ob, NULL) == MC_OK && mc_outbox_has_pending(ob, code) == 1;
}

static int submit_online(mc_sender *s, Motcua__Envelope *req, const char *kind,
                         mc_submit_result *res, mc_client_error *err) {
  char real[MC_OUTBOX_CODE_MAX] = "";
  char **code = mc_outbox_req_code(req);
  if (code == NULL) return call_or_queue(s, req, kind, res, err);
  if (mc_outbox_is_provisional(*code)) {
    int rc = resolve_provisional(s, *code, real, sizeof real, err);
    if (rc == 1) return queue_behind(s, req, kind, res, err);
    if (rc != MC_OK) return rc;
  }
  if (has_pending(s, real[0] ? real : *code)) return queue_behind(s, req, kind, res, err);
  char *given = *code;
  if (real[0]) *code = real;
  int rc = call_or_queue(s, req, kind, res, err);
  *code = given;
  return rc;
}

int mc_client_submit(mc_sender *s, Motcua__Envelope *req, const char *kind,
                     mc_submit_result *res, mc_client_error *err) {
  memset(res, 0, sizeof *res);
  if (!mc_submit_queueable(req)) {
    if (s->offline != MC_OK) {
      if (err != NULL) *err = s->down;
      return s->offline;
    }
    return mc_client_call(s->client, req, &res->reply, err);
  }
  int rc = fix_key(s, req, err);
  if (rc != MC_OK) return rc;
  if (s->offline != MC_OK) return queue_offline(s, req, kind, res, err);
  return submit_online(s, req, kind, res, err);
}

/* ---- JSON ---------------------------------------------------------------- */

json_t *mc_submit_result_json(const mc_submit_result *r) {
  const mc_outbox_item *it = &r->item;
  const char *prov = it->provisional[0] ? it->provisional
                     : mc_outbox_is_provisional(it->dossier) ? it->dossier : NULL;
  if (!r->queued) return json_pack("{s:b}", "queued", 0);
  json_t *o = json_pack("{s:b, s:I, s:s, s:s, s:s}", "queued", 1, "item", (json_int_t)it->id,
                        "kind", it->kind, "dossier", it->dossier, "reason",
                        r->offline ? "offline" : "behind");
  if (o != NULL) json_object_set_new(o, "provisional", prov ? json_string(prov) : json_null());
  return o;
}
