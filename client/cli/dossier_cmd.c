/* The dossier commands: ping, whoami, procedures, receive, show, forward,
 * list, search, history, inbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dossier_cmd.h"
#include "error.h"
#include "requests.h"
#include "transfer_cmd.h"

/* ---- arguments -------------------------------------------------------- */

int cli_parse_forward(cli *c, int argc, char **argv) {
  int rc = cli_parse_code(c, argc, argv);
  return rc != EXIT_OK_ ? rc : cli_check(c, mc_fields_check_officer_opt(c->officer), NULL);
}

/* --component N[:COUNT[:FORM]] (repeatable), --sets N; 1 if matched. */
static int intake_opt(cli *c, int argc, char **argv, int *i, int *rc) {
  const char *v = NULL;
  int r;
  unsigned ord, count, sets;
  int form;
  *rc = EXIT_OK_;
  if ((r = cli_opt_value(argc, argv, i, "--component", &v)) != 0) {
    size_t k = c->ncomps;
    if (r < 0 || k >= MC_LIM_COMPONENTS ||
        mc_fields_parse_component_ref(v, c->comp_name_buf[k], sizeof c->comp_name_buf[k], &ord,
                                      &count, &form) != 0)
      *rc = cli_usage_error(c, MSG_ERR_COMPONENT, v);
    else {
      c->comp_names[k] = c->comp_name_buf[k][0] != '\0' ? c->comp_name_buf[k] : NULL;
      Motcua__ReceivedComponent *rcpt = &c->comps[c->ncomps++];
      motcua__received_component__init(rcpt);
      rcpt->ordinal = ord;
      rcpt->count = count;
      rcpt->form = (Motcua__ComponentForm)form;
    }
    return 1;
  }
  if ((r = cli_opt_value(argc, argv, i, "--sets", &v)) != 0) {
    if (r < 0 || mc_fields_parse_uint(v, 1, MC_LIM_SETS, &sets) != 0)
      *rc = cli_usage_error(c, MSG_ERR_SETS, v);
    else
      c->sets = sets;
    return 1;
  }
  return 0;
}

/* One "--opt value" of receive; 0 ok, else exit code after reporting. */
static int receive_opt(cli *c, int argc, char **argv, int *i) {
  int rc;
  if (intake_opt(c, argc, argv, i, &rc)) return rc;
  static const char *const names[] = {"--procedure", "--name",    "--id",
                                      "--phone",     "--address", "--email",
                                      "--missing-reason", "--channel"};
  const char **slots[] = {&c->procedure, &c->name,  &c->id, &c->phone, &c->address,
                          &c->email,     &c->missing_reason, NULL};
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
    c->channel = mc_render_channel_parse(channel);
    return c->channel < 0 ? cli_usage_error(c, MSG_ERR_CHANNEL, channel) : EXIT_OK_;
  }
  return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[*i]);
}

/* --procedure: a code, or words of a procedure's name (resolved at run). */
static enum mc_msg procedure_text_check(const char *s) {
  enum mc_msg m = mc_fields_check_procedure(s);
  if (m == MSG_NONE || m == MSG_ERR_NEED_PROCEDURE) return m;
  return mc_fields_check_search(s) == MSG_NONE ? MSG_NONE : m;
}

int cli_parse_receive(cli *c, int argc, char **argv) {
  int rc = cli_take_files(c, &argc, argv); /* --file PATH (repeatable) */
  if (rc != EXIT_OK_) return rc;
  c->channel = MOTCUA__CHANNEL__CHANNEL_DIRECT;
  for (int i = 0; i < argc; i++)
    if ((rc = receive_opt(c, argc, argv, &i)) != EXIT_OK_) return rc;
  if ((rc = cli_check(c, procedure_text_check(c->procedure), c->procedure)) ||
      (rc = cli_check(c, mc_fields_check_name(c->name), NULL)) ||
      (rc = cli_check(c, mc_fields_check_citizen_id(c->id), NULL)) ||
      (rc = cli_check(c, mc_fields_check_phone(c->phone), NULL)) ||
      (rc = cli_check(c, mc_fields_check_officer_opt(c->officer), NULL)))
    return rc;
  return EXIT_OK_;
}

/* One "--name value" of the list options (list.h's table); 1 if matched. */
static int list_opt(cli *c, int argc, char **argv, int *i, int *rc) {
  const char *name;
  for (size_t k = 0; (name = mc_list_query_option(k)) != NULL; k++) {
    const char *v = NULL;
    int r = cli_opt_value(argc, argv, i, name, &v);
    if (r == 0) continue;
    enum mc_msg m = r < 0 ? MSG_ERR_MISSING_VALUE : mc_list_query_set(&c->lq, name, v);
    *rc = m == MSG_NONE ? EXIT_OK_ : cli_usage_error(c, m, r < 0 ? name : v);
    return 1;
  }
  return 0;
}

int cli_parse_list(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    int rc;
    if (list_opt(c, argc, argv, &i, &rc)) {
      if (rc != EXIT_OK_) return rc;
    } else if (cli_flag(argv[i], "--overdue")) {
      c->lq.overdue = 1;
    } else if (cli_flag(argv[i], "--mine")) {
      c->lq.mine = 1;
    } else if (cli_flag(argv[i], "--awaiting-signature")) {
      c->lq.awaiting_signature = 1;
    } else if (cli_flag(argv[i], "--all")) {
      c->all = 1;
    } else {
      return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    }
  }
  return cli_check(c, mc_list_query_check(&c->lq), NULL);
}

int cli_parse_inbox(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    int matched, rc = cli_parse_limit(c, argc, argv, &i, &matched);
    if (rc != EXIT_OK_) return rc;
    if (matched) continue;
    const char *v = NULL;
    int r = cli_opt_value(argc, argv, &i, "--after", &v);
    if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--after");
    if (r > 0) {
      if (mc_list_check_cursor(v) != MSG_NONE) return cli_usage_error(c, MSG_ERR_AFTER, v);
      snprintf(c->after, sizeof c->after, "%s", v);
      continue;
    }
    if (cli_flag(argv[i], "--all")) c->all = 1;
    else if (cli_flag(argv[i], "--peek")) c->peek = 1;
    else return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
  }
  return EXIT_OK_;
}

/* procedures [--search TEXT | TEXT] */
int cli_parse_procedures(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    const char *v = NULL;
    int r = cli_opt_value(argc, argv, &i, "--search", &v);
    if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--search");
    if (r == 0 && argv[i][0] == '-' && argv[i][1] != '\0')
      return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    if (r == 0) v = argv[i];
    if (c->find != NULL) return cli_usage_error(c, MSG_ERR_EXTRA_ARG, v);
    c->find = v;
  }
  return c->find == NULL ? EXIT_OK_ : cli_check(c, mc_fields_check_search(c->find), c->find);
}

int cli_parse_search(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    int matched, rc = cli_parse_limit(c, argc, argv, &i, &matched);
    if (rc != EXIT_OK_) return rc;
    if (matched) continue;
    const char *v = NULL;
    int r = cli_opt_value(argc, argv, &i, "--after", &v);
    if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--after");
    if (r > 0) {
      if (mc_list_check_cursor(v) != MSG_NONE) return cli_usage_error(c, MSG_ERR_AFTER, v);
      snprintf(c->after, sizeof c->after, "%s", v);
      continue;
    }
    if (cli_flag(argv[i], "--all")) {
      c->all = 1;
      continue;
    }
    if (argv[i][0] == '-' && argv[i][1] == '-')
      return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    if (c->text != NULL) return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[i]);
    c->text = argv[i];
  }
  if (c->text == NULL) return cli_usage_error(c, MSG_ERR_SEARCH_TEXT, NULL);
  return cli_check(c, mc_fields_check_search(c->text), c->text);
}

/* "+07:00": the zone times are shown in. */
static void zone_text(char *buf, size_t size) {
  int off = mc_render_utc_offset(), a = off < 0 ? -off : off;
  snprintf(buf, size, "%c%02d:%02d", off < 0 ? '-' : '+', a / 60 % 100, a % 60);
}

static const char *role_name(int role) {
  const char *n = mc_render_role_name(role);
  return n != NULL ? n : "unknown";
}

/* ---- session ---------------------------------------------------------- */

int cli_run_ping(cli *c) {
  uint64_t rtt = 0;
  int64_t server_ms = 0;
  const mc_client_info *info = mc_client_get_info(c->client);
  mc_client_error err = {0};
  int rc = mc_client_ping(c->client, &rtt, &server_ms, &err);
  if (rc != MC_OK) return cli_report(c, &err);
  if (c->json)
    return cli_emit_json(json_pack("{s:s, s:o, s:I, s:s}", "server_version",
                                   info->server_version, "server_time", mc_render_time_json(server_ms),
                                   "rtt_ms", (json_int_t)rtt, "server",
                                   mc_client_target(c->client)), 0) ? EXIT_CONNECT : EXIT_OK_;
  char t[40];
  cli_time_text(server_ms, c->lang, t, sizeof t);
  printf("%s: %s (motcua-server %s)\n", mc_msg(c->lang, MSG_F_SERVER),
         mc_client_target(c->client), info->server_version);
  char zone[8];
  zone_text(zone, sizeof zone);
  printf("%s: %s (%s)\n", mc_msg(c->lang, MSG_F_SERVER_TIME), t, zone);
  printf("%s: %llu ms\n", mc_msg(c->lang, MSG_F_RTT), (unsigned long long)rtt);
  return EXIT_OK_;
}

int cli_run_whoami(cli *c) {
  const mc_client_info *i = mc_client_get_info(c->client);
  if (c->json)
    return cli_emit_json(json_pack("{s:s, s:s, s:s, s:s}", "unit", i->unit_code,
                                   "unit_name", i->unit_name, "role", role_name(i->role),
                                   "server_version", i->server_version), 0)
               ? EXIT_CONNECT : EXIT_OK_;
  printf("%s: %s %s\n", mc_msg(c->lang, MSG_F_UNIT), i->unit_code, i->unit_name);
  printf("%s: %s (%s)\n", mc_msg(c->lang, MSG_F_ROLE), mc_msg(c->lang, mc_render_role_msg(i->role)),
         role_name(i->role));
  return EXIT_OK_;
}

static int fetch_procedures(cli *c, Motcua__Envelope **rep) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__ProceduresRequest body = MOTCUA__PROCEDURES_REQUEST__INIT;
  req.body_case = MOTCUA__ENVELOPE__BODY_PROCEDURES;
  req.procedures = &body;
  return cli_call(c, &req, MOTCUA__ENVELOPE__BODY_PROCEDURES_REPLY, rep);
}

static int print_procedures(cli *c, const Motcua__ProceduresReply *r, const size_t *order,
                            size_t m) {
  if (c->json) {
    json_t *a = json_array();
    for (size_t i = 0; i < m; i++)
      json_array_append_new(a, mc_render_procedure_json(r->procedures[order[i]]));
    return cli_emit_json(a, 0) ? EXIT_CONNECT : EXIT_OK_;
  }
  if (m == 0 && c->find != NULL) printf("%s '%s'\n", mc_msg(c->lang, MSG_PROC_NONE), c->find);
  for (size_t i = 0; i < m; i++) cli_print_procedure(stdout, r->procedures[order[i]], c->lang);
  printf("%zu %s\n", m, mc_msg(c->lang, MSG_PROC_COUNT));
  return EXIT_OK_;
}

int cli_run_procedures(cli *c) {
  Motcua__Envelope *rep;
  size_t *order = NULL;
  int rc = fetch_procedures(c, &rep);
  if (rc != EXIT_OK_) return rc;
  long m = mc_req_procedures_rank(rep->procedures_reply, c->find, &order);
  rc = m < 0 ? cli_fail_err(c, EXIT_CONNECT, MC_ENOMEM, NULL)
             : print_procedures(c, rep->procedures_reply, order, (size_t)m);
  free(order);
  mc_envelope_free(rep);
  return rc;
}

/* Several procedures match receive --procedure: list them, ask for a code. */
static int procedure_ambiguous(cli *c, const Motcua__ProceduresReply *r, const size_t *order,
                               size_t m) {
  const char *text = mc_msg(c->lang, MSG_ERR_PROC_MANY);
  if (c->json) {
    json_t *doc = mc_render_error_json(MC_EINVAL, text, c->procedure), *a = json_array();
    for (size_t i = 0; i < m; i++)
      json_array_append_new(a, mc_render_procedure_json(r->procedures[order[i]]));
    json_object_set_new(doc, "candidates", a);
    cli_emit_json(doc, 0);
    return EXIT_USAGE;
  }
  fprintf(stderr, "motcua: %s '%s':\n", text, c->procedure);
  for (size_t i = 0; i < m; i++) cli_print_procedure(stderr, r->procedures[order[i]], c->lang);
  return EXIT_USAGE;
}

/* The code receive sends: --procedure when it is a catalogue code (any
 * case), else the one procedure its words match; text in the form of a
 * code that matches nothing goes as typed, for the server to refuse.
 * Offline, a code is sent as typed (the server checks it when the outbox
 * delivers). Exit code. */
static int has_lower(const char *s) {
  for (; *s; s++)
    if (*s >= 'a' && *s <= 'z') return 1;
  return 0;
}

static int resolve_procedure(cli *c) {
  Motcua__Envelope *rep;
  size_t *order = NULL;
  int code_ok = mc_fields_check_procedure(c->procedure) == MSG_NONE;
  /* A code as the catalogue writes it needs no lookup: no round trip, and a
   * link that drops now still queues the receive (send-or-queue) */
  if (mc_sender_offline(c->sender) || (code_ok && !has_lower(c->procedure)))
    return code_ok ? EXIT_OK_ : cli_usage_error(c, MSG_ERR_PROC_OFFLINE, c->procedure);
  int rc = fetch_procedures(c, &rep);
  if (rc != EXIT_OK_) return rc;
  const Motcua__ProceduresReply *r = rep->procedures_reply;
  long m = mc_req_procedures_rank(r, c->procedure, &order);
  for (size_t i = 0; m >= 0 && i < r->n_procedures; i++)
    if (strcasecmp(r->procedures[i]->code, c->procedure) == 0) {
      order[0] = i; /* a code of the catalogue, in any case */
      m = 1;
      break;
    }
  if (m < 0) rc = cli_fail_err(c, EXIT_CONNECT, MC_ENOMEM, NULL);
  else if (m == 0 && code_ok) snprintf(c->proc_buf, sizeof c->proc_buf, "%s", c->procedure);
  else if (m == 0) rc = cli_usage_error(c, MSG_ERR_PROC_NONE_MATCH, c->procedure);
  else if (m > 1) rc = procedure_ambiguous(c, r, order, (size_t)m);
  else snprintf(c->proc_buf, sizeof c->proc_buf, "%s", r->procedures[order[0]]->code);
  if (rc == EXIT_OK_) c->procedure = c->proc_buf;
  free(order);
  mc_envelope_free(rep);
  return rc;
}

/* --component by name: several match, list them to choose by number. */
static int component_ambiguous(cli *c, const char *typed, const Motcua__Procedure *p,
                               const size_t *cands, size_t n) {
  const char *text = mc_msg(c->lang, MSG_ERR_COMPONENT_MANY);
  if (c->json) {
    json_t *doc = mc_render_error_json(MC_EINVAL, text, typed), *a = json_array();
    for (size_t i = 0; i < n; i++)
      json_array_append_new(a, json_pack("{s:I, s:s}", "ordinal",
                                         (json_int_t)p->components[cands[i]]->ordinal, "name",
                                         cli_str_or_empty(p->components[cands[i]]->name)));
    json_object_set_new(doc, "candidates", a);
    cli_emit_json(doc, 0);
    return EXIT_USAGE;
  }
  fprintf(stderr, "motcua: %s '%s':\n", text, typed);
  for (size_t i = 0; i < n; i++)
    fprintf(stderr, "  %u. %s\n", p->components[cands[i]]->ordinal,
            cli_str_or_empty(p->components[cands[i]]->name));
  return EXIT_USAGE;
}

/* One --component typed by name: its ordinal in p, or a usage error. */
static int resolve_component(cli *c, const Motcua__Procedure *p, size_t k) {
  const char *names[MC_LIM_COMPONENTS];
  size_t cands[MC_LIM_COMPONENTS], ncand, n = p != NULL ? p->n_components : 0;
  if (n > MC_LIM_COMPONENTS) n = MC_LIM_COMPONENTS;
  for (size_t i = 0; i < n; i++) names[i] = p->components[i]->name;
  long i = mc_find_component(c->comp_names[k], names, n, cands, &ncand);
  if (i == -2) return component_ambiguous(c, c->comp_names[k], p, cands, ncand);
  if (i < 0) return cli_usage_error(c, MSG_ERR_COMPONENT_NONE, c->comp_names[k]);
  c->comps[k].ordinal = p->components[i]->ordinal;
  return EXIT_OK_;
}

/* The --component given by name, against the catalogue's components of
 * the (resolved) procedure; needs the server. Exit code. */
static int resolve_components(cli *c) {
  size_t k, named = 0;
  for (k = 0; k < c->ncomps; k++) named += c->comp_names[k] != NULL;
  if (named == 0) return EXIT_OK_;
  if (mc_sender_offline(c->sender)) return cli_usage_error(c, MSG_ERR_COMPONENT_OFFLINE, NULL);
  Motcua__Envelope *rep;
  int rc = fetch_procedures(c, &rep);
  if (rc != EXIT_OK_) return rc;
  const Motcua__ProceduresReply *r = rep->procedures_reply;
  const Motcua__Procedure *p = NULL;
  for (size_t i = 0; i < r->n_procedures && p == NULL; i++)
    if (strcasecmp(r->procedures[i]->code, c->procedure) == 0) p = r->procedures[i];
  for (k = 0; k < c->ncomps && rc == EXIT_OK_; k++)
    if (c->comp_names[k] != NULL) rc = resolve_component(c, p, k);
  mc_envelope_free(rep);
  return rc;
}

/* ---- dossiers --------------------------------------------------------- */

int cli_run_receive(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ReceiveRequest body = MOTCUA__RECEIVE_REQUEST__INIT;
  Motcua__Applicant a = MOTCUA__APPLICANT__INIT;
  int rc = resolve_procedure(c);
  if (rc == EXIT_OK_) rc = resolve_components(c);
  if (rc != EXIT_OK_) return rc;
  a.name = (char *)c->name;
  a.id_number = (char *)c->id;
  a.phone = (char *)(c->phone ? c->phone : "");
  body.idempotency_key = ""; /* fixed by mc_client_submit */
  body.procedure_code = (char *)c->procedure;
  body.applicant = &a;
  body.channel = (Motcua__Channel)c->channel;
  body.officer = (char *)c->officer;
  body.address = (char *)(c->address ? c->address : "");
  body.email = (char *)(c->email ? c->email : "");
  body.missing_reason = (char *)(c->missing_reason ? c->missing_reason : "");
  body.sets = c->sets;
  Motcua__ReceivedComponent *cp[MC_LIM_COMPONENTS];
  for (size_t i = 0; i < c->ncomps; i++) cp[i] = &c->comps[i];
  body.n_components = c->ncomps;
  body.components = c->ncomps > 0 ? cp : NULL;
  req.body_case = MOTCUA__ENVELOPE__BODY_RECEIVE;
  req.receive = &body;
  rc = cli_call(c, &req, MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY, &rep);
  if (rc != EXIT_OK_ || rep == NULL) return rc; /* failed, or queued */
  if (c->nfiles > 0) return cli_receive_files(c, rep);
  return cli_print_dossier_reply(c, rep, MSG_RECEIVED_OK);
}

/* show: the dossier, then what the logged-in officer may do now
 * (DossierReply.actions; --json: "actions"). */
static int print_show(cli *c, Motcua__Envelope *rep) {
  const Motcua__DossierReply *r = rep->dossier_reply;
  if (r->dossier == NULL || !c->json) {
    if (r->dossier == NULL) return cli_print_dossier_reply(c, rep, MSG_NONE);
    cli_print_dossier(stdout, r->dossier, c->lang);
    printf("%s: ", mc_msg(c->lang, MSG_SHOW_ACTIONS));
    if (r->n_actions == 0) printf("%s", mc_msg(c->lang, MSG_SHOW_NO_ACTIONS));
    for (size_t i = 0; i < r->n_actions; i++) printf("%s%s", i ? ", " : "", r->actions[i]);
    printf("\n");
    mc_envelope_free(rep);
    return EXIT_OK_;
  }
  json_t *doc = mc_render_dossier_json(r->dossier, c->lang);
  json_object_set_new(doc, "actions", mc_actions_json(r));
  mc_envelope_free(rep);
  return cli_emit_json(doc, 0) ? EXIT_CONNECT : EXIT_OK_;
}

int cli_run_show(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ShowRequest body = MOTCUA__SHOW_REQUEST__INIT;
  body.code = (char *)c->code;
  req.body_case = MOTCUA__ENVELOPE__BODY_SHOW;
  req.show = &body;
  int rc = cli_call(c, &req, MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY, &rep);
  return rc != EXIT_OK_ ? rc : print_show(c, rep);
}

int cli_run_forward(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__ForwardRequest body = MOTCUA__FORWARD_REQUEST__INIT;
  body.idempotency_key = ""; /* fixed by mc_client_submit */
  body.code = (char *)c->code;
  body.officer = (char *)c->officer;
  req.body_case = MOTCUA__ENVELOPE__BODY_FORWARD;
  req.forward = &body;
  int rc = cli_call(c, &req, MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY, &rep);
  if (rc != EXIT_OK_ || rep == NULL) return rc; /* failed, or queued */
  return cli_print_dossier_reply(c, rep, MSG_FORWARDED_OK);
}

/* ---- pages of list and search (issue 19) --------------------------------- */

#define CLI_ALL_PAGES 100 /* --all follows at most this many pages */

/* One page of the list (search = 0) or the search after the cursor. */
static int page_call(cli *c, int search, const char *after, Motcua__Envelope **rep) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__ListRequest lb;
  Motcua__SearchRequest sb = MOTCUA__SEARCH_REQUEST__INIT;
  char code[MC_LIM_DOSSIER_CODE + 1];
  if (search) {
    sb.text = (char *)cli_search_text(c, code, sizeof code);
    sb.limit = c->limit;
    sb.after = (char *)after;
    req.body_case = MOTCUA__ENVELOPE__BODY_SEARCH;
    req.search = &sb;
  } else {
    int rc = cli_check(c, mc_list_request_build(&c->lq, mc_render_utc_offset(), &lb), NULL);
    if (rc != EXIT_OK_) return rc;
    lb.after = (char *)after;
    req.body_case = MOTCUA__ENVELOPE__BODY_LIST;
    req.list = &lb;
  }
  return cli_call(c, &req, MOTCUA__ENVELOPE__BODY_LIST_REPLY, rep);
}

/* What the pages printed so far add up to. */
typedef struct page_sum {
  json_t *json;   /* the first page's object, the others' rows added */
  size_t rows;
  uint32_t total;
  int capped, pages;
  char next[MC_LIM_CURSOR + 1];
} page_sum;

static void page_add_json(cli *c, int search, const Motcua__ListReply *r, page_sum *p) {
  json_t *o = search ? mc_search_reply_json(r, c->lang) : mc_list_reply_json(&c->lq, r, c->lang);
  p->json = mc_pages_merge_json(p->json, o, "dossiers");
}

/* One page's rows, printed or added to the JSON. */
static void page_add(cli *c, int search, const Motcua__ListReply *r, page_sum *p) {
  if (c->json) page_add_json(c, search, r, p);
  else
    for (size_t i = 0; i < r->n_dossiers; i++) cli_print_dossier_line(stdout, r->dossiers[i], c->lang);
  p->rows += r->n_dossiers;
  p->total = r->total;
  p->capped = r->total_capped;
  p->pages++;
  snprintf(p->next, sizeof p->next, "%s", r->next != NULL ? r->next : "");
}

/* The end of the pages: "showing a–b of N" (a list's first page) or the
 * count, then where the next page starts ("Còn nữa ... --after X"); with
 * --json the object's "next" and "cut". */
static int page_end(cli *c, int search, const char *after, page_sum *p) {
  if (c->json) return cli_emit_json(p->json, 0) ? EXIT_CONNECT : EXIT_OK_;
  if (p->rows == 0) puts(mc_msg(c->lang, MSG_LIST_EMPTY));
  if (!search && after[0] == '\0') {
    unsigned first = p->rows > 0 ? c->lq.offset + 1 : 0;
    unsigned last = p->rows > 0 ? c->lq.offset + (unsigned)p->rows : 0;
    printf("%s %u–%u %s %u %s%s%s\n", mc_msg(c->lang, MSG_LIST_SHOWING), first, last,
           mc_msg(c->lang, MSG_LIST_OF), p->total, mc_msg(c->lang, MSG_LIST_COUNT),
           p->capped ? " " : "", p->capped ? mc_msg(c->lang, MSG_LIST_OR_MORE) : "");
  } else if (p->rows > 0) {
    printf("%zu %s\n", p->rows, mc_msg(c->lang, MSG_LIST_COUNT));
  }
  if (p->next[0] != '\0') printf("%s %s\n", mc_msg(c->lang, MSG_MORE_AFTER), p->next);
  return EXIT_OK_;
}

/* list / search: the page after `after`, or with --all every page up to
 * CLI_ALL_PAGES (the cursor of the next one is printed). */
static int run_pages(cli *c, int search, const char *after) {
  page_sum p = {0};
  char cur[MC_LIM_CURSOR + 1];
  snprintf(cur, sizeof cur, "%s", after);
  for (;;) {
    Motcua__Envelope *rep = NULL;
    int rc = page_call(c, search, cur, &rep);
    if (rc != EXIT_OK_) {
      json_decref(p.json);
      return rc;
    }
    page_add(c, search, rep->list_reply, &p);
    mc_envelope_free(rep);
    if (!c->all || p.next[0] == '\0' || p.pages >= CLI_ALL_PAGES) break;
    snprintf(cur, sizeof cur, "%s", p.next);
  }
  return page_end(c, search, after, &p);
}

int cli_run_list(cli *c) { return run_pages(c, 0, c->lq.after); }

int cli_run_search(cli *c) { return run_pages(c, 1, c->after); }

/* today: the unit's counts (SummaryRequest). */
int cli_run_today(cli *c) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__SummaryRequest body = MOTCUA__SUMMARY_REQUEST__INIT;
  req.body_case = MOTCUA__ENVELOPE__BODY_SUMMARY;
  req.summary = &body;
  int rc = cli_call(c, &req, MOTCUA__ENVELOPE__BODY_SUMMARY_REPLY, &rep);
  if (rc != EXIT_OK_) return rc;
  const Motcua__SummaryReply *r = rep->summary_reply;
  if (c->json) {
    rc = cli_emit_json(mc_summary_json(r), 0) ? EXIT_CONNECT : EXIT_OK_;
  } else {
    const struct {
      enum mc_msg label;
      uint32_t n;
    } rows[] = {{MSG_SUM_TO_RECEIVE, r->to_receive}, {MSG_SUM_TO_RETURN, r->to_return},
                {MSG_SUM_DUE_SOON, r->due_soon},     {MSG_SUM_OVERDUE, r->overdue},
                {MSG_SUM_IN_PROGRESS, r->in_progress}, {MSG_SUM_RECEIVED_TODAY, r->received_today}};
    char when[64];
    cli_time_text(r->at_ms, c->lang, when, sizeof when);
    printf("%s (%s)\n", mc_msg(c->lang, MSG_SUM_TITLE), when);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
      printf("  %-24s %u\n", mc_msg(c->lang, rows[i].label), rows[i].n);
  }
  mc_envelope_free(rep);
  return rc;
}

int cli_run_history(cli *c) {
  Motcua__Envelope *rep;
  int rc = cli_fetch_history(c, c->code, &rep);
  if (rc != EXIT_OK_) return rc;
  if (c->json)
    rc = cli_emit_json(mc_render_history_json(rep->history_reply, c->lang), 0) ? EXIT_CONNECT
                                                                             : EXIT_OK_;
  else
    cli_print_history(stdout, rep->history_reply, c->lang);
  mc_envelope_free(rep);
  return rc;
}

/* One inbox page after `after` (peek) or the oldest unread (read). */
static int inbox_call(cli *c, const char *after, Motcua__Envelope **rep) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__InboxRequest body = MOTCUA__INBOX_REQUEST__INIT;
  body.mark_read = !c->peek;
  body.limit = c->limit;
  body.after = (char *)after;
  req.body_case = MOTCUA__ENVELOPE__BODY_INBOX;
  req.inbox = &body;
  return cli_call(c, &req, MOTCUA__ENVELOPE__BODY_INBOX_REPLY, rep);
}

/* The end of the inbox pages: the count and the next page's cursor, or
 * with --all stopped at CLI_ALL_PAGES while reading, that more are unread. */
static void inbox_end(cli *c, size_t events, const char *next, int unread_left) {
  if (events == 0) puts(mc_msg(c->lang, MSG_INBOX_EMPTY));
  else printf("%zu %s\n", events, mc_msg(c->lang, MSG_INBOX_COUNT));
  if (next[0] != '\0') printf("%s %s\n", mc_msg(c->lang, MSG_MORE_AFTER), next);
  if (unread_left) puts(mc_msg(c->lang, MSG_INBOX_MORE_UNREAD));
}

/* inbox: one page, or with --all every page up to CLI_ALL_PAGES (--peek:
 * by the cursors; reading: until a read returns nothing). */
int cli_run_inbox(cli *c) {
  if (c->after[0] != '\0' && !c->peek) return cli_usage_error(c, MSG_ERR_AFTER, c->after);
  json_t *acc = NULL;
  char cur[MC_LIM_CURSOR + 1];
  size_t events = 0;
  int pages = 0, more = 0;
  snprintf(cur, sizeof cur, "%s", c->after);
  for (;;) {
    Motcua__Envelope *rep = NULL;
    int rc = inbox_call(c, cur, &rep);
    if (rc != EXIT_OK_) {
      json_decref(acc);
      return rc;
    }
    const Motcua__InboxReply *r = rep->inbox_reply;
    if (c->json) acc = mc_pages_merge_json(acc, mc_inbox_reply_json(r, c->lang), "events");
    else
      for (size_t i = 0; i < r->n_events; i++) cli_print_event(stdout, r->events[i], c->lang);
    events += r->n_events;
    more = mc_inbox_more(r, c->peek);
    snprintf(cur, sizeof cur, "%s", r->next != NULL ? r->next : "");
    mc_envelope_free(rep);
    if (!c->all || !more || ++pages >= CLI_ALL_PAGES) break;
  }
  if (c->json) return cli_emit_json(acc, 0) ? EXIT_CONNECT : EXIT_OK_;
  inbox_end(c, events, cur, c->all && more && !c->peek);
  return EXIT_OK_;
}
