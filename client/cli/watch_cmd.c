/* watch: keep the link up and print what the server pushes; the outbox is
 * delivered while the link is up. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "outbox_cmd.h"
#include "watch_cmd.h"

static void watch_stamp(const cli *c, char *buf, size_t size) {
  cli_time_text(mc_client_now_ms(), c->lang, buf, size);
}

static void watch_print_push(const cli *c, const Motcua__Envelope *e, const char *ts) {
  int lang = c->lang;
  if (e->body_case == MOTCUA__ENVELOPE__BODY_DOSSIER_EVENT && e->dossier_event->dossier) {
    const Motcua__DossierEvent *ev = e->dossier_event;
    const Motcua__Dossier *d = ev->dossier;
    printf("%s  %s %s – %s (%s %s): %s, %s %s → %s", ts, mc_msg(lang, MSG_EV_DOSSIER), d->code,
           mc_render_action_label(lang, ev->kind), mc_msg(lang, MSG_EV_FROM),
           ev->from_unit && ev->from_unit[0] ? ev->from_unit : "—",
           mc_status_name(lang, d->status), d->unit_code, d->unit_name, d->holder_unit);
    if (ev->detail != NULL && ev->detail[0] != '\0') printf(" – %s", ev->detail);
    putchar('\n');
  } else if (e->body_case == MOTCUA__ENVELOPE__BODY_ERROR) {
    printf("%s  %s: %s\n", ts, mc_msg(lang, MSG_EV_ERROR),
           mc_msg(lang, mc_msg_for_err(mc_err_from_wire(e->error->code))));
  } else if (e->body_case == MOTCUA__ENVELOPE__BODY_GOODBYE) {
    printf("%s  %s: %s\n", ts, mc_msg(lang, MSG_EV_GOODBYE), e->goodbye->reason);
  } else {
    printf("%s  %s: %s\n", ts, mc_msg(lang, MSG_EV_OTHER), mc_body_name(e->body_case));
  }
}

static void watch_print(const cli *c, mc_client *cl, const mc_client_event *ev) {
  char ts[40];
  const mc_client_info *i = mc_client_get_info(cl);
  int lang = c->lang;
  watch_stamp(c, ts, sizeof ts);
  switch (ev->kind) {
  case MC_CLIENT_EV_CONNECTED:
    printf("%s  %s %s (%s %s %s)\n", ts, mc_msg(lang, MSG_EV_CONNECTED),
           mc_client_target(cl), mc_msg(lang, MSG_F_UNIT), i->unit_code, i->unit_name);
    break;
  case MC_CLIENT_EV_DISCONNECTED:
    printf("%s  %s %.1f s (#%u): %s\n", ts, mc_msg(lang, MSG_EV_DISCONNECTED),
           (double)ev->retry_in_ms / 1000.0, ev->attempt,
           lang == MC_LANG_EN && ev->errmsg && ev->errmsg[0] ? ev->errmsg
                                                             : mc_msg(lang, mc_msg_for_err(ev->err)));
    break;
  case MC_CLIENT_EV_PONG:
    printf("%s  %s %llu ms\n", ts, mc_msg(lang, MSG_EV_PONG), (unsigned long long)ev->rtt_ms);
    break;
  case MC_CLIENT_EV_PUSH:
    watch_print_push(c, ev->env, ts);
    break;
  }
}

static void watch_event_cb(mc_client *cl, const mc_client_event *ev, void *ud) {
  const cli *c = ud;
  if (c->json)
    cli_emit_json(mc_client_event_json(cl, ev, c->lang), 1);
  else
    watch_print(c, cl, ev);
  fflush(stdout);
  cli_outbox_watch(ud, cl, ev); /* deliver the outbox while the link is up */
}

int cli_run_watch(cli *c) {
  char err[512] = "";
  int rc = mc_client_new(&c->cfg, &c->client, err, sizeof err);
  if (rc != MC_OK)
    return cli_fail(c, EXIT_USAGE, MC_ECONFIG, mc_msg(c->lang, MSG_ERR_TLS_SETUP), err);
  rc = mc_client_watch(c->client, watch_event_cb, c);
  if (rc == MC_EREVOKED && c->json) { /* one more line of the JSON stream */
    cli_emit_json(mc_render_error_json(rc, mc_msg(c->lang, MSG_ERR_REVOKED), NULL), 1);
    return EXIT_REVOKED;
  }
  if (rc == MC_EREVOKED) /* no retry with a revoked certificate */
    return cli_fail(c, EXIT_REVOKED, rc, mc_msg(c->lang, MSG_ERR_REVOKED), NULL);
  if (!c->json) fprintf(stderr, "%s\n", mc_msg(c->lang, MSG_EV_STOPPED));
  return rc == MC_OK ? EXIT_OK_ : EXIT_CONNECT;
}

