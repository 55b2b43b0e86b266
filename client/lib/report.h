/* Reports (issue 17, docs/REPORTS.md): the typed call, the checks a
 * front-end repeats, the JSON, and the spreadsheet (report_xlsx.c). The
 * labels come from messages.c; nothing here prints. */
#ifndef MC_CLIENT_REPORT_H
#define MC_CLIENT_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "motcua_client.h"

typedef struct mc_report_params {
  const char *from, *to; /* YYYY-MM-DD */
  int by;                /* Motcua__ReportBy */
  const char *unit;      /* NULL or "" = every unit the certificate may see */
} mc_report_params;

/* "unit", "sector", "procedure", "channel" -> Motcua__ReportBy; MC_EINVAL. */
int mc_report_by_parse(const char *s, int *by);
const char *mc_report_by_word(int by);

/* ReportRequest -> *reply (an envelope holding report_reply; free it with
 * mc_envelope_free). MC_EPROTO when the server answers something else. */
int mc_client_report(mc_client *c, const mc_report_params *p, Motcua__Envelope **reply,
                     mc_client_error *err);

/* The counts of a row in the layout's column order (MC_REPORT_COLS of
 * them: the received total, carried, direct, online, postal, the resolved
 * total, early, on time, late, the pending total, within, overdue,
 * returned, withdrawn, refused, stopped, supplement requested) and their
 * header labels. */
enum { MC_REPORT_COLS = 17 };
void mc_report_row_cols(const Motcua__ReportRow *r, int64_t out[MC_REPORT_COLS]);
const char *mc_report_col_label(int lang, int col);
/* The layout's header groups: first column, span, label. */
typedef struct mc_report_group {
  int first, span;
  int msg; /* enum mc_msg */
} mc_report_group;
const mc_report_group *mc_report_groups(int *n);

/* The figure's label (by its wire name), or its name when unknown. */
const char *mc_report_figure_label(int lang, const char *name);
/* The key's label for a channel row, else the row's name, else the key;
 * the total row: "Tổng cộng" / "Total". */
const char *mc_report_row_label(int lang, int by, const Motcua__ReportRow *r);
/* The grouping column's heading. */
const char *mc_report_by_label(int lang, int by);

/* A report date "YYYY-MM-DD" as the forms write it, "DD/MM/YYYY" (other
 * text is copied as it is); out always terminated. */
void mc_report_date_text(const char *iso, char *out, size_t size);

/* 0 when each row balances (carried + received = resolved + pending +
 * withdrawn + refused + stopped) and the rows add up to the total in every
 * count; MC_EPROTO otherwise. */
int mc_report_check(const Motcua__ReportReply *r);

/* The report as JSON (counts by wire name plus "received", figures). */
json_t *mc_report_json(const Motcua__ReportReply *r);

/* Write the spreadsheet (libxlsxwriter): sheet 1 the Circular 01/2018
 * layout, sheet 2 the Decision 766 indicators; totals and ratios are
 * formulas (with their values cached). MC_EIO on failure. */
int mc_report_write_xlsx(const Motcua__ReportReply *r, int lang, const char *path);

#endif
