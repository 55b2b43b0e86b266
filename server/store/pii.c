/* Keyed hashes of citizen ids and phones (W8). With [database]
 * pii_key_file set, every receipt stores HMAC-SHA256(key, value) next to
 * the value (applicant_id_mac, applicant_phone_mac, migration 013) and a
 * search by exact id or phone looks the MAC up, never the clear column.
 * The key lives in a file outside the database (mode 0600 or 0400, 32 to
 * 1024 bytes) and never reaches SQL: MACs are computed here. Rows written
 * before the key are given their MACs at open (blocking, batches of
 * BACKFILL_BATCH). The clear columns stay (slips print the id): encrypting
 * them is the remaining step, see docs/SECURITY.md (W8). */
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "store_internal.h"

#define KEY_MIN 32
#define BACKFILL_BATCH 1000

int store__pii_load(mc_store *s, const char *path, char *err, size_t errlen) {
  struct stat st;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    snprintf(err, errlen, "pii_key_file: cannot open %s", path);
    return MC_ECONFIG;
  }
  int rc = MC_ECONFIG;
  ssize_t n = -1;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    snprintf(err, errlen, "pii_key_file: %s is not a regular file", path);
  else if ((st.st_mode & 077) != 0)
    snprintf(err, errlen, "pii_key_file: %s is readable by others (chmod 0600)", path);
  else if ((n = read(fd, s->pii_key, sizeof s->pii_key)) < KEY_MIN ||
           (size_t)n == sizeof s->pii_key)
    snprintf(err, errlen, "pii_key_file: %s must hold %d to %zu bytes", path, KEY_MIN,
             sizeof s->pii_key - 1);
  else {
    s->pii_key_len = (size_t)n;
    rc = 0;
  }
  close(fd);
  if (rc != 0) OPENSSL_cleanse(s->pii_key, sizeof s->pii_key);
  return rc;
}

int store__pii_mac(const mc_store *s, const char *value, char out[STORE_MAC_HEX + 1]) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  out[0] = '\0';
  if (s->pii_key_len == 0 || value == NULL || value[0] == '\0') return 1;
  if (HMAC(EVP_sha256(), s->pii_key, (int)s->pii_key_len, (const unsigned char *)value,
           strlen(value), mac, &len) == NULL || len * 2 != STORE_MAC_HEX)
    return MC_EINTERNAL;
  for (unsigned int i = 0; i < len; i++) snprintf(out + 2 * i, 3, "%02x", mac[i]);
  return 0;
}

/* ---- backfill (blocking, at open) ---- */

static const char SQL_PENDING[] =
    "SELECT id, applicant_id, applicant_phone FROM dossiers"
    " WHERE (applicant_id <> '' AND applicant_id_mac IS NULL)"
    "    OR (applicant_phone <> '' AND applicant_phone_mac IS NULL)"
    " ORDER BY id LIMIT 1000"; /* BACKFILL_BATCH */

static const char SQL_SET[] =
    "UPDATE dossiers d SET applicant_id_mac = nullif(x.im, ''),"
    " applicant_phone_mac = nullif(x.pm, '')"
    " FROM unnest($1::bigint[], $2::text[], $3::text[]) x(id, im, pm) WHERE d.id = x.id";

/* Appends s to a "{...}" array literal of quoted elements. */
static int arr_add(char **buf, size_t *len, size_t *cap, const char *v, int quote) {
  size_t need = *len + strlen(v) + 4;
  if (need > *cap) {
    size_t ncap = need * 2;
    char *nb = realloc(*buf, ncap);
    if (nb == NULL) return MC_ENOMEM;
    *buf = nb;
    *cap = ncap;
  }
  *len += (size_t)snprintf(*buf + *len, *cap - *len, "%s%s%s%s", *len > 1 ? "," : "",
                           quote ? "\"" : "", v, quote ? "\"" : "");
  return 0;
}

/* One batch: MACs of up to BACKFILL_BATCH rows. *n: rows done. */
static int backfill_batch(PGconn *pg, const mc_store *s, int *n, char *err, size_t errlen) {
  char line[256], im[STORE_MAC_HEX + 1], pm[STORE_MAC_HEX + 1];
  char *a[3] = {NULL, NULL, NULL};
  size_t len[3] = {1, 1, 1}, cap[3] = {0, 0, 0};
  int rc = MC_ENOMEM;
  PGresult *r = PQexec(pg, SQL_PENDING);
  *n = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) : -1;
  for (int k = 0; k < 3; k++)
    if ((a[k] = malloc(cap[k] = 64)) != NULL) strcpy(a[k], "{");
  if (*n <= 0 || a[0] == NULL || a[1] == NULL || a[2] == NULL) {
    rc = *n < 0 ? MC_EUNAVAIL : *n == 0 ? 0 : MC_ENOMEM;
    if (*n < 0) snprintf(err, errlen, "%s", store__pq_line(PQresultErrorMessage(r), line, sizeof line));
    goto out;
  }
  for (int i = 0; i < *n; i++) {
    if (store__pii_mac(s, PQgetvalue(r, i, 1), im) < 0 ||
        store__pii_mac(s, PQgetvalue(r, i, 2), pm) < 0 ||
        arr_add(&a[0], &len[0], &cap[0], PQgetvalue(r, i, 0), 0) != 0 ||
        arr_add(&a[1], &len[1], &cap[1], im, 1) != 0 || arr_add(&a[2], &len[2], &cap[2], pm, 1) != 0)
      goto out;
  }
  for (int k = 0; k < 3; k++) {
    if (arr_add(&a[k], &len[k], &cap[k], "", 0) != 0) goto out; /* room for "}" */
    memcpy(a[k] + len[k] - 1, "}", 2); /* the "," the empty element added */
  }
  PQclear(r);
  const char *params[3] = {a[0], a[1], a[2]};
  r = PQexecParams(pg, SQL_SET, 3, NULL, params, NULL, NULL, 0);
  rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : MC_EUNAVAIL;
  if (rc != 0) snprintf(err, errlen, "%s", store__pq_line(PQresultErrorMessage(r), line, sizeof line));
out:
  PQclear(r);
  for (int k = 0; k < 3; k++) free(a[k]);
  return rc;
}

int store__pii_backfill(const mc_store *s, const char *conninfo, char *err, size_t errlen) {
  char line[256];
  long total = 0;
  int n = 0, rc = 0;
  if (s->pii_key_len == 0) return 0;
  PGconn *pg = PQconnectdb(conninfo);
  if (PQstatus(pg) != CONNECTION_OK) {
    snprintf(err, errlen, "database connection failed: %s",
             store__pq_line(PQerrorMessage(pg), line, sizeof line));
    PQfinish(pg);
    return MC_EUNAVAIL;
  }
  PQsetNoticeProcessor(pg, store__notice_cb, NULL);
  do {
    rc = backfill_batch(pg, s, &n, err, errlen);
    if (rc == 0 && n > 0) total += n;
  } while (rc == 0 && n == BACKFILL_BATCH);
  PQfinish(pg);
  if (rc == 0 && total > 0) mc_log_info(0, "storage pii macs written rows=%ld", total);
  return rc;
}
