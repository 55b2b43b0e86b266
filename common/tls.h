/* TLS contexts and certificate identities. The peer's identity (unit code
 * and role) always comes from its verified certificate, never from a
 * message: subject O = "motcua", CN = unit code ("18496", "444", "admin"),
 * OU = role ("commune" | "district" | "admin"), as issued by deploy/pki.sh.
 * A certificate with another O, or OU=admin with a CN other than "admin"
 * (or CN=admin with another OU), has no identity. */
#ifndef MC_TLS_H
#define MC_TLS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct x509_st X509;

#include "domain.h" /* mc_role */


typedef struct mc_peer_id {
  char unit[32];      /* CN */
  mc_role role;       /* from OU */
  char serial[68];    /* certificate serial, hex */
  int64_t not_after;  /* unix seconds */
} mc_peer_id;

typedef struct mc_tls_files {
  const char *ca;    /* PEM CA bundle that signs peers */
  const char *cert;  /* own certificate chain (PEM) */
  const char *key;   /* own private key (PEM); must be mode 0600 or stricter */
  const char *crl;   /* optional CRL (PEM); NULL or "" = none */
} mc_tls_files;

/* Build a context requiring TLS >= 1.2 (1.3 preferred), AEAD ciphers only,
 * and a verified peer certificate. err receives a human-readable reason. */
int mc_tls_ctx_new(SSL_CTX **out, int is_server, const mc_tls_files *files,
                   char *err, size_t errlen);
void mc_tls_ctx_free(SSL_CTX *ctx);

/* TLS 1.3 suites in the server's order of preference (common/tls.c). */
#define MC_TLS13_SUITES \
  "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"

#define MC_TLS_ORG "motcua"     /* subject O of every certificate deploy/pki.sh issues */
#define MC_TLS_ADMIN_CN "admin" /* the one CN that may carry OU=admin */

/* The subject rule, pure: 0 if (O, CN, role from OU) make an identity,
 * else MC_EUNAUTH (see the top of this file). */
int mc_tls_subject_check(const char *org, const char *unit, mc_role role);
/* Extract the identity from a verified certificate. MC_EUNAUTH if the
 * subject lacks a usable O/CN/OU or breaks mc_tls_subject_check. */
int mc_tls_peer_identity(X509 *cert, mc_peer_id *id);


#endif
