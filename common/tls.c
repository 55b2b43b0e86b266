#include "tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"

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
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  if (is_server) SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (is_server) SSL_CTX_set_num_tickets(ctx, 0);
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

int mc_tls_peer_identity(X509 *cert, mc_peer_id *id) {
  char role[32];
  memset(id, 0, sizeof *id);
  if (cert == NULL) return MC_EUNAUTH;
  X509_NAME *name = X509_get_subject_name(cert);
  if (subject_field(name, NID_commonName, id->unit, sizeof id->unit) != 0 ||
      subject_field(name, NID_organizationalUnitName, role, sizeof role) != 0)
    return MC_EUNAUTH;
  id->role = mc_role_parse(role);
  if (!valid_unit(id->unit)) return MC_EUNAUTH;
  serial_hex(cert, id->serial, sizeof id->serial);
  struct tm tm;
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) id->not_after = timegm(&tm);
  return id->role == MC_ROLE_NONE ? MC_EUNAUTH : 0;
}

static const char *const role_names[] = {"none", "commune", "district", "admin",
                                          "server"};

const char *mc_role_name(mc_role r) {
  return (unsigned)r < 5 ? role_names[r] : "none";
}

mc_role mc_role_parse(const char *s) {
  for (int i = 1; i < 5; i++)
    if (strcmp(s, role_names[i]) == 0) return (mc_role)i;
  return MC_ROLE_NONE;
}
