/* The outbox commands: `outbox`, `sync`, and the delivery hook of `watch`.
 * The store, the delivery rules and the queueing policy are the library's
 * (outbox.h, submit.h); this file only prints. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "outbox_cmd.h"


/* The unit's outbox; with create = 0 MC_ENOTFOUND if nothing was ever
 * queued. */
static int ob_open(cli *c, mc_outbox **ob, mc_client_error *err) {
  return mc_sender_outbox(c->sender, 0, ob, err);
}

static int outbox_fail(cli *c, int exit_code, const char *detail) {
  return cli_fail(c, exit_code, MC_EIO, mc_msg(c->lang, MSG_ERR_OUTBOX), detail);
}

/* "Disk low" on stderr (threshold: MOTCUA_OUTBOX_MIN_FREE_MB, default 200). */
static void warn_disk(const cli *c) {
  const char *env = getenv("MOTCUA_OUTBOX_MIN_FREE_MB");
  const char *path = mc_sender_outbox_path(c->sender);
  uint64_t min = env != NULL && env[0] ? strtoull(env, NULL, 10) << 20 : 0, avail = 0;
  if (path[0] == '\0') return;
  if (mc_outbox_disk_low(path, min, &avail) == 1)
    fprintf(stderr, "motcua: %s %llu MiB (%s)\n", mc_msg(c->lang, MSG_OUTBOX_DISK_LOW),
            (unsigned long long)(avail >> 20), path);
}

/* ---- outbox ----------------------------------------------------------------- */

int cli_outbox_parse(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    if (cli_flag(argv[i], "--all"))
      c->all = 1;
    else if (cli_flag(argv[i], "--json"))
      c->json = 1;
    else
      return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
  }
  return EXIT_OK_;
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
      mc_render_human_time(it->next_attempt_ms, mc_render_utc_offset(), lang, t, sizeof t) == 0)
    printf("; %s: %s", mc_msg(lang, MSG_OUTBOX_NEXT_ATTEMPT), t);
  if (it->officer[0]) printf("\n    %s: %s", mc_msg(lang, MSG_OUTBOX_OFFICER), it->officer);
  if (it->last_error[0]) printf("\n    %s: %s", mc_msg(lang, MSG_OUTBOX_LAST_ERROR), it->last_error);
  putchar('\n');
}

static int print_outbox(const cli *c, const mc_outbox_item *items, size_t n, size_t pending) {
  if (c->json) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, mc_outbox_item_json(&items[i]));
    return cli_emit_json(json_pack("{s:s, s:I, s:o}", "outbox", mc_sender_outbox_path(c->sender),
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
  mc_outbox *ob = NULL;
  mc_client_error err = {0};
  size_t n = 0, pending = 0;
  int rc = ob_open(c, &ob, &err);
  if (rc == MC_ENOTFOUND) return print_outbox(c, NULL, 0, 0);
  if (rc != MC_OK) return outbox_fail(c, EXIT_USAGE, err.message);
  if (mc_outbox_list(ob, c->all, &items, &n) != MC_OK ||
      mc_outbox_pending_count(ob, &pending) != MC_OK) {
    free(items);
    return outbox_fail(c, EXIT_USAGE, mc_outbox_errmsg(ob));
  }
  rc = print_outbox(c, items, n, pending);
  free(items);
  warn_disk(c);
  return rc;
}

/* ---- sync ------------------------------------------------------------------- */

int cli_sync_parse(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    if (!cli_flag(argv[i], "--json")) return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    c->json = 1;
  }
  return EXIT_OK_;
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

/* What a sync pass reports to: the run, and with --json the items. */
typedef struct sync_ctx {
  cli *c;
  json_t *items;
} sync_ctx;

static void sync_report_cb(void *ud, const mc_outbox_item *it, mc_outbox_outcome out,
                           Motcua__Envelope **reply) {
  sync_ctx *x = ud;
  cli *c = x->c;
  (void)reply;
  if (c->json)
    json_array_append_new(x->items, mc_outbox_outcome_json(it, out));
  else
    print_outcome(c, it, out);
  fflush(stdout);
}

static int sync_exit(const mc_outbox_stats *st, size_t pending) {
  if (st->stopped && st->stop_err == MC_EREVOKED) return EXIT_REVOKED;
  if (st->stopped || pending > 0) return EXIT_CONNECT;
  return st->rejected > 0 ? EXIT_REFUSED : EXIT_OK_;
}

static int print_sync(cli *c, json_t *items, const mc_outbox_stats *st, size_t pending) {
  if (c->json) {
    items = items != NULL ? json_incref(items) : json_array();
    json_t *o = json_pack("{s:i, s:i, s:I, s:b, s:o}", "delivered", (int)st->delivered,
                          "rejected", (int)st->rejected, "pending", (json_int_t)pending,
                          "stopped", st->stopped, "items", items);
    if (o != NULL && st->stopped) json_object_set_new(o, "error", json_string(st->stop_msg));
    cli_emit_json(o, 0);
  } else if (st->delivered + st->rejected + st->retry + st->waiting == 0 && pending == 0) {
    puts(mc_msg(c->lang, MSG_SYNC_NOTHING));
  } else {
    if (st->stopped) fprintf(stderr, "motcua: %s: %s\n", mc_msg(c->lang, MSG_SYNC_STOPPED),
                             st->stop_err == MC_EREVOKED ? mc_msg(c->lang, MSG_ERR_REVOKED)
                                                         : st->stop_msg);
    printf("%s %u / %u / %zu\n", mc_msg(c->lang, MSG_SYNC_SUMMARY), st->delivered,
           st->rejected, pending);
  }
  return sync_exit(st, pending);
}

static int sync_pass(cli *c, mc_outbox *ob, sync_ctx *x, mc_outbox_stats *st) {
  mc_outbox_pass pass = {.all = 1, .wait_lock = 1, .report = sync_report_cb, .report_ud = x};
  size_t pending = 0;
  char err[512] = "";
  if (mc_client_new(&c->cfg, &c->client, err, sizeof err) != MC_OK)
    return cli_fail(c, EXIT_USAGE, MC_ECONFIG, mc_msg(c->lang, MSG_ERR_TLS_SETUP), err);
  pass.now_ms = mc_client_now_ms();
  if (mc_outbox_sync(ob, c->client, &pass, st) != MC_OK)
    return outbox_fail(c, EXIT_CONNECT, mc_outbox_errmsg(ob));
  mc_outbox_pending_count(ob, &pending);
  return print_sync(c, x->items, st, pending);
}

int cli_sync_run(cli *c) {
  mc_outbox_stats st = {0};
  mc_outbox *ob = NULL;
  mc_client_error err = {0};
  sync_ctx x = {c, NULL};
  size_t pending = 0;
  int rc = ob_open(c, &ob, &err);
  if (rc == MC_ENOTFOUND) return print_sync(c, NULL, &st, 0);
  if (rc != MC_OK) return outbox_fail(c, EXIT_USAGE, err.message);
  if (mc_outbox_pending_count(ob, &pending) != MC_OK || pending == 0)
    return print_sync(c, NULL, &st, pending);
  x.items = c->json ? json_array() : NULL;
  rc = sync_pass(c, ob, &x, &st);
  json_decref(x.items);
  return rc;
}

/* ---- watch ------------------------------------------------------------------ */

static void watch_report_cb(void *ud, const mc_outbox_item *it, mc_outbox_outcome out,
                            Motcua__Envelope **reply) {
  cli *c = ud;
  char ts[40];
  (void)reply;
  if (out == MC_OUTBOX_OUT_WAITING) return;
  if (c->json) {
    json_t *o = mc_outbox_outcome_json(it, out);
    if (o != NULL) {
      json_object_set_new(o, "event", json_string("outbox"));
      json_object_set_new(o, "at", mc_render_time_json(mc_client_now_ms()));
    }
    cli_emit_json(o, 1);
  } else {
    cli_time_text(mc_client_now_ms(), c->lang, ts, sizeof ts);
    printf("%s  %s ", ts, mc_msg(c->lang, MSG_OUTBOX_TITLE));
    print_outcome(c, it, out);
  }
  fflush(stdout);
}

void cli_outbox_watch(void *ud, mc_client *cl, const mc_client_event *ev) {
  cli *c = ud;
  mc_outbox_stats st;
  mc_outbox *ob = NULL;
  if (ev->kind != MC_CLIENT_EV_CONNECTED && ev->kind != MC_CLIENT_EV_PONG) return;
  if (ob_open(c, &ob, NULL) != MC_OK) return;
  if (mc_outbox_watch_event(ob, &c->cfg, ev, watch_report_cb, c, &st) != MC_OK)
    fprintf(stderr, "motcua: %s: %s\n", mc_msg(c->lang, MSG_ERR_OUTBOX), mc_outbox_errmsg(ob));
  size_t n = 0;
  if (mc_outbox_pending_count(ob, &n) == MC_OK) /* shown to IT staff */
    mc_client_report_status(cl, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
}
