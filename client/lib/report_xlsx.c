/* The report as a spreadsheet (libxlsxwriter): sheet 1 the Circular 01/2018
 * layout with merged header groups, sheet 2 the Decision 766 indicators.
 * Every total and ratio is a formula over the sheet's own cells, written
 * with its value cached, so Excel/LibreOffice recompute the same numbers. */
#include <stdio.h>
#include <string.h>

#include <xlsxwriter.h>

#include "error.h"
#include "messages.h"
#include "report.h"

#define HEAD_ROW 3 /* the group header row; the column labels below it */
#define FIRST_DATA (HEAD_ROW + 2)

typedef struct fmts {
  lxw_format *title, *head, *text, *count, *ratio, *bold_count, *bold_text, *bold_ratio;
} fmts;

static lxw_format *fmt(lxw_workbook *wb, int bold, int align, const char *num) {
  lxw_format *f = workbook_add_format(wb);
  format_set_border(f, LXW_BORDER_THIN);
  format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
  if (align) format_set_align(f, LXW_ALIGN_CENTER);
  if (bold) format_set_bold(f);
  if (num != NULL) format_set_num_format(f, num);
  return f;
}

static void make_formats(lxw_workbook *wb, fmts *f) {
  f->title = workbook_add_format(wb);
  format_set_bold(f->title);
  format_set_font_size(f->title, 13);
  format_set_align(f->title, LXW_ALIGN_CENTER);
  f->head = fmt(wb, 1, 1, NULL);
  format_set_text_wrap(f->head);
  f->text = fmt(wb, 0, 0, NULL);
  format_set_text_wrap(f->text);
  f->count = fmt(wb, 0, 0, "#,##0");
  f->ratio = fmt(wb, 0, 0, "0.00");
  f->bold_count = fmt(wb, 1, 0, "#,##0");
  f->bold_text = fmt(wb, 1, 0, NULL);
  f->bold_ratio = fmt(wb, 1, 0, "0.00");
}

static void title(lxw_worksheet *ws, const fmts *f, const Motcua__ReportReply *r, int lang,
                  int msg, int last_col) {
  char line[160], from[16], to[16];
  worksheet_merge_range(ws, 0, 0, 0, (lxw_col_t)last_col, mc_msg(lang, msg), f->title);
  mc_report_date_text(r->from_date, from, sizeof from);
  mc_report_date_text(r->to_date, to, sizeof to);
  snprintf(line, sizeof line, "%s %s – %s", mc_msg(lang, MSG_REPORT_PERIOD), from, to);
  worksheet_merge_range(ws, 1, 0, 1, (lxw_col_t)last_col, line, f->title);
}

/* STT and the grouping column, merged over both header rows. */
static void key_heads(lxw_worksheet *ws, const fmts *f, int lang, int by) {
  worksheet_merge_range(ws, HEAD_ROW, 0, HEAD_ROW + 1, 0, mc_msg(lang, MSG_REPORT_NO), f->head);
  worksheet_merge_range(ws, HEAD_ROW, 1, HEAD_ROW + 1, 1, mc_report_by_label(lang, by), f->head);
  worksheet_set_column(ws, 0, 0, 5, NULL);
  worksheet_set_column(ws, 1, 1, 36, NULL);
}

static void key_cells(lxw_worksheet *ws, const fmts *f, int lang, int by, lxw_row_t row,
                      size_t i, const Motcua__ReportRow *r) {
  if (!r->total) worksheet_write_number(ws, row, 0, (double)(i + 1), f->count);
  else worksheet_write_blank(ws, row, 0, f->bold_text);
  worksheet_write_string(ws, row, 1, mc_report_row_label(lang, by, r),
                         r->total ? f->bold_text : f->text);
}

/* =SUM(first:last) of one column or one row, its value cached. */
static void sum_formula(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, lxw_row_t r0,
                        lxw_col_t c0, lxw_row_t r1, lxw_col_t c1, lxw_format *f, double v) {
  char range[64], formula[80];
  lxw_rowcol_to_range(range, r0, c0, r1, c1);
  snprintf(formula, sizeof formula, "=SUM(%s)", range);
  worksheet_write_formula_num(ws, row, col, formula, f, v);
}

/* ---- sheet 1: the period report -------------------------------------------- */

static const int total_cols[][2] = {{0, 5}, {5, 4}, {9, 3}}; /* the "Tổng số" columns: first, span */

static void report_heads(lxw_worksheet *ws, const fmts *f, int lang) {
  int n;
  const mc_report_group *g = mc_report_groups(&n);
  for (int i = 0; i < n; i++)
    worksheet_merge_range(ws, HEAD_ROW, (lxw_col_t)(2 + g[i].first), HEAD_ROW,
                          (lxw_col_t)(2 + g[i].first + g[i].span - 1), mc_msg(lang, g[i].msg),
                          f->head);
  for (int k = 0; k < MC_REPORT_COLS; k++)
    worksheet_write_string(ws, HEAD_ROW + 1, (lxw_col_t)(2 + k), mc_report_col_label(lang, k),
                           f->head);
  worksheet_set_column(ws, 2, 2 + MC_REPORT_COLS - 1, 11, NULL);
  worksheet_set_row(ws, HEAD_ROW + 1, 32, NULL);
}

static int is_total_col(int k) { return k == 0 || k == 5 || k == 9; }

static void report_row(lxw_worksheet *ws, const fmts *f, lxw_row_t row,
                       const Motcua__ReportRow *r) {
  int64_t c[MC_REPORT_COLS];
  mc_report_row_cols(r, c);
  lxw_format *cf = r->total ? f->bold_count : f->count;
  for (int k = 0; k < MC_REPORT_COLS; k++)
    if (!is_total_col(k)) worksheet_write_number(ws, row, (lxw_col_t)(2 + k), (double)c[k], cf);
  for (int t = 0; t < 3; t++) {
    int k = total_cols[t][0];
    sum_formula(ws, row, (lxw_col_t)(2 + k), row, (lxw_col_t)(2 + k + 1), row,
                (lxw_col_t)(2 + k + total_cols[t][1] - 1), cf, (double)c[k]);
  }
}

/* The total row: each column the SUM of the rows above (the server's own
 * total row is the cached value; mc_report_check made sure they agree). */
static void report_total(lxw_worksheet *ws, const fmts *f, lxw_row_t row, size_t n,
                         const Motcua__ReportRow *t) {
  int64_t c[MC_REPORT_COLS];
  mc_report_row_cols(t, c);
  for (int k = 0; k < MC_REPORT_COLS; k++) {
    if (n == 0) {
      worksheet_write_number(ws, row, (lxw_col_t)(2 + k), 0, f->bold_count);
      continue;
    }
    sum_formula(ws, row, (lxw_col_t)(2 + k), FIRST_DATA, (lxw_col_t)(2 + k),
                (lxw_row_t)(FIRST_DATA + n - 1), (lxw_col_t)(2 + k), f->bold_count, (double)c[k]);
  }
}

static void sheet_report(lxw_workbook *wb, const fmts *f, const Motcua__ReportReply *r,
                         int lang) {
  lxw_worksheet *ws = workbook_add_worksheet(wb, "Bao cao 01-2018");
  title(ws, f, r, lang, MSG_REPORT_TITLE, 1 + MC_REPORT_COLS);
  key_heads(ws, f, lang, r->by);
  report_heads(ws, f, lang);
  for (size_t i = 0; i < r->n_rows; i++) {
    lxw_row_t row = (lxw_row_t)(FIRST_DATA + i);
    key_cells(ws, f, lang, r->by, row, i, r->rows[i]);
    report_row(ws, f, row, r->rows[i]);
  }
  lxw_row_t trow = (lxw_row_t)(FIRST_DATA + r->n_rows);
  key_cells(ws, f, lang, r->by, trow, 0, r->total);
  report_total(ws, f, trow, r->n_rows, r->total);
  worksheet_freeze_panes(ws, FIRST_DATA, 2);
}

/* ---- sheet 2: the Decision 766 indicators ----------------------------------- */

/* Three columns per figure: numerator, denominator, value. */
static void figure_heads(lxw_worksheet *ws, const fmts *f, int lang,
                         const Motcua__ReportRow *t) {
  for (size_t i = 0; i < t->n_figures; i++) {
    lxw_col_t c = (lxw_col_t)(2 + 3 * i);
    worksheet_merge_range(ws, HEAD_ROW, c, HEAD_ROW, c + 2,
                          mc_report_figure_label(lang, t->figures[i]->name), f->head);
    worksheet_write_string(ws, HEAD_ROW + 1, c, mc_msg(lang, MSG_REPORT_H_NUMERATOR), f->head);
    worksheet_write_string(ws, HEAD_ROW + 1, c + 1, mc_msg(lang, MSG_REPORT_H_DENOMINATOR),
                           f->head);
    worksheet_write_string(ws, HEAD_ROW + 1, c + 2, mc_msg(lang, MSG_REPORT_H_VALUE), f->head);
  }
  worksheet_set_column(ws, 2, (lxw_col_t)(2 + 3 * t->n_figures), 11, NULL);
  worksheet_set_row(ws, HEAD_ROW, 45, NULL);
}

static int fig_index(const Motcua__ReportRow *r, const char *name) {
  for (size_t i = 0; i < r->n_figures; i++)
    if (strcmp(r->figures[i]->name, name) == 0) return (int)i;
  return -1;
}

/* The value cell: a formula over the row's numerator and denominator
 * cells (satisfaction: over the overdue and unsatisfied values). */
static void figure_value(lxw_worksheet *ws, const fmts *f, lxw_row_t row,
                         const Motcua__ReportRow *r, size_t i) {
  const Motcua__ReportFigure *g = r->figures[i];
  lxw_col_t c = (lxw_col_t)(2 + 3 * i);
  char num[16], den[16], formula[160];
  lxw_rowcol_to_cell(num, row, c);
  lxw_rowcol_to_cell(den, row, c + 1);
  lxw_format *vf = r->total ? f->bold_ratio : f->ratio;
  int o = fig_index(r, "overdue_pct"), u = fig_index(r, "unsatisfied_pct");
  if (strcmp(g->name, "satisfaction") == 0 && o >= 0 && u >= 0) {
    char ov[16], un[16];
    lxw_rowcol_to_cell(ov, row, (lxw_col_t)(2 + 3 * o + 2));
    lxw_rowcol_to_cell(un, row, (lxw_col_t)(2 + 3 * u + 2));
    snprintf(formula, sizeof formula, "=IF(%s=0,\"\",MAX(0,100-N(%s)-N(%s)))", den, ov, un);
  } else if (strcmp(g->name, "avg_resolution_days") == 0) {
    snprintf(formula, sizeof formula, "=IF(%s=0,\"\",%s/%s/86400)", den, num, den);
  } else {
    snprintf(formula, sizeof formula, "=IF(%s=0,\"\",%s/%s*100)", den, num, den);
  }
  if (g->denominator > 0) worksheet_write_formula_num(ws, row, c + 2, formula, vf, g->value);
  else worksheet_write_formula_str(ws, row, c + 2, formula, vf, "");
}

static void figure_row(lxw_worksheet *ws, const fmts *f, lxw_row_t row,
                       const Motcua__ReportRow *r, size_t n) {
  lxw_format *cf = r->total ? f->bold_count : f->count;
  for (size_t i = 0; i < r->n_figures; i++) {
    const Motcua__ReportFigure *g = r->figures[i];
    lxw_col_t c = (lxw_col_t)(2 + 3 * i);
    if (r->total && n > 0 && strcmp(g->name, "satisfaction") != 0) {
      sum_formula(ws, row, c, FIRST_DATA, c, (lxw_row_t)(FIRST_DATA + n - 1), c, cf,
                  (double)g->numerator);
      sum_formula(ws, row, c + 1, FIRST_DATA, c + 1, (lxw_row_t)(FIRST_DATA + n - 1), c + 1, cf,
                  (double)g->denominator);
    } else {
      worksheet_write_number(ws, row, c, (double)g->numerator, cf);
      worksheet_write_number(ws, row, c + 1, (double)g->denominator, cf);
    }
    figure_value(ws, f, row, r, i);
  }
}

static void sheet_figures(lxw_workbook *wb, const fmts *f, const Motcua__ReportReply *r,
                          int lang) {
  lxw_worksheet *ws = workbook_add_worksheet(wb, "Chi so 766");
  title(ws, f, r, lang, MSG_REPORT_TITLE_766, 1 + 3 * (int)r->total->n_figures);
  key_heads(ws, f, lang, r->by);
  figure_heads(ws, f, lang, r->total);
  for (size_t i = 0; i < r->n_rows; i++) {
    lxw_row_t row = (lxw_row_t)(FIRST_DATA + i);
    key_cells(ws, f, lang, r->by, row, i, r->rows[i]);
    figure_row(ws, f, row, r->rows[i], r->n_rows);
  }
  lxw_row_t trow = (lxw_row_t)(FIRST_DATA + r->n_rows);
  key_cells(ws, f, lang, r->by, trow, 0, r->total);
  figure_row(ws, f, trow, r->total, r->n_rows);
  /* the formulas, as the server states them */
  lxw_row_t frow = trow + 2;
  worksheet_write_string(ws, frow, 1, mc_msg(lang, MSG_REPORT_H_FORMULA), f->bold_text);
  for (size_t i = 0; i < r->total->n_figures; i++) {
    const Motcua__ReportFigure *g = r->total->figures[i];
    worksheet_write_string(ws, frow + 1 + (lxw_row_t)i, 1,
                           mc_report_figure_label(lang, g->name), NULL);
    worksheet_write_string(ws, frow + 1 + (lxw_row_t)i, 2, g->formula, NULL);
  }
  worksheet_freeze_panes(ws, FIRST_DATA, 2);
}

int mc_report_write_xlsx(const Motcua__ReportReply *r, int lang, const char *path) {
  if (r == NULL || r->total == NULL || path == NULL) return MC_EINVAL;
  lxw_workbook *wb = workbook_new(path);
  if (wb == NULL) return MC_EIO;
  fmts f;
  make_formats(wb, &f);
  sheet_report(wb, &f, r, lang);
  sheet_figures(wb, &f, r, lang);
  return workbook_close(wb) == LXW_NO_ERROR ? MC_OK : MC_EIO;
}
