/* The desk's HTTP shell: libmicrohttpd driven by the desk's libuv loop
 * (MHD_USE_EPOLL, its epoll fd polled by a uv_poll, a timer from
 * MHD_get_timeout, as server/monitor/http.c), long polls suspended
 * (MHD_ALLOW_SUSPEND_RESUME). Checks every request before its body is read:
 * Host, Sec-Fetch-Site, Origin and the session/CSRF of a change. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "desk_internal.h"
#include "error.h"
#include "log.h"

#define POLL_MS 1000u
#define CONN_LIMIT 64u
#define CONN_TIMEOUT_S 60u

typedef struct conn {
  struct conn *next_wait;
  desk_http *h;
  struct MHD_Connection *mc;
  int method;
  char path[520];
  desk_kv q[DESK_QUERY_MAX];
  size_t nq;
  char qbuf[2048];
  size_t qused;
  int refused;     /* a response was queued on the first call */
  int suspended, resumed;
  int64_t deadline_ms;
  char *body;
  size_t len;
  int too_large;
  int upload_fd;
  char upload_dir[300], upload_path[600];
  uint64_t upload_len;
} conn;

struct desk_http {
  desk *d;
  struct MHD_Daemon *mhd;
  uv_poll_t poll;
  uv_timer_t timer;
  int port;
  int closing, pending_closes;
  conn *waiters;
  char *tls_cert, *tls_key;
};

static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

static void arm(desk_http *h);

static void run_mhd(desk_http *h) {
  if (h->closing) return;
  MHD_run(h->mhd);
  arm(h);
  desk_client_arm(h->d);
}

static void poll_cb(uv_poll_t *p, int status, int events) {
  (void)status;
  (void)events;
  run_mhd(p->data);
}

static void expire_waiters(desk_http *h, int all) {
  int64_t now = mc_client_now_ms();
  for (conn *c = h->waiters; c != NULL; c = c->next_wait)
    if (c->suspended && (all || now >= c->deadline_ms)) {
      c->suspended = 0;
      c->resumed = 1;
      MHD_resume_connection(c->mc);
    }
}

static void timer_cb(uv_timer_t *t) {
  desk_http *h = t->data;
  expire_waiters(h, 0);
  run_mhd(h);
}

static void arm(desk_http *h) {
  MHD_UNSIGNED_LONG_LONG ms = POLL_MS;
  if (MHD_get_timeout(h->mhd, &ms) != MHD_YES || ms > POLL_MS) ms = POLL_MS;
  uv_timer_start(&h->timer, timer_cb, (uint64_t)ms, 0);
}

void desk_http_wake(desk_http *h) {
  if (h == NULL || h->closing) return;
  expire_waiters(h, 1);
  run_mhd(h);
}

int desk_http_port(const desk_http *h) { return h->port; }

/* ---- responses ----------------------------------------------------------- */

static void common_headers(desk_http *h, struct MHD_Response *resp, const desk_reply *r) {
  MHD_add_response_header(resp, "Content-Type",
                          r->content_type ? r->content_type : "application/json; charset=utf-8");
  MHD_add_response_header(resp, "Cache-Control", "no-store");
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(resp, "Content-Security-Policy", csp);
  if (h->d->tls) MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
  if (r->disposition[0]) MHD_add_response_header(resp, "Content-Disposition", r->disposition);
  if (r->set_cookie[0]) MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
  if (r->clear_site) MHD_add_response_header(resp, "Clear-Site-Data", "\"cache\", \"storage\"");
}

static struct MHD_Response *make_response(desk_reply *r) {
  if (r->json != NULL) {
    char *s = json_dumps(r->json, JSON_COMPACT);
    json_decref(r->json);
    r->json = NULL;
    if (s == NULL) return NULL;
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) free(s);
    return resp;
  }
  if (r->fd >= 0) {
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)r->len, r->fd);
    if (resp == NULL) close(r->fd);
    r->fd = -1;
    return resp;
  }
  if (r->body != NULL) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) free(r->body);
    r->body = NULL;
    return resp;
  }
  return MHD_create_response_from_buffer(r->static_body ? r->len : 0,
                                         (void *)(r->static_body ? (const void *)r->static_body : ""),
                                         MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result send_reply(desk_http *h, conn *c, desk_reply *r) {
  struct MHD_Response *resp = make_response(r);
  if (resp == NULL) return MHD_NO;
  common_headers(h, resp, r);
  enum MHD_Result ret = MHD_queue_response(c->mc, (unsigned)r->status, resp);
  MHD_destroy_response(resp);
  return ret;
}

static enum MHD_Result refuse(desk_http *h, conn *c, int status, const char *code,
                              enum mc_msg msg, const char *field) {
  desk_reply r = {.fd = -1};
  /* one log line: no citizen data, no secret, only what was refused */
  mc_log_warn(0, "desk: refused %s status=%d code=%s", c->path[0] ? c->path : "?", status, code);
  desk_api_error(h->d, h->d->lang, &r, status, code, msg, field);
  c->refused = 1;
  return send_reply(h, c, &r);
}

/* ---- requests ------------------------------------------------------------ */

static enum MHD_Result query_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value) {
  conn *c = cls;
  (void)kind;
  if (c->nq >= DESK_QUERY_MAX || key == NULL) return MHD_YES;
  size_t kl = strlen(key) + 1, vl = (value ? strlen(value) : 0) + 1;
  if (c->qused + kl + vl > sizeof c->qbuf) return MHD_YES;
  char *k = c->qbuf + c->qused;
  memcpy(k, key, kl);
  char *v = k + kl;
  memcpy(v, value ? value : "", vl);
  c->qused += kl + vl;
  c->q[c->nq++] = (desk_kv){k, v};
  return MHD_YES;
}

static const char *header(conn *c, const char *name) {
  return MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, name);
}

static desk_session *session_of(desk_http *h, conn *c, char *cookie, size_t size) {
  const char *ch = header(c, "Cookie");
  if (ch == NULL || !desk_cookie_get(ch, DESK_COOKIE, cookie, size)) {
    cookie[0] = '\0';
    return NULL;
  }
  return desk_sessions_find(&h->d->sessions, cookie, mc_client_now_ms());
}

/* Everything checkable from the headers. 0, or a refusal queued. */
static int first_checks(desk_http *h, conn *c, enum MHD_Result *ret) {
  desk_req r;
  desk_req_error e;
  char cookie[DESK_SECRET_HEX + 8];
  const char *host = header(c, "Host");
  if (host == NULL || !mc_http_host_allowed(&h->d->hosts, host))
    return *ret = refuse(h, c, 421, "bad_host", MSG_DESK_ERR_HOST, NULL), -1;
  if (!desk_fetch_site_ok(header(c, "Sec-Fetch-Site")))
    return *ret = refuse(h, c, 403, "cross_site", MSG_DESK_ERR_ORIGIN, NULL), -1;
  int rc = desk_req_parse(c->method, c->path, c->q, c->nq, NULL, 0, &r, &e);
  int mutating = r.mutating, needs_login = r.needs_login, route = r.route;
  desk_req_free(&r);
  if (rc != 0) return *ret = refuse(h, c, e.status, e.code, e.msg, e.field), -1;
  if (mutating && !desk_origin_ok(&h->d->hosts, h->d->tls, header(c, "Origin")))
    return *ret = refuse(h, c, 403, "bad_origin", MSG_DESK_ERR_ORIGIN, NULL), -1;
  desk_session *s = session_of(h, c, cookie, sizeof cookie);
  if (needs_login && s == NULL)
    return *ret = refuse(h, c, 401, "login_required", MSG_DESK_ERR_LOGIN_REQUIRED, NULL), -1;
  if (mutating && route != DESK_R_LOGIN && s != NULL && !desk_csrf_ok(s, header(c, "X-CSRF-Token")))
    return *ret = refuse(h, c, 403, "csrf", MSG_DESK_ERR_CSRF, NULL), -1;
  if (route == DESK_R_UPLOAD) {
    snprintf(c->upload_dir, sizeof c->upload_dir, "%s/uXXXXXX", h->d->tmpdir);
    if (mkdtemp(c->upload_dir) == NULL) {
      c->upload_dir[0] = '\0';
      return *ret = refuse(h, c, 500, "internal", MSG_DESK_ERR_INTERNAL, NULL), -1;
    }
  }
  return 0;
}

static int take_upload(conn *c, const char *data, size_t n) {
  if (c->upload_len + n > DESK_UPLOAD_MAX) return c->too_large = 1, 0;
  if (c->upload_fd < 0) {
    snprintf(c->upload_path, sizeof c->upload_path, "%s/upload.part", c->upload_dir);
    c->upload_fd = open(c->upload_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (c->upload_fd < 0) return -1;
  }
  while (n > 0) {
    ssize_t w = write(c->upload_fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    data += w, n -= (size_t)w, c->upload_len += (uint64_t)w;
  }
  return 0;
}

static int take_body(conn *c, const char *data, size_t n) {
  if (c->len + n > DESK_JSON_MAX) return c->too_large = 1, 0;
  char *b = realloc(c->body, c->len + n + 1);
  if (b == NULL) return -1;
  memcpy(b + c->len, data, n);
  c->body = b;
  c->len += n;
  return 0;
}

static void wait_add(desk_http *h, conn *c) {
  c->suspended = 1;
  c->deadline_ms = mc_client_now_ms() + DESK_POLL_MS;
  c->next_wait = h->waiters;
  h->waiters = c;
  MHD_suspend_connection(c->mc);
}

static void wait_remove(desk_http *h, conn *c) {
  for (conn **p = &h->waiters; *p != NULL; p = &(*p)->next_wait)
    if (*p == c) {
      *p = c->next_wait;
      return;
    }
}

static enum MHD_Result final_call(desk_http *h, conn *c) {
  desk_req r;
  desk_req_error e;
  desk_reply out = {.fd = -1};
  char cookie[DESK_SECRET_HEX + 8];
  if (c->too_large) return refuse(h, c, 413, "too_large", MSG_DESK_ERR_TOO_LARGE, NULL);
  if (c->upload_fd >= 0) {
    close(c->upload_fd);
    c->upload_fd = -1;
  }
  if (desk_req_parse(c->method, c->path, c->q, c->nq, c->body ? c->body : "", c->len, &r, &e) != 0) {
    desk_req_free(&r);
    return refuse(h, c, e.status, e.code, e.msg, e.field);
  }
  desk_session *s = session_of(h, c, cookie, sizeof cookie);
  if (r.needs_login && s == NULL) { /* ended meanwhile */
    desk_req_free(&r);
    return refuse(h, c, 401, "login_required", MSG_DESK_ERR_LOGIN_REQUIRED, NULL);
  }
  desk_api_handle(h->d, &r, &s, cookie, c->upload_path[0] ? c->upload_path : NULL,
                  c->upload_len, &out);
  desk_req_free(&r);
  if (out.suspend && !c->resumed) { /* no event yet: wait (resumed: answer what there is) */
    json_decref(out.json);
    wait_add(h, c);
    return MHD_YES;
  }
  return send_reply(h, c, &out);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *mc, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_size, void **state) {
  desk_http *h = cls;
  conn *c = *state;
  (void)version;
  if (c == NULL) {
    c = calloc(1, sizeof *c);
    if (c == NULL) return MHD_NO;
    *state = c;
    c->h = h;
    c->mc = mc;
    c->upload_fd = -1;
    c->method = desk_method_parse(method);
    snprintf(c->path, sizeof c->path, "%s", strlen(url) < sizeof c->path ? url : "/?");
    MHD_get_connection_values(mc, MHD_GET_ARGUMENT_KIND, query_cb, c);
    enum MHD_Result ret = MHD_YES;
    if (first_checks(h, c, &ret) != 0) return ret;
    return MHD_YES;
  }
  if (c->refused) {
    *upload_size = 0; /* answered already: the rest of the body is dropped */
    return MHD_YES;
  }
  if (*upload_size != 0) {
    int rc = c->upload_dir[0] ? take_upload(c, upload_data, *upload_size)
                              : take_body(c, upload_data, *upload_size);
    *upload_size = 0;
    if (rc != 0) return refuse(h, c, 500, "internal", MSG_DESK_ERR_INTERNAL, NULL);
    return MHD_YES;
  }
  return final_call(h, c);
}

static void completed_cb(void *cls, struct MHD_Connection *mc, void **state,
                         enum MHD_RequestTerminationCode toe) {
  desk_http *h = cls;
  conn *c = *state;
  (void)mc;
  (void)toe;
  if (c == NULL) return;
  wait_remove(h, c);
  if (c->upload_fd >= 0) close(c->upload_fd);
  if (c->upload_path[0]) unlink(c->upload_path);
  if (c->upload_dir[0]) rmdir(c->upload_dir);
  free(c->body);
  free(c);
  *state = NULL;
}

/* ---- start / stop -------------------------------------------------------- */

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long n;
  if (f == NULL) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < (1 << 20) &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
      free(buf);
      buf = NULL;
    } else {
      buf[n] = '\0';
    }
  }
  fclose(f);
  return buf;
}

static struct MHD_Daemon *daemon_start(desk_http *h, const struct sockaddr *sa, int v6) {
  unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
  if (v6) flags |= MHD_USE_IPv6;
  if (h->tls_cert != NULL) {
    flags |= MHD_USE_TLS;
    return MHD_start_daemon(flags, 0, NULL, NULL, access_cb, h, MHD_OPTION_EXTERNAL_LOGGER,
                            mc_log_mhd, (void *)"desk http", MHD_OPTION_SOCK_ADDR, sa,
                            MHD_OPTION_NOTIFY_COMPLETED, completed_cb, h,
                            MHD_OPTION_CONNECTION_LIMIT, CONN_LIMIT,
                            MHD_OPTION_CONNECTION_TIMEOUT, CONN_TIMEOUT_S,
                            MHD_OPTION_HTTPS_MEM_CERT, h->tls_cert, MHD_OPTION_HTTPS_MEM_KEY,
                            h->tls_key, MHD_OPTION_END);
  }
  return MHD_start_daemon(flags, 0, NULL, NULL, access_cb, h, MHD_OPTION_EXTERNAL_LOGGER,
                          mc_log_mhd, (void *)"desk http", MHD_OPTION_SOCK_ADDR, sa,
                          MHD_OPTION_NOTIFY_COMPLETED, completed_cb, h,
                          MHD_OPTION_CONNECTION_LIMIT, CONN_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
                          CONN_TIMEOUT_S, MHD_OPTION_END);
}

static int bound_port(struct MHD_Daemon *d) {
  const union MHD_DaemonInfo *i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  return i != NULL ? (int)i->port : -1;
}

int desk_http_start(desk *d, const char *host, int port, char *err, size_t errlen) {
  struct sockaddr_storage sa;
  desk_http *h = calloc(1, sizeof *h);
  if (h == NULL) return snprintf(err, errlen, "out of memory"), MC_ENOMEM;
  h->d = d;
  memset(&sa, 0, sizeof sa);
  int v6 = 0;
  if (uv_ip4_addr(host, port, (struct sockaddr_in *)&sa) != 0) {
    if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)&sa) != 0) {
      free(h);
      return snprintf(err, errlen, "not an IP address: %s", host), MC_ECONFIG;
    }
    v6 = 1;
  }
  if (d->tls) {
    h->tls_cert = read_file(d->cfg.desk_tls_cert);
    h->tls_key = read_file(d->cfg.desk_tls_key);
    if (h->tls_cert == NULL || h->tls_key == NULL) {
      snprintf(err, errlen, "cannot read desk_tls_cert/desk_tls_key");
      desk_http_free(h);
      return MC_ECONFIG;
    }
  }
  h->mhd = daemon_start(h, (struct sockaddr *)&sa, v6);
  const union MHD_DaemonInfo *info =
      h->mhd ? MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
  if (info == NULL || uv_poll_init(&d->loop, &h->poll, info->epoll_fd) != 0) {
    snprintf(err, errlen, "cannot listen on %s:%d (taken, or not an address of this machine)",
             host, port);
    if (h->mhd != NULL) MHD_stop_daemon(h->mhd);
    h->mhd = NULL;
    desk_http_free(h);
    return MC_EIO;
  }
  h->port = bound_port(h->mhd);
  uv_timer_init(&d->loop, &h->timer);
  h->poll.data = h->timer.data = h;
  uv_poll_start(&h->poll, UV_READABLE, poll_cb);
  arm(h);
  d->http = h;
  return MC_OK;
}

static void closed_cb(uv_handle_t *hd) {
  desk_http *h = hd->data;
  if (--h->pending_closes > 0) return;
  desk_http_free(h);
}

void desk_http_stop(desk_http *h) {
  if (h == NULL || h->closing) return;
  expire_waiters(h, 1); /* suspended connections must be resumed before the stop */
  MHD_run(h->mhd);
  h->closing = 1;
  h->pending_closes = 2;
  uv_close((uv_handle_t *)&h->poll, closed_cb);
  uv_close((uv_handle_t *)&h->timer, closed_cb);
}

void desk_http_free(desk_http *h) {
  if (h == NULL) return;
  if (h->mhd != NULL) MHD_stop_daemon(h->mhd);
  if (h->tls_key != NULL) {
    memset(h->tls_key, 0, strlen(h->tls_key));
    free(h->tls_key);
  }
  free(h->tls_cert);
  free(h);
}
