/* MonitorRequest (admin only): the registry as a MonitorReply. Strings in
 * the reply point into the registry; it is sent before anything changes. */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "handlers_internal.h"
#include "monitor_server.h"
#include "session_mon.h"

typedef struct reply_mem {
  Motcua__UnitLink *u, **up;
  Motcua__ClosedLink *c, **cp;
  Motcua__Alert *a, **ap;
  char (*inst)[256];           /* each unit's instances */
} reply_mem;

static void mem_free(reply_mem *r) {
  free(r->u);
  free(r->up);
  free(r->c);
  free(r->cp);
  free(r->a);
  free(r->ap);
  free(r->inst);
}

static int mem_alloc(reply_mem *r, size_t nu, size_t nc, size_t na) {
  memset(r, 0, sizeof *r);
  r->u = calloc(nu + 1, sizeof *r->u);
  r->up = calloc(nu + 1, sizeof *r->up);
  r->c = calloc(nc + 1, sizeof *r->c);
  r->cp = calloc(nc + 1, sizeof *r->cp);
  r->a = calloc(na + 1, sizeof *r->a);
  r->ap = calloc(na + 1, sizeof *r->ap);
  r->inst = calloc(nu + 1, sizeof *r->inst);
  if (r->u && r->up && r->c && r->cp && r->a && r->ap && r->inst) return 0;
  mem_free(r);
  return MC_ENOMEM;
}

static char *s_(const char *s) { return (char *)(s != NULL ? s : ""); }

static void fill_link(Motcua__UnitLink *o, const mc_mon_conn *p) {
  if (p == NULL) return;
  o->remote = s_(p->info.remote);
  o->client_version = s_(p->info.client_version);
  o->tls_version = s_(p->info.tls_version);
  o->cipher = s_(p->info.cipher);
  o->cert_serial = s_(p->info.serial);
  o->cert_not_after_ms = p->info.not_after_ms;
}

static void fill_unit(Motcua__UnitLink *o, const mc_monitor *m, const mc_mon_view *v,
                      char inst[256]) {
  const mc_mon_unit *u = v->u;
  motcua__unit_link__init(o);
  o->unit = s_(u->code);
  o->name = s_(u->name);
  o->role = s_(mc_role_name((mc_role)u->role));
  o->online = v->online;
  o->state = s_(v->state);
  o->since_ms = v->since_ms;
  o->rtt_ms = v->rtt_ms;
  o->srtt_ms = u->srtt_ms;
  o->bytes_in = v->bytes_in;
  o->bytes_out = v->bytes_out;
  o->frames_in = v->frames_in;
  o->frames_out = v->frames_out;
  o->last_seen_ms = u->last_seen_ms;
  o->last_request_ms = u->last_request_ms;
  o->uploads = v->uploads;
  o->outbox_depth = u->outbox_depth;
  o->connections = v->links;
  mc_monitor_instances(m, v, inst, 256);
  o->instance = inst;
  o->last_close_reason = (Motcua__CloseReason)u->last_close;
  o->disconnects_1h = v->drops_1h;
  o->flapping = v->flapping;
  o->uptime_today_pct = u->uptime_today_pct;
  fill_link(o, v->primary);
}

static void fill_closed(Motcua__ClosedLink *o, const mc_mon_closed *e) {
  motcua__closed_link__init(o);
  o->unit = s_(e->unit);
  o->remote = s_(e->remote);
  o->opened_ms = e->opened_ms;
  o->closed_ms = e->closed_ms;
  o->reason = (Motcua__CloseReason)e->why;
  o->detail = s_(e->detail);
  o->bytes_in = e->bytes_in;
  o->bytes_out = e->bytes_out;
}

static void fill_alert(Motcua__Alert *o, const mc_mon_alert *a) {
  motcua__alert__init(o);
  o->kind = s_(a->kind);
  o->unit = s_(a->unit);
  o->message = s_(a->message);
  o->since_ms = a->since_ms;
  o->subject = s_(a->subject);
}

static void fill_reply(const mc_monitor *m, int64_t now, reply_mem *mem,
                       Motcua__MonitorReply *r) {
  for (size_t i = 0; i < m->nunits; i++) {
    mc_mon_view v;
    mc_monitor_view(m, &m->units[i], now, &v);
    fill_unit(&mem->u[i], m, &v, mem->inst[i]);
    mem->up[i] = &mem->u[i];
  }
  for (size_t k = 0; k < m->ring_count; k++) {
    fill_closed(&mem->c[k], &m->ring[(m->ring_next + MC_MON_RING - 1 - k) % MC_MON_RING]);
    mem->cp[k] = &mem->c[k];
  }
  for (size_t i = 0; i < m->nalerts; i++) {
    fill_alert(&mem->a[i], &m->alerts[i]);
    mem->ap[i] = &mem->a[i];
  }
  r->n_units = m->nunits;
  r->units = mem->up;
  r->n_recent_closed = m->ring_count;
  r->recent_closed = mem->cp;
  r->n_alerts = m->nalerts;
  r->alerts = mem->ap;
  r->server_time_ms = now;
  r->instance = s_(m->instance);
}

int mc_handle_monitor(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  (void)fault;
  const mc_monitor *m = mc_mon_registry(s->srv);
  if (m == NULL) return MC_EUNAVAIL;
  reply_mem mem;
  if (mem_alloc(&mem, m->nunits, m->ring_count, m->nalerts) != 0) return MC_ENOMEM;
  Motcua__MonitorReply r = MOTCUA__MONITOR_REPLY__INIT;
  fill_reply(m, mc_server_now_ms(), &mem, &r);
  ENV_INIT(out, env->request_id, monitor_reply, &r, MOTCUA__ENVELOPE__BODY_MONITOR_REPLY);
  mc_session_reply(s, &out);
  mem_free(&mem);
  return 0;
}

int mc_handle_client_status(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  (void)fault;
  mc_session_mon_outbox(s, env->client_status->outbox_depth);
  return 0;
}
