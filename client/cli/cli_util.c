/* The CLI's bottom layer: reporting (stderr, or the one JSON document on
 * stdout), option values, and the call every command makes. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_text.h"
#include "error.h"
#include "log.h"

/* ---- reporting -------------------------------------------------------- */

int cli_emit_json(json_t *doc, int one_line) {
  if (doc == NULL) return MC_ENOMEM;
  size_t flags = one_line ? JSON_COMPACT : JSON_INDENT(2);
  int rc = json_dumpf(doc, stdout, flags);
  fputc('\n', stdout);
  fflush(stdout);
  json_decref(doc);
  return rc == 0 ? MC_OK : MC_EIO;
}

int cli_fail(const cli *c, int exit_code, int err, const char *text, const char *detail) {
  if (c->json) {
    cli_emit_json(mc_render_error_json(err, text, detail), 0);
  } else if (detail != NULL && detail[0] != '\0') {
    fprintf(stderr, "motcua: %s: %s\n", text, detail);
  } else {
    fprintf(stderr, "motcua: %s\n", text);
  }
  return exit_code;
}

int cli_fail_err(const cli *c, int exit_code, int err, const char *raw) {
  const char *text = mc_msg(c->lang, mc_msg_for_err(err));
  if (raw != NULL && raw[0] != '\0') mc_log_info(0, "failed err=%s detail=%s", mc_errname(err), raw);
  return cli_fail(c, exit_code, err, text, c->json || c->lang != MC_LANG_VI ? raw : NULL);
}

static int plain_usage_error(const cli *c, enum mc_msg msg, const char *arg) {
  return cli_fail(c, EXIT_USAGE, MC_EINVAL, mc_msg(c->lang, msg), arg);
}

int cli_usage_error(const cli *c, enum mc_msg msg, const char *arg) {
  if (msg == MSG_ERR_UNKNOWN_OPTION && arg != NULL) return cli_unknown_option(c, arg);
  return plain_usage_error(c, msg, arg);
}

int cli_suggest_error(const cli *c, enum mc_msg msg, const char *typo, const char *best) {
  char text[400];
  snprintf(text, sizeof text, "%s '%.120s'. %s '%.120s'?", mc_msg(c->lang, msg), typo,
           mc_msg(c->lang, MSG_DID_YOU_MEAN), best);
  return cli_fail(c, EXIT_USAGE, MC_EINVAL, text, c->json ? typo : NULL);
}

/* ---- option names, for suggestions ------------------------------------------ */

#define OPT_NAMES_MAX 48
#define OPT_NAME_LEN 32

typedef struct opt_names {
  char name[OPT_NAMES_MAX][OPT_NAME_LEN]; /* without the leading dashes */
  const char *ptr[OPT_NAMES_MAX];
  size_t n;
} opt_names;

static void opt_add(opt_names *o, const char *s, size_t len) {
  if (o->n >= OPT_NAMES_MAX || len == 0 || len >= OPT_NAME_LEN) return;
  memcpy(o->name[o->n], s, len);
  o->name[o->n][len] = '\0';
  o->ptr[o->n] = o->name[o->n];
  o->n++;
}

/* The global options, and every "--name" the command's usage text shows
 * (the usage text is where a command's options are documented). */
static void opt_collect(const cli *c, opt_names *o) {
  static const char *const globals[] = {"config", "json", "lang", "officer", "help"};
  o->n = 0;
  for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++)
    opt_add(o, globals[i], strlen(globals[i]));
  const char *u = c->cmd != NULL ? mc_msg(c->lang, c->cmd->usage) : "";
  for (const char *p = strstr(u, "--"); p != NULL; p = strstr(p, "--")) {
    p += 2;
    size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-");
    if (len > 0 && p[0] != '-') opt_add(o, p, len);
    p += len;
  }
}

int cli_unknown_option(const cli *c, const char *arg) {
  opt_names o;
  char typed[OPT_NAME_LEN * 2], shown[OPT_NAME_LEN + 2];
  const char *name = arg + strspn(arg, "-");
  size_t len = strcspn(name, "=");
  if (len == 0 || len >= sizeof typed) return plain_usage_error(c, MSG_ERR_UNKNOWN_OPTION, arg);
  memcpy(typed, name, len);
  typed[len] = '\0';
  opt_collect(c, &o);
  const char *best = cli_text_suggest(typed, o.ptr, o.n);
  if (best == NULL) return plain_usage_error(c, MSG_ERR_UNKNOWN_OPTION, arg);
  snprintf(shown, sizeof shown, "--%s", best);
  snprintf(typed, sizeof typed, "%.*s", (int)(name - arg + (ptrdiff_t)len), arg);
  return cli_suggest_error(c, MSG_ERR_NO_SUCH_OPTION, typed, shown);
}

static int transport_error(const cli *c, const mc_client_error *e) {
  char text[700];
  int err = e->err;
  enum mc_msg reason = err == MC_ETIMEOUT   ? MSG_ERR_CONNECT_TIMEOUT
                       : err == MC_ETLS     ? MSG_ERR_CONNECT_TLS
                       : err == MC_EUNAVAIL ? MSG_ERR_CONNECT_DOWN
                       : err == MC_EUNAUTH  ? MSG_ERR_CONNECT_IDENTITY
                                            : MSG_NONE;
  snprintf(text, sizeof text, "%s %s: %s", mc_msg(c->lang, MSG_ERR_CONNECT),
           c->client ? mc_client_target(c->client) : "",
           mc_msg(c->lang, reason != MSG_NONE ? reason : mc_msg_for_err(err)));
  if (c->json) return cli_fail(c, EXIT_CONNECT, err, text, e->message);
  fprintf(stderr, "motcua: %s\n", text);
  mc_log_info(0, "transport err=%s detail=%s", mc_errname(err), e->message);
  if (e->message[0] != '\0' && c->lang != MC_LANG_VI) fprintf(stderr, "  (%s)\n", e->message);
  return EXIT_CONNECT;
}

static int refusal(const cli *c, const mc_client_error *e) {
  const char *text = mc_msg(c->lang, mc_msg_for_err(e->err));
  if (c->json) return cli_fail(c, EXIT_REFUSED, e->err, text, e->field);
  fprintf(stderr, "motcua: %s\n", text);
  mc_log_info(0, "refused err=%s detail=%s", mc_errname(e->err), e->field);
  const char *rule = mc_msg_rule(c->lang, e->field); /* a workflow rule (docs/WORKFLOW.md) */
  const char *detail = rule != NULL ? rule : mc_msg_detail(c->lang, e->field);
  if (detail != NULL)
    fprintf(stderr, "  %s: %s\n", mc_msg(c->lang, MSG_DETAIL), detail);
  else if (c->lang == MC_LANG_VI) /* the server's English stays in logs and --json */
    fprintf(stderr, "  %s: %s\n", mc_msg(c->lang, MSG_ERROR_CODE), mc_errname(e->err));
  else if (e->message[0] != '\0')
    fprintf(stderr, "  %s: %s\n", mc_msg(c->lang, MSG_SERVER_SAID), e->message);
  return EXIT_REFUSED;
}

/* The send-or-queue policy's own failures (submit.h). */
static int local_error(const cli *c, const mc_client_error *e) {
  if (strcmp(e->code, MC_SUBMIT_E_PROVISIONAL) == 0)
    return cli_fail(c, EXIT_USAGE, e->err, mc_msg(c->lang, MSG_ERR_PROVISIONAL), e->field);
  if (strcmp(e->code, MC_SUBMIT_E_REJECTED) == 0)
    return cli_fail(c, EXIT_REFUSED, e->err, mc_msg(c->lang, MSG_ERR_PROVISIONAL_REJECTED),
                    e->field);
  if (strcmp(e->code, MC_SUBMIT_E_OUTBOX) == 0)
    return cli_fail(c, EXIT_CONNECT, MC_EIO, mc_msg(c->lang, MSG_ERR_OUTBOX), e->message);
  if (strcmp(e->code, MC_SUBMIT_E_OUTBOX_OPEN) == 0)
    return cli_fail(c, EXIT_USAGE, MC_EIO, mc_msg(c->lang, MSG_ERR_OUTBOX), e->message);
  return cli_fail_err(c, EXIT_CONNECT, e->err, e->field);
}

/* The server refused our certificate as revoked: only IT can help. */
static int revoked(const cli *c, const mc_client_error *e) {
  const char *text = mc_msg(c->lang, MSG_ERR_REVOKED);
  if (c->json) return cli_fail(c, EXIT_REVOKED, MC_EREVOKED, text, e->message);
  fprintf(stderr, "motcua: %s\n", text);
  if (e->message[0] != '\0') fprintf(stderr, "  (%s)\n", e->message);
  return EXIT_REVOKED;
}

int cli_report(const cli *c, const mc_client_error *e) {
  if (e->err == MC_EREVOKED) return revoked(c, e);
  if (e->local) return local_error(c, e);
  return e->refused ? refusal(c, e) : transport_error(c, e);
}

void cli_time_text(int64_t ms, int lang, char *buf, size_t size) {
  if (mc_render_human_time(ms, mc_render_utc_offset(), lang, buf, size) != 0)
    snprintf(buf, size, "%s", mc_msg(lang, MSG_NONE_YET));
}

/* ---- arguments ---------------------------------------------------------- */

static cli_opt_probe *probe;

void cli_opt_probe_set(cli_opt_probe *p) { probe = p; }

static void probe_record(const char *name) {
  if (probe == NULL) return;
  for (size_t k = 0; k < probe->n; k++)
    if (strcmp(probe->names[k], name) == 0) return;
  if (probe->n < CLI_PROBE_MAX) probe->names[probe->n++] = name;
}

int cli_flag(const char *arg, const char *name) {
  probe_record(name);
  return strcmp(arg, name) == 0;
}

int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **out) {
  const char *a = argv[*i];
  probe_record(name);
  size_t n = strlen(name);
  if (strncmp(a, name, n) != 0) return 0;
  if (a[n] == '=') {
    *out = a + n + 1;
    return 1;
  }
  if (a[n] != '\0') return 0;
  if (*i + 1 >= argc) return -1;
  *out = argv[++*i];
  return 1;
}

int cli_check(cli *c, enum mc_msg m, const char *arg) {
  return m == MSG_NONE ? EXIT_OK_ : cli_usage_error(c, m, arg);
}

int cli_parse_none(cli *c, int argc, char **argv) {
  return argc > 0 ? cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[0]) : EXIT_OK_;
}

enum mc_msg cli_code_normalise(cli *c) {
  if (c->code == NULL || c->code[0] == '\0') return MSG_ERR_NEED_CODE;
  if (mc_find_code_normalise(c->code, "", c->code_buf, sizeof c->code_buf) != 0)
    return MSG_ERR_CODE_FORMAT;
  c->code = c->code_buf;
  return mc_find_code_is_short(c->code) || mc_find_code_is_seq(c->code)
             ? MSG_NONE
             : mc_fields_check_dossier_code(c->code);
}

/* The agency id of the caller's own unit, "" if the hello named none. */
static const char *own_agency(const cli *c) {
  if (c->client == NULL || mc_sender_offline(c->sender)) return "";
  const mc_client_info *info = mc_client_get_info(c->client);
  const mc_client_unit *u = mc_client_unit_find(info, info->unit_code);
  return u != NULL ? u->agency_id : "";
}

const char *cli_search_text(const cli *c, char *buf, size_t size) {
  if (mc_find_code_normalise(c->text, "", buf, size) != 0) return c->text;
  return mc_dom_dossier_code(buf) == MC_DOM_OK ? buf : c->text;
}

/* "nnnn": today's number in the caller's unit, today in the server's zone. */
static int code_of_today(cli *c, const char *agency, char *full, size_t size) {
  char day[16];
  int64_t local = mc_client_now_ms() / 1000 + (int64_t)mc_render_utc_offset() * 60;
  time_t t = (time_t)local;
  struct tm tm;
  if (gmtime_r(&t, &tm) == NULL ||
      snprintf(day, sizeof day, "%02d%02d%02d", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday) != 6 ||
      mc_find_code_of_day(c->code, agency, day, full, size) != 0)
    return cli_usage_error(c, MSG_ERR_CODE_FORMAT, c->code);
  return EXIT_OK_;
}

int cli_code_expand(cli *c) {
  char full[sizeof c->code_buf];
  if (c->code == NULL) return EXIT_OK_;
  int seq = mc_find_code_is_seq(c->code);
  if (!seq && !mc_find_code_is_short(c->code)) return EXIT_OK_;
  const char *agency = own_agency(c);
  if (agency[0] == '\0')
    return cli_usage_error(c, seq ? MSG_ERR_TODAY_CODE : MSG_ERR_SHORT_CODE, c->code);
  if (seq) {
    int rc = code_of_today(c, agency, full, sizeof full);
    if (rc != EXIT_OK_) return rc;
  } else if (mc_find_code_normalise(c->code, agency, full, sizeof full) != 0) {
    return cli_usage_error(c, MSG_ERR_CODE_FORMAT, c->code);
  }
  memcpy(c->code_buf, full, sizeof full);
  c->code = c->code_buf;
  return cli_check(c, mc_fields_check_dossier_code(c->code), c->code);
}

int cli_parse_code(cli *c, int argc, char **argv) {
  if (argc < 1) return cli_usage_error(c, MSG_ERR_NEED_CODE, NULL);
  if (argc > 1) return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[1]);
  c->code = argv[0];
  return cli_check(c, cli_code_normalise(c), argv[0]);
}

int cli_parse_limit(cli *c, int argc, char **argv, int *i, int *matched) {
  const char *v = NULL;
  int r = cli_opt_value(argc, argv, i, "--limit", &v);
  *matched = r != 0;
  if (r < 0 || (r > 0 && mc_fields_parse_uint(v, 1, MC_LIM_LIST, &c->limit) != 0))
    return cli_usage_error(c, MSG_ERR_LIMIT_RANGE, v);
  return EXIT_OK_;
}

char *cli_str_or_empty(const char *s) { return (char *)(s != NULL ? s : ""); }

/* ---- calls -------------------------------------------------------------- */

static void warn_disk(const cli *c, const mc_submit_result *r) {
  if (r->disk_low)
    fprintf(stderr, "motcua: %s %llu MiB (%s)\n", mc_msg(c->lang, MSG_OUTBOX_DISK_LOW),
            (unsigned long long)(r->disk_avail >> 20), mc_sender_outbox_path(c->sender));
}

/* The answer of a queued request. */
static int print_queued(const cli *c, const mc_submit_result *r) {
  const mc_outbox_item *it = &r->item;
  if (c->json) {
    cli_emit_json(mc_submit_result_json(r), 0);
  } else if (it->provisional[0]) {
    printf("%s %s; %s\n", mc_msg(c->lang, MSG_OUTBOX_QUEUED_RECEIVE), it->provisional,
           mc_msg(c->lang, MSG_OUTBOX_RUN_SYNC));
  } else {
    printf("%s %lld (%s %s); %s\n",
           mc_msg(c->lang, r->offline ? MSG_OUTBOX_QUEUED_ITEM : MSG_OUTBOX_QUEUED_BEHIND),
           (long long)it->id, it->kind, it->dossier, mc_msg(c->lang, MSG_OUTBOX_RUN_SYNC));
  }
  warn_disk(c, r);
  return EXIT_OK_;
}

static int unexpected_reply(cli *c, Motcua__Envelope **reply) {
  const char *got = mc_body_name((*reply)->body_case);
  mc_envelope_free(*reply);
  *reply = NULL;
  return cli_fail(c, EXIT_CONNECT, MC_EPROTO, mc_msg(c->lang, MSG_ERR_UNEXPECTED_REPLY),
                  c->json ? NULL : got);
}

int cli_call(cli *c, Motcua__Envelope *req, Motcua__Envelope__BodyCase want,
             Motcua__Envelope **reply) {
  mc_submit_result res;
  mc_client_error err = {0};
  *reply = NULL;
  int rc = mc_client_submit(c->sender, req, c->cmd->name, &res, &err);
  if (rc != MC_OK) {
    if (res.outbox_error[0] != '\0')
      fprintf(stderr, "motcua: %s: %s\n", mc_msg(c->lang, MSG_ERR_OUTBOX), res.outbox_error);
    return cli_report(c, &err);
  }
  if (res.queued) return print_queued(c, &res);
  *reply = res.reply;
  return (*reply)->body_case == want ? EXIT_OK_ : unexpected_reply(c, reply);
}

int cli_print_dossier_reply(cli *c, Motcua__Envelope *rep, enum mc_msg headline) {
  const Motcua__Dossier *d = rep->dossier_reply->dossier;
  int rc = EXIT_OK_;
  if (d == NULL) {
    rc = cli_fail(c, EXIT_CONNECT, MC_EPROTO, mc_msg(c->lang, MSG_ERR_UNEXPECTED_REPLY), NULL);
  } else if (c->json) {
    rc = cli_emit_json(mc_render_dossier_json(d, c->lang), 0) ? EXIT_CONNECT : EXIT_OK_;
  } else {
    if (headline != MSG_NONE) printf("%s: %s\n", mc_msg(c->lang, headline), d->code);
    cli_print_dossier(stdout, d, c->lang);
  }
  mc_envelope_free(rep);
  return rc;
}

int cli_fetch_history(cli *c, const char *code, Motcua__Envelope **rep) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__HistoryRequest body = MOTCUA__HISTORY_REQUEST__INIT;
  body.code = (char *)code;
  req.body_case = MOTCUA__ENVELOPE__BODY_HISTORY;
  req.history = &body;
  return cli_call(c, &req, MOTCUA__ENVELOPE__BODY_HISTORY_REPLY, rep);
}
