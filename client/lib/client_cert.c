/* The client's certificate files and TLS context (client_cert.h). */
#include <string.h>
#include <sys/stat.h>

#include "client_cert.h"
#include "error.h"
#include "tls.h"

static void file_sig(const char *path, uint64_t v[4]) {
  struct stat st;
  memset(v, 0, 4 * sizeof v[0]);
  if (path[0] == '\0' || stat(path, &st) != 0) return;
  v[0] = (uint64_t)st.st_dev;
  v[1] = (uint64_t)st.st_ino;
  v[2] = (uint64_t)st.st_size;
  v[3] = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
}

void client__cert_sig_read(const mc_client_config *cfg, client__cert_sig *out) {
  file_sig(cfg->cert, out->v[0]);
  file_sig(cfg->key, out->v[1]);
}

int client__cert_sig_differs(const client__cert_sig *a, const client__cert_sig *b) {
  return memcmp(a->v, b->v, sizeof a->v) != 0;
}

/* The server's alerts: certificate_revoked (44) marks the flag. In TLS 1.3
 * it arrives after our side of the handshake is done, on the first read. */
static void info_cb(const SSL *ssl, int where, int ret) {
  if ((where & SSL_CB_READ_ALERT) != SSL_CB_READ_ALERT) return;
  if ((ret & 0xff) != SSL_AD_CERTIFICATE_REVOKED) return;
  int *flag = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
  if (flag != NULL) *flag = 1;
}

int client__cert_ctx_new(const mc_client_config *cfg, int *revoked_flag, SSL_CTX **out,
                         char *err, size_t errlen) {
  mc_tls_files files = {cfg->ca, cfg->cert, cfg->key, cfg->crl};
  int rc = mc_tls_ctx_new(out, 0, &files, err, errlen);
  if (rc != MC_OK) return rc;
  SSL_CTX_set_app_data(*out, revoked_flag);
  SSL_CTX_set_info_callback(*out, info_cb);
  return MC_OK;
}
