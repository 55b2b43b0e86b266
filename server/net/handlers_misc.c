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

typedef struct inbox_ctx {
  mc_req *r;
  int limit, mark_read;
  char unit[MC_LIM_UNIT_CODE + 1];
} inbox_ctx;

/* How many of the n events fit in the frame cap (issue 19). */
static size_t events_that_fit(Motcua__DossierEvent *const *pp, size_t n, size_t budget) {
  size_t used = 0, k = 0;
  for (; k < n; k++) {
    size_t one = handlers__embedded_size(motcua__dossier_event__get_packed_size(pp[k]));
    if (used + one > budget) break;
    used += one;
  }
  return k;
}

/* Taken entries the cut left out: unread again, so the next call has them. */
static void inbox_give_back(inbox_ctx *q, const mc_event *ev, size_t from, size_t n) {
  uint64_t *ids = calloc(n - from, sizeof *ids);
  int rc = ids == NULL ? MC_ENOMEM : 0;
  for (size_t i = from; ids != NULL && i < n; i++) ids[i - from] = ev[i].id;
  if (rc == 0) rc = mc_store_inbox_unread(q->r->s->srv->store, q->unit, ids, n - from, NULL, NULL);
  if (rc != 0)
    mc_log_error(q->r->s->id, "inbox give back failed err=%s entries=%zu", mc_errname(rc),
                 n - from);
  free(ids);
}

/* The page: at most limit events (the lookahead says whether more
 * follow), cut before the frame cap; next = the cursor after the last one
 * sent when more follow (peek), "" when reading (the next call takes the
 * oldest unread again). */
static void inbox_reply(inbox_ctx *q, const mc_event *ev, size_t n, Motcua__DossierEvent **pp) {
  mc_req *r = q->r;
  size_t page = n > (size_t)q->limit ? (size_t)q->limit : n;
  size_t k = events_that_fit(pp, page, handlers__row_budget(r->s));
  if (q->mark_read && k < n) inbox_give_back(q, ev, k, n);
  if (k == 0 && page > 0) {
    mc_log_warn(r->s->id, "reply too large id=%llu inbox", (unsigned long long)r->id);
    return mc_req_fail(r, MC_EREPLYBIG, "max_frame");
  }
  char next[MC_CURSOR_MAX] = "";
  mc_cursor c = {.kind = MC_CURSOR_INBOX, .id = k > 0 ? (int64_t)ev[k - 1].id : 0};
  if (!q->mark_read && k < n && mc_cursor_encode(&c, next) != 0) next[0] = '\0';
  Motcua__InboxReply ir = MOTCUA__INBOX_REPLY__INIT;
  ir.n_events = k;
  ir.events = pp;
  ir.next = next;
  ir.cut = k < page;
  ENV_INIT(out, r->id, inbox_reply, &ir, MOTCUA__ENVELOPE__BODY_INBOX_REPLY);
  mc_req_finish(r, &out);
}

static void inbox_done_cb(void *arg, int err, const mc_event *ev, size_t n) {
  inbox_ctx *q = arg;
  mc_pb_event *pv = err == 0 && n ? calloc(n, sizeof *pv) : NULL;
  Motcua__DossierEvent **pp = err == 0 && n ? calloc(n, sizeof *pp) : NULL;
  if (err == 0 && n > 0 && (pv == NULL || pp == NULL)) err = MC_ENOMEM;
  if (err != 0) {
    if (q->mark_read && n > 0) inbox_give_back(q, ev, 0, n);
    mc_req_fail(q->r, err, NULL);
  } else {
    int64_t now = mc_server_now_ms();
    for (size_t i = 0; i < n; i++) {
      mc_pb_from_event(&pv[i], &ev[i], now);
      pp[i] = &pv[i].e;
    }
    inbox_reply(q, ev, n, pp);
  }
  free(pp);
  free(pv);
  free(q);
}

/* An event another instance made (server/server_notify.c): pushed like the ones
 * made here (handlers_action.c), with its inbox id. */
void mc_handle_push_event(mc_server *srv, const char *unit, const mc_event *ev) {
  mc_pb_event pv;
  mc_pb_from_event(&pv, ev, mc_server_now_ms());
  ENV_INIT(out, 0, dossier_event, &pv.e, MOTCUA__ENVELOPE__BODY_DOSSIER_EVENT);
  mc_session_push(srv, unit, &out);
}

int mc_handle_linked(mc_server *srv, const char *unit) {
  return mc_session_count_ready(srv, unit) > 0;
}

int mc_handle_inbox(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  const char *field = NULL;
  mc_cursor after;
  int limit, rc = mc_val_inbox(env->inbox, &limit, &after, &field);
  if (rc != 0) return handlers__refuse(fault, rc, field);
  inbox_ctx *q = calloc(1, sizeof *q);
  if (q == NULL) return MC_ENOMEM;
  q->limit = limit;
  q->mark_read = env->inbox->mark_read;
  snprintf(q->unit, sizeof q->unit, "%s", s->unit->code);
  rc = handlers__start(s, env->request_id, &q->r);
  /* peek: one more than the page, to know whether another follows */
  if (rc == 0)
    rc = mc_store_inbox(s->srv->store, q->unit, q->mark_read, after.id,
                        q->mark_read ? limit : limit + 1, inbox_done_cb, q);
  if (rc != 0) {
    if (q->r != NULL) mc_req_finish(q->r, NULL);
    free(q);
  }
  return rc;
}

/* ---- search ------------------------------------------------------------- */

int mc_handle_search(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  char text[MC_SEARCH_MAX];
  const char *field = NULL;
  mc_cursor after;
  int limit, rc = mc_val_search(env->search, text, &limit, &after, &field);
  if (rc != 0) return handlers__refuse(fault, rc, field);
  mc_req *r;
  if ((rc = handlers__start(s, env->request_id, &r)) != 0) return rc;
  return handlers__submitted(r, mc_store_search(s->srv->store, s->peer.unit, text, limit,
                                                &after, handlers__page_cb, r));
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
