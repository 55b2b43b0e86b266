/* The unit's register (form 06, RegisterRequest) and its office hours
 * (HoursRequest): issue 14. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "convert.h"
#include "handlers.h"
#include "handlers_internal.h"
#include "log.h"

/* ---- register ----------------------------------------------------------- */

typedef struct register_ctx {
  mc_req *r;
  int limit; /* rows answered; one more was asked to know if a page follows */
} register_ctx;

static void register_reply(register_ctx *x, const mc_dossier *ds, size_t n) {
  size_t shown = n > (size_t)x->limit ? (size_t)x->limit : n;
  mc_pb_dossier *pb = shown > 0 ? calloc(shown, sizeof *pb) : NULL;
  Motcua__Dossier **pp = shown > 0 ? calloc(shown, sizeof *pp) : NULL;
  if (shown > 0 && (pb == NULL || pp == NULL)) {
    free(pb);
    free(pp);
    return mc_req_fail(x->r, MC_ENOMEM, NULL);
  }
  int64_t now = mc_server_now_ms();
  for (size_t i = 0; i < shown; i++) {
    mc_pb_from_dossier(&pb[i], &ds[i], now);
    pp[i] = &pb[i].d;
  }
  char cursor[32] = "";
  if (n > shown)
    snprintf(cursor, sizeof cursor, "%04d:%d", ds[shown - 1].register_year,
             ds[shown - 1].register_no);
  Motcua__RegisterReply rr = MOTCUA__REGISTER_REPLY__INIT;
  rr.n_dossiers = shown;
  rr.dossiers = pp;
  rr.next_cursor = cursor;
  ENV_INIT(out, x->r->id, register_reply, &rr, MOTCUA__ENVELOPE__BODY_REGISTER_REPLY);
  mc_req_finish(x->r, &out);
  free(pp);
  free(pb);
}

static void register_done_cb(void *arg, int err, const mc_dossier *ds, size_t n) {
  register_ctx *x = arg;
  if (err != 0) mc_req_fail(x->r, err, NULL);
  else register_reply(x, ds, n);
  free(x);
}

/* The caller's own dossiers received in the period (local days of the
 * server's zone), a page at a time. */
int mc_handle_register(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  mc_register_query q;
  const char *field = NULL;
  int rc = mc_val_register(env->register_request, &q, &field);
  if (rc != 0) return handlers__refuse(fault, rc, field);
  mc_calendar cal;
  mc_server_calendar(s->srv, s->unit->code, &cal);
  mc_register_page page = {.unit = s->unit->code,
                           .from_ms = mc_local_ms(&cal, q.from_day, 0),
                           .to_ms = mc_local_ms(&cal, q.to_day + 1, 0),
                           .after_year = q.after_year, .after_no = q.after_no,
                           .limit = q.limit + 1};
  register_ctx *x = calloc(1, sizeof *x);
  if (x == NULL) return MC_ENOMEM;
  x->limit = q.limit;
  if ((rc = handlers__start(s, env->request_id, &x->r)) != 0) return free(x), rc;
  rc = mc_store_register(s->srv->store, &page, register_done_cb, x);
  if (rc != 0) {
    mc_req_finish(x->r, NULL);
    free(x);
  }
  return rc;
}

/* ---- office hours ------------------------------------------------------- */

typedef struct pb_hours {
  Motcua__OfficeHours h;
  char from[8], t[4][8];
} pb_hours;

static void pb_from_hours(pb_hours *out, const mc_work_hours *in) {
  const int v[4] = {in->am_start, in->am_end, in->pm_start, in->pm_end};
  motcua__office_hours__init(&out->h);
  snprintf(out->from, sizeof out->from, "%02d-%02d", (in->valid_from / 100) % 100,
           in->valid_from % 100);
  for (int k = 0; k < 4; k++)
    snprintf(out->t[k], sizeof out->t[k], "%02d:%02d", (v[k] / 60) % 24, v[k] % 60);
  out->h.valid_from = out->from;
  out->h.am_start = out->t[0];
  out->h.am_end = out->t[1];
  out->h.pm_start = out->t[2];
  out->h.pm_end = out->t[3];
  out->h.name = (char *)in->name;
}

/* HoursReply{unit, rows}: finishes r, or (r NULL) answers request id of s
 * at once (no storage). */
static void hours_reply(mc_session *s, mc_req *r, uint64_t id, const char *unit,
                        const mc_work_hours *rows, size_t n, int is_default) {
  pb_hours pv[MC_HOURS_SCHEDULES * 4];
  Motcua__OfficeHours *pp[MC_HOURS_SCHEDULES * 4];
  if (n > sizeof pv / sizeof pv[0]) n = sizeof pv / sizeof pv[0];
  for (size_t i = 0; i < n; i++) {
    pb_from_hours(&pv[i], &rows[i]);
    pp[i] = &pv[i].h;
  }
  Motcua__HoursReply hr = MOTCUA__HOURS_REPLY__INIT;
  hr.unit_code = (char *)unit;
  hr.n_hours = n;
  hr.hours = n > 0 ? pp : NULL;
  hr.is_default = is_default;
  ENV_INIT(out, id, hours_reply, &hr, MOTCUA__ENVELOPE__BODY_HOURS_REPLY);
  if (r != NULL) mc_req_finish(r, &out);
  else mc_session_reply(s, &out);
}

/* The schedules in force for unit (NULL: the default's): its own rows,
 * else the default ones (unit "", sorted first). */
static void hours_of(const mc_server *srv, const char *unit, const mc_work_hours **rows,
                     size_t *n, int *is_default) {
  size_t i = 0, j, k = 0;
  while (unit != NULL && i < srv->nhours && strcmp(srv->hours[i].unit, unit) != 0) i++;
  for (j = i; unit != NULL && j < srv->nhours && strcmp(srv->hours[j].unit, unit) == 0;) j++;
  while (k < srv->nhours && srv->hours[k].unit[0] == '\0') k++;
  *is_default = j == i;
  *rows = j > i ? &srv->hours[i] : srv->hours;
  *n = j > i ? j - i : k;
}

/* Who may read (see) / change a unit's hours, by certificate role: admin
 * any unit; a centre itself and the units under it; a commune itself
 * (reading: also its centre). */
static int hours_allowed(const mc_session *s, const mc_unit *u, int change) {
  if (s->peer.role == MC_ROLE_ADMIN) return 1;
  if (strcmp(u->code, s->peer.unit) == 0) return 1;
  if (s->peer.role == MC_ROLE_DISTRICT) return strcmp(u->parent, s->peer.unit) == 0;
  return !change && s->unit != NULL && strcmp(s->unit->parent, u->code) == 0;
}

typedef struct hours_ctx {
  mc_req *r;
  char unit[MC_UNIT_CODE_MAX];
  mc_work_hours rows[MC_HOURS_SCHEDULES];
  size_t n;
} hours_ctx;

/* After a change: reload the server's hours (deadlines use them from the
 * next request on), then answer with what the unit now has. */
static void hours_set_cb(void *arg, int err) {
  hours_ctx *h = arg;
  mc_server *srv = h->r->s->srv;
  if (err != 0) {
    mc_req_fail(h->r, err, "hours");
  } else {
    mc_log_info(h->r->s->id, "office hours changed unit=%s by unit=%s schedules=%zu", h->unit,
                h->r->s->peer.unit, h->n);
    mc_server_reload_calendar(srv);
    const mc_work_hours *rows = h->rows;
    size_t n = h->n;
    int is_default = 0;
    if (n == 0) hours_of(srv, NULL, &rows, &n, &is_default);
    hours_reply(h->r->s, h->r, h->r->id, h->unit, rows, n, is_default);
  }
  free(h);
}

/* SET: the unit's own schedules replaced, then the server's hours reloaded. */
static int hours_set(mc_session *s, const Motcua__Envelope *env, const mc_unit *u,
                     const mc_work_hours *rows, size_t n) {
  hours_ctx *h = calloc(1, sizeof *h);
  if (h == NULL) return MC_ENOMEM;
  snprintf(h->unit, sizeof h->unit, "%s", u->code);
  memcpy(h->rows, rows, n * sizeof *rows);
  h->n = n;
  int rc = handlers__start(s, env->request_id, &h->r);
  if (rc != 0) return free(h), rc;
  rc = mc_store_hours_set(s->srv->store, h->unit, h->rows, n, hours_set_cb, h);
  if (rc != 0) {
    mc_req_finish(h->r, NULL);
    free(h);
  }
  return rc;
}

int mc_handle_hours(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  char unit[MC_UNIT_CODE_MAX];
  mc_work_hours rows[MC_HOURS_SCHEDULES];
  size_t n;
  const char *field = NULL;
  int rc = mc_val_hours(env->hours, unit, rows, &n, &field);
  if (rc != 0) return handlers__refuse(fault, rc, field);
  int change = env->hours->op == MOTCUA__HOURS_REQUEST__OP__SET;
  if (unit[0] == '\0' && s->peer.role == MC_ROLE_ADMIN)
    return handlers__refuse(fault, MC_EINVAL, "unit_code");
  const mc_unit *u = mc_server_unit(s->srv, unit[0] ? unit : s->peer.unit);
  if (u == NULL || !hours_allowed(s, u, 0)) return handlers__refuse(fault, MC_ENOTFOUND, "unit_code");
  /* SET is a change (docs/PROTOCOL.md "Officers"): it passed the session
   * gate (auth.c), and the session's officer must hold the calendar role
   * (unit administrator; IT: an admin-unit session) before the
   * certificate's check. */
  const char *rule = NULL;
  if (change && (rc = s->who == NULL ? MC_ELOGIN
                                     : mc_wf_officer_may(MC_OP_CALENDAR, s->who->officer.roles,
                                                         &rule)) != 0)
    return handlers__refuse_rule(fault, rc, rule != NULL ? rule : "session_token");
  if (change && !hours_allowed(s, u, 1))
    return handlers__refuse_rule(fault, MC_EFORBIDDEN,
                                 "rule.role: only the unit itself, its centre or IT staff "
                                 "may change its office hours");
  if (change) return hours_set(s, env, u, rows, n);
  const mc_work_hours *cur;
  int is_default;
  hours_of(s->srv, u->code, &cur, &n, &is_default);
  hours_reply(s, NULL, env->request_id, u->code, cur, n, is_default);
  return 0;
}
