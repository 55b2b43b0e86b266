/* motcua desk (issue 16, docs/DESK.md): the officers' web screen, served by
 * the unit's thin client. One thread, one outer libuv loop: libmicrohttpd
 * in it (external epoll mode), the client library's private loop polled
 * from it (mc_client_watch_start + mc_client_pump), officer sessions in
 * memory. Never prints; logs with common/log.h. */
#ifndef MC_DESK_H
#define MC_DESK_H

#include <stddef.h>

#include "motcua_client.h"

typedef struct mc_desk_opts {
  const mc_client_config *cfg; /* the unit's client configuration */
  const char *listen;          /* "ADDR:PORT"; NULL = cfg->desk_listen */
  int port;                    /* >= 0: overrides the port (0 = any free port); -1 = keep */
  int lang;                    /* MC_LANG_VI / MC_LANG_EN: before a session picks one */
} mc_desk_opts;

/* Called once the screen listens: its URL and the unit's code. */
typedef void (*mc_desk_ready_fn)(const char *url, const char *unit, void *ud);

/* Serve until SIGINT/SIGTERM: MC_OK. MC_ECONFIG (bad address, TLS files
 * missing for a LAN address, unusable client files), MC_EIO (cannot
 * listen: port taken), MC_EREVOKED (the server refused the certificate as
 * revoked); err says which (English, for the log). */
int mc_desk_run(const mc_desk_opts *o, mc_desk_ready_fn ready, void *ud, char *err,
                size_t errlen);

#endif
