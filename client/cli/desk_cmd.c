/* desk: serve the officers' web screen (client/desk, docs/DESK.md) until
 * SIGINT/SIGTERM. Prints one line when listening:
 *   desk: http://127.0.0.1:8480/ (unit 18499)
 * and logs to stderr (MOTCUA_LOG, default info). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk.h"
#include "desk_cmd.h"
#include "error.h"
#include "log.h"

int cli_parse_desk(cli *c, int argc, char **argv) {
  c->desk_port = -1;
  for (int i = 0; i < argc; i++) {
    const char *v = NULL;
    int r;
    unsigned port;
    if ((r = cli_opt_value(argc, argv, &i, "--listen", &v)) != 0) {
      if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--listen");
      c->desk_listen = v;
    } else if ((r = cli_opt_value(argc, argv, &i, "--port", &v)) != 0) {
      if (r < 0 || mc_fields_parse_uint(v, 0, 65535, &port) != 0)
        return cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--port");
      c->desk_port = (int)port;
    } else {
      return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    }
  }
  return EXIT_OK_;
}

static void ready_cb(const char *url, const char *unit, void *ud) {
  (void)ud;
  printf("desk: %s (unit %s)\n", url, unit[0] ? unit : "?");
  fflush(stdout);
}

int cli_run_desk(cli *c) {
  char err[512] = "";
  mc_desk_opts o = {&c->cfg, c->desk_listen, c->desk_port, c->lang};
  if (getenv("MOTCUA_LOG") == NULL) mc_log_level_current = MC_LOG_INFO;
  int rc = mc_desk_run(&o, ready_cb, c, err, sizeof err);
  if (rc == MC_OK) return EXIT_OK_;
  if (rc == MC_EREVOKED) return cli_fail(c, EXIT_REVOKED, rc, mc_msg(c->lang, MSG_ERR_REVOKED), NULL);
  if (rc == MC_ECONFIG && c->cfg.desk_tls_cert[0] == '\0' && err[0] && strstr(err, "HTTPS") != NULL)
    return cli_fail(c, EXIT_USAGE, rc, mc_msg(c->lang, MSG_DESK_ERR_TLS_REQUIRED), err);
  if (rc == MC_EIO) return cli_fail(c, EXIT_USAGE, rc, mc_msg(c->lang, MSG_DESK_ERR_LISTEN), err);
  return cli_fail(c, EXIT_USAGE, rc, mc_msg(c->lang, MSG_ERR_CONFIG), err);
}
