/* Text on a terminal: display width, cells, typo suggestions (cli_text.h). */
#include <ctype.h>
#include <string.h>

#include "cli_text.h"

typedef struct range {
  unsigned lo, hi;
} range;

/* Combining marks and zero-width format characters. */
static const range zero_width[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
    {0x064B, 0x065F}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
    {0x202A, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF},
};

/* East Asian Wide (W) and Fullwidth (F). */
static const range wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},
    {0xA000, 0xA4CF},   {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
    {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},
    {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

static int in_ranges(unsigned cp, const range *r, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (cp >= r[i].lo && cp <= r[i].hi) return 1;
  return 0;
}

int cli_text_cp_width(unsigned cp) {
  if (in_ranges(cp, zero_width, sizeof zero_width / sizeof zero_width[0])) return 0;
  if (in_ranges(cp, wide, sizeof wide / sizeof wide[0])) return 2;
  return 1;
}

/* Decode one code point at s; its length in bytes (1 for a bad byte, *cp
 * then U+FFFD). s[0] is not NUL. */
static size_t utf8_next(const unsigned char *s, unsigned *cp) {
  size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
                             : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
  unsigned v = n == 1 ? s[0] : n == 2 ? s[0] & 0x1Fu : n == 3 ? s[0] & 0x0Fu : s[0] & 0x07u;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) n = 0; /* also stops at the NUL */
    if (n == 0) break;
    v = (v << 6) | (s[i] & 0x3Fu);
  }
  if (n == 0) {
    *cp = 0xFFFD;
    return 1;
  }
  *cp = v;
  return n;
}

int cli_text_width(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  int w = 0;
  while (*p) {
    unsigned cp;
    p += utf8_next(p, &cp);
    w += cli_text_cp_width(cp);
  }
  return w;
}

/* Bytes of s that fit in max columns (zero-width marks stay with their
 * base character); *cols receives their width. */
static size_t prefix_fitting(const char *s, int max, int *cols) {
  const unsigned char *p = (const unsigned char *)s;
  int w = 0;
  while (*p) {
    unsigned cp;
    size_t n = utf8_next(p, &cp);
    int cw = cli_text_cp_width(cp);
    if (w + cw > max) break;
    w += cw;
    p += n;
  }
  *cols = w;
  return (size_t)(p - (const unsigned char *)s);
}

char *cli_text_fit(const char *s, int width, char *out, size_t size) {
  static const char ell[] = "…";
  int cols = 0, cut = cli_text_width(s) > width;
  size_t n = prefix_fitting(s, cut ? width - 1 : width, &cols);
  size_t ell_len = cut ? sizeof ell - 1 : 0;
  if (size < ell_len + 1) cut = 0, ell_len = 0;
  size_t room = size - 1 - ell_len;
  if (n > room) n = room; /* a small buffer: cut (columns then short) */
  while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--; /* whole characters */
  memcpy(out, s, n);
  if (cut) {
    memcpy(out + n, ell, sizeof ell - 1);
    n += sizeof ell - 1;
    cols++;
  }
  for (; cols < width && n + 1 < size; cols++) out[n++] = ' ';
  out[n] = '\0';
  return out;
}

void cli_text_cell(FILE *f, const char *s, int width, const char *sep) {
  char buf[512];
  fputs(cli_text_fit(s != NULL ? s : "", width, buf, sizeof buf), f);
  if (sep != NULL) fputs(sep, f);
}

/* ---- typo suggestions ----------------------------------------------------- */

#define DIST_MAX 63

static int min3(int a, int b, int c) { return a < b ? (a < c ? a : c) : (b < c ? b : c); }

int cli_text_distance(const char *a, const char *b) {
  int d[DIST_MAX + 1][DIST_MAX + 1];
  size_t la = strlen(a), lb = strlen(b);
  if (la > DIST_MAX || lb > DIST_MAX) return DIST_MAX + 1;
  for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    for (size_t j = 1; j <= lb; j++) {
      int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
      int cost = ca != cb;
      d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
          tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < d[i][j])
        d[i][j] = d[i - 2][j - 2] + 1;
    }
  }
  return d[la][lb];
}

static int threshold(size_t len) { return len <= 4 ? 1 : len <= 8 ? 2 : 3; }

const char *cli_text_suggest(const char *typo, const char *const *words, size_t n) {
  const char *best = NULL;
  int best_d = threshold(strlen(typo)) + 1;
  for (size_t i = 0; i < n; i++) {
    if (words[i] == NULL) continue;
    int d = cli_text_distance(typo, words[i]);
    if (d == 0) return NULL;
    if (d < best_d) {
      best = words[i];
      best_d = d;
    }
  }
  return best;
}
