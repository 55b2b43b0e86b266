/* tlsconn: bare TLS stream on libuv through memory BIOs (see tlsconn.h). */
#include "tlsconn.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>

struct tc_conn {
  uv_tcp_t tcp;
  uv_connect_t creq;
  SSL *ssl;
  BIO *rbio, *wbio;
  tc_cbs cbs;
  void *data;
  int open, closing, failed;
};

typedef struct wreq {
  uv_write_t req;
  uint8_t bytes[];
} wreq;

static uint8_t rbuf[65536]; /* one read buffer for the loop, consumed at once */
static uint8_t pbuf[65536]; /* plaintext scratch */

static tc_conn *conn_new(uv_loop_t *loop, SSL_CTX *ctx, int server, const tc_cbs *cbs,
                         void *data) {
  tc_conn *c = calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  c->ssl = SSL_new(ctx);
  c->rbio = BIO_new(BIO_s_mem());
  c->wbio = BIO_new(BIO_s_mem());
  if (c->ssl == NULL || c->rbio == NULL || c->wbio == NULL) {
    if (c->ssl != NULL) SSL_free(c->ssl);
    BIO_free(c->rbio);
    BIO_free(c->wbio);
    free(c);
    return NULL;
  }
  SSL_set_bio(c->ssl, c->rbio, c->wbio);
  if (server) SSL_set_accept_state(c->ssl);
  else SSL_set_connect_state(c->ssl);
  c->cbs = *cbs;
  c->data = data;
  uv_tcp_init(loop, &c->tcp);
  c->tcp.data = c;
  return c;
}

static void close_cb(uv_handle_t *h) {
  tc_conn *c = h->data;
  if (c->cbs.on_close_cb != NULL) c->cbs.on_close_cb(c, c->failed);
  SSL_free(c->ssl);
  free(c);
}

static void conn_fail(tc_conn *c) {
  c->failed = 1;
  tc_close(c);
}

void tc_close(tc_conn *c) {
  if (c->closing) return;
  c->closing = 1;
  uv_close((uv_handle_t *)&c->tcp, close_cb);
}

static void write_cb(uv_write_t *req, int status) {
  tc_conn *c = req->data;
  free(req);
  if (status < 0 && status != UV_ECANCELED) conn_fail(c);
}

static int flush_out(tc_conn *c) {
  size_t n = BIO_ctrl_pending(c->wbio);
  if (n == 0 || c->closing) return 0;
  wreq *w = malloc(sizeof *w + n);
  if (w == NULL) return -1;
  int got = BIO_read(c->wbio, w->bytes, (int)n);
  if (got <= 0) {
    free(w);
    return -1;
  }
  w->req.data = c;
  uv_buf_t b = uv_buf_init((char *)w->bytes, (unsigned)got);
  if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, write_cb) != 0) {
    free(w);
    return -1;
  }
  return 0;
}

int tc_write(tc_conn *c, const void *p, size_t n) {
  if (!c->open || c->closing) return -1;
  if (SSL_write(c->ssl, p, (int)n) <= 0) return -1;
  return flush_out(c);
}

void *tc_data(const tc_conn *c) { return c->data; }

static void pump_plaintext(tc_conn *c) {
  for (;;) {
    int n = SSL_read(c->ssl, pbuf, sizeof pbuf);
    if (n <= 0) {
      int e = SSL_get_error(c->ssl, n);
      flush_out(c);
      if (e == SSL_ERROR_ZERO_RETURN) tc_close(c);
      else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) conn_fail(c);
      return;
    }
    if (c->cbs.on_data_cb != NULL) c->cbs.on_data_cb(c, pbuf, (size_t)n);
    if (c->closing) return;
  }
}

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  (void)h;
  (void)hint;
  *buf = uv_buf_init((char *)rbuf, sizeof rbuf);
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  tc_conn *c = s->data;
  if (nread == 0 || c->closing) return;
  if (nread < 0) {
    if (!c->open || nread != UV_EOF) c->failed = 1;
    tc_close(c);
    return;
  }
  if (BIO_write(c->rbio, buf->base, (int)nread) != (int)nread) {
    conn_fail(c);
    return;
  }
  if (!c->open) {
    int n = SSL_do_handshake(c->ssl);
    flush_out(c);
    if (n != 1) {
      int e = SSL_get_error(c->ssl, n);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        conn_fail(c);
      }
      return;
    }
    c->open = 1;
    if (c->cbs.on_open_cb != NULL) c->cbs.on_open_cb(c);
    if (c->closing) return;
  }
  pump_plaintext(c);
}

static int begin(tc_conn *c) {
  uv_tcp_nodelay(&c->tcp, 1);
  if (uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) != 0) return -1;
  if (SSL_is_server(c->ssl)) return 0;
  SSL_do_handshake(c->ssl); /* ClientHello */
  return flush_out(c);
}

int tc_accept(uv_stream_t *listener, SSL_CTX *ctx, const tc_cbs *cbs, void *data,
              tc_conn **out) {
  tc_conn *c = conn_new(listener->loop, ctx, 1, cbs, data);
  if (c == NULL) return -1;
  if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0 || begin(c) != 0) {
    c->cbs.on_close_cb = NULL;
    tc_close(c);
    return -1;
  }
  *out = c;
  return 0;
}

static void connect_cb(uv_connect_t *req, int status) {
  tc_conn *c = req->data;
  if (c->closing) return;
  if (status < 0 || begin(c) != 0) conn_fail(c);
}

int tc_connect(uv_loop_t *loop, SSL_CTX *ctx, const struct sockaddr *dst,
               const struct sockaddr *src, const tc_cbs *cbs, void *data, tc_conn **out) {
  tc_conn *c = conn_new(loop, ctx, 0, cbs, data);
  if (c == NULL) return -1;
  c->creq.data = c;
  if ((src != NULL && uv_tcp_bind(&c->tcp, src, 0) != 0) ||
      uv_tcp_connect(&c->creq, &c->tcp, dst, connect_cb) != 0) {
    c->cbs.on_close_cb = NULL;
    tc_close(c);
    return -1;
  }
  *out = c;
  return 0;
}
