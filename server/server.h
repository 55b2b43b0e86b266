/* The server object shared by the server's modules: settings, the TLS
 * context, the storage handle, the catalogue cache and the live sessions.
 * Only main.c creates and destroys it. */
#ifndef MC_SERVER_H
#define MC_SERVER_H

#include <stdint.h>
#include <uv.h>

#include "frame.h"
#include "model.h"
#include "settings.h"
#include "storage.h"
#include "workflow.h"

typedef struct mc_session mc_session;

typedef struct mc_server {
  uv_loop_t *loop;
  mc_settings cfg;
  SSL_CTX *tls;
  mc_store *store;
  uv_tcp_t listener;
  uv_timer_t heartbeat;
  uv_signal_t sig[3]; /* SIGINT, SIGTERM, SIGHUP */
  mc_session *sessions; /* doubly linked, newest first */
  size_t nsessions;
  uint64_t next_conn_id;
  mc_unit *units;
  size_t nunits;
  mc_procedure *procs;
  size_t nprocs;
  mc_calendar cal;
  int32_t *holidays; /* storage behind cal (sorted local day numbers) */
  int32_t *workdays;
  int listening;
  int shutting_down;
  struct mc_mon_state *mon; /* monitor_server.c: registry, HTTP, alerts */
} mc_server;

/* The one clock of the server (CLOCK_REALTIME, so libfaketime applies). */
int64_t mc_server_now_ms(void);

const mc_unit *mc_server_unit(const mc_server *srv, const char *code);
const mc_procedure *mc_server_procedure(const mc_server *srv, const char *code);

/* Reload the working-day calendar from storage (asynchronously). */
void mc_server_reload_calendar(mc_server *srv);

/* Send env to every ready session of unit_code. */
void mc_server_push(mc_server *srv, const char *unit_code, const Motcua__Envelope *env);

#endif
