/* Inbox, search and the holiday calendar. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "actions.h"
#include "handlers.h"
#include "handlers_internal.h"
#include "log.h"

/* ---- inbox -------------------------------------------------------------- */

static void inbox_done_cb(void *arg, int err, const mc_event *ev, size_t n) {
  mc_req *r = arg;
  mc_pb_event *pv = err == 0 && n ? calloc(n, sizeof *pv) : NULL;
  Motcua__DossierEvent **pp = err == 0 && n ? calloc(n, sizeof *pp) : NULL;
  if (err == 0 && n > 0 && (pv == NULL || pp == NULL)) err = MC_ENOMEM;
  if (err != 0) {
    free(pv);
    free(pp);
    return mc_req_fail(r, err, NULL);
  }
  int64_t now = mc_server_now_ms();
  for (size_t i = 0; i < n; i++) {
    mc_pb_from_event(&pv[i], &ev[i], now);
    pp[i] = &pv[i].e;
  }
  Motcua__InboxReply ir = MOTCUA__INBOX_REPLY__INIT;
  ir.n_events = n;
  ir.events = pp;
  ENV_INIT(out, r->id, inbox_reply, &ir, MOTCUA__ENVELOPE__BODY_INBOX_REPLY);
  mc_req_finish(r, &out);
  free(pp);
  free(pv);
}

int mc_handle_inbox(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  (void)fault;
  const Motcua__InboxRequest *q = env->inbox;
  int limit = q->limit == 0 ? 200 : q->limit > MC_LIM_LIST ? MC_LIM_LIST : (int)q->limit;
  mc_req *r;
  int rc = handlers__start(s, env->request_id, &r);
  if (rc != 0) return rc;
  return handlers__submitted(r, mc_store_inbox(s->srv->store, s->unit->code, q->mark_read,
                                               limit, inbox_done_cb, r));
}

/* ---- search ------------------------------------------------------------- */

int mc_handle_search(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  char text[MC_SEARCH_MAX];
  const char *field = NULL;
  int limit, rc = mc_val_search(env->search, text, &limit, &field);
  if (rc != 0) return handlers__refuse(fault, rc, field);
  mc_req *r;
  if ((rc = handlers__start(s, env->request_id, &r)) != 0) return rc;
  return handlers__submitted(r, mc_store_search(s->srv->store, s->peer.unit, text, limit,
                                                handlers__list_done_cb, r));
}

/* ---- holidays ----------------------------------------------------------- */

typedef struct holiday_ctx {
  mc_req *r;
  int year;
} holiday_ctx;

static void holidays_list_cb(void *arg, int err, const mc_calday *days, size_t n) {
  holiday_ctx *h = arg;
  Motcua__Holiday *hv = err == 0 && n ? calloc(n, sizeof *hv) : NULL;
  Motcua__Holiday **hp = err == 0 && n ? calloc(n, sizeof *hp) : NULL;
  if (err == 0 && n > 0 && (hv == NULL || hp == NULL)) err = MC_ENOMEM;
  if (err != 0) {
    mc_req_fail(h->r, err, NULL);
  } else {
    for (size_t i = 0; i < n; i++) {
      mc_pb_from_calday(&hv[i], &days[i]);
      hp[i] = &hv[i];
    }
    Motcua__HolidaysReply hr = MOTCUA__HOLIDAYS_REPLY__INIT;
    hr.n_holidays = n;
    hr.holidays = hp;
    ENV_INIT(out, h->r->id, holidays_reply, &hr, MOTCUA__ENVELOPE__BODY_HOLIDAYS_REPLY);
    mc_req_finish(h->r, &out);
  }
  free(hp);
  free(hv);
  free(h);
}

/* After a change: reload the server's calendar, then answer with the year. */
static void holidays_changed_cb(void *arg, int err) {
  holiday_ctx *h = arg;
  mc_server *srv = h->r->s->srv;
  if (err == 0) {
    mc_log_info(h->r->s->id, "calendar changed by unit=%s", h->r->s->peer.unit);
    mc_server_reload_calendar(srv);
    err = mc_store_load_calendar(srv->store, h->year, holidays_list_cb, h);
  }
  if (err != 0) {
    mc_req_fail(h->r, err, "date");
    free(h);
  }
}

int mc_handle_holidays(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  const Motcua__HolidaysRequest *q = env->holidays;
  const char *field = NULL;
  int op = q->op, year, rc;
  mc_calday day;
  if (op != MOTCUA__HOLIDAYS_REQUEST__OP__LIST && s->peer.role != MC_ROLE_ADMIN)
    return handlers__refuse_rule(fault, MC_EFORBIDDEN,
                                 "only IT staff (admin) may edit the calendar");
  const char *rule = NULL;
  if (op != MOTCUA__HOLIDAYS_REQUEST__OP__LIST &&
      (rc = s->who == NULL ? MC_ELOGIN
                           : mc_wf_officer_may(MC_OP_CALENDAR, s->who->officer.roles, &rule)) != 0)
    return handlers__refuse_rule(fault, rc, rule != NULL ? rule : "session_token");
  if ((rc = mc_val_holidays(q, &day, &year, &field)) != 0)
    return handlers__refuse(fault, rc, field);
  holiday_ctx *h = calloc(1, sizeof *h);
  if (h == NULL) return MC_ENOMEM;
  h->year = year;
  if ((rc = handlers__start(s, env->request_id, &h->r)) != 0) return free(h), rc;
  mc_store *st = s->srv->store;
  if (op == MOTCUA__HOLIDAYS_REQUEST__OP__LIST)
    rc = mc_store_load_calendar(st, year, holidays_list_cb, h);
  else if (op == MOTCUA__HOLIDAYS_REQUEST__OP__ADD)
    rc = mc_store_calendar_put(st, &day, holidays_changed_cb, h);
  else
    rc = mc_store_calendar_remove(st, day.date, holidays_changed_cb, h);
  if (rc != 0) {
    mc_req_finish(h->r, NULL);
    free(h);
  }
  return rc;
}
