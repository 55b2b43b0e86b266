/* The motcua commands: argument parsing/validation and output. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "error.h"

/* ---- argument parsing ------------------------------------------------- */

static int parse_none(cli *c, int argc, char **argv) {
  return argc > 0 ? cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[0]) : EXIT_OK_;
}

static int check(cli *c, enum mc_msg m, const char *arg) {
  return m == MSG_NONE ? EXIT_OK_ : cli_usage_error(c, m, arg);
}

static int parse_code(cli *c, int argc, char **argv) {
  if (argc < 1) return cli_usage_error(c, MSG_ERR_NEED_CODE, NULL);
  if (argc > 1) return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[1]);
  c->code = argv[0];
  return check(c, mc_cli_check_dossier_code(c->code), c->code);
}

static int parse_forward(cli *c, int argc, char **argv) {
  int rc = parse_code(c, argc, argv);
  return rc != EXIT_OK_ ? rc : check(c, mc_cli_check_officer(c->officer), NULL);
}

/* One "--opt value" of receive; 0 ok, else exit code after reporting. */
static int receive_opt(cli *c, int argc, char **argv, int *i) {
  static const char *const names[] = {"--procedure", "--name", "--id", "--phone",
                                      "--channel"};
  const char **slots[] = {&c->procedure, &c->name, &c->id, &c->phone, NULL};
  const char *v = NULL, *channel = NULL;
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
    int r = cli_opt_value(argc, argv, i, names[k], &v);
    if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, names[k]);
    if (r == 0) continue;
    if (slots[k] != NULL) {
      *slots[k] = v;
      return EXIT_OK_;
    }
    channel = v;
    c->channel = mc_cli_channel_parse(channel);
    return c->channel < 0 ? cli_usage_error(c, MSG_ERR_CHANNEL, channel) : EXIT_OK_;
  }
  return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[*i]);
}

static int parse_receive(cli *c, int argc, char **argv) {
  int rc;
  c->channel = MOTCUA__CHANNEL__CHANNEL_DIRECT;
  for (int i = 0; i < argc; i++)
    if ((rc = receive_opt(c, argc, argv, &i)) != EXIT_OK_) return rc;
  if ((rc = check(c, mc_cli_check_procedure(c->procedure), c->procedure)) ||
      (rc = check(c, mc_cli_check_name(c->name), NULL)) ||
      (rc = check(c, mc_cli_check_citizen_id(c->id), NULL)) ||
      (rc = check(c, mc_cli_check_phone(c->phone), NULL)) ||
      (rc = check(c, mc_cli_check_officer(c->officer), NULL)))
    return rc;
  return EXIT_OK_;
}

static int parse_list(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    const char *v = NULL;
    int r;
    if ((r = cli_opt_value(argc, argv, &i, "--status", &v)) != 0) {
      if (r < 0 || mc_cli_parse_uint(v, 1, 10, &c->status) != 0)
        return cli_usage_error(c, MSG_ERR_STATUS_RANGE, v);
    } else if ((r = cli_opt_value(argc, argv, &i, "--limit", &v)) != 0) {
      if (r < 0 || mc_cli_parse_uint(v, 1, MC_CLI_LIST_LIMIT_MAX, &c->limit) != 0)
        return cli_usage_error(c, MSG_ERR_LIMIT_RANGE, v);
    } else {
      return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    }
  }
  return EXIT_OK_;
}

/* ---- calls ------------------------------------------------------------ */

/* Send req and check the reply's body; exit code. */
static int call(cli *c, Motcua__Envelope *req, Motcua__Envelope__BodyCase want,
                Motcua__Envelope **reply) {
  int rc = mc_client_call(c->client, req, reply);
  if (rc != MC_OK) return cli_client_error(c, rc);
  if ((*reply)->body_case == want) return EXIT_OK_;
  const char *got = mc_body_name((*reply)->body_case);
  mc_envelope_free(*reply);
  *reply = NULL;
  if (c->json)
    return cli_fail(c, EXIT_CONNECT, MC_EPROTO, mc_msg(c->lang, MSG_ERR_UNEXPECTED_REPLY), NULL);
  return cli_fail(c, EXIT_CONNECT, MC_EPROTO, mc_msg(c->lang, MSG_ERR_UNEXPECTED_REPLY), got);
}

static void time_text(int64_t ms, int lang, char *buf, size_t size) {
  if (mc_cli_human_time(ms, MC_CLI_UTC_OFFSET_MIN, lang, buf, size) != 0)
    snprintf(buf, size, "%s", mc_msg(lang, MSG_NONE_YET));
}

static json_t *jtime(int64_t ms) {
  char buf[40];
  if (mc_cli_rfc3339(ms, MC_CLI_UTC_OFFSET_MIN, buf, sizeof buf) != 0) return json_null();
  return json_string(buf);
}

static const char *role_name(int role) {
  static const char *const names[] = {"unknown", "commune", "district", "admin"};
  return role >= 0 && role <= 3 ? names[role] : names[0];
}

static enum mc_msg role_msg(int role) {
  return role == 1 ? MSG_ROLE_COMMUNE : role == 2 ? MSG_ROLE_DISTRICT
                                    : role == 3   ? MSG_ROLE_ADMIN
                                                  : MSG_UNKNOWN;
}

/* ---- commands --------------------------------------------------------- */

static int run_ping(cli *c) {
  uint64_t rtt = 0;
  int64_t server_ms = 0;
  const mc_client_info *info = mc_client_get_info(c->client);
  int rc = mc_client_ping(c->client, &rtt, &server_ms);
  if (rc != MC_OK) return cli_client_error(c, rc);
  if (c->json)
    return cli_emit_json(json_pack("{s:s, s:o, s:I, s:s}", "server_version",
                                   info->server_version, "server_time", jtime(server_ms),
                                   "rtt_ms", (json_int_t)rtt, "server",
                                   mc_client_target(c->client)), 0) ? EXIT_CONNECT : EXIT_OK_;
  char t[40];
  time_text(server_ms, c->lang, t, sizeof t);
  printf("%s: %s (motcua-server %s)\n", mc_msg(c->lang, MSG_F_SERVER),
         mc_client_target(c->client), info->server_version);
  printf("%s: %s (+07:00)\n", mc_msg(c->lang, MSG_F_SERVER_TIME), t);
  printf("%s: %llu ms\n", mc_msg(c->lang, MSG_F_RTT), (unsigned long long)rtt);
  return EXIT_OK_;
}

static int run_whoami(cli *c) {
  const mc_client_info *i = mc_client_get_info(c->client);
  if (c->json)
    return cli_emit_json(json_pack("{s:s, s:s, s:s, s:s}", "unit", i->unit_code,
                                   "unit_name", i->unit_name, "role", role_name(i->role),
                                   "server_version", i->server_version), 0)
               ? EXIT_CONNECT : EXIT_OK_;
  printf("%s: %s %s\n", mc_msg(c->lang, MSG_F_UNIT), i->unit_code, i->unit_name);
  printf("%s: %s (%s)\n", mc_msg(c->lang, MSG_F_ROLE), mc_msg(c->lang, role_msg(i->role)),
         role_name(i->role));
  return EXIT_OK_;
}

static int run_procedures(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ProceduresRequest body = MOTCUA__PROCEDURES_REQUEST__INIT;
  req.body_case = MOTCUA__ENVELOPE__BODY_PROCEDURES;
  req.procedures = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_PROCEDURES_REPLY, &rep);
  if (rc != EXIT_OK_) return rc;
  const Motcua__ProceduresReply *r = rep->procedures_reply;
  if (c->json) {
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_procedures; i++)
      json_array_append_new(a, mc_cli_procedure_json(r->procedures[i]));
    rc = cli_emit_json(a, 0) ? EXIT_CONNECT : EXIT_OK_;
  } else {
    for (size_t i = 0; i < r->n_procedures; i++)
      mc_cli_print_procedure(stdout, r->procedures[i], c->lang);
    printf("%zu %s\n", r->n_procedures, mc_msg(c->lang, MSG_PROC_COUNT));
  }
  mc_envelope_free(rep);
  return rc;
}

/* Print a DossierReply (JSON or human, with an optional headline). */
static int print_dossier_reply(cli *c, Motcua__Envelope *rep, enum mc_msg headline) {
  const Motcua__Dossier *d = rep->dossier_reply->dossier;
  int rc = EXIT_OK_;
  if (d == NULL) {
    rc = cli_fail(c, EXIT_CONNECT, MC_EPROTO, mc_msg(c->lang, MSG_ERR_UNEXPECTED_REPLY), NULL);
  } else if (c->json) {
    rc = cli_emit_json(mc_cli_dossier_json(d, c->lang), 0) ? EXIT_CONNECT : EXIT_OK_;
  } else {
    if (headline != MSG_NONE) printf("%s: %s\n", mc_msg(c->lang, headline), d->code);
    mc_cli_print_dossier(stdout, d, c->lang);
  }
  mc_envelope_free(rep);
  return rc;
}

static int run_receive(cli *c) {
  char key[MC_CLIENT_IDEM_KEY_LEN + 1];
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ReceiveRequest body = MOTCUA__RECEIVE_REQUEST__INIT;
  Motcua__Applicant a = MOTCUA__APPLICANT__INIT;
  if (mc_client_idem_key(key, sizeof key) != MC_OK)
    return cli_fail(c, EXIT_CONNECT, MC_EINTERNAL, mc_strerror(MC_EINTERNAL), "RAND_bytes");
  a.name = (char *)c->name;
  a.id_number = (char *)c->id;
  a.phone = (char *)(c->phone ? c->phone : "");
  body.idempotency_key = key;
  body.procedure_code = (char *)c->procedure;
  body.applicant = &a;
  body.channel = (Motcua__Channel)c->channel;
  body.officer = (char *)c->officer;
  req.body_case = MOTCUA__ENVELOPE__BODY_RECEIVE;
  req.receive = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY, &rep);
  return rc != EXIT_OK_ ? rc : print_dossier_reply(c, rep, MSG_RECEIVED_OK);
}

static int run_show(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ShowRequest body = MOTCUA__SHOW_REQUEST__INIT;
  body.code = (char *)c->code;
  req.body_case = MOTCUA__ENVELOPE__BODY_SHOW;
  req.show = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY, &rep);
  return rc != EXIT_OK_ ? rc : print_dossier_reply(c, rep, MSG_NONE);
}

static int run_forward(cli *c) {
  char key[MC_CLIENT_IDEM_KEY_LEN + 1];
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ForwardRequest body = MOTCUA__FORWARD_REQUEST__INIT;
  if (mc_client_idem_key(key, sizeof key) != MC_OK)
    return cli_fail(c, EXIT_CONNECT, MC_EINTERNAL, mc_strerror(MC_EINTERNAL), "RAND_bytes");
  body.idempotency_key = key;
  body.code = (char *)c->code;
  body.officer = (char *)c->officer;
  req.body_case = MOTCUA__ENVELOPE__BODY_FORWARD;
  req.forward = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY, &rep);
  return rc != EXIT_OK_ ? rc : print_dossier_reply(c, rep, MSG_FORWARDED_OK);
}

static int run_list(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ListRequest body = MOTCUA__LIST_REQUEST__INIT;
  body.status = c->status;
  body.limit = c->limit;
  req.body_case = MOTCUA__ENVELOPE__BODY_LIST;
  req.list = &body;
  int rc = call(c, &req, MOTCUA__ENVELOPE__BODY_LIST_REPLY, &rep);
  if (rc != EXIT_OK_) return rc;
  const Motcua__ListReply *r = rep->list_reply;
  if (c->json) {
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_dossiers; i++)
      json_array_append_new(a, mc_cli_dossier_json(r->dossiers[i], c->lang));
    rc = cli_emit_json(a, 0) ? EXIT_CONNECT : EXIT_OK_;
  } else if (r->n_dossiers == 0) {
    puts(mc_msg(c->lang, MSG_LIST_EMPTY));
  } else {
    for (size_t i = 0; i < r->n_dossiers; i++)
      mc_cli_print_dossier_line(stdout, r->dossiers[i], c->lang);
    printf("%zu %s\n", r->n_dossiers, mc_msg(c->lang, MSG_LIST_COUNT));
  }
  mc_envelope_free(rep);
  return rc;
}

/* ---- watch ------------------------------------------------------------ */

static void watch_stamp(const cli *c, char *buf, size_t size) {
  time_text(mc_client_now_ms(), c->lang, buf, size);
}

static json_t *watch_json(const cli *c, mc_client *cl, const mc_client_event *ev) {
  const mc_client_info *i = mc_client_get_info(cl);
  json_t *at = jtime(mc_client_now_ms());
  switch (ev->kind) {
  case MC_CLIENT_EV_CONNECTED:
    return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s}", "event", "connected", "at", at,
                     "server", mc_client_target(cl), "server_version", i->server_version,
                     "unit", i->unit_code, "unit_name", i->unit_name);
  case MC_CLIENT_EV_DISCONNECTED:
    return json_pack("{s:s, s:o, s:s, s:s, s:i, s:I}", "event", "disconnected", "at", at,
                     "code", mc_errname(ev->err), "message", ev->errmsg ? ev->errmsg : "",
                     "attempt", (int)ev->attempt, "retry_in_ms", (json_int_t)ev->retry_in_ms);
  case MC_CLIENT_EV_PONG:
    return json_pack("{s:s, s:o, s:I}", "event", "pong", "at", at, "rtt_ms",
                     (json_int_t)ev->rtt_ms);
  case MC_CLIENT_EV_PUSH:
    break;
  }
  const Motcua__Envelope *e = ev->env;
  if (e->body_case == MOTCUA__ENVELOPE__BODY_DOSSIER_EVENT && e->dossier_event->dossier)
    return json_pack("{s:s, s:o, s:s, s:o}", "event", "dossier", "at", at, "kind",
                     e->dossier_event->kind,
                     "dossier", mc_cli_dossier_json(e->dossier_event->dossier, c->lang));
  if (e->body_case == MOTCUA__ENVELOPE__BODY_ERROR)
    return json_pack("{s:s, s:o, s:s, s:s}", "event", "error", "at", at, "code",
                     mc_errname(mc_err_from_wire(e->error->code)), "message",
                     mc_msg(c->lang, mc_msg_for_err(mc_err_from_wire(e->error->code))));
  if (e->body_case == MOTCUA__ENVELOPE__BODY_GOODBYE)
    return json_pack("{s:s, s:o, s:s}", "event", "goodbye", "at", at, "reason",
                     e->goodbye->reason);
  return json_pack("{s:s, s:o}", "event", mc_body_name(e->body_case), "at", at);
}

static void watch_print_push(const cli *c, const Motcua__Envelope *e, const char *ts) {
  int lang = c->lang;
  if (e->body_case == MOTCUA__ENVELOPE__BODY_DOSSIER_EVENT && e->dossier_event->dossier) {
    const Motcua__Dossier *d = e->dossier_event->dossier;
    const char *kind = strcmp(e->dossier_event->kind, "forwarded") == 0
                           ? mc_msg(lang, MSG_EV_KIND_FORWARDED)
                           : e->dossier_event->kind;
    printf("%s  %s %s %s: %s, %s %s → %s\n", ts, mc_msg(lang, MSG_EV_DOSSIER), d->code,
           kind, mc_status_name(lang, d->status), d->unit_code, d->unit_name,
           d->holder_unit);
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
           ev->errmsg && ev->errmsg[0] ? ev->errmsg : mc_strerror(ev->err));
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
    cli_emit_json(watch_json(c, cl, ev), 1);
  else
    watch_print(c, cl, ev);
  fflush(stdout);
}

static int run_watch(cli *c) {
  char err[512] = "";
  int rc = mc_client_new(&c->cfg, &c->client, err, sizeof err);
  if (rc != MC_OK)
    return cli_fail(c, EXIT_USAGE, MC_ECONFIG, mc_msg(c->lang, MSG_ERR_TLS_SETUP), err);
  rc = mc_client_watch(c->client, watch_event_cb, c);
  if (!c->json) fprintf(stderr, "%s\n", mc_msg(c->lang, MSG_EV_STOPPED));
  return rc == MC_OK ? EXIT_OK_ : EXIT_CONNECT;
}

static const cli_command commands[] = {
    {"ping", MSG_USAGE_PING, 1, parse_none, run_ping},
    {"whoami", MSG_USAGE_WHOAMI, 1, parse_none, run_whoami},
    {"procedures", MSG_USAGE_PROCEDURES, 1, parse_none, run_procedures},
    {"receive", MSG_USAGE_RECEIVE, 1, parse_receive, run_receive},
    {"show", MSG_USAGE_SHOW, 1, parse_code, run_show},
    {"list", MSG_USAGE_LIST, 1, parse_list, run_list},
    {"forward", MSG_USAGE_FORWARD, 1, parse_forward, run_forward},
    {"watch", MSG_USAGE_WATCH, 0, parse_none, run_watch},
};

const cli_command *cli_find_command(const char *name) {
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(commands[i].name, name) == 0) return &commands[i];
  return NULL;
}
