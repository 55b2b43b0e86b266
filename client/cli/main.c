/* motcua: command-line client of the one-stop desk server.
 *   motcua [-c FILE] [--json] [--lang vi|en] [--officer NAME] [--key=value]
 *          COMMAND [arguments]
 * The global options may also come after the command or among its
 * arguments (`motcua list --json`); "--" ends the options. A mistyped
 * command or option gets the closest one as a suggestion.
 * Exit codes: 0 ok; 1 refused by the server; 2 usage/config; 3 transport;
 * 4 this unit's certificate is revoked. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_text.h"
#include "commands.h"
#include "error.h"
#include "log.h"

#define MAX_OVERRIDES 32

typedef struct globals {
  const char *config_path;
  const char *lang_flag;
  const char *overrides[MAX_OVERRIDES];
  int n_overrides;
  int help;
  int argc; /* argv[1] is COMMAND, argv[2..argc) its arguments (globals taken out) */
} globals;

/* "not a global option": the command's own, passed on to its parser. */
#define MSG_NOT_GLOBAL MSG__COUNT

static int is_help(const char *a) {
  return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/* --name=value where name is a client configuration key. */
static int is_config_override(const char *a) {
  const char *eq = strchr(a, '=');
  if (strncmp(a, "--", 2) != 0 || eq == NULL) return 0;
  for (const mc_option *o = mc_client_options(); o->name != NULL; o++)
    if (strlen(o->name) == (size_t)(eq - a - 2) && strncmp(o->name, a + 2, (size_t)(eq - a - 2)) == 0)
      return 1;
  return 0;
}

/* One global option at argv[*i]: MSG_NONE (taken), MSG_NOT_GLOBAL, or an
 * error message id. Before the command any --name=value is an override
 * (an unknown name is then a configuration error); after it only a
 * configuration key is, so that a command's own --opt=value reaches it. */
static enum mc_msg parse_global(cli *c, globals *g, int argc, char **argv, int *i,
                                int before_cmd) {
  const char *a = argv[*i], *v = NULL;
  int r;
  if (strcmp(a, "--json") == 0) {
    c->json = 1;
  } else if (is_help(a)) {
    g->help = 1;
  } else if ((r = cli_opt_value(argc, argv, i, "-c", &v)) != 0 ||
             (r = cli_opt_value(argc, argv, i, "--config", &v)) != 0) {
    if (r < 0) return MSG_ERR_MISSING_VALUE;
    g->config_path = v;
  } else if ((r = cli_opt_value(argc, argv, i, "--lang", &v)) != 0) {
    if (r < 0) return MSG_ERR_MISSING_VALUE;
    if (mc_lang_parse(v) < 0) return MSG_ERR_BAD_LANG;
    g->lang_flag = v;
    c->lang = mc_lang_parse(v);
  } else if ((r = cli_opt_value(argc, argv, i, "--officer", &v)) != 0) {
    if (r < 0) return MSG_ERR_MISSING_VALUE;
    c->officer = v;
  } else if (strncmp(a, "--", 2) == 0 && strchr(a, '=') != NULL &&
             (before_cmd || is_config_override(a))) {
    if (g->n_overrides >= MAX_OVERRIDES) return MSG_ERR_EXTRA_ARG;
    g->overrides[g->n_overrides++] = a;
  } else {
    return before_cmd ? MSG_ERR_UNKNOWN_OPTION : MSG_NOT_GLOBAL;
  }
  return MSG_NONE;
}

/* Take the global options out of argv wherever they are (argv is compacted
 * in place, like getopt's permutation): g->argc is what is left. After
 * "--" every word is the command's. */
static int parse_globals(cli *c, globals *g, int argc, char **argv) {
  int n = 1, ended = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (ended || a[0] != '-' || a[1] == '\0') {
      argv[n++] = argv[i];
      continue;
    }
    if (strcmp(a, "--") == 0) {
      ended = 1;
      continue;
    }
    enum mc_msg m = parse_global(c, g, argc, argv, &i, n == 1);
    if (m == MSG_NOT_GLOBAL) argv[n++] = argv[i];
    else if (m == MSG_ERR_UNKNOWN_OPTION) return cli_unknown_option(c, argv[i]);
    else if (m != MSG_NONE) return cli_usage_error(c, m, argv[i]);
  }
  g->argc = n;
  return EXIT_OK_;
}

/* ---- configuration ---------------------------------------------------- */

static int config_error(const cli *c, const char *detail) {
  return cli_fail(c, EXIT_USAGE, MC_ECONFIG, mc_msg(c->lang, MSG_ERR_CONFIG), detail);
}

static int apply_overrides(cli *c, const globals *g, char *err, size_t errlen) {
  for (int i = 0; i < g->n_overrides; i++) {
    char name[64];
    const char *eq = strchr(g->overrides[i], '=');
    size_t n = (size_t)(eq - g->overrides[i]) - 2;
    if (n >= sizeof name) n = sizeof name - 1;
    memcpy(name, g->overrides[i] + 2, n);
    name[n] = '\0';
    if (mc_client_config_set(&c->cfg, name, eq + 1, err, errlen) != MC_OK) return -1;
  }
  return 0;
}

static int load_config(cli *c, const globals *g) {
  char err[512] = "";
  const char *path = g->config_path ? g->config_path : getenv("MOTCUA_CONFIG");
  if (path == NULL || path[0] == '\0')
    return cli_fail(c, EXIT_USAGE, MC_ECONFIG, mc_msg(c->lang, MSG_ERR_NO_CONFIG), NULL);
  if (mc_client_config_init(&c->cfg, err, sizeof err) != MC_OK ||
      mc_client_config_load(&c->cfg, path, err, sizeof err) != MC_OK ||
      apply_overrides(c, g, err, sizeof err) != 0)
    return config_error(c, err);
  if (g->lang_flag == NULL) {
    if (mc_lang_parse(c->cfg.lang) < 0) return config_error(c, "lang");
    c->lang = mc_lang_parse(c->cfg.lang);
  }
  if (mc_client_config_check(&c->cfg) != MC_OK)
    return cli_fail(c, EXIT_USAGE, MC_ECONFIG, mc_msg(c->lang, MSG_ERR_SERVER_NAME),
                    "server_name");
  if (c->officer == NULL) c->officer = c->cfg.officer;
  return EXIT_OK_;
}

/* ---- the commands ------------------------------------------------------ */

static const cli_command *find_command(const char *name) {
  size_t n;
  const cli_command *t = cli_commands(&n);
  for (size_t i = 0; i < n; i++)
    if (strcmp(t[i].name, name) == 0) return &t[i];
  return NULL;
}

/* "Không có lệnh 'lsit'. Có phải ý bạn là 'list'?", or the plain error. */
static int unknown_command(const cli *c, const char *name) {
  size_t n;
  const cli_command *t = cli_commands(&n);
  const char *names[CLI_COMMANDS_MAX];
  if (n > CLI_COMMANDS_MAX) n = CLI_COMMANDS_MAX;
  for (size_t i = 0; i < n; i++) names[i] = t[i].name;
  const char *best = cli_text_suggest(name, names, n);
  if (best == NULL) return cli_usage_error(c, MSG_ERR_UNKNOWN_COMMAND, name);
  return cli_suggest_error(c, MSG_ERR_NO_SUCH_COMMAND, name, best);
}

/* ---- main ------------------------------------------------------------- */

static void set_log_level(void) {
  const char *lv = getenv("MOTCUA_LOG");
  int level = lv != NULL ? mc_log_level_parse(lv) : -1;
  mc_log_level_current = level >= 0 ? level : MC_LOG_ERROR;
}

static int connect_client(cli *c) {
  char err[512] = "";
  mc_client_error e = {0};
  int rc = mc_client_new(&c->cfg, &c->client, err, sizeof err);
  if (rc != MC_OK)
    return cli_fail(c, EXIT_USAGE, MC_ECONFIG, mc_msg(c->lang, MSG_ERR_TLS_SETUP), err);
  if (mc_sender_new(c->client, &c->cfg, &c->sender) != MC_OK)
    return cli_fail_err(c, EXIT_CONNECT, MC_ENOMEM, NULL);
  rc = mc_sender_connect(c->sender, c->cmd->queue, &e); /* offline: queue instead */
  return rc == MC_OK ? EXIT_OK_ : cli_report(c, &e);
}

/* Commands that connect by themselves still reach the outbox. */
static int make_sender(cli *c) {
  if (c->cmd->connect) return connect_client(c);
  if (mc_sender_new(NULL, &c->cfg, &c->sender) != MC_OK)
    return cli_fail_err(c, EXIT_CONNECT, MC_ENOMEM, NULL);
  return EXIT_OK_;
}

static int run(cli *c, int argc, char **argv) {
  globals g = {0};
  int rc = parse_globals(c, &g, argc, argv);
  if (rc != EXIT_OK_) return rc;
  if (g.argc < 2) {
    if (!g.help) return cli_usage_error(c, MSG_ERR_NO_COMMAND, NULL);
    puts(mc_msg(c->lang, MSG_USAGE));
    return EXIT_OK_;
  }
  const cli_command *cmd = find_command(argv[1]);
  if (cmd == NULL) return unknown_command(c, argv[1]);
  if (g.help) {
    puts(mc_msg(c->lang, cmd->usage));
    return EXIT_OK_;
  }
  c->cmd = cmd;
  if ((rc = load_config(c, &g)) != EXIT_OK_) return rc;
  mc_client_zone_load(&c->cfg); /* the server's zone as last seen, until the hello */
  if ((rc = cmd->parse(c, g.argc - 2, argv + 2)) != EXIT_OK_)
    return rc;
  if ((rc = make_sender(c)) != EXIT_OK_ || (rc = cli_code_expand(c)) != EXIT_OK_) return rc;
  return cmd->run(c);
}

int main(int argc, char **argv) {
  cli c;
  memset(&c, 0, sizeof c);
  c.lang = MC_LANG_VI;
  set_log_level();
  signal(SIGPIPE, SIG_IGN); /* a dropped link is an error code (3), not a crash */
  int rc = run(&c, argc, argv);
  mc_sender_free(c.sender);
  mc_client_free(c.client);
  return rc;
}
