/* Form 06, the register (sổ theo dõi hồ sơ), as a spreadsheet: the same
 * headings and rows as the PDF (slip_register.c), written by libxlsxwriter
 * so an office can sort, filter and archive it (slip.h
 * mc_slip_register_xlsx). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "error.h"
#include "slip.h"

#define CELL_MAX 1024 /* bytes of one cell (strings are cut at a character) */

/* src without control characters, at most CELL_MAX - 1 bytes, never
 * splitting a UTF-8 sequence. */
static const char *cell(char out[CELL_MAX], const char *src) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)(src ? src : ""); *p && n + 1 < CELL_MAX;
       p++)
    out[n++] = *p < 0x20 || *p == 0x7f ? ' ' : (char)*p;
  while (n > 0 && n + 1 >= CELL_MAX && ((unsigned char)out[n - 1] & 0xC0) == 0x80) n--;
  if (n > 0 && n + 1 >= CELL_MAX && ((unsigned char)out[n - 1] & 0xC0) == 0xC0) n--;
  out[n] = '\0';
  return out;
}

/* "29/11/2026 09:15" in the slip's zone; "" for 0. */
static const char *when(char out[32], int64_t ms, int offset_min, int date_only) {
  out[0] = '\0';
  if (ms <= 0) return out;
  time_t t = (time_t)(ms / 1000 + (int64_t)offset_min * 60);
  struct tm tm;
  if (gmtime_r(&t, &tm) == NULL) return out;
  strftime(out, 32, date_only ? "%d/%m/%Y" : "%d/%m/%Y %H:%M", &tm);
  return out;
}

typedef struct xl {
  lxw_workbook *wb;
  lxw_worksheet *ws;
  lxw_format *bold, *head, *wrap;
  const mc_slip_data *d;
  int en;
} xl;

static void heading(xl *x, lxw_row_t *row) {
  char buf[CELL_MAX], period[160], a[32], b[32];
  const char *title, *from, *to;
  const mc_slip_data *d = x->d;
  mc_slip_register_labels(x->en ? "en" : "vi", &title, &from, &to);
  if (d->province != NULL && d->province[0] != '\0')
    worksheet_write_string(x->ws, (*row)++, 0, cell(buf, d->province), x->bold);
  if (d->parent_name != NULL && d->parent_name[0] != '\0')
    worksheet_write_string(x->ws, (*row)++, 0, cell(buf, d->parent_name), x->bold);
  worksheet_write_string(x->ws, (*row)++, 0, cell(buf, d->unit_name), x->bold);
  worksheet_write_string(x->ws, (*row)++, 0, title, x->bold);
  snprintf(period, sizeof period, "%s %s %s %s", from,
           when(a, d->period_from_ms, d->utc_offset_min, 1), to,
           when(b, d->period_to_ms, d->utc_offset_min, 1));
  worksheet_write_string(x->ws, (*row)++, 0, period, NULL);
  (*row)++;
  for (int i = 0; i < MC_SLIP_REG_COLUMNS; i++)
    worksheet_write_string(x->ws, *row, (lxw_col_t)i,
                           mc_slip_register_column(x->en ? "en" : "vi", i), x->head);
  (*row)++;
}

static void data_row(xl *x, lxw_row_t row, const mc_slip_reg_row *r, size_t i) {
  char buf[CELL_MAX], t[32], addr[CELL_MAX];
  const int off = x->d->utc_offset_min;
  if (r->year_seq > 0) worksheet_write_number(x->ws, row, 0, (double)r->year_seq, NULL);
  else worksheet_write_number(x->ws, row, 0, (double)(i + 1), NULL);
  worksheet_write_string(x->ws, row, 1, cell(buf, r->code), NULL);
  worksheet_write_string(x->ws, row, 2, cell(buf, r->procedure_name), x->wrap);
  if (r->sets > 0) worksheet_write_number(x->ws, row, 3, r->sets, NULL);
  worksheet_write_string(x->ws, row, 4, cell(buf, r->applicant_name), NULL);
  snprintf(addr, sizeof addr, "%s%s%s", r->applicant_address ? r->applicant_address : "",
           r->applicant_address && r->applicant_address[0] && r->applicant_phone &&
                   r->applicant_phone[0] ? "; " : "",
           r->applicant_phone ? r->applicant_phone : "");
  worksheet_write_string(x->ws, row, 5, cell(buf, addr), x->wrap);
  worksheet_write_string(x->ws, row, 6, cell(buf, r->handler), NULL);
  const int64_t times[5] = {r->received_at_ms, r->due_at_ms, r->forwarded_at_ms,
                            r->result_at_ms, r->returned_at_ms};
  for (int k = 0; k < 5; k++)
    if (times[k] > 0) worksheet_write_string(x->ws, row, (lxw_col_t)(7 + k), when(t, times[k], off, 0), NULL);
  if (r->note != NULL && r->note[0] != '\0')
    worksheet_write_string(x->ws, row, 12, cell(buf, r->note), NULL);
}

static void layout(xl *x) {
  static const double width[MC_SLIP_REG_COLUMNS] = {7, 24, 40, 8, 24, 36, 28, 17, 17, 17, 17, 17, 20};
  for (int i = 0; i < MC_SLIP_REG_COLUMNS; i++)
    worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, width[i], NULL);
  x->bold = workbook_add_format(x->wb);
  format_set_bold(x->bold);
  x->head = workbook_add_format(x->wb);
  format_set_bold(x->head);
  format_set_text_wrap(x->head);
  format_set_border(x->head, LXW_BORDER_THIN);
  x->wrap = workbook_add_format(x->wb);
  format_set_text_wrap(x->wrap);
}

int mc_slip_register_xlsx(const mc_slip_data *d, const char *lang, const char *path, char *err,
                          size_t errlen) {
  char tmp[4096];
  if (d == NULL || path == NULL || path[0] == '\0' || (d->nrows > 0 && d->rows == NULL) ||
      (lang != NULL && strcmp(lang, "vi") != 0 && strcmp(lang, "en") != 0)) {
    if (err != NULL) snprintf(err, errlen, "register: bad arguments");
    return MC_EINVAL;
  }
  if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp) {
    if (err != NULL) snprintf(err, errlen, "register: path too long");
    return MC_EINVAL;
  }
  xl x = {.d = d, .en = lang != NULL && strcmp(lang, "en") == 0};
  if ((x.wb = workbook_new(tmp)) == NULL ||
      (x.ws = workbook_add_worksheet(x.wb, NULL)) == NULL) {
    if (x.wb != NULL) workbook_close(x.wb);
    unlink(tmp);
    if (err != NULL) snprintf(err, errlen, "register: cannot create %s", path);
    return MC_EIO;
  }
  layout(&x);
  lxw_row_t row = 0;
  heading(&x, &row);
  worksheet_freeze_panes(x.ws, row, 0);
  for (size_t i = 0; i < d->nrows && row < LXW_ROW_MAX - 1; i++) data_row(&x, row++, &d->rows[i], i);
  lxw_error e = workbook_close(x.wb);
  if (e != LXW_NO_ERROR || rename(tmp, path) != 0) {
    unlink(tmp);
    if (err != NULL) snprintf(err, errlen, "register: cannot write %s: %s", path,
                              e != LXW_NO_ERROR ? lxw_strerror(e) : "rename failed");
    return MC_EIO;
  }
  return 0;
}
