/* mc_slip_write(): argument checks, cleaning the input strings, finding and
 * embedding the fonts, libharu's error callback turned into return codes,
 * and writing the PDF atomically. The layout is in slip_forms.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "slip_internal.h"

typedef struct slip_fonts {
  char reg[PATH_MAX], bold[PATH_MAX], ital[PATH_MAX];
} slip_fonts;

static const char *const font_dirs[] = {
    "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF", "/usr/local/share/fonts"};
static const char *const font_families[] = {"DejaVuSerif", "DejaVuSans"};

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...) {
  va_list ap;
  if (err != NULL && errlen > 0) {
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return rc;
}

/* ---- arguments and input -------------------------------------------------- */

static int parse_args(const mc_slip_data *d, const char *form, const char *lang,
                      const char *path, slip_ctx *c, char *err, size_t errlen) {
  if (d == NULL || path == NULL || path[0] == '\0')
    return fail(err, errlen, MC_EINVAL, "slip: no data or no output path");
  if (form == NULL || strlen(form) != 2 || form[0] != '0' || form[1] < '1' || form[1] > '6')
    return fail(err, errlen, MC_EINVAL, "slip: unknown form \"%.8s\" (expected 01..06)",
                form != NULL ? form : "");
  if (lang != NULL && lang[0] != '\0' && strcmp(lang, "vi") != 0 && strcmp(lang, "en") != 0)
    return fail(err, errlen, MC_EINVAL, "slip: unknown language \"%.8s\" (vi or en)", lang);
  if (form[1] != '6' && (d->code == NULL || d->code[0] == '\0'))
    return fail(err, errlen, MC_EINVAL, "slip: the dossier code is empty");
  if (d->utc_offset_min < -18 * 60 || d->utc_offset_min > 18 * 60)
    return fail(err, errlen, MC_EINVAL, "slip: UTC offset %d min out of range",
                d->utc_offset_min);
  if (form[1] == '1' && d->status == 3)
    return fail(err, errlen, MC_EINVAL, "slip: the dossier was refused (status 3): print "
                "form 03 (refusal), not a receipt (01)");
  if (d->nrows > 0 && d->rows == NULL)
    return fail(err, errlen, MC_EINVAL, "slip: %zu register rows but no array", d->nrows);
  if (d->ndocs > 0 && d->docs == NULL)
    return fail(err, errlen, MC_EINVAL, "slip: %zu documents but no array", d->ndocs);
  if (d->nsteps > 0 && d->steps == NULL)
    return fail(err, errlen, MC_EINVAL, "slip: %zu steps but no step array", d->nsteps);
  c->d = d;
  c->form = form[1] - '0';
  c->en = lang != NULL && strcmp(lang, "en") == 0;
  c->L = slip__labels(c->en);
  return 0;
}

/* "Xã Điền Mỹ" -> "Điền Mỹ": the text after the last administrative
 * prefix, for the place of the date line; the whole name if none. */
static void derive_place(char *out, size_t n, const char *unit) {
  static const char *const pre[] = {"Thị trấn ", "thị trấn ", "Xã ",  "xã ",
                                    "Phường ",   "phường ",   "Huyện ", "huyện ",
                                    "Thành phố ", "thành phố ", "Tỉnh ", "tỉnh "};
  const char *best = NULL, *hit;
  size_t i;
  for (i = 0; i < sizeof pre / sizeof pre[0]; i++) {
    hit = strstr(unit, pre[i]);
    while (hit != NULL) {
      if (best == NULL || hit + strlen(pre[i]) > best) best = hit + strlen(pre[i]);
      hit = strstr(hit + 1, pre[i]);
    }
  }
  snprintf(out, n, "%s", best != NULL && *best != '\0' ? best : unit);
}

static void clean_strings(slip_ctx *c) {
  const mc_slip_data *d = c->d;
  slip_str *s = &c->s;
  slip__clean(s->province, 120, d->province, 0);
  char place[sizeof s->place], parent[sizeof s->parent_upper];
  slip__clean(parent, 120, d->parent_name, 0);
  slip__upper(s->parent_upper, sizeof s->parent_upper, parent);
  slip__clean(s->unit, 120, d->unit_name, 0);
  slip__upper(s->unit_upper, sizeof s->unit_upper, s->unit);
  derive_place(place, sizeof place, s->unit);
  slip__clean(s->place, 80, place, 0);
  slip__clean(s->code, 64, d->code, 0);
  slip__clean(s->proc_code, 48, d->procedure_code, 0);
  slip__clean(s->proc_name, 600, d->procedure_name, 0);
  slip__clean(s->applicant, 160, d->applicant_name, 0);
  slip__clean(s->app_id, sizeof s->app_id, d->applicant_id, 0);
  slip__clean(s->phone, 40, d->applicant_phone, 0);
  slip__clean(s->officer, 160, d->officer, 0);
  slip__clean(s->reason, 2400, d->reason, 1);
  slip__clean(s->address, 400, d->applicant_address, 0);
  slip__clean(s->email, 160, d->applicant_email, 0);
  slip__clean(s->time_limit, 500, d->time_limit, 0);
  slip__clean(s->missing, 500, d->missing_reason, 0);
}

/* ---- fonts ---------------------------------------------------------------- */

static int readable(const char *p) { return access(p, R_OK) == 0; }

/* dir/DejaVuSerif.ttf -> dir/DejaVuSerif<suffix>.ttf if readable. */
static int sibling(char *out, size_t n, const char *reg, const char *suffix) {
  size_t len = strlen(reg);
  if (len < 5 || strcasecmp(reg + len - 4, ".ttf") != 0) return 0;
  if (snprintf(out, n, "%.*s%s%s", (int)(len - 4), reg, suffix, reg + len - 4) >= (int)n)
    return 0;
  return readable(out);
}

static void faces(slip_fonts *f) {
  if (!sibling(f->bold, sizeof f->bold, f->reg, "-Bold"))
    snprintf(f->bold, sizeof f->bold, "%s", f->reg);
  if (!sibling(f->ital, sizeof f->ital, f->reg, "-Italic") &&
      !sibling(f->ital, sizeof f->ital, f->reg, "-Oblique"))
    snprintf(f->ital, sizeof f->ital, "%s", f->reg);
}

static int find_fonts(const char *font_path, slip_fonts *f, char *err, size_t errlen) {
  size_t i, j;
  if (font_path != NULL) {
    if (snprintf(f->reg, sizeof f->reg, "%s", font_path) >= (int)sizeof f->reg)
      return fail(err, errlen, MC_ECONFIG, "slip font path too long");
    if (!readable(f->reg))
      return fail(err, errlen, MC_ECONFIG, "slip font %s: %s", f->reg, strerror(errno));
    faces(f);
    return 0;
  }
  for (i = 0; i < sizeof font_families / sizeof font_families[0]; i++)
    for (j = 0; j < sizeof font_dirs / sizeof font_dirs[0]; j++) {
      snprintf(f->reg, sizeof f->reg, "%s/%s.ttf", font_dirs[j], font_families[i]);
      if (readable(f->reg)) {
        faces(f);
        return 0;
      }
    }
  return fail(err, errlen, MC_ECONFIG,
              "slip: no Vietnamese TrueType font found (install fonts-dejavu-core "
              "or give a font path)");
}

static HPDF_Font load_font(slip_ctx *c, const char *path) {
  const char *name = HPDF_LoadTTFontFromFile(c->pdf, path, HPDF_TRUE);
  HPDF_Font font;
  if (name == NULL) return NULL;
  c->font_names[c->nfonts++] = name;
  font = HPDF_GetFont(c->pdf, name, "UTF-8");
  if (font != NULL && slip__font_tounicode(font) != 0) return NULL;
  return font;
}

static int setup_doc(slip_ctx *c, const slip_fonts *f, char *err, size_t errlen) {
  char title[160];
  size_t i;
  HPDF_SetCompressionMode(c->pdf, HPDF_COMP_ALL);
  HPDF_UseUTFEncodings(c->pdf);
  if ((c->reg = load_font(c, f->reg)) == NULL)
    return fail(err, errlen, MC_ECONFIG, "slip font %s: not a usable TrueType font "
                "(libharu error 0x%04lX)", f->reg, (unsigned long)c->herr);
  c->bold = strcmp(f->bold, f->reg) == 0 ? c->reg : load_font(c, f->bold);
  c->ital = strcmp(f->ital, f->reg) == 0 ? c->reg : load_font(c, f->ital);
  if (c->bold == NULL || c->ital == NULL)
    return fail(err, errlen, MC_ECONFIG, "slip font %s: not a usable TrueType font",
                c->bold == NULL ? f->bold : f->ital);
  snprintf(title, sizeof title, "motcua slip %02d %s", c->form, c->s.code);
  for (i = 0; title[i] != '\0'; i++)   /* the Info dictionary is not UTF-8 */
    if ((unsigned char)title[i] >= 0x80) title[i] = '?';
  HPDF_SetInfoAttr(c->pdf, HPDF_INFO_CREATOR, "motcua");
  HPDF_SetInfoAttr(c->pdf, HPDF_INFO_TITLE, title);
  return 0;
}

/* ---- errors and output ---------------------------------------------------- */

static void error_cb(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user) {
  slip_ctx *c = user;
  if (error_no == HPDF_STREAM_EOF) return;   /* end of reading the output */
  if (c->herr == 0) {
    c->herr = error_no;
    c->hdetail = detail_no;
  }
}

/* After the layout: add the composite-glyph parts libharu's subset misses. */
static int finish_fonts(const slip_ctx *c, char *err, size_t errlen) {
  int i, rc;
  for (i = 0; i < c->nfonts; i++)
    if ((rc = slip__font_closure(c->pdf, c->font_names[i])) != 0)
      return fail(err, errlen, rc, "slip: cannot complete the embedded font subset");
  return 0;
}

static int check_render(const slip_ctx *c, char *err, size_t errlen) {
  if (c->herr == HPDF_FAILD_TO_ALLOC_MEM)
    return fail(err, errlen, MC_ENOMEM, "slip: out of memory while rendering");
  if (c->herr != 0)
    return fail(err, errlen, MC_EINTERNAL, "slip: PDF rendering failed (libharu error "
                "0x%04lX, detail %lu)", (unsigned long)c->herr, (unsigned long)c->hdetail);
  if (c->rc == MC_ETOOBIG)
    return fail(err, errlen, c->rc, "slip: more than %d pages", SLIP_MAX_PAGES);
  if (c->rc != 0)
    return fail(err, errlen, c->rc, "slip: cannot encode the dossier code as a QR code");
  return 0;
}

static int write_all(int fd, const HPDF_BYTE *p, size_t n) {
  ssize_t w;
  while (n > 0) {
    if ((w = write(fd, p, n)) < 0) {
      if (errno == EINTR) continue;
      return MC_EIO;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Copies the saved document from libharu's memory stream to fd. */
static int copy_stream(slip_ctx *c, int fd, char *err, size_t errlen) {
  HPDF_BYTE buf[16384];
  HPDF_UINT32 left = HPDF_GetStreamSize(c->pdf), n;
  while (left > 0) {
    n = left < sizeof buf ? left : (HPDF_UINT32)sizeof buf;
    if (HPDF_ReadFromStream(c->pdf, buf, &n) != HPDF_OK && n == 0)
      return fail(err, errlen, MC_EINTERNAL, "slip: cannot read the rendered PDF");
    if (write_all(fd, buf, n) != 0)
      return fail(err, errlen, MC_EIO, "slip: write failed: %s", strerror(errno));
    left -= n;
  }
  return 0;
}

static int write_file(slip_ctx *c, const char *path, char *err, size_t errlen) {
  char tmp[PATH_MAX];
  int fd, rc;
  if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp)
    return fail(err, errlen, MC_EINVAL, "slip: output path too long");
  if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0)
    return fail(err, errlen, MC_EIO, "slip: cannot create %s: %s", tmp, strerror(errno));
  rc = copy_stream(c, fd, err, errlen);
  if (close(fd) != 0 && rc == 0)
    rc = fail(err, errlen, MC_EIO, "slip: cannot write %s: %s", tmp, strerror(errno));
  if (rc == 0 && rename(tmp, path) != 0)
    rc = fail(err, errlen, MC_EIO, "slip: cannot write %s: %s", path, strerror(errno));
  if (rc != 0) unlink(tmp);
  return rc;
}

/* To path (fd ignored), or to fd when path is NULL. */
static int save(slip_ctx *c, const char *path, int fd, char *err, size_t errlen) {
  if (HPDF_SaveToStream(c->pdf) != HPDF_OK)
    return c->herr == HPDF_FAILD_TO_ALLOC_MEM
               ? fail(err, errlen, MC_ENOMEM, "slip: out of memory while saving")
               : fail(err, errlen, MC_EINTERNAL, "slip: saving the PDF failed (libharu "
                      "error 0x%04lX)", (unsigned long)c->herr);
  return path != NULL ? write_file(c, path, err, errlen) : copy_stream(c, fd, err, errlen);
}

/* ---- API ------------------------------------------------------------------ */

static int slip_write(const mc_slip_data *d, const char *form, const char *lang,
                      const char *font_path, const char *path, int fd, char *err,
                      size_t errlen) {
  slip_ctx *c;
  slip_fonts *f = NULL;
  int rc;
  if (err != NULL && errlen > 0) err[0] = '\0';
  if ((c = calloc(1, sizeof *c)) == NULL || (f = calloc(1, sizeof *f)) == NULL) {
    rc = fail(err, errlen, MC_ENOMEM, "slip: out of memory");
    goto out;
  }
  if ((rc = parse_args(d, form, lang, path != NULL ? path : "fd", c, err, errlen)) != 0)
    goto out;
  clean_strings(c);
  if ((rc = find_fonts(font_path, f, err, errlen)) != 0) goto out;
  if ((c->pdf = HPDF_New(error_cb, c)) == NULL) {
    rc = fail(err, errlen, MC_ENOMEM, "slip: out of memory (libharu)");
    goto out;
  }
  if ((rc = setup_doc(c, f, err, errlen)) != 0) goto out;
  slip__render(c);
  if ((rc = check_render(c, err, errlen)) != 0) goto out;
  if ((rc = finish_fonts(c, err, errlen)) != 0) goto out;
  rc = save(c, path, fd, err, errlen);
out:
  if (c != NULL && c->pdf != NULL) HPDF_Free(c->pdf);
  free(f);
  free(c);
  return rc;
}

int mc_slip_write(const mc_slip_data *d, const char *form, const char *lang,
                  const char *font_path, const char *path, char *err, size_t errlen) {
  if (path == NULL) return fail(err, errlen, MC_EINVAL, "slip: no data or no output path");
  return slip_write(d, form, lang, font_path, path, -1, err, errlen);
}

int mc_slip_write_fd(const mc_slip_data *d, const char *form, const char *lang,
                     const char *font_path, int fd, char *err, size_t errlen) {
  if (fd < 0) return fail(err, errlen, MC_EINVAL, "slip: no output descriptor");
  return slip_write(d, form, lang, font_path, NULL, fd, err, errlen);
}
