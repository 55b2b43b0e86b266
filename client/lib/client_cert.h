/* The client's own certificate and key files (internal to client/lib):
 * their identity on disk, so that a long-lived session (watch, the desk)
 * notices a renewal (`pki.sh renew`) and builds a new TLS context, and the
 * TLS alert that tells a revoked client apart from any other TLS failure. */
#ifndef MC_CLIENT_CERT_H
#define MC_CLIENT_CERT_H

#include <stdint.h>

#include <openssl/ssl.h>

#include "motcua_client.h"

/* What identifies the cert and key files' contents cheaply: device, inode,
 * size and modification time of each. All zero if a file is missing. */
typedef struct client__cert_sig {
  uint64_t v[2][4];
} client__cert_sig;

/* The signature of cfg's cert and key files now. */
void client__cert_sig_read(const mc_client_config *cfg, client__cert_sig *out);
/* 1 if a and b differ. */
int client__cert_sig_differs(const client__cert_sig *a, const client__cert_sig *b);

/* Build a client TLS context from cfg's files (mc_tls_ctx_new) that records
 * in *revoked_flag (set to 1) a certificate_revoked alert from the server.
 * The flag must outlive the context. MC_OK or an mc_err with err filled. */
int client__cert_ctx_new(const mc_client_config *cfg, int *revoked_flag, SSL_CTX **out,
                         char *err, size_t errlen);

#endif
