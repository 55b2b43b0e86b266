/* ReportRequest (issue 17, docs/REPORTS.md): validated dates and grouping
 * -> the units the caller may report on (mc_report_scope) -> one storage
 * statement (at most max_reports at once, under report_timeout_ms) ->
 * the counts checked (mc_report_check) -> figures -> ReportReply. A read:
 * the certificate's unit and role decide; no citizen data. */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "handlers_internal.h"
#include "log.h"
#include "report.h"
#include "workflow.h"

#define DAY_MS 86400000LL

typedef struct report_req {
  mc_req *r;
  mc_server *srv;
  int by;
  char from[11], to[11];
  const char **units; /* codes, pointing into the server's catalogue copy below */
  char (*codes)[MC_UNIT_CODE_MAX];
  size_t nunits;
} report_req;

static void rr_free(report_req *q) {
  if (q == NULL) return;
  free(q->units);
  free(q->codes);
  free(q);
}

/* ---- the reply ------------------------------------------------------------ */

typedef struct pb_row {
  Motcua__ReportRow row;
  Motcua__ReportFigure fig[MC_RF__COUNT];
  Motcua__ReportFigure *figp[MC_RF__COUNT];
} pb_row;

static void fill_counts(Motcua__ReportRow *o, const mc_report_row *r) {
  const int64_t *c = r->c;
  o->carried_over = c[MC_RC_CARRIED];
  o->received_direct = c[MC_RC_RECV_DIRECT];
  o->received_online = c[MC_RC_RECV_ONLINE];
  o->received_postal = c[MC_RC_RECV_POSTAL];
  o->resolved_early = c[MC_RC_EARLY];
  o->resolved_on_time = c[MC_RC_ON_TIME];
  o->resolved_late = c[MC_RC_LATE];
  o->pending_within = c[MC_RC_PENDING_WITHIN];
  o->pending_overdue = c[MC_RC_PENDING_OVERDUE];
  o->returned = c[MC_RC_RETURNED];
  o->withdrawn = c[MC_RC_WITHDRAWN];
  o->refused = c[MC_RC_REFUSED];
  o->stopped = c[MC_RC_STOPPED];
  o->supplement_requested = c[MC_RC_SUPPLEMENT];
  o->ended_in_time = c[MC_RC_ENDED_IN_TIME];
  o->with_scans = c[MC_RC_WITH_SCANS];
  o->unsatisfied = c[MC_RC_UNSATISFIED];
  o->resolve_seconds = c[MC_RC_RESOLVE_SECONDS];
  o->handled = c[MC_RC_HANDLED];
}

/* Strings point into r and the static formula table: valid while r is. */
static void fill_row(pb_row *p, const mc_report_row *r) {
  mc_report_figure f[MC_RF__COUNT];
  motcua__report_row__init(&p->row);
  p->row.key = (char *)r->key;
  p->row.name = (char *)r->name;
  p->row.total = r->total;
  fill_counts(&p->row, r);
  mc_report_figures(r, f);
  for (int i = 0; i < MC_RF__COUNT; i++) {
    motcua__report_figure__init(&p->fig[i]);
    p->fig[i].name = (char *)f[i].name;
    p->fig[i].formula = (char *)f[i].formula;
    p->fig[i].numerator = f[i].num;
    p->fig[i].denominator = f[i].den;
    p->fig[i].value = f[i].value;
    p->figp[i] = &p->fig[i];
  }
  p->row.n_figures = MC_RF__COUNT;
  p->row.figures = p->figp;
}

static int send_reply(report_req *q, const mc_report_row *rows, size_t n,
                      const mc_report_row *total) {
  pb_row *pb = calloc(n + 1, sizeof *pb);
  Motcua__ReportRow **pp = calloc(n + 1, sizeof *pp);
  if (pb == NULL || pp == NULL) {
    free(pb);
    free(pp);
    return MC_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    fill_row(&pb[i], &rows[i]);
    pp[i] = &pb[i].row;
  }
  fill_row(&pb[n], total);
  Motcua__ReportReply rep = MOTCUA__REPORT_REPLY__INIT;
  rep.from_date = q->from;
  rep.to_date = q->to;
  rep.by = (Motcua__ReportBy)q->by;
  rep.n_units = q->nunits;
  rep.units = (char **)q->units;
  rep.n_rows = n;
  rep.rows = pp;
  rep.total = &pb[n].row;
  rep.server_time_ms = mc_server_now_ms();
  ENV_INIT(out, q->r->id, report_reply, &rep, MOTCUA__ENVELOPE__BODY_REPORT_REPLY);
  mc_req_finish(q->r, &out);
  free(pp);
  free(pb);
  return 0;
}

static void report_done_cb(void *arg, int err, const mc_report_row *rows, size_t n,
                           const mc_report_row *total) {
  report_req *q = arg;
  const char *why = NULL;
  q->srv->reports_running--;
  if (err == 0 && (err = mc_report_check(rows, n, total, &why)) != 0)
    mc_log_error(q->r->s->id, "report counts do not add up: %s (by=%s from=%s to=%s)", why,
                 mc_report_by_name(q->by), q->from, q->to);
  if (err == 0) err = send_reply(q, rows, n, total);
  if (err != 0) mc_req_fail(q->r, err, err == MC_ETIMEOUT ? "report_timeout_ms" : NULL);
  rr_free(q);
}

/* ---- the request ----------------------------------------------------------- */

static int take_scope(report_req *q, mc_session *s, const char *only) {
  const mc_server *srv = s->srv;
  const mc_unit **sel = calloc(srv->nunits + 1, sizeof *sel);
  if (sel == NULL) return MC_ENOMEM;
  size_t n = 0;
  int rc = mc_report_scope(srv->units, srv->nunits, &s->actor, only, sel, srv->nunits, &n);
  if (rc == 0 && n == 0) rc = MC_EFORBIDDEN;
  if (rc == 0) {
    q->codes = calloc(n, sizeof *q->codes);
    q->units = calloc(n, sizeof *q->units);
    if (q->codes == NULL || q->units == NULL) rc = MC_ENOMEM;
  }
  for (size_t i = 0; rc == 0 && i < n; i++) {
    memcpy(q->codes[i], sel[i]->code, sizeof q->codes[i]);
    q->units[i] = q->codes[i];
  }
  q->nunits = rc == 0 ? n : 0;
  free(sel);
  return rc;
}

/* Dates and grouping; the period [from 00:00, to + 1 day 00:00) local. */
static int take_period(const Motcua__ReportRequest *m, const mc_calendar *cal, report_req *q,
                       mc_report_query *rq, mc_fault *fault) {
  int32_t d0, d1;
  if (mc_report_parse_date(m->from_date, &d0) != 0)
    return handlers__refuse(fault, MC_EINVAL, "from_date");
  if (mc_report_parse_date(m->to_date, &d1) != 0 || d1 < d0 ||
      d1 - d0 >= MC_REPORT_MAX_DAYS)
    return handlers__refuse(fault, MC_EINVAL, "to_date");
  if (mc_report_by_name((int)m->by) == NULL) return handlers__refuse(fault, MC_EINVAL, "by");
  memcpy(q->from, m->from_date, 11);
  memcpy(q->to, m->to_date, 11);
  q->by = (int)m->by;
  rq->from_ms = mc_local_ms(cal, d0, 0);
  rq->to_ms = mc_local_ms(cal, d1 + 1, 0);
  rq->offset_min = cal->utc_offset_min;
  rq->by = q->by;
  return 0;
}

int mc_handle_report(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  const Motcua__ReportRequest *m = env->report;
  mc_server *srv = s->srv;
  char only[MC_UNIT_CODE_MAX];
  if (mc_val_str(only, sizeof only, m->unit, 0) != 0)
    return handlers__refuse(fault, MC_EINVAL, "unit");
  report_req *q = calloc(1, sizeof *q);
  if (q == NULL) return MC_ENOMEM;
  mc_report_query rq = {.now_ms = mc_server_now_ms(),
                        .timeout_ms = (int)srv->cfg.report_timeout_ms};
  int rc = take_period(m, &srv->cal, q, &rq, fault);
  if (rc == 0 && (rc = take_scope(q, s, only)) == MC_EFORBIDDEN)
    handlers__refuse_rule(fault, rc, "report.scope");
  if (rc == 0 && srv->reports_running >= srv->cfg.max_reports)
    rc = handlers__refuse_rule(fault, MC_EBUSY, "reports");
  if (rc == 0) rc = handlers__start(s, env->request_id, &q->r);
  if (rc != 0) {
    rr_free(q);
    return rc;
  }
  q->srv = srv;
  rq.units = q->units;
  rq.nunits = q->nunits;
  /* the reports' own pool (a standby, db_report_conninfo) when configured */
  rc = mc_store_report(srv->report_store != NULL ? srv->report_store : srv->store, &rq,
                       report_done_cb, q);
  if (rc != 0) {
    mc_req_finish(q->r, NULL);
    rr_free(q);
    return rc;
  }
  srv->reports_running++;
  mc_log_info(s->id, "report unit=%s by=%s from=%s to=%s units=%zu", s->peer.unit,
              mc_report_by_name(q->by), q->from, q->to, q->nunits);
  return 0;
}
