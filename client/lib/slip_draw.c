/* Slip rendering primitives: cleaning and bounding input strings (they come
 * from a server), Vietnamese upper case, local time formatting, measuring
 * with the embedded font, word wrapping, pages, rules and the QR code. */
#include <errno.h>
#include <qrencode.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "slip_internal.h"

#define ELLIPSIS "\xE2\x80\xA6"
#define PAGE_MARGIN_L 62.0f
#define PAGE_MARGIN_R 45.0f
#define PAGE_MARGIN_T 45.0f
#define PAGE_MARGIN_B 50.0f
#define BODY_SIZE 12.0f
#define BODY_LEADING 17.0f
#define FIELD_INDENT 18.0f

/* ---- UTF-8 ---------------------------------------------------------------- */

/* Decodes one code point; invalid or overlong sequences give U+FFFD and
 * consume one byte. Never reads past a NUL. */
static size_t u8_decode(const unsigned char *s, uint32_t *cp) {
  static const uint32_t min[4] = {0, 0x80, 0x800, 0x10000};
  size_t len, i;
  uint32_t v;
  if (s[0] < 0x80) { *cp = s[0]; return 1; }
  if ((s[0] & 0xE0) == 0xC0) { len = 2; v = s[0] & 0x1F; }
  else if ((s[0] & 0xF0) == 0xE0) { len = 3; v = s[0] & 0x0F; }
  else if ((s[0] & 0xF8) == 0xF0) { len = 4; v = s[0] & 0x07; }
  else { *cp = 0xFFFD; return 1; }
  for (i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) { *cp = 0xFFFD; return 1; }
    v = (v << 6) | (s[i] & 0x3F);
  }
  if (v < min[len - 1] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) v = 0xFFFD;
  *cp = v;
  return len;
}

static size_t u8_encode(uint32_t cp, char *o) {
  if (cp < 0x80) { o[0] = (char)cp; return 1; }
  if (cp < 0x800) {
    o[0] = (char)(0xC0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  o[0] = (char)(0xE0 | (cp >> 12));
  o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
  o[2] = (char)(0x80 | (cp & 0x3F));
  return 3;
}

/* Controls become spaces (newlines kept if asked, CR dropped); what the
 * font's BMP encoder cannot carry becomes '?'. 0 = drop. */
static uint32_t clean_cp(uint32_t cp, int keep_newlines) {
  if (cp == '\r') return 0;
  if (cp == '\n') return keep_newlines ? '\n' : ' ';
  if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return ' ';
  if (cp == 0xFFFD || cp > 0xFFFF || cp == 0xFEFF) return '?';
  return cp;
}

void slip__join(char *out, size_t outlen, ...) {
  va_list ap;
  const char *piece;
  size_t o = 0, n;
  if (outlen == 0) return;
  va_start(ap, outlen);
  while ((piece = va_arg(ap, const char *)) != NULL) {
    n = strlen(piece);
    if (n > outlen - 1 - o) {   /* truncate on a character boundary */
      n = outlen - 1 - o;
      while (n > 0 && ((unsigned char)piece[n] & 0xC0) == 0x80) n--;
    }
    memcpy(out + o, piece, n);
    o += n;
  }
  va_end(ap);
  out[o] = '\0';
}

void slip__clean(char *out, size_t outlen, const char *in, int keep_newlines) {
  const unsigned char *p = (const unsigned char *)in;
  size_t o = 0;
  char enc[4];
  if (outlen == 0) return;
  out[0] = '\0';
  if (in == NULL || outlen < 8) return;
  while (*p != '\0') {
    uint32_t cp;
    size_t m;
    p += u8_decode(p, &cp);
    if ((cp = clean_cp(cp, keep_newlines)) == 0) continue;
    m = u8_encode(cp, enc);
    if (o + m > outlen - 4) { memcpy(out + o, ELLIPSIS, 3); o += 3; break; }
    memcpy(out + o, enc, m);
    o += m;
  }
  while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\n')) o--;
  out[o] = '\0';
}

/* Upper case for the scripts a Vietnamese name uses: ASCII, Latin-1,
 * Latin Extended-A (ă đ ĩ ũ), ơ ư, Latin Extended Additional (ạ ả ấ ...). */
static uint32_t vi_upper(uint32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c & ~1u;
  if (c >= 0x139 && c <= 0x148 && (c & 1) == 0) return c - 1;
  if (c == 0x1A1 || c == 0x1B0) return c - 1;
  if (((c >= 0x1E00 && c <= 0x1E95) || (c >= 0x1EA0 && c <= 0x1EFF)) && (c & 1))
    return c - 1;
  return c;
}

void slip__upper(char *out, size_t outlen, const char *in) {
  const unsigned char *p = (const unsigned char *)in;
  size_t o = 0, m;
  char enc[4];
  uint32_t cp;
  if (outlen == 0) return;
  while (*p != '\0') {
    p += u8_decode(p, &cp);
    m = u8_encode(vi_upper(cp), enc);
    if (o + m >= outlen) break;
    memcpy(out + o, enc, m);
    o += m;
  }
  out[o] = '\0';
}

/* ---- time ----------------------------------------------------------------- */

static const char *const months_en[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

static int local_tm(int64_t ms, int offset_min, struct tm *tm) {
  int64_t s = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
  time_t t = (time_t)(s + (int64_t)offset_min * 60);
  return gmtime_r(&t, tm) != NULL ? 0 : MC_EINVAL;
}

void slip__fmt_time(const slip_ctx *c, char *buf, size_t n, int64_t ms, int style) {
  struct tm tm;
  int y, mo, d, h, mi;
  if (ms <= 0 || local_tm(ms, c->d->utc_offset_min, &tm) != 0) {
    snprintf(buf, n, "%s", "..........");
    return;
  }
  y = tm.tm_year + 1900, mo = tm.tm_mon + 1, d = tm.tm_mday;
  h = tm.tm_hour, mi = tm.tm_min;
  if (style == SLIP_T_DATE_SHORT)
    snprintf(buf, n, "%02d/%02d/%d", d, mo, y);
  else if (style == SLIP_T_SHORT)
    snprintf(buf, n, "%02d/%02d/%d %02d:%02d", d, mo, y, h, mi);
  else if (style == SLIP_T_DATE && c->en)
    snprintf(buf, n, "%d %s %d", d, months_en[mo - 1], y);
  else if (style == SLIP_T_DATE)
    snprintf(buf, n, "ngày %02d tháng %02d năm %d", d, mo, y);
  else if (c->en)
    snprintf(buf, n, "%02d:%02d, %d %s %d", h, mi, d, months_en[mo - 1], y);
  else
    snprintf(buf, n, "%02d giờ %02d phút, ngày %02d tháng %02d năm %d", h, mi, d, mo, y);
}

/* ---- measuring and wrapping ---------------------------------------------- */

float slip__width(HPDF_Font f, float size, const char *s, size_t n) {
  HPDF_TextWidth tw;
  if (n == 0) return 0.0f;
  tw = HPDF_Font_TextWidth(f, (const HPDF_BYTE *)s, (HPDF_UINT)n);
  return (float)tw.width * size / 1000.0f;
}

static size_t char_len(const char *s) {
  uint32_t cp;
  return u8_decode((const unsigned char *)s, &cp);
}

/* Longest run of whole characters from p (before e) that fits in w; at
 * least one character so that a line always progresses. */
static size_t fit_chars(HPDF_Font f, float size, const char *p, const char *e, float w) {
  size_t n = char_len(p), k;
  while (p + n < e) {
    k = char_len(p + n);
    if (slip__width(f, size, p, n + k) > w) break;
    n += k;
  }
  return n;
}

/* The next line of s that fits in w. Returns its start (leading blanks
 * skipped), its length in *n, or NULL at the end of s. The following line
 * starts at start + *n: pass that back in. */
const char *slip__line(HPDF_Font f, float size, const char *s, float w, size_t *n) {
  const char *p = s, *e, *q, *fit = NULL;
  if (*p == '\n') p++;   /* the break that ended the previous line */
  while (*p == ' ') p++;
  if (*p == '\0') return NULL;
  e = strchr(p, '\n');
  if (e == NULL) e = p + strlen(p);
  for (q = p; q <= e; q++) {
    if (q != e && *q != ' ') continue;
    if (slip__width(f, size, p, (size_t)(q - p)) > w) break;
    fit = q;
  }
  if (fit == NULL) fit = p == e ? e : p + fit_chars(f, size, p, e, w);
  while (fit > p && fit[-1] == ' ') fit--;
  *n = (size_t)(fit - p);
  if (*n == 0 && p != e) *n = char_len(p);
  return p;
}

int slip__count_lines(HPDF_Font f, float size, const char *s, float w) {
  const char *p = s;
  size_t n;
  int lines = 0;
  while ((p = slip__line(f, size, p, w, &n)) != NULL) {
    lines++;
    p += n;
  }
  return lines;
}

float slip__fit_size(HPDF_Font f, float size, float min, const char *s, float w) {
  while (size > min && slip__width(f, size, s, strlen(s)) > w) size -= 0.5f;
  return size;
}

/* ---- drawing -------------------------------------------------------------- */

void slip__textn(slip_ctx *c, HPDF_Font f, float size, float x, float y,
                 const char *s, size_t n) {
  char buf[SLIP_LINE_MAX];
  if (n >= sizeof buf) {
    n = sizeof buf - 1;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
  }
  if (n == 0) return;
  memcpy(buf, s, n);
  buf[n] = '\0';
  HPDF_Page_BeginText(c->page);
  HPDF_Page_SetFontAndSize(c->page, f, size);
  HPDF_Page_TextOut(c->page, x, y, buf);
  HPDF_Page_EndText(c->page);
}

void slip__text(slip_ctx *c, HPDF_Font f, float size, float x, float y, const char *s) {
  slip__textn(c, f, size, x, y, s, strlen(s));
}

void slip__center(slip_ctx *c, HPDF_Font f, float size, float cx, float y, const char *s) {
  size_t n = strlen(s);
  slip__textn(c, f, size, cx - slip__width(f, size, s, n) / 2.0f, y, s, n);
}

/* Wrapped text in the column [x, x + w] from baseline y, no page breaks;
 * returns the baseline below the last line. */
float slip__block(slip_ctx *c, HPDF_Font f, float size, float x, float w, float y,
                  float leading, const char *s, int align) {
  const char *p = s;
  size_t n;
  while ((p = slip__line(f, size, p, w, &n)) != NULL) {
    float lx = x;
    if (align == SLIP_CENTER) lx = x + (w - slip__width(f, size, p, n)) / 2.0f;
    slip__textn(c, f, size, lx, y, p, n);
    y -= leading;
    p += n;
  }
  return y;
}

void slip__hline(slip_ctx *c, float x0, float x1, float y, float lw) {
  HPDF_Page_SetLineWidth(c->page, lw);
  HPDF_Page_MoveTo(c->page, x0, y);
  HPDF_Page_LineTo(c->page, x1, y);
  HPDF_Page_Stroke(c->page);
}

void slip__rect(slip_ctx *c, float x, float y, float w, float h) {
  HPDF_Page_SetLineWidth(c->page, 0.6f);
  HPDF_Page_Rectangle(c->page, x, y, w, h);
  HPDF_Page_Stroke(c->page);
}

/* ---- pages and flowing text ---------------------------------------------- */

void slip__new_page(slip_ctx *c) {
  HPDF_Page pg;
  char line[256];
  if (c->npages == SLIP_MAX_PAGES) {   /* bounded input makes this unreachable */
    if (c->rc == 0) c->rc = MC_ETOOBIG;
    c->y = c->top;
    return;
  }
  if ((pg = HPDF_AddPage(c->pdf)) == NULL) return;
  HPDF_Page_SetSize(pg, HPDF_PAGE_SIZE_A4,
                    c->form == 6 ? HPDF_PAGE_LANDSCAPE : HPDF_PAGE_PORTRAIT);
  c->pages[c->npages++] = pg;
  c->page = pg;
  c->left = PAGE_MARGIN_L;
  c->right = HPDF_Page_GetWidth(pg) - PAGE_MARGIN_R;
  c->top = HPDF_Page_GetHeight(pg) - PAGE_MARGIN_T;
  c->bottom = PAGE_MARGIN_B;
  c->y = c->top;
  if (c->npages == 1) return;
  if (c->form == 6)
    snprintf(line, sizeof line, "%s (%s)", c->L->title[6], c->L->continued);
  else
    snprintf(line, sizeof line, "%s: %s (%s)", c->L->code, c->s.code, c->L->continued);
  slip__text(c, c->ital, 9.5f, c->left, c->y - 4.0f, line);
  c->y -= 22.0f;
}

void slip__need(slip_ctx *c, float h) {
  if (c->y - h < c->bottom) slip__new_page(c);
}

/* A wrapped paragraph in the body column, breaking pages between lines. */
void slip__para(slip_ctx *c, HPDF_Font f, float size, float indent, const char *s) {
  const char *p = s;
  float leading = size * 1.42f, w = c->right - c->left - indent;
  size_t n;
  while ((p = slip__line(f, size, p, w, &n)) != NULL) {
    slip__need(c, leading);
    slip__textn(c, f, size, c->left + indent, c->y, p, n);
    c->y -= leading;
    p += n;
  }
  c->y -= 2.0f;
}

/* "Label: value" with the value wrapped after the label, then under it. */
void slip__field(slip_ctx *c, const char *label, const char *value, HPDF_Font vf) {
  char lab[256];
  const char *p = value[0] != '\0' ? value : "..........";
  float lw, vw, w = c->right - c->left;
  size_t n;
  int first = 1;
  snprintf(lab, sizeof lab, "%s: ", label);
  lw = slip__width(c->reg, BODY_SIZE, lab, strlen(lab));
  slip__need(c, BODY_LEADING);
  slip__text(c, c->reg, BODY_SIZE, c->left, c->y, lab);
  vw = slip__width(vf, BODY_SIZE, p, strlen(p));
  if (vw > w - lw && vw <= w - FIELD_INDENT) {   /* never split a short value */
    c->y -= BODY_LEADING;
    slip__need(c, BODY_LEADING);
    slip__text(c, vf, BODY_SIZE, c->left + FIELD_INDENT, c->y, p);
    c->y -= BODY_LEADING;
    return;
  }
  while ((p = slip__line(vf, BODY_SIZE, p, first ? w - lw : w, &n)) != NULL) {
    if (!first) slip__need(c, BODY_LEADING);
    slip__textn(c, vf, BODY_SIZE, c->left + (first ? lw : 0.0f), c->y, p, n);
    c->y -= BODY_LEADING;
    p += n;
    first = 0;
  }
  if (first) c->y -= BODY_LEADING;
}

void slip__footers(slip_ctx *c) {
  char line[96];
  int i;
  if (c->npages < 2) return;
  for (i = 0; i < c->npages; i++) {
    c->page = c->pages[i];
    snprintf(line, sizeof line, "%s %d/%d", c->L->page, i + 1, c->npages);
    slip__center(c, c->reg, 9.0f, (c->left + c->right) / 2.0f, 28.0f, line);
  }
}

/* ---- QR code -------------------------------------------------------------- */

static void qr_row(slip_ctx *c, const QRcode *q, int r, float x, float y, float mod) {
  int col = 0, start;
  while (col < q->width) {
    if (!(q->data[r * q->width + col] & 1)) { col++; continue; }
    start = col;
    while (col < q->width && (q->data[r * q->width + col] & 1)) col++;
    HPDF_Page_Rectangle(c->page, x + (float)start * mod, y, (float)(col - start) * mod, mod);
  }
}

/* The QR code of text (level M, 8-bit) as filled modules in a side x side
 * square whose top-left corner is (x, ytop), quiet zone of 4 modules
 * included. */
int slip__qr(slip_ctx *c, float x, float ytop, float side, const char *text) {
  QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  float mod;
  int r;
  if (q == NULL) return errno == ENOMEM ? MC_ENOMEM : MC_EINVAL;
  mod = side / (float)(q->width + 8);
  HPDF_Page_SetGrayFill(c->page, 0.0f);
  for (r = 0; r < q->width; r++)
    qr_row(c, q, r, x + 4.0f * mod, ytop - (float)(r + 5) * mod, mod);
  HPDF_Page_Fill(c->page);
  QRcode_free(q);
  return 0;
}
