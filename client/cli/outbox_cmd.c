/* The offline outbox in the CLI: queueing instead of failing, `outbox`,
 * `sync`, and the delivery hook of `watch`. The store and the delivery
 * rules are the library's (outbox.h); this file only decides when to
 * queue and prints. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "outbox.h"
#include "outbox_cmd.h"

struct cli_outbox {
  mc_outbox *ob;
  char path[MC_CLIENT_PATH_MAX];
  char unit[32];
  char err[512];
  int offline;             /* mc_client_connect failed with this mc_err; 0 = connected */
  int last_err;            /* result of the last request sent during a pass */
  int64_t want_id;         /* item whose outcome a pass captures */
  int want_outcome;        /* mc_outbox_outcome of want_id, -1 if not handled */
  Motcua__Envelope *reply; /* reply captured for want_id */
  json_t *items;           /* sync --json: the items handled */
};

static struct cli_outbox *state(cli *c) {
  if (c->ob == NULL) c->ob = calloc(1, sizeof *c->ob);
  return c->ob;
}

void cli_outbox_free(cli *c) {
  if (c->ob == NULL) return;
  mc_outbox_close(c->ob->ob);
  mc_envelope_free(c->ob->reply);
  json_decref(c->ob->items);
  free(c->ob);
  c->ob = NULL;
}

/* Open the unit's outbox; with create = 0 only if the file exists
 * (MC_ENOTFOUND otherwise: nothing was ever queued). */
static int ob_open(cli *c, int create) {
  struct cli_outbox *s = state(c);
  if (s == NULL) return MC_ENOMEM;
  if (s->ob != NULL) return MC_OK;
  int rc = mc_outbox_config_path(&c->cfg, s->path, sizeof s->path, s->unit, sizeof s->unit,
                                 s->err, sizeof s->err);
  if (rc == MC_OK && !create && access(s->path, F_OK) != 0) return MC_ENOTFOUND;
  if (rc == MC_OK) rc = mc_outbox_open(s->path, s->unit, &s->ob, s->err, sizeof s->err);
  return rc;
}

static int outbox_fail(cli *c, int exit_code, const char *detail) {
  return cli_fail(c, exit_code, MC_EIO, mc_msg(c->lang, MSG_ERR_OUTBOX), detail);
}

static json_t *jtime(int64_t ms) {
  char buf[40];
  if (mc_cli_rfc3339(ms, mc_cli_utc_offset(), buf, sizeof buf) != 0) return json_null();
  return json_string(buf);
}

static json_t *jstr_or_null(const char *s) {
  return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

/* "Disk low" on stderr (threshold: MOTCUA_OUTBOX_MIN_FREE_MB, default 200). */
static void warn_disk(const cli *c) {
  const char *env = getenv("MOTCUA_OUTBOX_MIN_FREE_MB");
  uint64_t min = env != NULL && env[0] ? strtoull(env, NULL, 10) << 20 : 0, avail = 0;
  if (c->ob == NULL || c->ob->path[0] == '\0') return;
  if (mc_outbox_disk_low(c->ob->path, min, &avail) == 1)
    fprintf(stderr, "motcua: %s %llu MiB (%s)\n", mc_msg(c->lang, MSG_OUTBOX_DISK_LOW),
            (unsigned long long)(avail >> 20), c->ob->path);
}

/* ---- queueing --------------------------------------------------------------- */

static int queueable_cmd(const cli *c) {
  return c->cmd->action != 0 || strcmp(c->cmd->name, "receive") == 0 ||
         strcmp(c->cmd->name, "forward") == 0;
}

static int queueable_body(const Motcua__Envelope *req) {
  return req->body_case == MOTCUA__ENVELOPE__BODY_RECEIVE ||
         req->body_case == MOTCUA__ENVELOPE__BODY_FORWARD ||
         req->body_case == MOTCUA__ENVELOPE__BODY_ACTION;
}

int cli_outbox_offline(cli *c, int err) {
  if (!queueable_cmd(c) || !mc_outbox_is_unreachable(err, mc_client_refused(c->client)))
    return 0;
  struct cli_outbox *s = state(c);
  if (s == NULL) return 0;
  s->offline = err;
  return 1;
}

/* What `outbox` shows for the item: no citizen id number. */
static void summary_of(const cli *c, const Motcua__Envelope *req, char *buf, size_t size) {
  if (req->body_case == MOTCUA__ENVELOPE__BODY_RECEIVE)
    snprintf(buf, size, "%s %s", c->procedure ? c->procedure : "", c->name ? c->name : "");
  else
    snprintf(buf, size, "%s %s", c->cmd->name, c->code ? c->code : "");
}

static int print_queued(cli *c, const mc_outbox_item *it, int offline) {
  const char *prov = it->provisional[0] ? it->provisional
                     : mc_outbox_is_provisional(it->dossier) ? it->dossier : NULL;
  if (c->json) {
    json_t *o = json_pack("{s:b, s:I, s:s, s:s, s:s}", "queued", 1, "item", (json_int_t)it->id,
                          "kind", it->kind, "dossier", it->dossier, "reason",
                          offline ? "offline" : "behind");
    if (o != NULL) json_object_set_new(o, "provisional", jstr_or_null(prov));
    cli_emit_json(o, 0);
  } else if (it->provisional[0]) {
    printf("%s %s; %s\n", mc_msg(c->lang, MSG_OUTBOX_QUEUED_RECEIVE), it->provisional,
           mc_msg(c->lang, MSG_OUTBOX_RUN_SYNC));
  } else {
    printf("%s %lld (%s %s); %s\n",
           mc_msg(c->lang, offline ? MSG_OUTBOX_QUEUED_ITEM : MSG_OUTBOX_QUEUED_BEHIND),
           (long long)it->id, it->kind, it->dossier, mc_msg(c->lang, MSG_OUTBOX_RUN_SYNC));
  }
  warn_disk(c);
  return EXIT_REPORTED + EXIT_OK_;
}

/* mc_outbox_add's errors as the command's answer. */
static int add_error(cli *c, int rc, const char *code) {
  if (rc == MC_ENOTFOUND)
    return EXIT_REPORTED + cli_fail(c, EXIT_USAGE, rc, mc_msg(c->lang, MSG_ERR_PROVISIONAL), code);
  if (rc == MC_EBADSTATE)
    return EXIT_REPORTED + cli_fail(c, EXIT_REFUSED, rc,
                                    mc_msg(c->lang, MSG_ERR_PROVISIONAL_REJECTED), code);
  return EXIT_REPORTED + outbox_fail(c, EXIT_CONNECT, mc_outbox_errmsg(c->ob->ob));
}

static int queue_offline(cli *c, Motcua__Envelope *req) {
  struct cli_outbox *s = c->ob;
  char summary[MC_OUTBOX_SUMMARY_MAX];
  mc_outbox_item it;
  int64_t now = mc_client_now_ms();
  if (ob_open(c, 1) != MC_OK) {
    fprintf(stderr, "motcua: %s: %s\n", mc_msg(c->lang, MSG_ERR_OUTBOX), s->err);
    return s->offline; /* reported as the transport failure it is */
  }
  summary_of(c, req, summary, sizeof summary);
  int rc = mc_outbox_add(s->ob, req, c->cmd->name, summary, now, &it);
  if (rc != MC_OK) return add_error(c, rc, c->code);
  mc_outbox_note_failure(s->ob, it.id, mc_client_errmsg(c->client), now);
  return print_queued(c, &it, 1);
}

/* Records the outcome (and reply) of the item the command is waiting for. */
static void capture_cb(void *ud, const mc_outbox_item *it, mc_outbox_outcome out,
                       Motcua__Envelope **reply) {
  struct cli_outbox *s = ud;
  if (it->id != s->want_id) return;
  s->want_outcome = (int)out;
  if (out == MC_OUTBOX_OUT_DELIVERED && reply != NULL) {
    s->reply = *reply;
    *reply = NULL;
  }
}

static int capture_send(void *ud, Motcua__Envelope *req, Motcua__Envelope **reply,
                        mc_outbox_send_result *res) {
  cli *c = ud;
  return c->ob->last_err = mc_outbox_client_send(c->client, req, reply, res);
}

/* Online, but the dossier has undelivered items: queue behind them, then
 * deliver the outbox now over this connection. */
static int queue_behind(cli *c, Motcua__Envelope *req, Motcua__Envelope **reply) {
  struct cli_outbox *s = c->ob;
  char summary[MC_OUTBOX_SUMMARY_MAX];
  mc_outbox_item it;
  mc_outbox_stats st;
  mc_outbox_pass pass = {.all = 1, .wait_lock = 1, .report = capture_cb, .report_ud = s};
  summary_of(c, req, summary, sizeof summary);
  pass.now_ms = mc_client_now_ms();
  int rc = mc_outbox_add(s->ob, req, c->cmd->name, summary, pass.now_ms, &it);
  if (rc != MC_OK) return add_error(c, rc, c->code);
  s->want_id = it.id;
  s->want_outcome = -1;
  if (mc_outbox_deliver(s->ob, capture_send, c, &pass, &st) == MC_OK && s->reply != NULL) {
    *reply = s->reply;
    s->reply = NULL;
    return MC_OK;
  }
  if (s->want_outcome == MC_OUTBOX_OUT_REJECTED && mc_client_refused(c->client))
    return s->last_err; /* reported as the server's refusal */
  return print_queued(c, &it, 0);
}

/* A provisional number online: its receive delivered -> the real code
 * (into real); still pending -> 1 (queue behind it). */
static int resolve_provisional(cli *c, const char *code, char *real, size_t size) {
  mc_outbox_item rcv;
  int rc = ob_open(c, 0);
  if (rc == MC_OK) rc = mc_outbox_find_provisional(c->ob->ob, code, &rcv);
  if (rc == MC_ENOTFOUND) return add_error(c, rc, code);
  if (rc != MC_OK) return EXIT_REPORTED + outbox_fail(c, EXIT_USAGE, c->ob->err);
  if (rcv.state == MC_OUTBOX_REJECTED) return add_error(c, MC_EBADSTATE, code);
  if (rcv.state == MC_OUTBOX_PENDING) return 1;
  snprintf(real, size, "%s", rcv.real_code);
  return MC_OK;
}

/* The link died once the request may have left (reset, EOF, timeout): the
 * desk cannot know whether the server committed it, so it is queued with
 * its fixed idempotency key; `sync` resends it and the server answers the
 * first answer again, so it is delivered exactly once either way. */
static int call_or_queue(cli *c, Motcua__Envelope *req, Motcua__Envelope **reply) {
  int rc = mc_client_call(c->client, req, reply);
  if (rc == MC_OK || !mc_outbox_is_unreachable(rc, mc_client_refused(c->client))) return rc;
  if (state(c) == NULL) return rc;
  c->ob->offline = rc;
  return queue_offline(c, req);
}

static int call_online(cli *c, Motcua__Envelope *req, Motcua__Envelope **reply) {
  char real[MC_OUTBOX_CODE_MAX] = "";
  char **code = mc_outbox_req_code(req);
  if (code == NULL || state(c) == NULL) return call_or_queue(c, req, reply);
  if (mc_outbox_is_provisional(*code)) {
    int rc = resolve_provisional(c, *code, real, sizeof real);
    if (rc == 1) return queue_behind(c, req, reply);
    if (rc != MC_OK) return rc;
  }
  const char *key = real[0] ? real : *code;
  if (ob_open(c, 0) == MC_OK && mc_outbox_has_pending(c->ob->ob, key) == 1)
    return queue_behind(c, req, reply);
  char *given = *code;
  if (real[0]) *code = real;
  int rc = call_or_queue(c, req, reply);
  *code = given;
  return rc;
}

int cli_outbox_call(cli *c, Motcua__Envelope *req, Motcua__Envelope **reply) {
  int offline = c->ob != NULL && c->ob->offline != MC_OK;
  *reply = NULL;
  if (offline) return queueable_body(req) ? queue_offline(c, req) : c->ob->offline;
  if (!queueable_body(req)) return mc_client_call(c->client, req, reply);
  return call_online(c, req, reply);
}

/* ---- outbox ----------------------------------------------------------------- */

int cli_outbox_parse(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--all") == 0)
      c->all = 1;
    else if (strcmp(argv[i], "--json") == 0)
      c->json = 1;
    else
      return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
  }
  return EXIT_OK_;
}

static json_t *item_json(const mc_outbox_item *it) {
  json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:i, s:s}", "item", (json_int_t)it->id,
                        "kind", it->kind, "state", mc_outbox_state_name(it->state), "dossier",
                        it->dossier, "summary", it->summary, "created_at",
                        jtime(it->created_at_ms), "attempts", (int)it->attempts, "last_error",
                        it->last_error);
  if (o == NULL) return NULL;
  json_object_set_new(o, "provisional", jstr_or_null(it->provisional));
  json_object_set_new(o, "depends_on", it->depends_on ? json_integer(it->depends_on) : json_null());
  json_object_set_new(o, "next_attempt_at", it->state == MC_OUTBOX_PENDING
                                                ? jtime(it->next_attempt_ms) : json_null());
  json_object_set_new(o, "code", jstr_or_null(it->real_code));
  json_object_set_new(o, "status", it->result_status ? json_integer(it->result_status)
                                                     : json_null());
  json_object_set_new(o, "delivered_at", it->delivered_at_ms ? jtime(it->delivered_at_ms)
                                                             : json_null());
  return o;
}

static enum mc_msg state_msg(int state) {
  return state == MC_OUTBOX_DELIVERED  ? MSG_OUTBOX_DELIVERED
         : state == MC_OUTBOX_REJECTED ? MSG_OUTBOX_REJECTED
                                       : MSG_OUTBOX_PENDING;
}

static void print_item(const cli *c, const mc_outbox_item *it) {
  char t[40];
  int lang = c->lang;
  printf("#%lld  %s  %s  %s", (long long)it->id, mc_msg(lang, state_msg(it->state)), it->kind,
         it->dossier);
  if (it->real_code[0] && strcmp(it->real_code, it->dossier) != 0) printf(" → %s", it->real_code);
  printf("  %s\n    %s: %u", it->summary, mc_msg(lang, MSG_OUTBOX_ATTEMPTS), it->attempts);
  if (it->depends_on && it->state == MC_OUTBOX_PENDING)
    printf("; %s #%lld", mc_msg(lang, MSG_OUTBOX_WAITS_FOR), (long long)it->depends_on);
  if (it->state == MC_OUTBOX_PENDING && it->attempts > 0 &&
      mc_cli_human_time(it->next_attempt_ms, mc_cli_utc_offset(), lang, t, sizeof t) == 0)
    printf("; %s: %s", mc_msg(lang, MSG_OUTBOX_NEXT_ATTEMPT), t);
  if (it->last_error[0]) printf("\n    %s: %s", mc_msg(lang, MSG_OUTBOX_LAST_ERROR), it->last_error);
  putchar('\n');
}

static int print_outbox(const cli *c, const mc_outbox_item *items, size_t n, size_t pending) {
  if (c->json) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, item_json(&items[i]));
    return cli_emit_json(json_pack("{s:s, s:I, s:o}", "outbox", c->ob ? c->ob->path : "",
                                   "pending", (json_int_t)pending, "items", a), 0)
               ? EXIT_CONNECT : EXIT_OK_;
  }
  if (n == 0) {
    puts(mc_msg(c->lang, MSG_OUTBOX_EMPTY));
    return EXIT_OK_;
  }
  for (size_t i = 0; i < n; i++) print_item(c, &items[i]);
  printf("%zu %s %zu\n", n, mc_msg(c->lang, MSG_OUTBOX_COUNT), pending);
  return EXIT_OK_;
}

int cli_outbox_run(cli *c) {
  mc_outbox_item *items = NULL;
  size_t n = 0, pending = 0;
  int rc = ob_open(c, 0);
  if (rc == MC_ENOTFOUND) return print_outbox(c, NULL, 0, 0);
  if (rc != MC_OK) return outbox_fail(c, EXIT_USAGE, c->ob ? c->ob->err : NULL);
  if (mc_outbox_list(c->ob->ob, c->all, &items, &n) != MC_OK ||
      mc_outbox_pending_count(c->ob->ob, &pending) != MC_OK) {
    free(items);
    return outbox_fail(c, EXIT_USAGE, mc_outbox_errmsg(c->ob->ob));
  }
  rc = print_outbox(c, items, n, pending);
  free(items);
  warn_disk(c);
  return rc;
}

/* ---- sync ------------------------------------------------------------------- */

int cli_sync_parse(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--json") != 0) return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    c->json = 1;
  }
  return EXIT_OK_;
}

static const char *outcome_name(mc_outbox_outcome out) {
  return out == MC_OUTBOX_OUT_DELIVERED  ? "delivered"
         : out == MC_OUTBOX_OUT_REJECTED ? "rejected"
         : out == MC_OUTBOX_OUT_RETRY    ? "retry"
                                         : "waiting";
}

static json_t *outcome_json(const mc_outbox_item *it, mc_outbox_outcome out) {
  json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:i}", "item", (json_int_t)it->id, "kind",
                        it->kind, "outcome", outcome_name(out), "dossier", it->dossier,
                        "attempts", (int)it->attempts);
  if (o == NULL) return NULL;
  json_object_set_new(o, "provisional", jstr_or_null(it->provisional));
  json_object_set_new(o, "code", jstr_or_null(it->real_code));
  json_object_set_new(o, "status", it->result_status ? json_integer(it->result_status)
                                                     : json_null());
  json_object_set_new(o, "error", out == MC_OUTBOX_OUT_DELIVERED ? json_null()
                                                                 : jstr_or_null(it->last_error));
  return o;
}

static void print_outcome(const cli *c, const mc_outbox_item *it, mc_outbox_outcome out) {
  int lang = c->lang;
  printf("#%lld  %s  %s", (long long)it->id, it->kind, it->dossier);
  if (out == MC_OUTBOX_OUT_DELIVERED) {
    printf(" → %s: %s (%s)\n", it->real_code, mc_msg(lang, MSG_OUTBOX_DELIVERED),
           mc_status_name(lang, it->result_status));
  } else if (out == MC_OUTBOX_OUT_REJECTED) {
    printf(": %s: %s\n", mc_msg(lang, MSG_OUTBOX_REJECTED), it->last_error);
  } else {
    printf(": %s%s%s\n", mc_msg(lang, out == MC_OUTBOX_OUT_RETRY ? MSG_SYNC_RETRY
                                                                  : MSG_SYNC_WAITING),
           it->last_error[0] && out == MC_OUTBOX_OUT_RETRY ? ": " : "",
           out == MC_OUTBOX_OUT_RETRY ? it->last_error : "");
  }
}

static void sync_report_cb(void *ud, const mc_outbox_item *it, mc_outbox_outcome out,
                           Motcua__Envelope **reply) {
  cli *c = ud;
  (void)reply;
  if (c->json)
    json_array_append_new(c->ob->items, outcome_json(it, out));
  else
    print_outcome(c, it, out);
  fflush(stdout);
}

static int sync_exit(const mc_outbox_stats *st, size_t pending) {
  if (st->stopped || pending > 0) return EXIT_CONNECT;
  return st->rejected > 0 ? EXIT_REFUSED : EXIT_OK_;
}

static int print_sync(cli *c, const mc_outbox_stats *st, size_t pending) {
  if (c->json) {
    json_t *items = c->ob && c->ob->items ? json_incref(c->ob->items) : json_array();
    json_t *o = json_pack("{s:i, s:i, s:I, s:b, s:o}", "delivered", (int)st->delivered,
                          "rejected", (int)st->rejected, "pending", (json_int_t)pending,
                          "stopped", st->stopped, "items", items);
    if (o != NULL && st->stopped) json_object_set_new(o, "error", json_string(st->stop_msg));
    cli_emit_json(o, 0);
  } else if (st->delivered + st->rejected + st->retry + st->waiting == 0 && pending == 0) {
    puts(mc_msg(c->lang, MSG_SYNC_NOTHING));
  } else {
    if (st->stopped) fprintf(stderr, "motcua: %s: %s\n", mc_msg(c->lang, MSG_SYNC_STOPPED),
                             st->stop_msg);
    printf("%s %u / %u / %zu\n", mc_msg(c->lang, MSG_SYNC_SUMMARY), st->delivered,
           st->rejected, pending);
  }
  return sync_exit(st, pending);
}

int cli_sync_run(cli *c) {
  mc_outbox_stats st = {0};
  mc_outbox_pass pass = {.all = 1, .wait_lock = 1, .report = sync_report_cb, .report_ud = c};
  size_t pending = 0;
  char err[512] = "";
  int rc = ob_open(c, 0);
  if (rc == MC_ENOTFOUND) return print_sync(c, &st, 0);
  if (rc != MC_OK) return outbox_fail(c, EXIT_USAGE, c->ob ? c->ob->err : NULL);
  if (mc_outbox_pending_count(c->ob->ob, &pending) != MC_OK || pending == 0)
    return print_sync(c, &st, pending);
  if ((rc = mc_client_new(&c->cfg, &c->client, err, sizeof err)) != MC_OK)
    return cli_fail(c, EXIT_USAGE, MC_ECONFIG, mc_msg(c->lang, MSG_ERR_TLS_SETUP), err);
  c->ob->items = c->json ? json_array() : NULL;
  pass.now_ms = mc_client_now_ms();
  if (mc_outbox_sync(c->ob->ob, c->client, &pass, &st) != MC_OK)
    return outbox_fail(c, EXIT_CONNECT, mc_outbox_errmsg(c->ob->ob));
  mc_outbox_pending_count(c->ob->ob, &pending);
  return print_sync(c, &st, pending);
}

/* ---- watch ------------------------------------------------------------------ */

static void watch_report_cb(void *ud, const mc_outbox_item *it, mc_outbox_outcome out,
                            Motcua__Envelope **reply) {
  cli *c = ud;
  char ts[40];
  (void)reply;
  if (out == MC_OUTBOX_OUT_WAITING) return;
  if (c->json) {
    json_t *o = outcome_json(it, out);
    if (o != NULL) {
      json_object_set_new(o, "event", json_string("outbox"));
      json_object_set_new(o, "at", jtime(mc_client_now_ms()));
    }
    cli_emit_json(o, 1);
  } else {
    if (mc_cli_human_time(mc_client_now_ms(), mc_cli_utc_offset(), c->lang, ts, sizeof ts))
      ts[0] = '\0';
    printf("%s  %s ", ts, mc_msg(c->lang, MSG_OUTBOX_TITLE));
    print_outcome(c, it, out);
  }
  fflush(stdout);
}

void cli_outbox_watch(void *ud, mc_client *cl, const mc_client_event *ev) {
  cli *c = ud;
  mc_outbox_stats st;
  if (ev->kind != MC_CLIENT_EV_CONNECTED && ev->kind != MC_CLIENT_EV_PONG) return;
  if (ob_open(c, 0) != MC_OK) return;
  if (mc_outbox_watch_event(c->ob->ob, &c->cfg, ev, watch_report_cb, c, &st) != MC_OK)
    fprintf(stderr, "motcua: %s: %s\n", mc_msg(c->lang, MSG_ERR_OUTBOX),
            mc_outbox_errmsg(c->ob->ob));
  size_t n = 0;
  if (mc_outbox_pending_count(c->ob->ob, &n) == MC_OK) /* shown to IT staff */
    mc_client_report_status(cl, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
}
