/* Certificate facts for the monitor (monitor_tls.c): expiry dates, the
 * CRL's next update, revoked serials. */
#ifndef MC_MONITOR_TLS_H
#define MC_MONITOR_TLS_H

#include <stdint.h>

typedef struct X509_crl_st X509_CRL;

typedef struct mc_mon_tls {
  int64_t server_not_after_ms, ca_not_after_ms; /* 0 = unreadable */
  int has_crl_file;
  X509_CRL *crl;                                /* NULL: none or unreadable */
  int64_t crl_next_update_ms, crl_last_update_ms;
} mc_mon_tls;

/* (Re)read the files; MC_EIO / MC_ETLS if a configured CRL cannot be read. */
int mc_mon_tls_load(mc_mon_tls *t, const char *ca, const char *cert, const char *crl);
void mc_mon_tls_free(mc_mon_tls *t);
/* 1 if the serial (hex, as in mc_peer_id.serial) is on the CRL. */
int mc_mon_tls_revoked(const mc_mon_tls *t, const char *serial_hex);
/* Certificates unexpired and the CRL (if configured) loaded and current. */
int mc_mon_tls_valid(const mc_mon_tls *t, int64_t now_ms);

#endif
