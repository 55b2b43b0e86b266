/* register: the unit's dossier register (form 06) of a period, on the
 * screen, as PDF and as a spreadsheet; hours: the unit's office hours. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "register_cmd.h"
#include "slip.h"

#define REGISTER_PAGE 200      /* rows asked per RegisterRequest (the server's maximum) */
#define REGISTER_MAX_PAGES 100 /* 20 000 dossiers at most in one register */

/* ---- register: arguments ------------------------------------------------ */

static int register_date(cli *c, const char *v, char out[11]) {
  if (v == NULL || mc_fields_iso_date(v, out) != 0) return cli_usage_error(c, MSG_ERR_DATE, v);
  return EXIT_OK_;
}

static int register_opt(cli *c, int argc, char **argv, int *i) {
  static const char *const names[] = {"--from", "--to", "--pdf", "--xlsx"};
  for (size_t k = 0; k < 4; k++) {
    const char *v = NULL;
    int r = cli_opt_value(argc, argv, i, names[k], &v);
    if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, names[k]);
    if (r == 0) continue;
    if (k == 0) return register_date(c, v, c->from_iso);
    if (k == 1) return register_date(c, v, c->to_iso);
    if (v[0] == '\0' || strcmp(v, "-") == 0) return cli_usage_error(c, MSG_ERR_EXTRA_ARG, v);
    *(k == 2 ? &c->pdf_path : &c->xlsx_path) = v;
    return EXIT_OK_;
  }
  if (argv[*i][0] == '-') return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[*i]);
  return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[*i]);
}

int cli_parse_register(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    int rc = register_opt(c, argc, argv, &i);
    if (rc != EXIT_OK_) return rc;
  }
  /* ISO text compares as dates */
  if (c->from_iso[0] == '\0' || c->to_iso[0] == '\0' || strcmp(c->from_iso, c->to_iso) > 0)
    return cli_usage_error(c, MSG_ERR_PERIOD, NULL);
  return EXIT_OK_;
}

/* ---- register: the pages ------------------------------------------------ */

typedef struct reg_pages {
  Motcua__Envelope *page[REGISTER_MAX_PAGES];
  size_t npages, total;
  int truncated;
} reg_pages;

static void pages_free(reg_pages *p) {
  for (size_t i = 0; i < p->npages; i++) mc_envelope_free(p->page[i]);
}

static int fetch_pages(cli *c, reg_pages *p) {
  char cursor[64] = "";
  do {
    Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
    Motcua__RegisterRequest body = MOTCUA__REGISTER_REQUEST__INIT;
    body.from = c->from_iso;
    body.to = c->to_iso;
    body.cursor = cursor;
    body.limit = REGISTER_PAGE;
    req.body_case = MOTCUA__ENVELOPE__BODY_REGISTER_REQUEST;
    req.register_request = &body;
    int rc = cli_call(c, &req, MOTCUA__ENVELOPE__BODY_REGISTER_REPLY, &rep);
    if (rc != EXIT_OK_) return rc;
    p->page[p->npages++] = rep;
    p->total += rep->register_reply->n_dossiers;
    const char *next = rep->register_reply->next_cursor;
    snprintf(cursor, sizeof cursor, "%s", next != NULL && strlen(next) < sizeof cursor ? next : "");
  } while (cursor[0] != '\0' && p->npages < REGISTER_MAX_PAGES);
  p->truncated = cursor[0] != '\0';
  return EXIT_OK_;
}

/* Every dossier of the pages, in order, into ds[0..p->total). */
static void pages_list(const reg_pages *p, const Motcua__Dossier **ds) {
  size_t k = 0;
  for (size_t i = 0; i < p->npages; i++)
    for (size_t j = 0; j < p->page[i]->register_reply->n_dossiers; j++)
      ds[k++] = p->page[i]->register_reply->dossiers[j];
}

/* ---- register: output --------------------------------------------------- */

static void print_row(const cli *c, const Motcua__Dossier *d) {
  char when[40];
  if (mc_render_human_time(d->received_at_ms, mc_render_utc_offset(), c->lang, when,
                           sizeof when) != 0)
    snprintf(when, sizeof when, "—");
  printf("%04u  %s  %s  %s  %s  %s\n", d->register_no, d->code ? d->code : "", when,
         d->applicant && d->applicant->name ? d->applicant->name : "",
         d->procedure_code ? d->procedure_code : "", mc_status_name(c->lang, d->status));
}

static int emit_json(cli *c, const Motcua__Dossier **ds, const reg_pages *p) {
  json_t *a = json_array();
  for (size_t i = 0; a != NULL && i < p->total; i++)
    json_array_append_new(a, mc_render_dossier_json(ds[i], c->lang));
  json_t *doc = json_pack("{s:s, s:s, s:I, s:b, s:o, s:o, s:o}", "from", c->from_iso, "to",
                          c->to_iso, "count", (json_int_t)p->total, "truncated", p->truncated,
                          "pdf", c->pdf_path ? json_string(c->pdf_path) : json_null(), "xlsx",
                          c->xlsx_path ? json_string(c->xlsx_path) : json_null(), "dossiers",
                          a != NULL ? a : json_array());
  return cli_emit_json(doc, 0) ? EXIT_CONNECT : EXIT_OK_;
}

static int write_files(cli *c, const mc_slip_data *sd) {
  const char *lang = c->lang == MC_LANG_EN ? "en" : "vi";
  char err[512] = "";
  int rc;
  if (c->pdf_path != NULL &&
      (rc = mc_slip_write(sd, "06", lang, NULL, c->pdf_path, err, sizeof err)) != MC_OK)
    return cli_fail(c, rc == MC_ENOMEM ? EXIT_CONNECT : EXIT_USAGE, rc,
                    mc_msg(c->lang, MSG_ERR_SLIP), err);
  if (c->xlsx_path != NULL &&
      (rc = mc_slip_register_xlsx(sd, lang, c->xlsx_path, err, sizeof err)) != MC_OK)
    return cli_fail(c, rc == MC_ENOMEM ? EXIT_CONNECT : EXIT_USAGE, rc,
                    mc_msg(c->lang, MSG_ERR_XLSX), err);
  return EXIT_OK_;
}

static void print_human(const cli *c, const Motcua__Dossier **ds, const reg_pages *p) {
  if (c->pdf_path == NULL && c->xlsx_path == NULL)
    for (size_t i = 0; i < p->total; i++) print_row(c, ds[i]);
  if (p->truncated)
    fprintf(stderr, "motcua: %s %zu\n", mc_msg(c->lang, MSG_REGISTER_TRUNCATED), p->total);
  if (c->pdf_path != NULL) printf("%s: %s\n", mc_msg(c->lang, MSG_REGISTER_PDF), c->pdf_path);
  if (c->xlsx_path != NULL) printf("%s: %s\n", mc_msg(c->lang, MSG_REGISTER_XLSX), c->xlsx_path);
  printf("%zu %s\n", p->total, mc_msg(c->lang, MSG_REGISTER_COUNT));
}

static int register_output(cli *c, const reg_pages *p, const Motcua__Dossier **ds,
                           mc_slip_reg_row *rows) {
  const mc_client_info *info = mc_client_get_info(c->client);
  int64_t from_ms = 0, to_ms = 0;
  mc_fields_parse_due(c->from_iso, mc_render_utc_offset(), &from_ms);
  mc_fields_parse_due(c->to_iso, mc_render_utc_offset(), &to_ms);
  for (size_t i = 0; i < p->total; i++) mc_slip_register_row(ds[i], info, c->lang, &rows[i]);
  mc_slip_data sd;
  mc_slip_register_data(info, NULL, from_ms, to_ms, mc_client_now_ms(), rows, p->total, &sd);
  int rc = write_files(c, &sd);
  if (rc != EXIT_OK_) return rc;
  if (c->json) return emit_json(c, ds, p);
  print_human(c, ds, p);
  return EXIT_OK_;
}

int cli_run_register(cli *c) {
  reg_pages *p = calloc(1, sizeof *p);
  if (p == NULL) return cli_fail_err(c, EXIT_CONNECT, MC_ENOMEM, NULL);
  int rc = fetch_pages(c, p);
  const Motcua__Dossier **ds = NULL;
  mc_slip_reg_row *rows = NULL;
  if (rc == EXIT_OK_) {
    ds = calloc(p->total + 1, sizeof *ds);
    rows = calloc(p->total + 1, sizeof *rows);
    if (ds == NULL || rows == NULL) rc = cli_fail_err(c, EXIT_CONNECT, MC_ENOMEM, NULL);
  }
  if (rc == EXIT_OK_) {
    pages_list(p, ds);
    rc = register_output(c, p, ds, rows);
  }
  free(rows);
  free(ds);
  pages_free(p);
  free(p);
  return rc;
}

/* ---- hours -------------------------------------------------------------- */

static int hours_opt(cli *c, int argc, char **argv, int *i) {
  const char *v = NULL;
  int r;
  if ((r = cli_opt_value(argc, argv, i, "--unit", &v)) != 0) {
    if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--unit");
    if (v[0] == '\0' || strlen(v) > MC_LIM_UNIT_CODE ||
        strspn(v, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != strlen(v))
      return cli_usage_error(c, MSG_ERR_UNIT_CODE, v);
    c->unit = v;
    return EXIT_OK_;
  }
  if (c->hours_op == 1 && (r = cli_opt_value(argc, argv, i, "--schedule", &v)) != 0) {
    if (r < 0 || c->nsched >= sizeof c->sched / sizeof c->sched[0] ||
        mc_fields_parse_schedule(v, &c->sched[c->nsched]) != 0)
      return cli_usage_error(c, MSG_ERR_SCHEDULE, v);
    c->nsched++;
    return EXIT_OK_;
  }
  if (argv[*i][0] == '-') return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[*i]);
  return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[*i]);
}

int cli_parse_hours(cli *c, int argc, char **argv) {
  static const char *const subs[] = {"list", "set", "reset"};
  c->hours_op = -1;
  for (int k = 0; argc > 0 && k < 3; k++)
    if (strcmp(argv[0], subs[k]) == 0) c->hours_op = k;
  if (c->hours_op < 0)
    return cli_usage_error(c, MSG_ERR_NEED_SUBCOMMAND, argc > 0 ? argv[0] : NULL);
  for (int i = 1; i < argc; i++) {
    int rc = hours_opt(c, argc, argv, &i);
    if (rc != EXIT_OK_) return rc;
  }
  if (c->hours_op == 1 && c->nsched == 0) return cli_usage_error(c, MSG_ERR_NEED_OPTION, "--schedule");
  return EXIT_OK_;
}

/* "04-15" -> "15/04" */
static void day_month(const char *mmdd, char out[8]) {
  if (mmdd != NULL && strlen(mmdd) == 5) snprintf(out, 8, "%.2s/%.2s", mmdd + 3, mmdd);
  else snprintf(out, 8, "%s", mmdd != NULL ? mmdd : "");
}

static void print_hours(const cli *c, const Motcua__HoursReply *r) {
  if (c->hours_op != 0) printf("%s %s\n", mc_msg(c->lang, MSG_HOURS_SET), r->unit_code);
  printf("%s (%s):\n", mc_msg(c->lang, r->is_default ? MSG_HOURS_DEFAULT : MSG_HOURS_OWN),
         r->unit_code);
  for (size_t i = 0; i < r->n_hours; i++) {
    const Motcua__OfficeHours *h = r->hours[i];
    char dm[8];
    day_month(h->valid_from, dm);
    printf("  %s %s: %s %s–%s, %s %s–%s", mc_msg(c->lang, MSG_HOURS_FROM), dm,
           mc_msg(c->lang, MSG_HOURS_AM), h->am_start, h->am_end, mc_msg(c->lang, MSG_HOURS_PM),
           h->pm_start, h->pm_end);
    if (h->name != NULL && h->name[0] != '\0') printf(" (%s)", h->name);
    putchar('\n');
  }
}

static json_t *hours_json(const Motcua__HoursReply *r) {
  json_t *a = json_array();
  for (size_t i = 0; a != NULL && i < r->n_hours; i++) {
    const Motcua__OfficeHours *h = r->hours[i];
    json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "from", h->valid_from,
                                       "am_start", h->am_start, "am_end", h->am_end, "pm_start",
                                       h->pm_start, "pm_end", h->pm_end, "name",
                                       h->name ? h->name : ""));
  }
  return json_pack("{s:s, s:b, s:o}", "unit", r->unit_code ? r->unit_code : "", "default",
                   r->is_default, "hours", a != NULL ? a : json_array());
}

int cli_run_hours(cli *c) {
  char key[MC_CLIENT_IDEM_KEY_LEN + 1];
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__HoursRequest body = MOTCUA__HOURS_REQUEST__INIT;
  Motcua__OfficeHours oh[4], *ohp[4];
  if (mc_client_idem_key(key, sizeof key) != MC_OK)
    return cli_fail_err(c, EXIT_CONNECT, MC_EINTERNAL, "RAND_bytes");
  body.op = c->hours_op == 0 ? MOTCUA__HOURS_REQUEST__OP__LIST : MOTCUA__HOURS_REQUEST__OP__SET;
  body.unit_code = (char *)(c->unit != NULL ? c->unit : "");
  body.idempotency_key = key;
  for (size_t i = 0; c->hours_op == 1 && i < c->nsched; i++) {
    mc_fields_schedule *s = &c->sched[i];
    motcua__office_hours__init(&oh[i]);
    oh[i].valid_from = s->from;
    oh[i].am_start = s->am_start;
    oh[i].am_end = s->am_end;
    oh[i].pm_start = s->pm_start;
    oh[i].pm_end = s->pm_end;
    oh[i].name = s->name;
    ohp[i] = &oh[i];
  }
  body.n_hours = c->hours_op == 1 ? c->nsched : 0;
  body.hours = body.n_hours > 0 ? ohp : NULL;
  req.body_case = MOTCUA__ENVELOPE__BODY_HOURS;
  req.hours = &body;
  int rc = cli_call(c, &req, MOTCUA__ENVELOPE__BODY_HOURS_REPLY, &rep);
  if (rc != EXIT_OK_) return rc;
  if (c->json) rc = cli_emit_json(hours_json(rep->hours_reply), 0) ? EXIT_CONNECT : EXIT_OK_;
  else print_hours(c, rep->hours_reply);
  mc_envelope_free(rep);
  return rc;
}
