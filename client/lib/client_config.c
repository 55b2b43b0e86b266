/* Client configuration: one option table, loaded with common/config.c. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "motcua_client.h"

#define CC mc_client_config
static const mc_option options[] = {
    MC_OPT_S("server", "host", "127.0.0.1", CC, host, "server host name or address"),
    MC_OPT_I("server", "port", "7443", 1, 65535, CC, port, "server TCP port"),
    MC_OPT_S("server", "server_name", "motcua-server", CC, server_name,
             "expected CN of the server certificate"),
    MC_OPT_S("tls", "ca", NULL, CC, ca, "CA certificate (PEM)"),
    MC_OPT_S("tls", "cert", NULL, CC, cert, "this unit's certificate (PEM)"),
    MC_OPT_S("tls", "key", NULL, CC, key, "this unit's private key (PEM, mode 0600)"),
    MC_OPT_S("tls", "crl", "", CC, crl,
             "CRL (PEM) of the CA: a revoked server certificate is refused; empty = no check"),
    MC_OPT_S("client", "officer", NULL, CC, officer, "officer name recorded on changes"),
    MC_OPT_S("client", "lang", "vi", CC, lang, "output language: vi or en"),
    MC_OPT_I("client", "timeout_s", "15", 1, 3600, CC, timeout_s,
             "bound on connect and on each request, seconds"),
    MC_OPT_S("client", "outbox", NULL, CC, outbox,
             "offline outbox file (SQLite); default <dir of this file>/outbox-<unit>.db"),
    MC_OPT_S("client", "session", "", CC, session,
             "officer session token file (0600); default <dir of this file>/session-<unit>.token"),
    MC_OPT_S("desk", "desk_listen", "127.0.0.1:8480", CC, desk_listen,
             "motcua desk: ADDR:PORT of the screen; not loopback = HTTPS (docs/DESK.md)"),
    MC_OPT_S("desk", "desk_tls_cert", "", CC, desk_tls_cert,
             "motcua desk: HTTPS certificate (PEM) for a LAN address (deploy/pki.sh desk)"),
    MC_OPT_S("desk", "desk_tls_key", "", CC, desk_tls_key, "motcua desk: its key (PEM, 0600)"),
    MC_OPT_S("desk", "desk_hosts", "", CC, desk_hosts,
             "motcua desk: extra names the screen may be reached by (Host check)"),
    MC_OPT_I("desk", "desk_idle_min", "15", 1, 480, CC, desk_idle_min,
             "motcua desk: idle minutes before an officer is logged out"),
    {NULL, NULL, MC_OPT_STR, NULL, 0, 0, 0, NULL},
};
#undef CC

const mc_option *mc_client_options(void) { return options; }

int mc_client_config_init(mc_client_config *cfg, char *err, size_t errlen) {
  memset(cfg, 0, sizeof *cfg);
  return mc_config_defaults(options, cfg, err, errlen);
}

/* Prefix a relative path with dir ("" dir leaves it alone). */
static int resolve_path(char *path, size_t size, const char *dir, char *err,
                        size_t errlen) {
  char tmp[MC_CLIENT_PATH_MAX];
  if (path[0] == '\0' || path[0] == '/' || dir[0] == '\0') return MC_OK;
  int n = snprintf(tmp, sizeof tmp, "%s/%s", dir, path);
  if (n < 0 || (size_t)n >= size || (size_t)n >= sizeof tmp) {
    snprintf(err, errlen, "path too long: %s/%s", dir, path);
    return MC_ECONFIG;
  }
  memcpy(path, tmp, (size_t)n + 1);
  return MC_OK;
}

static void dir_of(const char *path, char *dir, size_t size) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL) {
    dir[0] = '\0';
    return;
  }
  size_t n = (size_t)(slash - path);
  if (n == 0) n = 1; /* "/x.conf" -> "/" */
  if (n >= size) n = size - 1;
  memcpy(dir, path, n);
  dir[n] = '\0';
}

int mc_client_config_load(mc_client_config *cfg, const char *path, char *err,
                          size_t errlen) {
  char dir[MC_CLIENT_PATH_MAX];
  int rc = mc_config_load(options, cfg, path, err, errlen);
  if (rc != MC_OK) return rc;
  dir_of(path, dir, sizeof dir);
  if ((rc = resolve_path(cfg->ca, sizeof cfg->ca, dir, err, errlen)) != MC_OK ||
      (rc = resolve_path(cfg->cert, sizeof cfg->cert, dir, err, errlen)) != MC_OK ||
      (rc = resolve_path(cfg->key, sizeof cfg->key, dir, err, errlen)) != MC_OK ||
      (rc = resolve_path(cfg->crl, sizeof cfg->crl, dir, err, errlen)) != MC_OK ||
      (rc = resolve_path(cfg->outbox, sizeof cfg->outbox, dir, err, errlen)) != MC_OK ||
      (rc = resolve_path(cfg->session, sizeof cfg->session, dir, err, errlen)) != MC_OK ||
      (rc = resolve_path(cfg->desk_tls_cert, sizeof cfg->desk_tls_cert, dir, err, errlen)) !=
          MC_OK ||
      (rc = resolve_path(cfg->desk_tls_key, sizeof cfg->desk_tls_key, dir, err, errlen)) != MC_OK)
    return rc;
  snprintf(cfg->config_dir, sizeof cfg->config_dir, "%s", dir);
  return MC_OK;
}

int mc_client_config_check(const mc_client_config *cfg) {
  /* An empty name would skip the check of the server certificate's name
   * (common/link.c): any certificate of the CA would do. */
  return cfg->server_name[0] == '\0' ? MC_ECONFIG : MC_OK;
}

int mc_client_config_set(mc_client_config *cfg, const char *name,
                         const char *value, char *err, size_t errlen) {
  return mc_config_set(options, cfg, name, value, err, errlen);
}
