/* The CLI's bottom layer: reporting (stderr, or the one JSON document on
 * stdout), option values, and the call every command makes. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "error.h"

/* ---- reporting -------------------------------------------------------- */

int cli_emit_json(json_t *doc, int one_line) {
  if (doc == NULL) return -1;
  size_t flags = one_line ? JSON_COMPACT : JSON_INDENT(2);
  int rc = json_dumpf(doc, stdout, flags);
  fputc('\n', stdout);
  fflush(stdout);
  json_decref(doc);
  return rc;
}

int cli_fail(const cli *c, int exit_code, int err, const char *text,
             const char *detail) {
  if (c->json) {
    cli_emit_json(mc_cli_error_json(err, text, detail), 0);
  } else if (detail != NULL && detail[0] != '\0') {
    fprintf(stderr, "motcua: %s: %s\n", text, detail);
  } else {
    fprintf(stderr, "motcua: %s\n", text);
  }
  return exit_code;
}

int cli_usage_error(const cli *c, enum mc_msg msg, const char *arg) {
  return cli_fail(c, EXIT_USAGE, MC_EINVAL, mc_msg(c->lang, msg), arg);
}

static int transport_error(const cli *c, int err) {
  char text[700];
  enum mc_msg reason = err == MC_ETIMEOUT   ? MSG_ERR_CONNECT_TIMEOUT
                       : err == MC_ETLS     ? MSG_ERR_CONNECT_TLS
                       : err == MC_EUNAVAIL ? MSG_ERR_CONNECT_DOWN
                       : err == MC_EUNAUTH  ? MSG_ERR_CONNECT_IDENTITY
                                            : MSG_NONE;
  const char *detail = mc_client_errmsg(c->client);
  snprintf(text, sizeof text, "%s %s: %s", mc_msg(c->lang, MSG_ERR_CONNECT),
           mc_client_target(c->client),
           reason != MSG_NONE ? mc_msg(c->lang, reason) : mc_strerror(err));
  if (c->json) return cli_fail(c, EXIT_CONNECT, err, text, detail);
  fprintf(stderr, "motcua: %s\n", text);
  if (detail[0] != '\0') fprintf(stderr, "  (%s)\n", detail);
  return EXIT_CONNECT;
}

int cli_client_error(const cli *c, int err) {
  if (!mc_client_refused(c->client)) return transport_error(c, err);
  const char *text = mc_msg(c->lang, mc_msg_for_err(err));
  if (c->json) return cli_fail(c, EXIT_REFUSED, err, text, mc_client_errdetail(c->client));
  fprintf(stderr, "motcua: %s\n", text);
  if (mc_client_errmsg(c->client)[0] != '\0')
    fprintf(stderr, "  %s: %s\n", mc_msg(c->lang, MSG_SERVER_SAID),
            mc_client_errmsg(c->client));
  return EXIT_REFUSED;
}

/* ---- options ---------------------------------------------------------- */

int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **out) {
  const char *a = argv[*i];
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

