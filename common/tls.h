/* TLS contexts and certificate identities. The peer's identity (unit code
 * and role) always comes from its verified certificate, never from a
 * message: subject CN = unit code ("18496", "444", "admin"), OU = role
 * ("commune" | "district" | "admin"), as issued by deploy/pki.sh. */
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

/* Extract the identity from a verified certificate. MC_EUNAUTH if the
 * subject lacks a usable CN/OU. */
int mc_tls_peer_identity(X509 *cert, mc_peer_id *id);


#endif
