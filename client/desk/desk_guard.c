/* The desk's checks and sessions (desk_guard.h). */
#include "desk_guard.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

void desk_hex(const unsigned char *raw, size_t n, char *out) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = hex[raw[i] >> 4];
    out[2 * i + 1] = hex[raw[i] & 15];
  }
  out[2 * n] = '\0';
}

void desk_sessions_init(desk_sessions *t, int64_t idle_ms) {
  memset(t, 0, sizeof *t);
  t->idle_ms = idle_ms;
}

static int idle(const desk_sessions *t, const desk_session *s, int64_t now) {
  return now - s->last_ms >= t->idle_ms || now < s->last_ms - 60000; /* clock stepped back */
}

static int is_hex64(const char *s) {
  size_t n = strlen(s);
  if (n != DESK_SECRET_HEX) return 0;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
  return 1;
}

desk_session *desk_sessions_find(desk_sessions *t, const char *cookie, int64_t now) {
  unsigned char h[32];
  desk_session *found = NULL;
  if (cookie == NULL || !is_hex64(cookie)) return NULL;
  SHA256((const unsigned char *)cookie, DESK_SECRET_HEX, h);
  for (size_t i = 0; i < DESK_SESSIONS_MAX; i++)
    if (t->s[i].used && CRYPTO_memcmp(t->s[i].id_hash, h, sizeof h) == 0) found = &t->s[i];
  if (found == NULL || idle(t, found, now)) return NULL;
  found->last_ms = now;
  return found;
}

desk_session *desk_sessions_add(desk_sessions *t, const unsigned char id_raw[32],
                                const unsigned char csrf_raw[32], int64_t now,
                                char cookie_out[DESK_SECRET_HEX + 1],
                                char evicted[MC_CLIENT_TOKEN_MAX + 1]) {
  desk_session *s = NULL;
  evicted[0] = '\0';
  for (size_t i = 0; i < DESK_SESSIONS_MAX && s == NULL; i++)
    if (!t->s[i].used) s = &t->s[i];
  for (size_t i = 0; i < DESK_SESSIONS_MAX && s == NULL; i++)
    if (idle(t, &t->s[i], now)) {
      s = &t->s[i];
      snprintf(evicted, MC_CLIENT_TOKEN_MAX + 1, "%s", s->token);
      desk_sessions_remove(s);
    }
  if (s == NULL) return NULL;
  memset(s, 0, sizeof *s);
  s->used = 1;
  desk_hex(id_raw, 32, cookie_out);
  SHA256((const unsigned char *)cookie_out, DESK_SECRET_HEX, s->id_hash);
  desk_hex(csrf_raw, 32, s->csrf);
  s->last_ms = now;
  return s;
}

void desk_sessions_remove(desk_session *s) {
  OPENSSL_cleanse(s, sizeof *s);
  s->used = 0;
}

int desk_sessions_expire(desk_sessions *t, int64_t now, char token[MC_CLIENT_TOKEN_MAX + 1]) {
  for (size_t i = 0; i < DESK_SESSIONS_MAX; i++)
    if (t->s[i].used && idle(t, &t->s[i], now)) {
      snprintf(token, MC_CLIENT_TOKEN_MAX + 1, "%s", t->s[i].token);
      desk_sessions_remove(&t->s[i]);
      return 1;
    }
  return 0;
}

size_t desk_sessions_live(const desk_sessions *t, int64_t now) {
  size_t n = 0;
  for (size_t i = 0; i < DESK_SESSIONS_MAX; i++) n += t->s[i].used && !idle(t, &t->s[i], now);
  return n;
}

int desk_cookie_get(const char *header, const char *name, char *out, size_t size) {
  size_t nl = strlen(name);
  const char *p = header;
  out[0] = '\0';
  while (p != NULL && *p) {
    while (*p == ' ' || *p == ';') p++;
    const char *end = strchr(p, ';');
    size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
    if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
      size_t vl = len - nl - 1;
      if (vl >= size) return 0;
      memcpy(out, p + nl + 1, vl);
      out[vl] = '\0';
      return 1;
    }
    p = end;
  }
  return 0;
}

int desk_csrf_ok(const desk_session *s, const char *header) {
  if (s == NULL || header == NULL || strlen(header) != DESK_SECRET_HEX) return 0;
  return CRYPTO_memcmp(s->csrf, header, DESK_SECRET_HEX) == 0;
}

int desk_origin_ok(const mc_http_hosts *hosts, int tls, const char *origin) {
  const char *scheme = tls ? "https://" : "http://";
  size_t n = strlen(scheme);
  if (origin == NULL || strncasecmp(origin, scheme, n) != 0) return 0;
  const char *host = origin + n;
  if (host[0] == '\0' || strchr(host, '/') != NULL || strlen(host) > MC_HTTP_HOST_LEN + 8)
    return 0;
  /* an Origin without a port names the scheme's default port */
  char buf[MC_HTTP_HOST_LEN + 16];
  const char *colon = strrchr(host, ':'), *bracket = strrchr(host, ']');
  if (colon == NULL || (bracket != NULL && colon < bracket))
    snprintf(buf, sizeof buf, "%s:%d", host, tls ? 443 : 80);
  else
    snprintf(buf, sizeof buf, "%s", host);
  return mc_http_host_allowed(hosts, buf);
}

int desk_fetch_site_ok(const char *v) {
  return v == NULL || (strcmp(v, "cross-site") != 0 && strcmp(v, "same-site") != 0);
}
