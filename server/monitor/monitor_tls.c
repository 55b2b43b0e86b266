/* Certificate facts for the monitor: expiry of the server certificate and
 * of the CA, the CRL's next update, and whether a serial is revoked. Read
 * from the configured PEM files at start and at every reload. */
#include "monitor_tls.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "error.h"

static int64_t asn1_ms(const ASN1_TIME *t) {
  struct tm tm;
  if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return (int64_t)timegm(&tm) * 1000;
}

static int64_t cert_not_after(const char *path) {
  FILE *f = path && path[0] ? fopen(path, "r") : NULL;
  if (f == NULL) return 0;
  X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
  fclose(f);
  int64_t ms = x ? asn1_ms(X509_get0_notAfter(x)) : 0;
  X509_free(x);
  return ms;
}

void mc_mon_tls_free(mc_mon_tls *t) {
  X509_CRL_free(t->crl);
  t->crl = NULL;
}

int mc_mon_tls_load(mc_mon_tls *t, const char *ca, const char *cert, const char *crl) {
  mc_mon_tls_free(t);
  memset(t, 0, sizeof *t);
  t->server_not_after_ms = cert_not_after(cert);
  t->ca_not_after_ms = cert_not_after(ca);
  t->has_crl_file = crl != NULL && crl[0] != '\0';
  if (!t->has_crl_file) return 0;
  FILE *f = fopen(crl, "r");
  if (f == NULL) return MC_EIO;
  t->crl = PEM_read_X509_CRL(f, NULL, NULL, NULL);
  fclose(f);
  if (t->crl == NULL) return MC_ETLS;
  t->crl_next_update_ms = asn1_ms(X509_CRL_get0_nextUpdate(t->crl));
  t->crl_last_update_ms = asn1_ms(X509_CRL_get0_lastUpdate(t->crl));
  return 0;
}

int mc_mon_tls_revoked(const mc_mon_tls *t, const char *serial_hex) {
  if (t->crl == NULL || serial_hex == NULL || serial_hex[0] == '\0') return 0;
  BIGNUM *bn = NULL;
  if (BN_hex2bn(&bn, serial_hex) == 0) return 0;
  ASN1_INTEGER *ai = BN_to_ASN1_INTEGER(bn, NULL);
  X509_REVOKED *rev = NULL;
  int hit = ai != NULL && X509_CRL_get0_by_serial(t->crl, &rev, ai) == 1;
  ASN1_INTEGER_free(ai);
  BN_free(bn);
  return hit;
}

int mc_mon_tls_valid(const mc_mon_tls *t, int64_t now_ms) {
  if (t->server_not_after_ms <= now_ms || t->ca_not_after_ms <= now_ms) return 0;
  if (!t->has_crl_file) return 1;
  return t->crl != NULL && (t->crl_next_update_ms == 0 || t->crl_next_update_ms > now_ms);
}
