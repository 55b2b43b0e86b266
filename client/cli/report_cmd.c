/* motcua report --from DATE --to DATE [--by ...] [--unit CODE] [--xlsx FILE | --json]:
 * the period report (Circular 01/2018) and the Decision 766 indicators
 * (client/lib/report.h) as terminal tables, JSON or a spreadsheet. */
#include <stdio.h>
#include <string.h>

#include "cli_text.h"
#include "error.h"
#include "report.h"
#include "report_cmd.h"

static struct {
  char from[11], to[11];
  int by, have_from, have_to;
  const char *unit, *xlsx;
} opt;

/* ---- arguments ---------------------------------------------------------- */

static int date_opt(cli *c, const char *v, char out[11], int *have) {
  if (v == NULL || mc_fields_iso_date(v, out) != 0) return cli_usage_error(c, MSG_ERR_DATE, v);
  *have = 1;
  return EXIT_OK_;
}

static int report_opt(cli *c, int argc, char **argv, int *i) {
  const char *v = NULL;
  int r;
  if ((r = cli_opt_value(argc, argv, i, "--from", &v)) != 0)
    return date_opt(c, r < 0 ? NULL : v, opt.from, &opt.have_from);
  if ((r = cli_opt_value(argc, argv, i, "--to", &v)) != 0)
    return date_opt(c, r < 0 ? NULL : v, opt.to, &opt.have_to);
  if ((r = cli_opt_value(argc, argv, i, "--by", &v)) != 0)
    return r < 0 || mc_report_by_parse(v, &opt.by) != MC_OK
               ? cli_usage_error(c, MSG_ERR_REPORT_BY, v) : EXIT_OK_;
  if ((r = cli_opt_value(argc, argv, i, "--unit", &v)) != 0)
    return r < 0 || v[0] == '\0' || strlen(v) > MC_LIM_UNIT_CODE
               ? cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--unit") : (opt.unit = v, EXIT_OK_);
  if ((r = cli_opt_value(argc, argv, i, "--xlsx", &v)) != 0)
    return r < 0 || v[0] == '\0' ? cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--xlsx")
                                 : (opt.xlsx = v, EXIT_OK_);
  if (argv[*i][0] == '-') return cli_unknown_option(c, argv[*i]);
  return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[*i]);
}

int cli_parse_report(cli *c, int argc, char **argv) {
  memset(&opt, 0, sizeof opt);
  for (int i = 0; i < argc; i++) {
    int rc = report_opt(c, argc, argv, &i);
    if (rc != EXIT_OK_) return rc;
  }
  if (!opt.have_from || !opt.have_to || strcmp(opt.to, opt.from) < 0)
    return cli_usage_error(c, MSG_ERR_REPORT_PERIOD, NULL);
  if (opt.xlsx != NULL && c->json) return cli_usage_error(c, MSG_ERR_EXTRA_ARG, "--json");
  return EXIT_OK_;
}

/* ---- terminal tables ------------------------------------------------------------ */

enum { W_LABEL = 30, W_NUM = 11 };

static void num_cell(int64_t v) {
  char b[32];
  snprintf(b, sizeof b, "%lld", (long long)v);
  printf("%*s ", W_NUM, b);
}

/* The header of one group of columns: labels cut to the cell width. */
static void group_head(const cli *c, int by, int msg, int first, int n) {
  printf("\n%s\n", mc_msg(c->lang, msg));
  cli_text_cell(stdout, mc_report_by_label(c->lang, by), W_LABEL, " ");
  for (int k = first; k < first + n; k++) {
    const char *l = mc_report_col_label(c->lang, k);
    int pad = W_NUM - cli_text_width(l);
    printf("%*s", pad > 0 ? pad : 0, "");
    cli_text_cell(stdout, l, pad > 0 ? cli_text_width(l) : W_NUM, " ");
  }
  putchar('\n');
}

static void group_row(const cli *c, int by, const Motcua__ReportRow *r, int first, int n) {
  int64_t v[MC_REPORT_COLS];
  mc_report_row_cols(r, v);
  cli_text_cell(stdout, mc_report_row_label(c->lang, by, r), W_LABEL, " ");
  for (int k = first; k < first + n; k++) num_cell(v[k]);
  putchar('\n');
}

static void print_groups(const cli *c, const Motcua__ReportReply *r) {
  int n;
  const mc_report_group *g = mc_report_groups(&n);
  for (int i = 0; i < n; i++) {
    group_head(c, r->by, g[i].msg, g[i].first, g[i].span);
    for (size_t k = 0; k < r->n_rows; k++) group_row(c, r->by, r->rows[k], g[i].first, g[i].span);
    group_row(c, r->by, r->total, g[i].first, g[i].span);
  }
}

static void value_cell(const Motcua__ReportFigure *f) {
  char b[32];
  if (f->denominator > 0) snprintf(b, sizeof b, "%.2f", f->value);
  else snprintf(b, sizeof b, "–");
  int pad = W_NUM - cli_text_width(b);
  printf("%*s%s ", pad > 0 ? pad : 0, "", b);
}

/* One column per figure (the short label cut to the cell), one row per key. */
static void print_figures(const cli *c, const Motcua__ReportReply *r) {
  const Motcua__ReportRow *t = r->total;
  printf("\n%s\n", mc_msg(c->lang, MSG_REPORT_TITLE_766));
  cli_text_cell(stdout, mc_report_by_label(c->lang, r->by), W_LABEL, " ");
  for (size_t i = 0; i < t->n_figures; i++)
    cli_text_cell(stdout, mc_report_figure_label(c->lang, t->figures[i]->name), W_NUM, " ");
  putchar('\n');
  for (size_t k = 0; k <= r->n_rows; k++) {
    const Motcua__ReportRow *row = k < r->n_rows ? r->rows[k] : t;
    cli_text_cell(stdout, mc_report_row_label(c->lang, r->by, row), W_LABEL, " ");
    for (size_t i = 0; i < row->n_figures; i++) value_cell(row->figures[i]);
    putchar('\n');
  }
  /* each figure explained for the total: label, value = numerator / denominator, formula */
  printf("\n%s (%s)\n", mc_msg(c->lang, MSG_REPORT_H_FORMULA), mc_msg(c->lang, MSG_REPORT_TOTAL));
  for (size_t i = 0; i < t->n_figures; i++) {
    const Motcua__ReportFigure *f = t->figures[i];
    printf("  %s: ", mc_report_figure_label(c->lang, f->name));
    if (f->denominator > 0 && strcmp(f->name, "satisfaction") != 0)
      printf("%.2f = %lld / %lld", f->value, (long long)f->numerator, (long long)f->denominator);
    else if (f->denominator > 0) printf("%.2f", f->value);
    else printf("–");
    printf("   [%s]\n", f->formula);
  }
}

static void print_report(const cli *c, const Motcua__ReportReply *r) {
  char from[16], to[16];
  mc_report_date_text(r->from_date, from, sizeof from);
  mc_report_date_text(r->to_date, to, sizeof to);
  printf("%s\n%s %s – %s\n%s", mc_msg(c->lang, MSG_REPORT_TITLE),
         mc_msg(c->lang, MSG_REPORT_PERIOD), from, to,
         mc_msg(c->lang, MSG_REPORT_UNITS));
  for (size_t i = 0; i < r->n_units; i++) printf(" %s", r->units[i]);
  putchar('\n');
  print_groups(c, r);
  print_figures(c, r);
}

/* ---- run ---------------------------------------------------------------------- */

static int output(cli *c, const Motcua__ReportReply *r) {
  if (mc_report_check(r) != MC_OK)
    return cli_fail(c, EXIT_REFUSED, MC_EPROTO, mc_msg(c->lang, MSG_REPORT_UNBALANCED), NULL);
  if (opt.xlsx != NULL) {
    if (mc_report_write_xlsx(r, c->lang, opt.xlsx) != MC_OK)
      return cli_fail(c, EXIT_REFUSED, MC_EIO, mc_msg(c->lang, MSG_REPORT_XLSX_FAILED), opt.xlsx);
    printf("%s: %s\n", mc_msg(c->lang, MSG_REPORT_WRITTEN), opt.xlsx);
    return EXIT_OK_;
  }
  if (c->json) return cli_emit_json(mc_report_json(r), 0) == MC_OK ? EXIT_OK_ : EXIT_REFUSED;
  print_report(c, r);
  return EXIT_OK_;
}

int cli_run_report(cli *c) {
  mc_report_params p = {.from = opt.from, .to = opt.to, .by = opt.by, .unit = opt.unit};
  Motcua__Envelope *rep = NULL;
  mc_client_error err = {0};
  if (mc_client_report(c->client, &p, &rep, &err) != MC_OK) return cli_report(c, &err);
  int rc = output(c, rep->report_reply);
  mc_envelope_free(rep);
  return rc;
}
