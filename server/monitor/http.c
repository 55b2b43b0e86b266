/* The admin HTTP shell (http.h): libmicrohttpd driven by the libuv loop. */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "error.h"
#include "http_host.h"
#include "log.h"

struct mc_http {
  struct MHD_Daemon *d;
  mc_http_hosts hosts;
  uv_poll_t poll;
  uv_timer_t timer;
  mc_http_route_fn route;
  void *arg;
  int closing;
  int pending_closes;
  void (*done_cb)(void *arg);
  void *done_arg;
};

static void arm(mc_http *h);

static void run_mhd(mc_http *h) {
  if (h->closing) return;
  MHD_run(h->d);
  arm(h);
}

static void poll_cb(uv_poll_t *p, int status, int events) {
  (void)status;
  (void)events;
  run_mhd(p->data);
}

static void timer_cb(uv_timer_t *t) { run_mhd(t->data); }

/* Wake up again after every run: at MHD's deadline (connection timeouts,
 * responses ready without new input), and at the latest after
 * MC_HTTP_POLL_MS even when MHD_get_timeout reports none. At the
 * connection limit MHD takes the listen socket out of its epoll set and
 * puts it back only in a later MHD_run once a connection is gone: the
 * closing connection's own events may all be consumed by the run that
 * frees it, so without this periodic run the listener would stay deaf
 * (finding B4). */
static void arm(mc_http *h) {
  MHD_UNSIGNED_LONG_LONG ms = MC_HTTP_POLL_MS;
  if (MHD_get_timeout(h->d, &ms) != MHD_YES || ms > MC_HTTP_POLL_MS) ms = MC_HTTP_POLL_MS;
  uv_timer_start(&h->timer, timer_cb, (uint64_t)ms, 0);
}

/* ---- requests ------------------------------------------------------------ */

static const char csp[] =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'";

static struct MHD_Response *make_response(mc_http_reply *r) {
  struct MHD_Response *resp;
  if (r->body != NULL) {
    resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) free(r->body);
  } else {
    const char *b = r->static_body ? r->static_body : "";
    resp = MHD_create_response_from_buffer(r->static_body ? r->len : 0, (void *)b,
                                           MHD_RESPMEM_PERSISTENT);
  }
  if (resp == NULL) return NULL;
  MHD_add_response_header(resp, "Content-Type",
                          r->content_type ? r->content_type : "text/plain; charset=utf-8");
  MHD_add_response_header(resp, "Cache-Control", "no-store");
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "Content-Security-Policy", csp);
  return resp;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text) {
  mc_http_reply r = {.status = (int)status, .static_body = text, .len = strlen(text)};
  struct MHD_Response *resp = make_response(&r);
  if (resp == NULL) return MHD_NO;
  enum MHD_Result ret = MHD_queue_response(c, status, resp);
  MHD_destroy_response(resp);
  return ret;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_size, void **state) {
  mc_http *h = cls;
  (void)version;
  (void)upload_data;
  const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
  if (!mc_http_host_allowed(&h->hosts, host)) {
    mc_log_warn(0, "http: request refused, Host not allowed (DNS rebinding guard)");
    return reply_text(c, 421, "misdirected request: Host not allowed\n");
  }
  if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
    return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
  if (*state == NULL) { /* first call: headers only */
    *state = h;
    return MHD_YES;
  }
  if (*upload_size != 0) return reply_text(c, MHD_HTTP_BAD_REQUEST, "no body expected\n");
  mc_http_reply r = {.status = 404, .static_body = "not found\n", .len = 10};
  h->route(h->arg, url, &r);
  struct MHD_Response *resp = make_response(&r);
  if (resp == NULL) return MHD_NO;
  enum MHD_Result ret = MHD_queue_response(c, (unsigned)r.status, resp);
  MHD_destroy_response(resp);
  return ret;
}

/* ---- start / stop -------------------------------------------------------- */

static int make_addr(const char *host, int port, struct sockaddr_storage *sa) {
  memset(sa, 0, sizeof *sa);
  if (uv_ip4_addr(host, port, (struct sockaddr_in *)sa) == 0) return 0;
  if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)sa) == 0) return 0;
  return MC_ECONFIG;
}

static struct MHD_Daemon *daemon_start(mc_http *h, const char *host, int port) {
  static struct sockaddr_storage sa; /* MHD reads it during MHD_start_daemon only */
  if (make_addr(host, port, &sa) != 0) return NULL;
  unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
  if (sa.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
  /* The logger first: MHD warns about options given before it. */
  return MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, access_cb, h,
                          MHD_OPTION_EXTERNAL_LOGGER, mc_log_mhd, (void *)"http",
                          MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                          MHD_OPTION_CONNECTION_LIMIT, (unsigned)MC_HTTP_MAX_CONNECTIONS,
                          MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)MC_HTTP_PER_IP,
                          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)MC_HTTP_TIMEOUT_S,
                          MHD_OPTION_END);
}

int mc_http_start(uv_loop_t *loop, const mc_http_opts *o, mc_http_route_fn route, void *arg,
                  mc_http **out, char *err, size_t errlen) {
  const char *host = o->host;
  int port = o->port;
  mc_http *h = calloc(1, sizeof *h);
  *out = NULL;
  if (h == NULL) return snprintf(err, errlen, "out of memory"), MC_ENOMEM;
  if (mc_http_hosts_init(&h->hosts, host, port, o->allowed_hosts) != 0) {
    snprintf(err, errlen, "http_allowed_hosts: more than %d names or a name over %d bytes",
             MC_HTTP_HOSTS_MAX - 4, MC_HTTP_HOST_LEN);
    free(h);
    return MC_ECONFIG;
  }
  h->route = route;
  h->arg = arg;
  h->d = daemon_start(h, host, port);
  const union MHD_DaemonInfo *info =
      h->d ? MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
  if (info == NULL || uv_poll_init(loop, &h->poll, info->epoll_fd) != 0) {
    snprintf(err, errlen, "cannot listen for HTTP on %s:%d", host, port);
    if (h->d != NULL) MHD_stop_daemon(h->d);
    free(h);
    return MC_EIO;
  }
  uv_timer_init(loop, &h->timer);
  h->poll.data = h->timer.data = h;
  uv_poll_start(&h->poll, UV_READABLE, poll_cb);
  arm(h);
  *out = h;
  return 0;
}

static void closed_cb(uv_handle_t *hd) {
  mc_http *h = hd->data;
  if (--h->pending_closes > 0) return;
  void (*cb)(void *) = h->done_cb;
  void *arg = h->done_arg;
  free(h);
  if (cb != NULL) cb(arg);
}

void mc_http_stop(mc_http *h, void (*done_cb)(void *arg), void *arg) {
  if (h == NULL || h->closing) return;
  h->closing = 1;
  h->done_cb = done_cb;
  h->done_arg = arg;
  h->pending_closes = 2;
  uv_close((uv_handle_t *)&h->poll, closed_cb); /* removes the epoll fd from the loop */
  uv_close((uv_handle_t *)&h->timer, closed_cb);
  MHD_stop_daemon(h->d);
  h->d = NULL;
}
