#include "session_mon.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "monitor_server.h"

static void link_info(const mc_session *s, int resident, mc_mon_link_info *i) {
  memset(i, 0, sizeof *i);
  i->remote = mc_link_remote(s->link); /* the link outlives its monitor record */
  i->client_version = s->client_version;
  i->tls_version = mc_link_tls_version(s->link);
  i->cipher = mc_link_cipher(s->link);
  i->serial = s->peer.serial;
  i->not_after_ms = s->peer.not_after * 1000;
  i->resident = resident != 0;
}

void mc_session_mon_ready(mc_session *s, int resident) {
  if (s->link == NULL || s->mon != NULL) return;
  if (mc_mon_revoked(s->srv, s->peer.serial)) { /* handshake began before a reload */
    mc_session_close(s, MC_CLOSE_REVOKED, "certificate revoked");
    mc_mon_revoked_closed(s->srv, 1);
    return;
  }
  mc_mon_link_info info;
  link_info(s, resident, &info);
  s->mon = mc_mon_conn_open(s->srv, s->id, s->peer.unit, &info, mc_link_get_stats(s->link));
}

void mc_session_mon_frame(mc_session *s, const Motcua__Envelope *env) {
  Motcua__Envelope__BodyCase b = env->body_case;
  int req = b != MOTCUA__ENVELOPE__BODY_PING && b != MOTCUA__ENVELOPE__BODY_PONG &&
            b != MOTCUA__ENVELOPE__BODY_CLIENT_STATUS;
  mc_mon_conn_frame(s->srv, s->mon, req);
  mc_mon_meter_begin(&s->meter, (unsigned)b);
}

void mc_session_mon_dispatched(mc_session *s, int rc) { mc_mon_meter_end(s->srv, &s->meter, rc); }

void mc_session_mon_resume(mc_session *s, mc_req *held) {
  mc_monitor_meter_resume(&s->meter, &held->meter);
}

void mc_session_mon_uploads(mc_session *s, uint32_t n) { mc_mon_conn_uploads(s->srv, s->mon, n); }

void mc_session_mon_rtt(mc_session *s) { mc_mon_conn_rtt(s->srv, s->mon, s->rtt_ms); }

void mc_session_mon_outbox(mc_session *s, uint32_t depth) {
  mc_mon_conn_outbox(s->srv, s->mon, depth);
}

void mc_session_mon_closed(mc_session *s, mc_link *l, int reason) {
  mc_server *srv = s->srv;
  const mc_link_stats *st = mc_link_get_stats(l);
  int64_t now = mc_server_now_ms();
  int64_t opened = st->opened_ms ? now - (int64_t)(uv_now(srv->loop) - st->opened_ms) : now;
  int why = mc_close_why_from(reason, s->close_why, s->mon != NULL);
  mc_mon_close_info ci = {.unit = s->peer.unit, .remote = mc_link_remote(l),
                          .detail = reason == MC_OK ? "ok" : mc_errname(reason),
                          .why = why, .opened_ms = opened, .final = st};
  if (why != MC_CLOSE_QUIT || s->mon == NULL)
    mc_log_info(s->id, "link closed unit=%s reason=%s", s->peer.unit[0] ? s->peer.unit : "-",
                mc_close_why_name(why));
  mc_mon_conn_close(srv, s->mon, &ci);
  s->mon = NULL;
}
