/* holidays list/add/remove: the working-day calendar (admin). */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "holiday_cmd.h"

static int cli_parse_holiday_date(cli *c, const char *v) {
  if (mc_fields_iso_date(v, c->date_iso) != 0) return cli_usage_error(c, MSG_ERR_DATE, v);
  c->date = c->date_iso;
  return EXIT_OK_;
}

/* Options of holidays list/add/remove after the subcommand; exit code. */
static int holidays_opt(cli *c, int argc, char **argv, int *i) {
  const char *v = NULL;
  int r, op = c->holiday_op;
  if (op == MOTCUA__HOLIDAYS_REQUEST__OP__LIST &&
      (r = cli_opt_value(argc, argv, i, "--year", &v)) != 0)
    return r < 0 || mc_fields_parse_uint(v, 2000, 2100, &c->year) != 0
               ? cli_usage_error(c, MSG_ERR_YEAR, v) : EXIT_OK_;
  if (op == MOTCUA__HOLIDAYS_REQUEST__OP__ADD &&
      (r = cli_opt_value(argc, argv, i, "--name", &v)) != 0) {
    if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--name");
    return cli_check(c, mc_fields_check_holiday_name(c->holiday_name = v), v);
  }
  if (op == MOTCUA__HOLIDAYS_REQUEST__OP__ADD && cli_flag(argv[*i], "--workday"))
    return c->workday = 1, EXIT_OK_;
  if (argv[*i][0] == '-' && argv[*i][1] == '-')
    return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[*i]);
  if (op == MOTCUA__HOLIDAYS_REQUEST__OP__LIST || c->date != NULL)
    return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[*i]);
  return cli_parse_holiday_date(c, argv[*i]);
}

int cli_parse_holidays(cli *c, int argc, char **argv) {
  static const char *const subs[] = {"list", "add", "remove"};
  c->holiday_op = -1;
  for (int k = 0; argc > 0 && k < 3; k++)
    if (strcmp(argv[0], subs[k]) == 0) c->holiday_op = k;
  if (c->holiday_op < 0)
    return cli_usage_error(c, MSG_ERR_NEED_SUBCOMMAND, argc > 0 ? argv[0] : NULL);
  for (int i = 1; i < argc; i++) {
    int rc = holidays_opt(c, argc, argv, &i);
    if (rc != EXIT_OK_) return rc;
  }
  if (c->holiday_op != MOTCUA__HOLIDAYS_REQUEST__OP__LIST && c->date == NULL)
    return cli_usage_error(c, MSG_ERR_DATE, NULL);
  if (c->holiday_op == MOTCUA__HOLIDAYS_REQUEST__OP__ADD && c->holiday_name == NULL)
    return cli_usage_error(c, MSG_ERR_NEED_OPTION, "--name");
  return EXIT_OK_;
}

static void print_holidays(const cli *c, const Motcua__HolidaysReply *r) {
  if (c->holiday_op == MOTCUA__HOLIDAYS_REQUEST__OP__ADD)
    printf("%s %s\n", mc_msg(c->lang, MSG_HOLIDAY_ADDED), c->date);
  else if (c->holiday_op == MOTCUA__HOLIDAYS_REQUEST__OP__REMOVE)
    printf("%s %s\n", mc_msg(c->lang, MSG_HOLIDAY_REMOVED), c->date);
  if (r->n_holidays == 0) {
    puts(mc_msg(c->lang, MSG_HOLIDAYS_EMPTY));
    return;
  }
  for (size_t i = 0; i < r->n_holidays; i++) cli_print_holiday(stdout, r->holidays[i], c->lang);
  printf("%zu %s\n", r->n_holidays, mc_msg(c->lang, MSG_HOLIDAYS_COUNT));
}

int cli_run_holidays(cli *c) {
  char key[MC_CLIENT_IDEM_KEY_LEN + 1];
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__HolidaysRequest body = MOTCUA__HOLIDAYS_REQUEST__INIT;
  Motcua__Holiday h = MOTCUA__HOLIDAY__INIT;
  if (mc_client_idem_key(key, sizeof key) != MC_OK)
    return cli_fail_err(c, EXIT_CONNECT, MC_EINTERNAL, "RAND_bytes");
  body.op = (Motcua__HolidaysRequest__Op)c->holiday_op;
  body.year = c->year;
  body.idempotency_key = key;
  if (c->holiday_op != MOTCUA__HOLIDAYS_REQUEST__OP__LIST) {
    h.date = (char *)c->date;
    h.kind = c->holiday_op == MOTCUA__HOLIDAYS_REQUEST__OP__ADD
                 ? (char *)(c->workday ? "workday" : "holiday") : "";
    h.name = cli_str_or_empty(c->holiday_name);
    body.holiday = &h;
  }
  req.body_case = MOTCUA__ENVELOPE__BODY_HOLIDAYS;
  req.holidays = &body;
  int rc = cli_call(c, &req, MOTCUA__ENVELOPE__BODY_HOLIDAYS_REPLY, &rep);
  if (rc != EXIT_OK_) return rc;
  const Motcua__HolidaysReply *r = rep->holidays_reply;
  if (c->json) {
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_holidays; i++)
      json_array_append_new(a, mc_render_holiday_json(r->holidays[i]));
    rc = cli_emit_json(json_pack("{s:o}", "holidays", a), 0) ? EXIT_CONNECT : EXIT_OK_;
  } else {
    print_holidays(c, r);
  }
  mc_envelope_free(rep);
  return rc;
}

