#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "convert.h"
#include "handlers_internal.h"
#include "intake.h"
#include "log.h"
#include "session_mon.h"


int handlers__code_ok(const char *code) { return mc_dom_dossier_code(code) == MC_DOM_OK; }

int handlers__refuse(mc_fault *fault, int err, const char *field) {
  fault->field = field;
  return err;
}

int handlers__refuse_rule(mc_fault *fault, int err, const char *rule) {
  fault->rule = rule;
  return err;
}

/* ---- session-level messages -------------------------------------------- */

static int hello_identity(mc_session *s) {
  if (s->peer.role == MC_ROLE_ADMIN) return 0;
  if (s->peer.role != MC_ROLE_COMMUNE && s->peer.role != MC_ROLE_DISTRICT)
    return MC_EUNAUTH;
  s->unit = mc_server_unit(s->srv, s->peer.unit);
  /* The certificate's role must match the unit's role in the catalogue. */
  if (s->unit == NULL || s->unit->role != s->peer.role) return MC_EUNAUTH;
  return 0;
}

/* HelloReply.units: what this peer may name or see (mc_wf_units_visible). */
typedef struct hello_units {
  Motcua__UnitInfo *info;
  Motcua__UnitInfo **ptr;
  size_t n;
} hello_units;

static void hello_units_free(hello_units *h) {
  free(h->info);
  free(h->ptr);
}

static int hello_units_fill(const mc_session *s, hello_units *h) {
  const mc_server *srv = s->srv;
  const mc_unit **vis = calloc(srv->nunits + 1, sizeof *vis);
  h->info = calloc(srv->nunits + 1, sizeof *h->info);
  h->ptr = calloc(srv->nunits + 1, sizeof *h->ptr);
  int rc = vis != NULL && h->info != NULL && h->ptr != NULL ? 0 : MC_ENOMEM;
  h->n = rc == 0 ? mc_wf_units_visible(srv->units, srv->nunits, &s->actor, vis, srv->nunits) : 0;
  for (size_t i = 0; i < h->n; i++) {
    mc_pb_from_unit(&h->info[i], vis[i], srv->cfg.province);
    h->ptr[i] = &h->info[i];
  }
  free(vis);
  if (rc != 0) hello_units_free(h);
  return rc;
}

static int hello_reply(mc_session *s, uint64_t request_id) {
  hello_units units;
  int rc = hello_units_fill(s, &units);
  if (rc != 0) return rc;
  Motcua__HelloReply r = MOTCUA__HELLO_REPLY__INIT;
  r.protocol_version = MC_PROTOCOL_VERSION;
  r.server_version = MC_VERSION;
  r.unit_code = s->peer.unit;
  r.unit_name = s->unit != NULL ? (char *)s->unit->name : "Quản trị hệ thống";
  r.role = (Motcua__Role)s->peer.role;
  r.server_time_ms = mc_server_now_ms();
  r.heartbeat_s = (uint32_t)s->srv->cfg.heartbeat_s;
  r.max_frame = (uint32_t)s->srv->cfg.max_frame;
  r.utc_offset_min = (int32_t)s->srv->cfg.utc_offset_minutes;
  r.n_units = units.n;
  r.units = units.ptr;
  ENV_INIT(out, request_id, hello_reply, &r, MOTCUA__ENVELOPE__BODY_HELLO_REPLY);
  mc_session_enter(s, MC_SS_READY);
  mc_link_set_idle(s->link, (uint64_t)s->srv->cfg.idle_timeout_s * 1000); /* no hello deadline */
  char q[sizeof s->client_version];
  mc_log_info(s->id, "hello unit=%s role=%s client_version=\"%s\"", s->peer.unit,
              mc_role_name(s->peer.role), mc_log_quote(q, sizeof q, s->client_version));
  mc_session_reply(s, &out);
  hello_units_free(&units);
  return 0;
}

/* Room for one more authenticated link: max_connections in all (only
 * links past Hello count), max_connections_per_unit for the unit. A
 * refusal before Hello closes the link (dispatch.c). */
static int hello_room(mc_session *s, mc_fault *fault) {
  const mc_settings *c = &s->srv->cfg;
  if (s->srv->conns.ready >= (size_t)c->max_connections) {
    s->srv->conns.refused_ready++;
    mc_log_warn(s->id, "too many connections unit=%s max_connections=%ld", s->peer.unit,
                c->max_connections);
    return handlers__refuse_rule(fault, MC_EBUSY, "connections");
  }
  if (mc_session_count_ready(s->srv, s->peer.unit) >= (size_t)c->max_connections_per_unit) {
    mc_log_warn(s->id, "too many links for unit=%s max=%ld", s->peer.unit,
                c->max_connections_per_unit);
    return handlers__refuse_rule(fault, MC_EBUSY, "links per unit");
  }
  return 0;
}

int mc_handle_hello(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  const Motcua__Hello *h = env->hello;
  if (h->protocol_version != MC_PROTOCOL_VERSION) {
    char msg[96];
    snprintf(msg, sizeof msg, "server speaks protocol %d, client %u", MC_PROTOCOL_VERSION,
             h->protocol_version);
    mc_log_warn(s->id, "version mismatch client_protocol=%u", h->protocol_version);
    mc_session_error(s, env->request_id, MC_EVERSION, msg);
    mc_link_close(s->link, MC_EVERSION);
    return 0;
  }
  if (mc_val_client_version(s->client_version, sizeof s->client_version, h->client_version) != 0)
    return handlers__refuse(fault, MC_EINVAL, "client_version");
  int rc = hello_identity(s);
  if (rc != 0) return rc;
  if ((rc = hello_room(s, fault)) != 0) return rc;
  if ((rc = hello_reply(s, env->request_id)) != 0) return rc;
  mc_session_mon_ready(s, h->resident);
  return 0;
}

int mc_handle_ping(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  (void)fault;
  Motcua__Pong p = MOTCUA__PONG__INIT;
  p.sent_ms = env->ping->sent_ms;
  p.server_time_ms = mc_server_now_ms();
  ENV_INIT(out, env->request_id, pong, &p, MOTCUA__ENVELOPE__BODY_PONG);
  mc_session_reply(s, &out);
  return 0;
}

int mc_handle_pong(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  (void)fault;
  (void)env;
  if (s->ping_sent == 0) return 0; /* unsolicited: ignore */
  s->rtt_ms = (int64_t)(uv_now(s->srv->loop) - s->ping_sent);
  s->srtt_ms = s->srtt_ms == 0 ? s->rtt_ms : (7 * s->srtt_ms + s->rtt_ms) / 8;
  s->ping_sent = 0;
  mc_session_mon_rtt(s);
  return 0;
}

int mc_handle_goodbye(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  (void)fault;
  (void)env;
  if (s->link != NULL) mc_link_close(s->link, MC_OK);
  return 0;
}

int mc_handle_procedures(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  (void)fault;
  const mc_server *srv = s->srv;
  mc_pb_procedure *pv = calloc(srv->nprocs + 1, sizeof *pv);
  Motcua__Procedure **pp = calloc(srv->nprocs + 1, sizeof *pp);
  if (pv == NULL || pp == NULL) {
    free(pv);
    free(pp);
    return MC_ENOMEM;
  }
  for (size_t i = 0; i < srv->nprocs; i++) {
    mc_pb_from_procedure(&pv[i], &srv->procs[i]);
    pp[i] = &pv[i].p;
  }
  Motcua__ProceduresReply r = MOTCUA__PROCEDURES_REPLY__INIT;
  r.n_procedures = srv->nprocs;
  r.procedures = pp;
  ENV_INIT(out, env->request_id, procedures_reply, &r,
           MOTCUA__ENVELOPE__BODY_PROCEDURES_REPLY);
  mc_session_reply(s, &out);
  free(pp);
  free(pv);
  return 0;
}

/* ---- dossiers ----------------------------------------------------------- */

void handlers__reply_dossier(mc_req *r, const mc_dossier *d) {
  mc_pb_dossier pb;
  mc_pb_from_dossier(&pb, d, mc_server_now_ms());
  Motcua__DossierReply dr = MOTCUA__DOSSIER_REPLY__INIT;
  dr.dossier = &pb.d;
  ENV_INIT(out, r->id, dossier_reply, &dr, MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY);
  mc_req_finish(r, &out);
}

static void dossier_done_cb(void *arg, int err, const mc_dossier *d) {
  mc_req *r = arg;
  if (err != 0) mc_req_fail(r, err, NULL);
  else handlers__reply_dossier(r, d);
}

int handlers__start(mc_session *s, uint64_t id, mc_req **out) {
  *out = mc_req_start(s, id);
  return *out == NULL ? MC_ENOMEM : 0;
}

/* Submit helper: on a synchronous storage refusal the request is released
 * here and the error goes back to the dispatcher. */
int handlers__submitted(mc_req *r, int rc) {
  if (rc != 0) mc_req_finish(r, NULL);
  return rc;
}

/* Which procedures a unit may take in: a commune any (it forwards the
 * district-level ones); the centre only its own level. */
static int check_receive_level(const mc_session *s, const mc_procedure *p) {
  if (s->peer.role == MC_ROLE_DISTRICT && p->level != MC_LEVEL_DISTRICT)
    return MC_EWRONGLEVEL;
  return 0;
}

int mc_handle_receive(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  const char *field = NULL;
  mc_receive_fields f;
  int rc = mc_val_receive(env->receive, &f, &field);
  if (rc != 0) return handlers__refuse(fault, rc, field);
  const char *rule = NULL;
  if (s->who == NULL) return handlers__refuse(fault, MC_ELOGIN, "session_token");
  if ((rc = mc_wf_officer_may(MC_OP_RECEIVE, s->who->officer.roles, &rule)) != 0)
    return handlers__refuse_rule(fault, rc, rule);
  const mc_procedure *p = mc_server_procedure(s->srv, f.procedure_code);
  if (p == NULL) return handlers__refuse(fault, MC_ENOTFOUND, "procedure_code");
  if ((rc = check_receive_level(s, p)) != 0) return handlers__refuse(fault, rc, "procedure level");
  int missing;
  if ((rc = mc_intake_check(p, &f, &field, &missing)) != 0)
    return handlers__refuse(fault, rc, field);
  int64_t now = mc_server_now_ms(), due;
  mc_calendar cal;
  mc_server_calendar(s->srv, s->unit->code, &cal);
  if ((rc = mc_deadline(&cal, now, p->limit_value, p->limit_unit, &due)) != 0)
    return handlers__refuse(fault, rc, "procedure time limit");
  char day[7];
  mc_local_yymmdd(&s->srv->cal, now, day);
  char canon[MC_VAL_CANON_MAX];
  if (mc_val_receive_canon(&f, canon, sizeof canon) < 0)
    return handlers__refuse(fault, MC_ETOOBIG, "request");
  mc_receive_rec rec = {.idem_key = env->receive->idempotency_key, .unit_code = s->unit->code,
                        .agency_id = s->unit->agency_id, .day = day,
                        .procedure_code = p->code, .applicant = &f.applicant,
                        .channel = f.channel, .officer = s->who->officer.full_name,
                        .officer_id = s->who->officer.id,
                        .officer_title = s->who->officer.title, .received_at_ms = now,
                        .due_at_ms = due, .fingerprint = canon, .address = f.address,
                        .email = f.email, .sets = f.sets, .components = f.components,
                        .ncomponents = f.ncomponents, .missing_reason = f.missing_reason};
  mc_req *r;
  if ((rc = handlers__start(s, env->request_id, &r)) != 0) return rc;
  return handlers__submitted(r, mc_store_receive(s->srv->store, &rec, dossier_done_cb, r));
}

/* show: not visible and not existing look the same to the caller, so a
 * unit cannot probe another unit's codes. With an officer session the
 * reply names what that officer may do now (mc_wf_actions_now). */
typedef struct show_ctx {
  mc_req *r;
  unsigned officer_roles; /* 0: no session, no actions */
} show_ctx;

static void reply_show(mc_req *r, const mc_dossier *d, unsigned officer_roles) {
  int acts[MC_ACT_MAX];
  char *names[MC_ACT_MAX];
  size_t n = 0;
  if (officer_roles != 0 && r->s->unit != NULL) {
    mc_actor who = r->s->actor;
    who.officer_roles = officer_roles;
    n = mc_wf_actions_now(d, r->s->unit->parent, &who, acts, MC_ACT_MAX);
  }
  for (size_t i = 0; i < n; i++) names[i] = (char *)mc_action_command(acts[i]);
  mc_pb_dossier pb;
  mc_pb_from_dossier(&pb, d, mc_server_now_ms());
  Motcua__DossierReply dr = MOTCUA__DOSSIER_REPLY__INIT;
  dr.dossier = &pb.d;
  dr.n_actions = n;
  dr.actions = n > 0 ? names : NULL;
  ENV_INIT(out, r->id, dossier_reply, &dr, MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY);
  mc_req_finish(r, &out);
}

static void show_done_cb(void *arg, int err, const mc_dossier *d) {
  show_ctx *c = arg;
  mc_req *r = c->r;
  if (err == 0 && !mc_wf_can_see(d, &r->s->actor)) err = MC_ENOTFOUND;
  if (err != 0) mc_req_fail(r, err, "code");
  else reply_show(r, d, c->officer_roles);
  free(c);
}

int mc_handle_show(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  if (!handlers__code_ok(env->show->code)) return handlers__refuse(fault, MC_EINVAL, "code");
  show_ctx *c = calloc(1, sizeof *c);
  if (c == NULL) return MC_ENOMEM;
  c->officer_roles = s->who != NULL ? s->who->officer.roles : 0;
  int rc = handlers__start(s, env->request_id, &c->r);
  if (rc == 0) rc = mc_store_show(s->srv->store, env->show->code, show_done_cb, c);
  if (rc != 0) {
    if (c->r != NULL) mc_req_finish(c->r, NULL);
    free(c);
  }
  return rc;
}

size_t handlers__row_budget(const mc_session *s) {
  /* the smaller of this server's cap and the clients' (motcua's client
   * library reads frames up to MC_FRAME_MAX_DEFAULT whatever max_frame says) */
  size_t cap = (size_t)s->srv->cfg.max_frame;
  if (cap > MC_FRAME_MAX_DEFAULT) cap = MC_FRAME_MAX_DEFAULT;
  size_t room = 64 + MC_CURSOR_MAX; /* envelope, request id, total, flags, next */
  return cap > room ? cap - room : 0;
}

size_t handlers__embedded_size(size_t n) {
  size_t v = 1; /* varint bytes of the length */
  for (size_t x = n; x >= 0x80; x >>= 7) v++;
  return 1 + v + n;
}

/* How many of the n converted rows fit in budget bytes (issue 19). */
static size_t rows_that_fit(Motcua__Dossier *const *pp, size_t n, size_t budget) {
  size_t used = 0, k = 0;
  for (; k < n; k++) {
    size_t one = handlers__embedded_size(motcua__dossier__get_packed_size(pp[k]));
    if (used + one > budget) break;
    used += one;
  }
  return k;
}

/* A ListReply of the page (total/capped: ListRequest's count; 0 for a
 * search), cut before the frame cap: next = the cursor after the last row
 * sent, cut = 1 when rows were left out for the cap. Not even one row
 * fits: the error reply_too_large. */
static void page_reply(mc_req *r, const mc_page *pg, Motcua__Dossier **pp) {
  size_t k = rows_that_fit(pp, pg->n, handlers__row_budget(r->s));
  if (k == 0 && pg->n > 0) {
    mc_log_warn(r->s->id, "reply too large id=%llu row_over_cap=1", (unsigned long long)r->id);
    mc_req_fail(r, MC_EREPLYBIG, "max_frame");
    return;
  }
  char next[MC_CURSOR_MAX] = "";
  int cut = k < pg->n;
  if ((cut || pg->more) && k > 0 && mc_cursor_encode(&pg->cur[k - 1], next) != 0) next[0] = '\0';
  if (cut)
    mc_log_info(r->s->id, "page cut id=%llu rows=%zu of=%zu max_frame=%ld",
                (unsigned long long)r->id, k, pg->n, r->s->srv->cfg.max_frame);
  Motcua__ListReply lr = MOTCUA__LIST_REPLY__INIT;
  lr.n_dossiers = k;
  lr.dossiers = pp;
  lr.total = pg->total;
  lr.total_capped = pg->capped != 0;
  lr.next = next;
  lr.cut = cut;
  ENV_INIT(out, r->id, list_reply, &lr, MOTCUA__ENVELOPE__BODY_LIST_REPLY);
  mc_req_finish(r, &out);
}

void handlers__page_cb(void *arg, int err, const mc_page *pg) {
  mc_req *r = arg;
  size_t n = err == 0 ? pg->n : 0;
  mc_pb_dossier *pb = n > 0 ? calloc(n, sizeof *pb) : NULL;
  Motcua__Dossier **pp = n > 0 ? calloc(n, sizeof *pp) : NULL;
  if (err == 0 && n > 0 && (pb == NULL || pp == NULL)) err = MC_ENOMEM;
  if (err != 0) {
    free(pb);
    free(pp);
    mc_req_fail(r, err, NULL);
    return;
  }
  int64_t now = mc_server_now_ms();
  for (size_t i = 0; i < n; i++) {
    mc_pb_from_dossier(&pb[i], &pg->ds[i], now);
    pp[i] = &pb[i].d;
  }
  page_reply(r, pg, pp);
  free(pp);
  free(pb);
}
