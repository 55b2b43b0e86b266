#include "cursor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static int key_is_time(int sort) { return sort == MC_SORT_RECEIVED || sort == MC_SORT_DUE; }

/* A decimal int64 in [lo, hi], no sign but '-' for lo < 0, no leading 0. */
static int parse_i64(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out) {
  char buf[24];
  if (n == 0 || n >= sizeof buf) return 0;
  memcpy(buf, s, n);
  buf[n] = '\0';
  const char *d = buf[0] == '-' ? buf + 1 : buf;
  if (*d == '\0' || (d[0] == '0' && d[1] != '\0') || (buf[0] == '-' && d[0] == '0')) return 0;
  for (const char *p = d; *p; p++)
    if (*p < '0' || *p > '9') return 0;
  errno = 0;
  long long v = strtoll(buf, NULL, 10);
  if (errno != 0 || v < lo || v > hi) return 0;
  *out = v;
  return 1;
}

static int code_ok(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > MC_LIM_DOSSIER_CODE) return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e) return 0;
  return 1;
}

static int key_ok(const mc_cursor *c) {
  if (c->kind == MC_CURSOR_SEARCH) return !c->key_null;
  if (c->kind != MC_CURSOR_LIST) return 1;
  if (c->sort == MC_SORT_STATUS) return !c->key_null && mc_dom_status_valid((int)c->key_i);
  if (c->sort == MC_SORT_CODE) return !c->key_null && code_ok(c->key_s);
  return !c->key_null || c->sort == MC_SORT_DUE;
}

static int head_ok(const mc_cursor *c) {
  if (c->id < 1) return 0;
  if (c->kind == MC_CURSOR_LIST)
    return c->sort >= 0 && c->sort < MC_SORT__COUNT && (c->desc == 0 || c->desc == 1);
  return c->kind == MC_CURSOR_SEARCH || c->kind == MC_CURSOR_INBOX;
}

static void hex(const char *s, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (; *s; s++) {
    *out++ = digits[(unsigned char)*s >> 4];
    *out++ = digits[(unsigned char)*s & 15];
  }
  *out = '\0';
}

int mc_cursor_encode(const mc_cursor *c, char out[MC_CURSOR_MAX]) {
  if (c == NULL || !head_ok(c) || !key_ok(c)) return MC_EINVAL;
  char key[2 * MC_LIM_DOSSIER_CODE + 1];
  if (c->kind == MC_CURSOR_LIST && c->sort == MC_SORT_CODE) hex(c->key_s, key);
  else if (c->key_null) snprintf(key, sizeof key, "n");
  else snprintf(key, sizeof key, "%lld", (long long)c->key_i);
  int n;
  if (c->kind == MC_CURSOR_INBOX)
    n = snprintf(out, MC_CURSOR_MAX, "I.%lld", (long long)c->id);
  else if (c->kind == MC_CURSOR_SEARCH)
    n = snprintf(out, MC_CURSOR_MAX, "S.%lld.%s", (long long)c->id, key);
  else
    n = snprintf(out, MC_CURSOR_MAX, "L%d%c.%lld.%s", c->sort, c->desc ? 'd' : 'a',
                 (long long)c->id, key);
  return n > 0 && n < MC_CURSOR_MAX ? 0 : MC_EINVAL;
}

static int unhex_digit(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  return -1;
}

static int unhex(const char *s, size_t n, char *out, size_t cap) {
  if (n == 0 || n % 2 != 0 || n / 2 >= cap) return 0;
  for (size_t i = 0; i < n; i += 2) {
    int hi = unhex_digit(s[i]), lo = unhex_digit(s[i + 1]);
    if (hi < 0 || lo < 0) return 0;
    int byte = hi * 16 + lo;
    if (byte < 0x21 || byte > 0x7e) return 0; /* a code's bytes only */
    out[i / 2] = (char)byte;
  }
  out[n / 2] = '\0';
  return 1;
}

/* key (the text after the id's '.'), by the cursor's kind and sort. */
static int decode_key(const char *key, mc_cursor *c) {
  size_t n = strlen(key);
  if (c->kind == MC_CURSOR_LIST && c->sort == MC_SORT_CODE)
    return unhex(key, n, c->key_s, sizeof c->key_s);
  if (c->kind == MC_CURSOR_LIST && c->sort == MC_SORT_STATUS)
    return parse_i64(key, n, 1, 10, &c->key_i);
  if (n == 1 && key[0] == 'n') return c->key_null = 1;
  /* times: within +-10,000 years of 1970, in microseconds */
  return parse_i64(key, n, -315537897600000000LL, 315537897600000000LL, &c->key_i);
}

static const char *decode_head(const char *s, mc_cursor *c) {
  if (s[0] == 'I' && s[1] == '.') return c->kind = MC_CURSOR_INBOX, s + 2;
  if (s[0] == 'S' && s[1] == '.') return c->kind = MC_CURSOR_SEARCH, s + 2;
  if (s[0] != 'L' || s[1] < '0' || s[1] >= '0' + MC_SORT__COUNT) return NULL;
  if ((s[2] != 'a' && s[2] != 'd') || s[3] != '.') return NULL;
  c->kind = MC_CURSOR_LIST;
  c->sort = s[1] - '0';
  c->desc = s[2] == 'd';
  return s + 4;
}

int mc_cursor_decode(const char *s, mc_cursor *c) {
  memset(c, 0, sizeof *c);
  if (s == NULL || s[0] == '\0') return 0;
  if (strnlen(s, MC_CURSOR_MAX) >= MC_CURSOR_MAX) return MC_EINVAL;
  const char *p = decode_head(s, c);
  if (p == NULL) goto bad;
  const char *dot = strchr(p, '.');
  size_t idlen = dot != NULL ? (size_t)(dot - p) : strlen(p);
  if (!parse_i64(p, idlen, 1, INT64_MAX, &c->id)) goto bad;
  if ((c->kind == MC_CURSOR_INBOX) != (dot == NULL)) goto bad;
  if (dot != NULL && !decode_key(dot + 1, c)) goto bad;
  if (key_ok(c)) return 0;
bad:
  memset(c, 0, sizeof *c);
  return MC_EINVAL;
}

void mc_cursor_key_text(const mc_cursor *c, char out[MC_LIM_DOSSIER_CODE + 1]) {
  if (c->kind == MC_CURSOR_LIST && c->sort == MC_SORT_CODE)
    snprintf(out, MC_LIM_DOSSIER_CODE + 1, "%s", c->key_s);
  else if (c->key_null) out[0] = '\0';
  else snprintf(out, MC_LIM_DOSSIER_CODE + 1, "%lld", (long long)c->key_i);
}

int mc_cursor_set_key(mc_cursor *c, const char *text, int is_null) {
  c->key_null = 0;
  c->key_s[0] = '\0';
  c->key_i = 0;
  if (is_null) return c->kind == MC_CURSOR_LIST && c->sort == MC_SORT_DUE ? (c->key_null = 1, 0)
                                                                          : MC_EINVAL;
  if (c->kind == MC_CURSOR_LIST && c->sort == MC_SORT_CODE) {
    if (!code_ok(text)) return MC_EINVAL;
    snprintf(c->key_s, sizeof c->key_s, "%s", text);
    return 0;
  }
  int64_t lo = key_is_time(c->sort) || c->kind == MC_CURSOR_SEARCH ? INT64_MIN : 1;
  return parse_i64(text, strlen(text), lo, INT64_MAX, &c->key_i) ? 0 : MC_EINVAL;
}
