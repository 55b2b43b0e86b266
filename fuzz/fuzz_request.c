/* libFuzzer target: one Envelope payload through the request validators
 * of server/rules/validate.c, the way a handler receives it after decoding. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "domain.h"
#include "frame.h"
#include "intake.h"
#include "validate.h"
#include "workflow.h"

/* A procedure with required and case-by-case components (issue 14). */
static void check_intake(const mc_receive_fields *rf) {
  static mc_procedure p = {.ncomponents = 3,
                           .components = {{.ordinal = 1, .required = 1},
                                          {.ordinal = 2, .required = 0},
                                          {.ordinal = 3, .required = 1}}};
  const char *field = NULL;
  int missing;
  if (mc_intake_check(&p, rf, &field, &missing) != 0 && field == NULL) __builtin_trap();
}

/* An accepted cursor is one the server could have written: it encodes
 * back to the same text and reads back the same (issue 19). */
static void check_cursor(const mc_cursor *c) {
  if (c->kind == 0) return;
  char text[MC_CURSOR_MAX];
  mc_cursor back;
  if (mc_cursor_encode(c, text) != 0 || mc_cursor_decode(text, &back) != 0 ||
      memcmp(&back, c, sizeof back) != 0)
    __builtin_trap();
}

static void check_request(const Motcua__Envelope *env) {
  const char *field = NULL;
  int a;
  char text[MC_SEARCH_MAX];
  mc_receive_fields rf;
  mc_action_fields af;
  mc_calday day;
  char canon[MC_VAL_CANON_MAX], version[MC_LIM_CLIENT_VERSION + 1];
  switch (env->body_case) {
  case MOTCUA__ENVELOPE__BODY_HELLO:
    mc_val_client_version(version, sizeof version, env->hello->client_version);
    break;
  case MOTCUA__ENVELOPE__BODY_RECEIVE:
    if (mc_val_receive(env->receive, &rf, &field) != 0) break;
    if (mc_val_receive_canon(&rf, canon, sizeof canon) < 0)
      __builtin_trap(); /* MC_VAL_CANON_MAX must hold any valid request */
    check_intake(&rf);
    break;
  case MOTCUA__ENVELOPE__BODY_ACTION:
    if (mc_val_action(env->action, &af, &field) == 0 &&
        mc_val_action_canon(&af, canon, sizeof canon) < 0)
      __builtin_trap();
    break;
  case MOTCUA__ENVELOPE__BODY_FORWARD: mc_val_forward(env->forward, &af, &field); break;
  case MOTCUA__ENVELOPE__BODY_SEARCH: {
    mc_cursor cur;
    if (mc_val_search(env->search, text, &a, &cur, &field) == 0) check_cursor(&cur);
    break;
  }
  case MOTCUA__ENVELOPE__BODY_INBOX: {
    mc_cursor cur;
    if (mc_val_inbox(env->inbox, &a, &cur, &field) == 0) check_cursor(&cur);
    break;
  }
  case MOTCUA__ENVELOPE__BODY_LIST: {
    mc_list_fields lf;
    if (mc_val_list(env->list, 1000, &lf, &field) == 0 &&
        (lf.limit < 1 || lf.limit > 1000 || lf.offset > MC_LIM_LIST_OFFSET ||
         lf.sort < 0 || lf.sort >= MC_SORT__COUNT ||
         (lf.after.kind != 0 && (lf.after.sort != lf.sort || lf.after.desc != lf.desc))))
      __builtin_trap();
    if (lf.after.kind != 0) check_cursor(&lf.after);
    break;
  }
  case MOTCUA__ENVELOPE__BODY_HOLIDAYS: mc_val_holidays(env->holidays, &day, &a, &field); break;
  case MOTCUA__ENVELOPE__BODY_REGISTER_REQUEST: {
    mc_register_query rq;
    if (mc_val_register(env->register_request, &rq, &field) == 0 &&
        (rq.to_day < rq.from_day || rq.limit < 1 || rq.limit > MC_VAL_REGISTER_PAGE_MAX))
      __builtin_trap();
    break;
  }
  case MOTCUA__ENVELOPE__BODY_HOURS: {
    char unit[MC_UNIT_CODE_MAX];
    mc_work_hours rows[MC_HOURS_SCHEDULES];
    size_t n;
    if (mc_val_hours(env->hours, unit, rows, &n, &field) == 0)
      for (size_t i = 0; i < n; i++)
        if (mc_cal_check_hours(&rows[i]) != 0) __builtin_trap();
    break;
  }
  case MOTCUA__ENVELOPE__BODY_SHOW: mc_dom_dossier_code(env->show->code); break;
  case MOTCUA__ENVELOPE__BODY_HISTORY: mc_dom_dossier_code(env->history->code); break;
  case MOTCUA__ENVELOPE__BODY_LOGIN: { /* issue 15 */
    char login[MC_LIM_LOGIN + 1];
    if (mc_val_login(env->login, login, &field) == 0 && !mc_off_login_ok(login)) __builtin_trap();
    break;
  }
  case MOTCUA__ENVELOPE__BODY_PASSWORD: mc_val_password(env->password, &field); break;
  case MOTCUA__ENVELOPE__BODY_OFFICERS: {
    mc_officers_fields of;
    if (mc_val_officers(env->officers, &of, &field) == 0 && of.op != 0 && of.login[0] == '\0')
      __builtin_trap(); /* every change names an officer */
    break;
  }
  default: break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20)) return 0;
  (void)mc_frame_text_nul(&motcua__envelope__descriptor, data, size, 0); /* the NUL walk */
  Motcua__Envelope *env = motcua__envelope__unpack(NULL, size, data);
  if (env == NULL) return 0;
  check_request(env);
  mc_envelope_free(env);
  return 0;
}
