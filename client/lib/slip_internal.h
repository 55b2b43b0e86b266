/* Internals of the slip renderer (slip.c: API, document, fonts, output;
 * slip_draw.c: text cleaning, measuring, wrapping, pages, QR code;
 * slip_forms.c: header, title, bodies of forms 01-04, signatures;
 * slip_table.c: the process-control table of form 05;
 * slip_font.c: the composite-glyph fix for libharu's font subsetting).
 *
 * Coordinates are PDF points from the page's bottom-left corner; ctx->y is
 * the baseline cursor of the flowing text and moves down. Drawing helpers
 * ignore libharu's return values: the error callback records the first
 * error in the context and slip.c checks it once before saving. */
#ifndef MC_SLIP_INTERNAL_H
#define MC_SLIP_INTERNAL_H

#include <hpdf.h>

#include "slip.h"

#define SLIP_MAX_PAGES 64
#define SLIP_MAX_STEPS 400   /* rows of form 05; the rest is summarised */
#define SLIP_LINE_MAX 2048   /* bytes of one laid-out line */

typedef struct slip_labels {
  const char *title[7];      /* [1]..[6] */
  const char *nation_sub;    /* English subtitle of the national motto, or NULL */
  const char *code, *book, *seq;
  const char *desk, *desk_of, *applicant, *app_id, *phone, *procedure;
  const char *proc_code, *received, *due, *old_due, *pickup, *lookup;
  const char *p02_intro, *p02_pre, *p02_post, *p02_clock;
  const char *p03_pre, *p03_post, *p03_after;
  const char *p04_pre, *p04_mid, *p04_late, *p04_new, *p04_thanks;
  const char *sig_applicant, *sig_receiver, *sig_guide, *sig_head, *sig_hint;
  const char *col[5];
  const char *res_early, *res_on_time, *res_late, *step_due, *citizen;
  const char *steps_intro, *more_pre, *more_post, *continued, *page;
  const char *address, *email, *time_limit, *docs_intro, *kind[6], *sets, *copy_no;
  const char *missing;       /* form 01: a required component missing, why */
  const char *copy_names[3];
  const char *sig_give, *sig_take;
  const char *prov_title, *prov_note;
  const char *reg_col[13], *reg_period, *reg_to, *reg_none;   /* form 05: hand-over signature spaces */
#define SLIP_MAX_DOCS 40     /* document rows of form 01; the rest summarised */
} slip_labels;

typedef struct slip_str {    /* the input strings, cleaned and bounded */
  char province[256], parent_upper[256], unit[256], unit_upper[256], place[256], code[96];
  char proc_code[96], proc_name[768], applicant[256], app_id[64];
  char phone[64], officer[256], reason[3072];
  char address[512], email[192], time_limit[512], missing[512];
} slip_str;

typedef struct slip_ctx {
  HPDF_Doc pdf;
  HPDF_Page pages[SLIP_MAX_PAGES];
  int npages;
  HPDF_Page page;
  HPDF_Font reg, bold, ital;
  const char *font_names[3]; /* owned by libharu */
  int nfonts;
  float y, left, right, top, bottom;
  int form;                  /* 1..5 */
  int en;
  const mc_slip_data *d;
  const slip_labels *L;
  slip_str s;
  HPDF_STATUS herr, hdetail; /* first libharu error, 0 = none */
  int rc;                    /* first layout error (mc_err), 0 = none */
} slip_ctx;

enum slip_time_style { SLIP_T_LONG, SLIP_T_DATE, SLIP_T_SHORT, SLIP_T_DATE_SHORT };
enum slip_align { SLIP_LEFT, SLIP_CENTER };

/* slip_draw.c: strings */
/* Concatenates the NULL-terminated list of strings into out (truncated). */
void slip__join(char *out, size_t outlen, ...);
void slip__clean(char *out, size_t outlen, const char *in, int keep_newlines);
void slip__upper(char *out, size_t outlen, const char *in);
void slip__fmt_time(const slip_ctx *c, char *buf, size_t n, int64_t ms, int style);

/* slip_draw.c: measuring and drawing */
float slip__width(HPDF_Font f, float size, const char *s, size_t n);
const char *slip__line(HPDF_Font f, float size, const char *s, float w, size_t *n);
int slip__count_lines(HPDF_Font f, float size, const char *s, float w);
void slip__textn(slip_ctx *c, HPDF_Font f, float size, float x, float y,
                 const char *s, size_t n);
void slip__text(slip_ctx *c, HPDF_Font f, float size, float x, float y, const char *s);
void slip__center(slip_ctx *c, HPDF_Font f, float size, float cx, float y, const char *s);
float slip__fit_size(HPDF_Font f, float size, float min, const char *s, float w);
float slip__block(slip_ctx *c, HPDF_Font f, float size, float x, float w, float y,
                  float leading, const char *s, int align);
void slip__hline(slip_ctx *c, float x0, float x1, float y, float lw);
void slip__rect(slip_ctx *c, float x, float y, float w, float h);

/* slip_draw.c: pages and flowing text */
void slip__new_page(slip_ctx *c);
void slip__need(slip_ctx *c, float h);
void slip__para(slip_ctx *c, HPDF_Font f, float size, float indent, const char *s);
void slip__field(slip_ctx *c, const char *label, const char *value, HPDF_Font vf);
void slip__footers(slip_ctx *c);
int slip__qr(slip_ctx *c, float x, float ytop, float side, const char *text);

/* slip_font.c: completes libharu's subset of an embedded TrueType font */
int slip__font_closure(HPDF_Doc pdf, const char *font_name);
/* slip_font.c: replaces libharu's invalid ToUnicode CMap of a UTF-8 font */
int slip__font_tounicode(HPDF_Font font);

/* slip_forms.c */
const slip_labels *slip__labels(int en);
void slip__render(slip_ctx *c);

/* slip_table.c: a table of ncol columns (fractions of the text width), rows
 * that never split; and the process-control table of form 05 */
#define SLIP_TABLE_MAXCOL 14
#define SLIP_CELL_MAX 640
typedef struct slip_table {
  int ncol;
  const float *frac;
  float size;
} slip_table;
float slip__table_height(const slip_ctx *c, const slip_table *t,
                         char (*cell)[SLIP_CELL_MAX], HPDF_Font f);
void slip__table_row(slip_ctx *c, const slip_table *t, char (*cell)[SLIP_CELL_MAX],
                     HPDF_Font f, int header);
void slip__steps_table(slip_ctx *c);

/* slip_register.c: the body of form 06 */
#define SLIP_MAX_REG_ROWS 2000   /* rows of one register PDF; the rest summarised */
void slip__register(slip_ctx *c);

#endif
