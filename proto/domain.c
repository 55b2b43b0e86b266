#include "domain.h"

#include <stdio.h>
#include <string.h>

static const char *const ROLE_NAMES[] = {"none", "commune", "district", "admin", "server"};

const char *mc_role_name(mc_role r) {
  return r >= MC_ROLE_NONE && r <= MC_ROLE_SERVER ? ROLE_NAMES[r] : "none";
}

mc_role mc_role_parse(const char *s) {
  for (int r = MC_ROLE_COMMUNE; s != NULL && r <= MC_ROLE_SERVER; r++)
    if (strcmp(s, ROLE_NAMES[r]) == 0) return (mc_role)r;
  return MC_ROLE_NONE;
}

size_t mc_dom_utf8_seq(const unsigned char *p, size_t avail) {
  if (avail == 0) return 0;
  unsigned c = p[0];
  size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (len == 0 || len > avail) return 0;
  unsigned lo = 0x80, hi = 0xBF; /* bounds of the second byte */
  if (c == 0xE0) lo = 0xA0;
  else if (c == 0xED) hi = 0x9F;
  else if (c == 0xF0) lo = 0x90;
  else if (c == 0xF4) hi = 0x8F;
  for (size_t i = 1; i < len; i++)
    if (p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xBF)) return 0;
  return len;
}

int mc_dom_utf8(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    size_t k = mc_dom_utf8_seq(p + i, n - i);
    if (k == 0) return 0;
    i += k;
  }
  return 1;
}

/* The code point of a well-formed sequence of k bytes. */
static unsigned code_point(const unsigned char *p, size_t k) {
  static const unsigned lead_mask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  unsigned cp = p[0] & lead_mask[k];
  for (size_t i = 1; i < k; i++) cp = (cp << 6) | (p[i] & 0x3F);
  return cp;
}

/* Invisible format characters that reorder or hide text (Unicode Cf used in
 * "Trojan source" tricks): zero-width and direction marks, bidi embeddings,
 * overrides and isolates, word joiners, the BOM, the Arabic letter mark. */
static int is_format(unsigned cp) {
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF ||
         cp == 0x061C;
}

/* C0 controls, DEL, the C1 controls U+0080..U+009F and format characters. */
static int is_control(const unsigned char *p, size_t k, int newline_ok) {
  if (k == 1) return (p[0] < 0x20 && !(newline_ok && p[0] == '\n')) || p[0] == 0x7F;
  unsigned cp = code_point(p, k);
  return (cp >= 0x80 && cp < 0xA0) || is_format(cp);
}

enum mc_dom_fault mc_dom_text(const char *s, size_t max, unsigned flags) {
  if (s == NULL) s = "";
  size_t n = strnlen(s, max + 1);
  if (n > max) return MC_DOM_TOO_LONG;
  const unsigned char *p = (const unsigned char *)s;
  int visible = 0;
  for (size_t i = 0; i < n;) {
    size_t k = mc_dom_utf8_seq(p + i, n - i);
    if (k == 0) return MC_DOM_BAD_UTF8;
    if (is_control(p + i, k, (flags & MC_TEXT_NEWLINES) != 0)) return MC_DOM_CONTROL;
    if (p[i] != ' ' && p[i] != '\n') visible = 1;
    i += k;
  }
  return (flags & MC_TEXT_REQUIRED) && !visible ? MC_DOM_EMPTY : MC_DOM_OK;
}

static int all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

static int alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Every byte of s[0..n) alphanumeric or one of extra. */
static int all_of(const char *s, size_t n, const char *extra) {
  for (size_t i = 0; i < n; i++)
    if (!alnum(s[i]) && strchr(extra, s[i]) == NULL) return 0;
  return 1;
}

/* Empty / too long / ok, for the checks below. */
static enum mc_dom_fault bounded(const char *s, size_t max, size_t *n) {
  if (s == NULL || s[0] == '\0') return MC_DOM_EMPTY;
  *n = strnlen(s, max + 1);
  return *n > max ? MC_DOM_TOO_LONG : MC_DOM_OK;
}

enum mc_dom_fault mc_dom_citizen_id(const char *s) {
  size_t n = 0;
  enum mc_dom_fault f = bounded(s, MC_LIM_CITIZEN_ID, &n);
  if (f != MC_DOM_OK) return f;
  return (n == 9 || n == 12) && all_digits(s, n) ? MC_DOM_OK : MC_DOM_FORMAT;
}

enum mc_dom_fault mc_dom_phone(const char *s) {
  size_t n = 0;
  enum mc_dom_fault f = bounded(s, MC_LIM_PHONE, &n);
  if (f == MC_DOM_EMPTY) return MC_DOM_OK; /* optional */
  if (f != MC_DOM_OK) return f;
  return all_digits(s, n) ? MC_DOM_OK : MC_DOM_FORMAT;
}

enum mc_dom_fault mc_dom_proc_code(const char *s) {
  size_t n = 0;
  enum mc_dom_fault f = bounded(s, MC_LIM_PROC_CODE, &n);
  if (f != MC_DOM_OK) return f;
  return all_of(s, n, "._-") ? MC_DOM_OK : MC_DOM_FORMAT;
}

enum mc_dom_fault mc_dom_dossier_code(const char *s) {
  size_t n = 0;
  enum mc_dom_fault f = bounded(s, MC_LIM_DOSSIER_CODE, &n);
  if (f != MC_DOM_OK) return f;
  const char *seq = strrchr(s, '-');
  if (seq == NULL || seq - s < 8 || seq[-7] != '-') return MC_DOM_FORMAT;
  const char *date = seq - 6;
  size_t seqlen = n - (size_t)(seq + 1 - s);
  if (!all_digits(date, 6) || seqlen < 4 || seqlen > 9 || !all_digits(seq + 1, seqlen))
    return MC_DOM_FORMAT;
  return all_of(s, (size_t)(date - 1 - s), ".") ? MC_DOM_OK : MC_DOM_FORMAT;
}

enum mc_dom_fault mc_dom_idem_key(const char *s) {
  size_t n = 0;
  enum mc_dom_fault f = bounded(s, MC_LIM_IDEM_KEY, &n);
  if (f != MC_DOM_OK) return f;
  return n >= MC_LIM_IDEM_KEY_MIN && all_of(s, n, "_-") ? MC_DOM_OK : MC_DOM_FORMAT;
}

int mc_dom_status_valid(int status) {
  return status >= MC_STATUS_MIN && status <= MC_STATUS_MAX;
}

static int in_set(unsigned set, int status) {
  return mc_dom_status_valid(status) && (set & MC_STATUS_BIT(status)) != 0;
}

int mc_dom_status_open(int status) { return in_set(MC_STATUS_OPEN_SET, status); }
int mc_dom_status_paused(int status) { return in_set(MC_STATUS_PAUSED_SET, status); }

/* A small ring of buffers, so a caller may hold a few results at once. */
const char *mc_dom_status_set_sql(unsigned set) {
  static char ring[4][32];
  static unsigned next;
  char *out = ring[next++ % 4];
  size_t len = 0;
  out[0] = '\0';
  for (int s = MC_STATUS_MIN; s <= MC_STATUS_MAX; s++)
    if (set & MC_STATUS_BIT(s))
      len += (size_t)snprintf(out + len, sizeof ring[0] - len, "%s%d", len ? "," : "", s);
  return out;
}

int mc_dom_overdue(const mc_dom_clock *c, int64_t now_ms) {
  if (c->supplement_count >= 2) return 1;
  int64_t end = c->finished_ms ? c->finished_ms : c->paused_ms ? c->paused_ms : now_ms;
  return c->due_ms > 0 && end > c->due_ms;
}

enum mc_dom_fault mc_dom_list_sort(const char *s, int *key, int *desc) {
  static const char *const names[MC_SORT__COUNT] = {"received", "due", "code", "status"};
  if (s == NULL || s[0] == '\0') return *key = MC_SORT_RECEIVED, *desc = 1, MC_DOM_OK;
  int minus = s[0] == '-';
  for (int k = 0; k < MC_SORT__COUNT; k++)
    if (strcmp(s + minus, names[k]) == 0) return *key = k, *desc = minus, MC_DOM_OK;
  return MC_DOM_FORMAT;
}

enum mc_dom_fault mc_dom_unit_code(const char *s) {
  static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  size_t n = s != NULL ? strnlen(s, MC_LIM_UNIT_CODE + 1) : 0;
  if (n == 0) return MC_DOM_EMPTY;
  if (n > MC_LIM_UNIT_CODE) return MC_DOM_TOO_LONG;
  return strspn(s, alnum) == n ? MC_DOM_OK : MC_DOM_FORMAT;
}
