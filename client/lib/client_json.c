/* The JSON form of a client event (motcua_client.h mc_client_event_json):
 * one line per event of `motcua watch --json`, one server-sent event of the
 * desk's live view. */
#include "error.h"
#include "motcua_client.h"
#include "render.h"

/* A pushed envelope: the inbox form of a dossier event plus "event" and
 * the arrival time; a refusal; a goodbye; anything else by name. */
static json_t *push_json(const Motcua__Envelope *e, json_t *at, int lang) {
  if (e->body_case == MOTCUA__ENVELOPE__BODY_DOSSIER_EVENT && e->dossier_event->dossier) {
    json_t *o = mc_render_event_json(e->dossier_event, lang);
    if (o == NULL) return json_decref(at), NULL;
    json_object_set(o, "event_at", json_object_get(o, "at"));
    json_object_set_new(o, "at", at);
    json_object_set_new(o, "event", json_string("dossier"));
    json_object_set_new(o, "kind_name",
                        json_string(mc_render_action_label(lang, e->dossier_event->kind)));
    return o;
  }
  if (e->body_case == MOTCUA__ENVELOPE__BODY_ERROR) {
    int err = mc_err_from_wire(e->error->code);
    return json_pack("{s:s, s:o, s:s, s:s}", "event", "error", "at", at, "code",
                     mc_errname(err), "message", mc_msg(lang, mc_msg_for_err(err)));
  }
  if (e->body_case == MOTCUA__ENVELOPE__BODY_GOODBYE)
    return json_pack("{s:s, s:o, s:s}", "event", "goodbye", "at", at, "reason",
                     e->goodbye->reason);
  return json_pack("{s:s, s:o}", "event", mc_body_name(e->body_case), "at", at);
}

json_t *mc_client_event_json(mc_client *c, const mc_client_event *ev, int lang) {
  const mc_client_info *i = mc_client_get_info(c);
  json_t *at = mc_render_time_json(mc_client_now_ms());
  switch (ev->kind) {
  case MC_CLIENT_EV_CONNECTED:
    return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s}", "event", "connected", "at", at,
                     "server", mc_client_target(c), "server_version", i->server_version,
                     "unit", i->unit_code, "unit_name", i->unit_name);
  case MC_CLIENT_EV_DISCONNECTED:
    return json_pack("{s:s, s:o, s:s, s:s, s:i, s:I}", "event", "disconnected", "at", at,
                     "code", mc_errname(ev->err), "message", ev->errmsg ? ev->errmsg : "",
                     "attempt", (int)ev->attempt, "retry_in_ms", (json_int_t)ev->retry_in_ms);
  case MC_CLIENT_EV_PONG:
    return json_pack("{s:s, s:o, s:I}", "event", "pong", "at", at, "rtt_ms",
                     (json_int_t)ev->rtt_ms);
  case MC_CLIENT_EV_PUSH:
    break;
  }
  return push_json(ev->env, at, lang);
}
