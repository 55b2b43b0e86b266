/* The server object's hooks (server.h), filled from net/ and monitor/. */
#include "net.h"

#include <stdio.h>

#include "auth.h"
#include "error.h"
#include "dispatch.h"
#include "handlers.h"
#include "monitor_server.h"
#include "session.h"

static int start_cb(mc_server *srv, char *err, size_t errlen) {
  int rc = mc_session_init(srv);
  if (rc == 0) rc = mc_auth_init(srv);
  if (rc != 0) {
    snprintf(err, errlen, "sessions: %s", mc_strerror(rc));
    return rc;
  }
  mc_files_start(srv);
  rc = mc_mon_init(srv);
  if (rc != 0) snprintf(err, errlen, "monitor: %s", mc_strerror(rc));
  return rc;
}

static void free_cb(mc_server *srv) {
  mc_mon_free(srv);
  mc_session_fini(srv);
  mc_auth_fini(srv);
}

static void stop_cb(mc_server *srv) {
  mc_mon_shutdown(srv);
  mc_session_close_all(srv, "server shutdown");
  mc_files_stop(srv);
}

static const mc_server_hooks net_hooks = {
    .start_cb = start_cb,
    .catalog_cb = mc_mon_catalog,
    .accept_cb = mc_session_accept,
    .heartbeat_cb = mc_session_heartbeat,
    .reload_cb = mc_mon_reload,
    .close_cb = mc_session_close_where,
    .stop_cb = stop_cb,
    .free_cb = free_cb,
};

void mc_net_install(mc_server *srv) {
  srv->hooks = net_hooks;
  srv->hooks.sweep = mc_files_sweep_cbs;
}
