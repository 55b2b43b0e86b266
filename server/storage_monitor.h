/* Link history in PostgreSQL (server/sql/005_monitor.sql): storage
 * operations of the monitor, on storage__exec. Same contract as every
 * mc_store_* call: 0 means cb fires exactly once, later. */
#ifndef MC_STORAGE_MONITOR_H
#define MC_STORAGE_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include "storage.h"

typedef struct mc_link_event {
  int64_t at_ms;
  const char *unit;
  int connect;            /* 1 connect, 0 disconnect */
  const char *reason;     /* disconnect: mc_close_why_name() */
  int64_t boot_ms;
  uint64_t conn_id;
  const char *remote, *client_version;
  uint64_t bytes_in, bytes_out;
} mc_link_event;

typedef void (*mc_store_ack_cb)(void *arg, int err);
int mc_store_link_event(mc_store *s, const mc_link_event *ev, mc_store_ack_cb cb, void *arg);

/* Record that this server run (boot_ms) is alive now (upsert). */
int mc_store_server_alive(mc_store *s, int64_t boot_ms, int64_t now_ms, mc_store_ack_cb cb,
                          void *arg);

typedef struct mc_uptime_row {
  char unit[32];
  char day[11];           /* YYYY-MM-DD */
  int64_t online_s;
  double pct;             /* -1 = not computable (the day has not started) */
  int64_t disconnects;
} mc_uptime_row;
typedef void (*mc_store_uptime_cb)(void *arg, int err, const mc_uptime_row *rows, size_t n);
/* Local days [from, to] as "YYYY-MM-DD". */
int mc_store_link_uptime(mc_store *s, const char *from, const char *to, int offset_min,
                         mc_store_uptime_cb cb, void *arg);

/* Dossiers forwarded to holder and still waiting there in status 2. */
typedef struct mc_waiting_row {
  char code[48];
  char from_unit[32];
  int64_t forwarded_ms;
} mc_waiting_row;
typedef void (*mc_store_waiting_cb)(void *arg, int err, const mc_waiting_row *rows, size_t n);
int mc_store_forwards_waiting(mc_store *s, const char *holder, int limit,
                              mc_store_waiting_cb cb, void *arg);

#endif
