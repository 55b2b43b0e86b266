/* Admin HTTP listener: libmicrohttpd run inside the server's libuv loop
 * (MHD_USE_EPOLL without a thread of its own; its epoll fd is watched with
 * a uv_poll_t, MHD_run() on readiness and on a timer re-armed after every
 * run: MHD_get_timeout's deadline, else MC_HTTP_POLL_MS, so that a listen
 * socket MHD took out of its set at the connection limit is always taken
 * back), so routes read the server's state directly, with no locks. GET
 * and HEAD only; bodies are produced whole by the route callback.
 * Bounds: MC_HTTP_MAX_CONNECTIONS at once, MC_HTTP_PER_IP of them per
 * client address, MC_HTTP_TIMEOUT_S without progress closes one; a Host
 * header outside the allow-list (http_host.h) gets 421 before routing. */
#ifndef MC_HTTP_H
#define MC_HTTP_H

#include <stddef.h>
#include <uv.h>

typedef struct mc_http mc_http;

typedef struct mc_http_reply {
  int status;               /* 200, 404, 503, ... */
  const char *content_type;
  char *body;               /* malloc'd (freed by the listener), or NULL */
  const char *static_body;  /* used when body is NULL (not freed) */
  size_t len;
} mc_http_reply;

/* Fill *r for path (query string removed). */
typedef void (*mc_http_route_fn)(void *arg, const char *path, mc_http_reply *r);

#define MC_HTTP_MAX_CONNECTIONS 128
#define MC_HTTP_PER_IP 16
#define MC_HTTP_TIMEOUT_S 10
#define MC_HTTP_POLL_MS 1000

typedef struct mc_http_opts {
  const char *host;          /* numeric IPv4 or IPv6 address to listen on */
  int port;
  const char *allowed_hosts; /* extra Host names (comma or blank separated), or NULL */
} mc_http_opts;

/* Listen on o->host:o->port. err explains a failure. */
int mc_http_start(uv_loop_t *loop, const mc_http_opts *o, mc_http_route_fn route, void *arg,
                  mc_http **out, char *err, size_t errlen);

/* Stop the daemon and close the handles; done_cb (may be NULL) runs once
 * the handles are closed and the object is freed. */
void mc_http_stop(mc_http *h, void (*done_cb)(void *arg), void *arg);

#endif
