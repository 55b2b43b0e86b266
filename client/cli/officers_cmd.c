/* officers list|add|disable|enable|reset-password|roles: the unit's officer
 * accounts (unit administrator: own unit; IT: any unit with --unit), and
 * the assign candidates. The calls are the library's (officers.h); a
 * temporary password is printed once and wiped. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "officers.h"
#include "officers_cmd.h"

#define OP(x) MOTCUA__OFFICERS_REQUEST__OP__##x

static const struct sub {
  const char *word;
  int op;
  enum mc_msg done;
} subs[] = {
    {"list", OP(LIST), MSG_NONE},
    {"add", OP(ADD), MSG_OFFICER_ADDED},
    {"disable", OP(DISABLE), MSG_OFFICER_DISABLED},
    {"enable", OP(ENABLE), MSG_OFFICER_ENABLED},
    {"reset-password", OP(RESET_PASSWORD), MSG_OFFICER_RESET},
    {"roles", OP(SET_ROLES), MSG_OFFICER_ROLES_SET},
};
#define N_SUBS (sizeof subs / sizeof subs[0])

static const struct sub *sub_of(int op) {
  for (size_t i = 0; i < N_SUBS; i++)
    if (subs[i].op == op) return &subs[i];
  return &subs[0];
}

/* ---- arguments ---------------------------------------------------------- */

static int take_roles(cli *c, const char *v) {
  const char *bad = v;
  size_t badlen = 0;
  if (mc_officer_roles_parse(v, &c->off_roles, &bad, &badlen) == MC_OK && c->off_roles != 0)
    return EXIT_OK_;
  char word[64];
  snprintf(word, sizeof word, "%.*s", (int)(badlen < 63 ? badlen : 63), bad);
  return cli_usage_error(c, MSG_ERR_OFFICER_ROLE, word);
}

static int take_role_filter(cli *c, const char *v) {
  c->off_role_filter = mc_officer_role_parse(v);
  return c->off_role_filter > 0 ? EXIT_OK_ : cli_usage_error(c, MSG_ERR_OFFICER_ROLE, v);
}

static int take_text(cli *c, const char **dst, const char *v, size_t max, int may_be_empty) {
  *dst = v;
  return mc_officer_text_ok(v, max, may_be_empty) ? EXIT_OK_
                                                  : cli_usage_error(c, MSG_ERR_OFFICER_NAME, v);
}

/* One option of the subcommand at argv[*i]; exit code. */
static int officers_opt(cli *c, int argc, char **argv, int *i) {
  const char *v = NULL;
  int r, op = c->officers_op;
  if ((r = cli_opt_value(argc, argv, i, "--unit", &v)) != 0)
    return r < 0 ? cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--unit") : (c->off_unit = v, 0);
  if (op == OP(LIST) && (r = cli_opt_value(argc, argv, i, "--role", &v)) != 0)
    return r < 0 ? cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--role") : take_role_filter(c, v);
  if ((op == OP(ADD) || op == OP(SET_ROLES)) &&
      (r = cli_opt_value(argc, argv, i, "--roles", &v)) != 0)
    return r < 0 ? cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--roles") : take_roles(c, v);
  if (op == OP(ADD) && (r = cli_opt_value(argc, argv, i, "--name", &v)) != 0)
    return r < 0 ? cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--name")
                 : take_text(c, &c->off_name, v, MC_OFFICER_NAME_MAX, 0);
  if (op == OP(ADD) && (r = cli_opt_value(argc, argv, i, "--title", &v)) != 0)
    return r < 0 ? cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--title")
                 : take_text(c, &c->off_title, v, MC_OFFICER_TITLE_MAX, 1);
  if (argv[*i][0] == '-' && argv[*i][1] != '\0')
    return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[*i]);
  if (op == OP(LIST) || c->off_login != NULL) return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[*i]);
  c->off_login = argv[*i];
  return mc_officer_login_ok(argv[*i]) ? EXIT_OK_
                                       : cli_usage_error(c, MSG_ERR_OFFICER_LOGIN, argv[*i]);
}

static int officers_required(cli *c) {
  int op = c->officers_op;
  if (op != OP(LIST) && c->off_login == NULL)
    return cli_usage_error(c, MSG_ERR_NEED_OFFICER_LOGIN, NULL);
  if (op == OP(ADD) && c->off_name == NULL) return cli_usage_error(c, MSG_ERR_NEED_OPTION, "--name");
  if ((op == OP(ADD) || op == OP(SET_ROLES)) && c->off_roles == 0)
    return cli_usage_error(c, MSG_ERR_NEED_OPTION, "--roles");
  return EXIT_OK_;
}

int cli_parse_officers(cli *c, int argc, char **argv) {
  c->officers_op = -1;
  for (size_t k = 0; argc > 0 && k < N_SUBS; k++)
    if (strcmp(argv[0], subs[k].word) == 0) c->officers_op = subs[k].op;
  if (c->officers_op < 0)
    return cli_usage_error(c, MSG_ERR_NEED_SUBCOMMAND, argc > 0 ? argv[0] : NULL);
  for (int i = 1; i < argc; i++) {
    int rc = officers_opt(c, argc, argv, &i);
    if (rc != EXIT_OK_) return rc;
  }
  return officers_required(c);
}

/* ---- printing ------------------------------------------------------------ */

static void print_officer(const cli *c, const mc_officer_entry *o) {
  char roles[256], when[64];
  mc_officer_roles_text(o->roles, c->lang, roles, sizeof roles);
  printf("%-16s %s", o->login, o->full_name);
  if (o->title[0] != '\0') printf(" (%s)", o->title);
  printf(" — %s", roles[0] ? roles : "-");
  if (o->disabled) printf(" [%s]", mc_msg(c->lang, MSG_OFFICER_MARK_DISABLED));
  if (o->locked_until_ms > 0) {
    cli_time_text(o->locked_until_ms, c->lang, when, sizeof when);
    printf(" [%s %s]", mc_msg(c->lang, MSG_OFFICER_MARK_LOCKED), when);
  }
  if (o->must_change_password) printf(" [%s]", mc_msg(c->lang, MSG_OFFICER_MARK_MUST_CHANGE));
  if (o->last_login_ms > 0) {
    cli_time_text(o->last_login_ms, c->lang, when, sizeof when);
    printf("; %s %s", mc_msg(c->lang, MSG_OFFICER_LAST_LOGIN), when);
  }
  putchar('\n');
}

static void print_list(const cli *c, const mc_officer_list *l) {
  if (l->n == 0) {
    puts(mc_msg(c->lang, c->cmd->action ? MSG_ASSIGN_NO_CANDIDATES : MSG_OFFICERS_EMPTY));
    return;
  }
  for (size_t i = 0; i < l->n; i++) print_officer(c, &l->items[i]);
  printf("%zu %s\n", l->n, mc_msg(c->lang, MSG_OFFICERS_COUNT));
}

static int emit_json(const mc_officer_list *l, const char *temp_pw) {
  json_t *a = json_array();
  for (size_t i = 0; a != NULL && i < l->n; i++)
    json_array_append_new(a, mc_officer_json(&l->items[i]));
  json_t *doc = json_pack("{s:o}", "officers", a);
  if (doc != NULL && temp_pw[0] != '\0')
    json_object_set_new(doc, "temporary_password", json_string(temp_pw));
  return cli_emit_json(doc, 0) ? EXIT_CONNECT : EXIT_OK_;
}

static void print_change(const cli *c, const mc_officer_list *l, const char *temp_pw) {
  printf("%s %s\n", mc_msg(c->lang, sub_of(c->officers_op)->done), c->off_login);
  for (size_t i = 0; i < l->n; i++) print_officer(c, &l->items[i]);
  if (temp_pw[0] == '\0') return;
  printf("%s %s\n", mc_msg(c->lang, MSG_OFFICER_TEMP_PW), temp_pw);
  puts(mc_msg(c->lang, MSG_OFFICER_TEMP_PW_NOTE));
}

/* ---- running ------------------------------------------------------------- */

int cli_run_officers(cli *c) {
  mc_officers_query q = {.op = c->officers_op, .unit_code = c->off_unit, .login = c->off_login,
                         .full_name = c->off_name, .title = c->off_title,
                         .roles = c->off_roles, .role_filter = c->off_role_filter};
  mc_officer_list l = {0};
  mc_client_error err = {0};
  char temp_pw[MC_OFFICER_TEMP_PW_MAX + 1] = "";
  int rc = mc_officers_call(c->client, &q, &l, temp_pw, sizeof temp_pw, &err);
  if (rc != MC_OK) return cli_report(c, &err);
  if (c->json) rc = emit_json(&l, temp_pw);
  else if (c->officers_op == OP(LIST)) print_list(c, &l);
  else print_change(c, &l, temp_pw);
  fflush(stdout);
  mc_officers_wipe(temp_pw, sizeof temp_pw);
  mc_officer_list_free(&l);
  return rc;
}

int cli_run_assign_candidates(cli *c) {
  mc_officer_list l = {0};
  mc_client_error err = {0};
  char none[1] = "";
  int rc = mc_officers_candidates(c->client, &l, &err);
  if (rc != MC_OK) return cli_report(c, &err);
  if (c->json) {
    rc = emit_json(&l, none);
  } else {
    if (l.n > 0) puts(mc_msg(c->lang, MSG_ASSIGN_CANDIDATES));
    print_list(c, &l);
  }
  mc_officer_list_free(&l);
  return rc;
}
