/* Links of one unit share one decoded client certificate (common/tls.c).
 * What must hold, with real OpenSSL handshakes over memory BIOs:
 *  - two handshakes with the same certificate end with one shared X509,
 *    and the rest of the chain the client presented (OpenSSL clients send
 *    their CA certificate too) is shared as well: no decoded copy per link;
 *  - a context reloaded with a CRL revoking that certificate refuses it
 *    (TLS 1.3 and 1.2) while the shared copy is still in use by the old
 *    context's links: sharing never carries a verdict over;
 *  - another unit is still accepted by the reloaded context;
 *  - a certificate from another CA is refused;
 *  - once every link is gone, a new handshake decodes afresh and works;
 *  - TLS 1.3 negotiates ChaCha20-Poly1305 first (MC_TLS13_SUITES), AES-GCM
 *    for a client that offers only that.
 * Certificates come from tests/tls/mkcerts.sh; the CRL is made here. */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tls.h"

static char dir[512];

static const char *path(const char *name) {
  static char buf[4][640];
  static int i;
  i = (i + 1) % 4;
  snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
  return buf[i];
}

static SSL_CTX *server_ctx(const char *crl) {
  mc_tls_files f = {path("ca.crt"), path("server.crt"), path("server.key"), crl};
  char err[256];
  SSL_CTX *c = NULL;
  if (mc_tls_ctx_new(&c, 1, &f, err, sizeof err) != 0) fprintf(stderr, "server ctx: %s\n", err);
  return c;
}

static SSL_CTX *client_ctx(const char *name) {
  char crt[64], key[64];
  snprintf(crt, sizeof crt, "%s.crt", name);
  snprintf(key, sizeof key, "%s.key", name);
  mc_tls_files f = {path("ca.crt"), path(crt), path(key), NULL};
  char err[256];
  SSL_CTX *c = NULL;
  if (mc_tls_ctx_new(&c, 0, &f, err, sizeof err) != 0) fprintf(stderr, "client ctx: %s\n", err);
  return c;
}

static X509 *read_cert(const char *file) {
  FILE *f = fopen(file, "r");
  X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
  if (f) fclose(f);
  return x;
}

static EVP_PKEY *read_key(const char *file) {
  FILE *f = fopen(file, "r");
  EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
  if (f) fclose(f);
  return k;
}

/* A CRL from ca revoking client.crt, valid from an hour ago for a day. */
static int write_crl(const char *out) {
  X509 *ca = read_cert(path("ca.crt")), *victim = read_cert(path("client.crt"));
  EVP_PKEY *key = read_key(path("ca.key"));
  X509_CRL *crl = X509_CRL_new();
  X509_REVOKED *rev = X509_REVOKED_new();
  ASN1_TIME *last = X509_gmtime_adj(NULL, -3600), *next = X509_gmtime_adj(NULL, 86400);
  int ok = ca && victim && key && crl && rev && last && next &&
           X509_CRL_set_version(crl, 1) && X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) &&
           X509_CRL_set1_lastUpdate(crl, last) && X509_CRL_set1_nextUpdate(crl, next) &&
           X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(victim)) &&
           X509_REVOKED_set_revocationDate(rev, last) && X509_CRL_add0_revoked(crl, rev);
  if (ok) rev = NULL; /* owned by the CRL now */
  ok = ok && X509_CRL_sort(crl) && X509_CRL_sign(crl, key, EVP_sha256()) > 0;
  FILE *f = ok ? fopen(out, "w") : NULL;
  ok = f != NULL && PEM_write_X509_CRL(f, crl) == 1;
  if (f) fclose(f);
  X509_REVOKED_free(rev);
  X509_CRL_free(crl);
  ASN1_TIME_free(last);
  ASN1_TIME_free(next);
  EVP_PKEY_free(key);
  X509_free(ca);
  X509_free(victim);
  return ok;
}

static void pump(BIO *from, BIO *to) {
  char b[16384];
  int n;
  while ((n = BIO_read(from, b, sizeof b)) > 0) BIO_write(to, b, n);
}

typedef struct pair {
  SSL *s, *c;
} pair;

/* 1 if the server accepted the client and got application data from it
 * (in TLS 1.3 a refused client certificate shows only after Finished). */
static int handshake(SSL_CTX *sctx, SSL_CTX *cctx, int tls12, pair *p) {
  p->s = SSL_new(sctx);
  p->c = SSL_new(cctx);
  if (p->s == NULL || p->c == NULL) return 0;
  if (tls12) SSL_set_max_proto_version(p->c, TLS1_2_VERSION);
  BIO *s_in = BIO_new(BIO_s_mem()), *s_out = BIO_new(BIO_s_mem());
  BIO *c_in = BIO_new(BIO_s_mem()), *c_out = BIO_new(BIO_s_mem());
  SSL_set_bio(p->s, s_in, s_out);
  SSL_set_bio(p->c, c_in, c_out);
  SSL_set_accept_state(p->s);
  SSL_set_connect_state(p->c);
  SSL_set_tlsext_host_name(p->c, "motcua-server");
  int sd = 0, cd = 0;
  for (int i = 0; i < 20 && !(sd == 1 && cd == 1); i++) {
    if (cd != 1) cd = SSL_do_handshake(p->c);
    pump(c_out, s_in);
    if (sd != 1) sd = SSL_do_handshake(p->s);
    pump(s_out, c_in);
  }
  char buf[8];
  if (SSL_write(p->c, "x", 1) != 1) return 0;
  pump(c_out, s_in);
  int got = SSL_read(p->s, buf, sizeof buf);
  ERR_clear_error();
  return sd == 1 && got == 1;
}

static void pair_free(pair *p) {
  SSL_free(p->s);
  SSL_free(p->c);
  p->s = p->c = NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_tls_share CERT_DIR\n");
    return 2;
  }
  snprintf(dir, sizeof dir, "%s", argv[1]);
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "sh '%s' '%s'", MKCERTS, dir);
  CHECK(system(cmd) == 0);
  CHECK(write_crl(path("revoked.crl")));

  SSL_CTX *before = server_ctx(NULL), *after = server_ctx(path("revoked.crl"));
  SSL_CTX *unit = client_ctx("client"), *other = client_ctx("district");
  SSL_CTX *foreign = client_ctx("foreign");
  CHECK(before && after && unit && other && foreign);
  if (!(before && after && unit && other && foreign)) return check_result();

  pair a = {0}, b = {0}, r13 = {0}, r12 = {0}, ok12 = {0}, f = {0}, again = {0};
  CHECK(handshake(before, unit, 0, &a));
  CHECK(handshake(before, unit, 0, &b));
  X509 *pa = SSL_get0_peer_certificate(a.s), *pb = SSL_get0_peer_certificate(b.s);
  CHECK(pa != NULL && pa == pb); /* one decoded copy for both links */
  STACK_OF(X509) *ca = SSL_get_peer_cert_chain(a.s), *cb = SSL_get_peer_cert_chain(b.s);
  CHECK(ca != NULL && cb != NULL && sk_X509_num(ca) >= 1 && sk_X509_num(ca) == sk_X509_num(cb));
  for (int i = 0; ca != NULL && cb != NULL && i < sk_X509_num(ca) && i < sk_X509_num(cb); i++)
    CHECK(sk_X509_value(ca, i) == sk_X509_value(cb, i)); /* the presented CA: one copy */
  mc_peer_id id;
  CHECK(mc_tls_peer_identity(pb, &id) == 0 && strcmp(id.unit, "18499") == 0);
  /* TLS 1.3 suite: the server's first choice is ChaCha20-Poly1305 (smaller
   * per-link cipher state than AES-GCM's); a client without it still gets
   * an AES-GCM suite of the same list. */
  CHECK(strcmp(SSL_get_version(a.s), "TLSv1.3") == 0);
  CHECK(strcmp(SSL_get_cipher_name(a.s), "TLS_CHACHA20_POLY1305_SHA256") == 0);
  SSL_CTX *aes_only = client_ctx("client");
  pair aes = {0};
  CHECK(aes_only != NULL && SSL_CTX_set_ciphersuites(aes_only, "TLS_AES_256_GCM_SHA384") == 1);
  CHECK(aes_only != NULL && handshake(before, aes_only, 0, &aes));
  CHECK(aes.s != NULL && strcmp(SSL_get_cipher_name(aes.s), "TLS_AES_256_GCM_SHA384") == 0);
  pair_free(&aes);
  mc_tls_ctx_free(aes_only);

  /* reloaded with the CRL while a and b still hold the shared copy */
  CHECK(!handshake(after, unit, 0, &r13));
  CHECK_EQ(SSL_get_verify_result(r13.s), X509_V_ERR_CERT_REVOKED);
  CHECK(!handshake(after, unit, 1, &r12));
  CHECK_EQ(SSL_get_verify_result(r12.s), X509_V_ERR_CERT_REVOKED);
  CHECK(handshake(after, other, 1, &ok12));
  CHECK(strcmp(SSL_get_version(ok12.s), "TLSv1.2") == 0);

  /* another CA's certificate */
  CHECK(!handshake(before, foreign, 0, &f));
  CHECK(SSL_get_verify_result(f.s) != X509_V_OK);

  pair *all[] = {&a, &b, &r13, &r12, &ok12, &f};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) pair_free(all[i]);
  CHECK(handshake(before, unit, 0, &again)); /* decoded afresh */
  pair_free(&again);

  SSL_CTX *ctxs[] = {before, after, unit, other, foreign};
  for (size_t i = 0; i < sizeof ctxs / sizeof ctxs[0]; i++) mc_tls_ctx_free(ctxs[i]);
  return check_result();
}
