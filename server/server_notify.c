/* What other server instances changed (issue 18, docs/SCALE.md): the
 * storage's listening connection hands over PostgreSQL notifications
 * (migration 019) and this file acts on them.
 *   mc_inbox  "<unit> <inbox id>": an event for a unit; if the unit has a
 *             link on this instance and another instance made the change,
 *             load the entry and push it (the net hook event_cb);
 *   mc_config "<table>": the catalogue, calendar or office hours changed:
 *             reload them, at most once per NOTIFY_DEBOUNCE_MS;
 *   (none)    the listening connection came back: anything may have been
 *             missed, so reload the caches (inbox entries stay unread in
 *             PostgreSQL and reach the unit at its next inbox read).
 * The CRL is a file every instance reads: its change is seen by polling it
 * (uv_fs_poll) and applied as a SIGHUP would. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "server.h"
#include "store.h"

#define NOTIFY_DEBOUNCE_MS 200
#define CRL_POLL_MS 2000

typedef struct push_ctx {
  mc_server *srv;
  char unit[MC_UNIT_CODE_MAX];
} push_ctx;

static void event_loaded_cb(void *arg, int err, const mc_event *ev, size_t n) {
  push_ctx *p = arg;
  if (err != 0)
    mc_log_warn(0, "event of another instance not loaded unit=%s err=%s", p->unit, mc_errname(err));
  else if (n == 1 && p->srv->hooks.event_cb != NULL && !p->srv->shutting_down)
    p->srv->hooks.event_cb(p->srv, p->unit, ev);
  free(p);
}

/* "<unit> <id>", both bounded; anything else is ignored with a log line. */
static int parse_inbox(const char *payload, char *unit, size_t unit_size, uint64_t *id) {
  const char *sp = strchr(payload, ' ');
  if (sp == NULL || sp == payload || (size_t)(sp - payload) >= unit_size) return MC_EINVAL;
  char *end = NULL;
  unsigned long long v = strtoull(sp + 1, &end, 10);
  if (end == sp + 1 || *end != '\0' || v == 0 || v > INT64_MAX) return MC_EINVAL;
  memcpy(unit, payload, (size_t)(sp - payload));
  unit[sp - payload] = '\0';
  *id = v;
  return 0;
}

static void on_inbox(mc_server *srv, const char *payload) {
  char unit[MC_UNIT_CODE_MAX];
  uint64_t id;
  if (parse_inbox(payload, unit, sizeof unit, &id) != 0) {
    mc_log_warn(0, "notification mc_inbox ignored: unexpected payload");
    return;
  }
  if (srv->hooks.linked_cb == NULL || !srv->hooks.linked_cb(srv, unit)) return;
  push_ctx *p = calloc(1, sizeof *p);
  if (p == NULL) return;
  p->srv = srv;
  memcpy(p->unit, unit, sizeof unit);
  int rc = mc_store_inbox_event(srv->store, id, unit, event_loaded_cb, p);
  if (rc != 0) {
    mc_log_warn(0, "event of another instance not loaded unit=%s err=%s", unit, mc_errname(rc));
    free(p);
  }
}

static void reload_caches_cb(uv_timer_t *t) {
  mc_server *srv = t->data;
  if (srv->shutting_down) return;
  mc_log_info(0, "caches reloaded: another instance changed them");
  mc_server_reload_catalog(srv);
  mc_server_reload_calendar(srv);
}

void mc_server_notify_cb(void *arg, const char *channel, const char *payload, int own) {
  mc_server *srv = arg;
  if (srv->shutting_down) return;
  if (channel == NULL) {
    /* the first connect is the start: the caches are being loaded anyway */
    if (srv->notify_connected++ == 0) return;
  } else if (strcmp(channel, "mc_inbox") == 0) {
    if (!own && payload != NULL) on_inbox(srv, payload);
    return;
  } else if (strcmp(channel, "mc_config") != 0 || own) {
    return; /* our own change: the handler reloaded already */
  }
  if (!uv_is_active((uv_handle_t *)&srv->notify_timer))
    uv_timer_start(&srv->notify_timer, reload_caches_cb, NOTIFY_DEBOUNCE_MS, 0);
}

static void crl_changed_cb(uv_fs_poll_t *h, int status, const uv_stat_t *prev,
                           const uv_stat_t *curr) {
  (void)prev;
  (void)curr;
  mc_server *srv = h->data;
  if (status < 0 || srv->shutting_down) return;
  mc_log_info(0, "CRL file changed: reloading as at SIGHUP");
  mc_server_reload(srv);
}

void mc_server_notify_start(mc_server *srv) {
  uv_timer_init(srv->loop, &srv->notify_timer);
  srv->notify_timer.data = srv;
  uv_fs_poll_init(srv->loop, &srv->crl_poll);
  srv->crl_poll.data = srv;
  if (srv->cfg.tls_crl[0] != '\0')
    uv_fs_poll_start(&srv->crl_poll, crl_changed_cb, srv->cfg.tls_crl, CRL_POLL_MS);
}

void mc_server_notify_stop(mc_server *srv) {
  if (srv->notify_timer.loop == NULL) return;
  uv_timer_stop(&srv->notify_timer);
  uv_fs_poll_stop(&srv->crl_poll);
  uv_close((uv_handle_t *)&srv->notify_timer, NULL);
  uv_close((uv_handle_t *)&srv->crl_poll, NULL);
}
