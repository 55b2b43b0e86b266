#include "tls.h"

#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "hash.h"

static int tls_fail(char *err, size_t errlen, const char *what, const char *path) {
  unsigned long e = ERR_get_error();
  char reason[160] = "";
  if (e != 0) ERR_error_string_n(e, reason, sizeof reason);
  ERR_clear_error();
  snprintf(err, errlen, "%s%s%s%s%s", what, path ? " " : "", path ? path : "",
           e ? ": " : "", reason);
  return MC_ETLS;
}

/* A private key readable by group or others is refused: say so, and why. */
static int check_key_mode(const char *path, char *err, size_t errlen) {
  struct stat st;
  if (stat(path, &st) != 0) {
    snprintf(err, errlen, "cannot read private key %s", path);
    return MC_ECONFIG;
  }
  if ((st.st_mode & 077) != 0) {
    snprintf(err, errlen,
             "private key %s has mode %04o: it must not be readable by group or "
             "others (chmod 600 %s)",
             path, (unsigned)(st.st_mode & 07777), path);
    return MC_ECONFIG;
  }
  return 0;
}

static int load_crl(SSL_CTX *ctx, const char *path, char *err, size_t errlen) {
  X509_STORE *store = SSL_CTX_get_cert_store(ctx);
  X509_LOOKUP *lk = X509_STORE_add_lookup(store, X509_LOOKUP_file());
  if (lk == NULL || X509_load_crl_file(lk, path, X509_FILETYPE_PEM) <= 0)
    return tls_fail(err, errlen, "cannot load CRL", path);
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  return 0;
}

static int load_files(SSL_CTX *ctx, const mc_tls_files *f, char *err,
                      size_t errlen) {
  int rc = check_key_mode(f->key, err, errlen);
  if (rc != 0) return rc;
  if (SSL_CTX_load_verify_locations(ctx, f->ca, NULL) != 1)
    return tls_fail(err, errlen, "cannot load CA", f->ca);
  if (SSL_CTX_use_certificate_chain_file(ctx, f->cert) != 1)
    return tls_fail(err, errlen, "cannot load certificate", f->cert);
  if (SSL_CTX_use_PrivateKey_file(ctx, f->key, SSL_FILETYPE_PEM) != 1)
    return tls_fail(err, errlen, "cannot load private key", f->key);
  if (SSL_CTX_check_private_key(ctx) != 1)
    return tls_fail(err, errlen, "private key does not match", f->cert);
  if (f->crl != NULL && f->crl[0] != '\0') return load_crl(ctx, f->crl, err, errlen);
  return 0;
}

/* ---- shared peer certificates ------------------------------------------
 * OpenSSL keeps the certificates a client presented, decoded, for the
 * whole connection: the leaf (the session's peer) and the rest of the
 * presented chain (the session's peer chain; OpenSSL clients send their
 * CA certificate too unless told not to), about 4 KB each with their
 * public keys. Every link of a unit presents the same chain, so the server
 * keeps one decoded copy per distinct presented chain: before
 * verification each freshly decoded certificate is swapped for the
 * byte-identical copy of a chain that already passed verification on
 * another link, and X509_verify_cert then runs on them as usual (chain,
 * validity, CRL: nothing is skipped or remembered). A chain that verifies
 * is shared from then on; it is dropped when the last connection using it
 * is freed. */

#define PEER_BUCKETS 256
#define PEER_MAX 65536   /* distinct chains shared at once */
#define PEER_CHAIN_MAX 8 /* longer presented chains are not shared */

typedef struct peer_cert {
  struct peer_cert *next;
  X509 *x509[PEER_CHAIN_MAX]; /* the presented chain, leaf first */
  int n;
  unsigned char *der; /* the chain's certificates' DER, concatenated */
  int der_len;
  unsigned users; /* SSL objects holding it (ex_data) */
} peer_cert;

static peer_cert *peer_tab[PEER_BUCKETS];
static unsigned peer_count;
static int peer_idx = -1; /* SSL ex_data index: the peer_cert in use */

static unsigned peer_bucket(const unsigned char *der, int len) {
  return mc_fnv1a(der, (size_t)len) % PEER_BUCKETS;
}

/* DER is self-delimiting: equal concatenations are equal chains. */
static peer_cert *peer_find(const unsigned char *der, int len) {
  for (peer_cert *p = peer_tab[peer_bucket(der, len)]; p != NULL; p = p->next)
    if (p->der_len == len && memcmp(p->der, der, (size_t)len) == 0) return p;
  return NULL;
}

static void peer_release(peer_cert *p) {
  if (p == NULL || --p->users > 0) return;
  peer_cert **pp = &peer_tab[peer_bucket(p->der, p->der_len)];
  while (*pp != p) pp = &(*pp)->next;
  *pp = p->next;
  peer_count--;
  for (int i = 0; i < p->n; i++) X509_free(p->x509[i]);
  OPENSSL_free(p->der);
  OPENSSL_free(p);
}

/* ex_data destructor: the SSL object is being freed. */
static void peer_ex_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                         void *argp) {
  (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
  peer_release(ptr);
}

/* Remember that ssl uses p. */
static void peer_attach(SSL *ssl, peer_cert *p) {
  peer_cert *old = SSL_get_ex_data(ssl, peer_idx);
  p->users++;
  if (SSL_set_ex_data(ssl, peer_idx, p) != 1) {
    p->users--;
    return;
  }
  peer_release(old);
}

/* The DER of the n certificates of sk, concatenated (OPENSSL_malloc'd). */
static unsigned char *chain_der(STACK_OF(X509) *sk, int n, int *len) {
  int total = 0;
  for (int i = 0; i < n; i++) {
    int l = i2d_X509(sk_X509_value(sk, i), NULL);
    if (l <= 0 || l > INT_MAX - total) return NULL;
    total += l;
  }
  unsigned char *der = OPENSSL_malloc((size_t)total), *q = der;
  for (int i = 0; der != NULL && i < n; i++) {
    if (i2d_X509(sk_X509_value(sk, i), &q) <= 0) {
      OPENSSL_free(der);
      return NULL;
    }
  }
  *len = total;
  return der;
}

/* A verified chain nobody shares yet becomes the shared copy. */
static void peer_share(SSL *ssl, STACK_OF(X509) *sk, int n, unsigned char *der, int len) {
  peer_cert *p = peer_count < PEER_MAX ? OPENSSL_zalloc(sizeof *p) : NULL;
  for (int i = 0; p != NULL && i < n; i++) {
    if (!X509_up_ref(sk_X509_value(sk, i))) break;
    p->x509[p->n++] = sk_X509_value(sk, i);
  }
  if (p == NULL || p->n != n) {
    for (int i = 0; p != NULL && i < p->n; i++) X509_free(p->x509[i]);
    OPENSSL_free(p);
    OPENSSL_free(der);
    return;
  }
  p->der = der;
  p->der_len = len;
  unsigned b = peer_bucket(der, len);
  p->next = peer_tab[b];
  peer_tab[b] = p;
  peer_count++;
  peer_attach(ssl, p); /* users 1: freed with this connection's SSL */
}

/* Put p's copies in place of the freshly decoded certificates of sk. */
static int peer_swap_in(X509_STORE_CTX *xs, STACK_OF(X509) *sk, peer_cert *p) {
  int i = 0;
  while (i < p->n && X509_up_ref(p->x509[i])) i++;
  if (i < p->n) {
    while (i-- > 0) X509_free(p->x509[i]);
    return 0;
  }
  for (i = 0; i < p->n; i++) {
    X509 *fresh = sk_X509_value(sk, i); /* sk_X509_set returns the new one */
    sk_X509_set(sk, i, p->x509[i]);
    X509_free(fresh);
  }
  X509_STORE_CTX_set_cert(xs, p->x509[0]);
  return 1;
}

/* SSL_CTX_set_cert_verify_callback: the whole chain check, on the shared
 * copies of the presented certificates when there are some. The presented
 * chain is the untrusted stack (leaf first) that OpenSSL keeps afterwards
 * as the session's peer and peer chain. */
static int verify_shared_chain(X509_STORE_CTX *xs, void *arg) {
  (void)arg;
  SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
  STACK_OF(X509) *sk = X509_STORE_CTX_get0_untrusted(xs);
  int n = sk != NULL ? sk_X509_num(sk) : 0;
  int len = 0;
  unsigned char *der = NULL;
  if (ssl != NULL && n >= 1 && n <= PEER_CHAIN_MAX &&
      sk_X509_value(sk, 0) == X509_STORE_CTX_get0_cert(xs))
    der = chain_der(sk, n, &len);
  if (der == NULL) return X509_verify_cert(xs);
  peer_cert *p = peer_find(der, len);
  if (p != NULL && (p->n != n || !peer_swap_in(xs, sk, p))) p = NULL;
  int ok = X509_verify_cert(xs);
  if (ok == 1 && p == NULL) {
    peer_share(ssl, sk, n, der, len); /* takes der */
    return ok;
  }
  if (ok == 1) peer_attach(ssl, p);
  OPENSSL_free(der);
  return ok;
}

int mc_tls_ctx_new(SSL_CTX **out, int is_server, const mc_tls_files *f,
                   char *err, size_t errlen) {
  SSL_CTX *ctx = SSL_CTX_new(is_server ? TLS_server_method() : TLS_client_method());
  if (ctx == NULL) return tls_fail(err, errlen, "SSL_CTX_new failed", NULL);
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  /* TLS 1.2: ECDHE + AEAD only. TLS 1.3 suites are all AEAD. */
  if (SSL_CTX_set_cipher_list(ctx,
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305") != 1)
    goto fail;
  /* TLS 1.3: the same three suites as OpenSSL's default, the server's order
   * ChaCha20-Poly1305 first: as strong (256-bit key, AEAD) and its cipher
   * contexts are ~200 B smaller each than AES-GCM's key schedule and GHASH
   * table, which every idle link keeps twice (docs/PERFORMANCE.md; it still
   * runs at > 2 GB/s on one core here, far above an upload's disk). */
  if (SSL_CTX_set_ciphersuites(ctx, MC_TLS13_SUITES) != 1) goto fail;
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  if (is_server) SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (is_server) SSL_CTX_set_num_tickets(ctx, 0);
  if (is_server && peer_idx < 0)
    peer_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, peer_ex_free);
  if (is_server && peer_idx >= 0)
    SSL_CTX_set_cert_verify_callback(ctx, verify_shared_chain, NULL);
  int rc = load_files(ctx, f, err, errlen);
  if (rc != 0) {
    SSL_CTX_free(ctx);
    return rc;
  }
  *out = ctx;
  return 0;
fail:
  SSL_CTX_free(ctx);
  return tls_fail(err, errlen, "cannot configure TLS", NULL);
}

void mc_tls_ctx_free(SSL_CTX *ctx) { SSL_CTX_free(ctx); }

static int subject_field(X509_NAME *name, int nid, char *out, size_t outlen) {
  int idx = X509_NAME_get_index_by_NID(name, nid, -1);
  if (idx < 0) return -1;
  /* A repeated field is ambiguous: refuse rather than pick one. */
  if (X509_NAME_get_index_by_NID(name, nid, idx) >= 0) return -1;
  ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char *utf8 = NULL;
  int n = ASN1_STRING_to_UTF8(&utf8, s);
  if (n <= 0 || (size_t)n >= outlen || memchr(utf8, 0, (size_t)n) != NULL) {
    OPENSSL_free(utf8);
    return -1;
  }
  memcpy(out, utf8, (size_t)n);
  out[n] = '\0';
  OPENSSL_free(utf8);
  return 0;
}

static int valid_unit(const char *s) {
  if (*s == '\0') return 0;
  for (; *s; s++)
    if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
          (*s >= 'A' && *s <= 'Z') || *s == '-' || *s == '_' || *s == '.'))
      return 0;
  return 1;
}

static void serial_hex(X509 *cert, char *out, size_t outlen) {
  BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
  char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
  snprintf(out, outlen, "%s", hex != NULL ? hex : "");
  OPENSSL_free(hex);
  BN_free(bn);
}

int mc_tls_subject_check(const char *org, const char *unit, mc_role role) {
  if (strcmp(org, MC_TLS_ORG) != 0 || !valid_unit(unit) || role == MC_ROLE_NONE)
    return MC_EUNAUTH;
  /* CN=admin is the administrator's and only the administrator's. */
  if ((role == MC_ROLE_ADMIN) != (strcmp(unit, MC_TLS_ADMIN_CN) == 0)) return MC_EUNAUTH;
  return 0;
}

int mc_tls_peer_identity(X509 *cert, mc_peer_id *id) {
  char role[32], org[32];
  memset(id, 0, sizeof *id);
  if (cert == NULL) return MC_EUNAUTH;
  X509_NAME *name = X509_get_subject_name(cert);
  if (subject_field(name, NID_commonName, id->unit, sizeof id->unit) != 0 ||
      subject_field(name, NID_organizationalUnitName, role, sizeof role) != 0 ||
      subject_field(name, NID_organizationName, org, sizeof org) != 0)
    return MC_EUNAUTH;
  id->role = mc_role_parse(role);
  if (mc_tls_subject_check(org, id->unit, id->role) != 0) {
    id->role = MC_ROLE_NONE;
    return MC_EUNAUTH;
  }
  serial_hex(cert, id->serial, sizeof id->serial);
  struct tm tm;
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) id->not_after = timegm(&tm);
  return 0;
}

