/* mc_link: framed protobuf envelopes over TLS over a libuv TCP handle.
 *
 * Data path: uv read (loop-wide buffer) -> link BIO -> SSL_read -> loop-wide
 * plaintext buffer -> mc_frame_decode -> on_frame_cb. Output:
 * mc_frame_encode -> SSL_write -> link BIO -> write request -> uv_try_write,
 * and uv_write for what the socket did not take.
 * OpenSSL never touches the socket. */
#include "link.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

enum link_state { LS_RESOLVING, LS_CONNECTING, LS_HANDSHAKE, LS_OPEN, LS_CLOSING };

#define LINK_READ_CHUNK 65536
/* One turn of a link's input (a read callback, or a resumed turn): at
 * most MC_LINK_TURN_FRAMES frames or MC_LINK_TURN_BYTES plaintext bytes
 * (link.h) are handed to on_frame_cb (at least one frame) before the link
 * yields to the rest of the loop and continues on the next loop iteration
 * (a uv_idle handle). */

typedef struct write_req write_req;

/* Client links only: name resolution and connect requests. */
typedef struct link_dial {
  uv_getaddrinfo_t gai;
  uv_connect_t conn_req;
  struct sockaddr_storage bind; /* ss_family 0: no bind */
} link_dial;

struct mc_link {
  uv_tcp_t tcp;
  uv_timer_t timer;
  link_dial *dial;   /* client links until closed; NULL on the server */
  uv_loop_t *loop;
  SSL *ssl;          /* reads and writes through link_bio (below) */
  const uint8_t *rd; /* ciphertext OpenSSL may read now (read_buf or spill) */
  size_t rd_len;
  uint8_t *spill;    /* ciphertext left unread across callbacks (paused link) */
  size_t spill_len;
  write_req *out;    /* ciphertext OpenSSL wrote, not yet handed to uv_write */
  enum link_state state;
  int is_server;
  int reading;       /* uv_read_start active */
  int paused;        /* reading stopped by backpressure */
  int yielded;       /* the turn's frame budget is spent: continue next iteration */
  int batching;      /* in an input turn: replies gather in out, flushed at its end */
  unsigned turn_frames;
  size_t turn_bytes;
  uv_idle_t *turn;   /* resumes a yielded link; allocated at its first yield */
  int close_reason;
  int pending_closes;/* handles still to be closed */
  int resolving;     /* uv_getaddrinfo in flight: close waits for it */
  mc_link_opts opts;
  mc_link_cbs cbs;
  void *data;
  uint64_t id;
  const mc_peer_id *peer; /* only while on_open_cb runs (the caller copies it) */
  mc_link_stats stats;
  uint8_t *in;       /* plaintext not yet decoded */
  size_t in_len, in_cap;
  size_t queued;     /* bytes handed to uv_write, not yet written */
  int port;
  char remote[64];
};

struct write_req {
  uv_write_t req;
  size_t len, cap;
  uint8_t bytes[];
};

/* One read buffer for the whole (single-threaded) loop: every read is
 * consumed by OpenSSL before the callback returns. */
static uint8_t read_buf[LINK_READ_CHUNK];

static void link_process_input(mc_link *l);
static void link_resume(mc_link *l);
static void link_finish_close(mc_link *l);
static void link_read_start(mc_link *l);
static void link_read_stop(mc_link *l);
static int link_input_begin(mc_link *l, const uint8_t *buf, size_t n);
static int link_input_end(mc_link *l);

static void opts_defaults(mc_link_opts *o, const mc_link_opts *in) {
  if (in != NULL) *o = *in;
  else memset(o, 0, sizeof *o);
  if (o->max_frame == 0) o->max_frame = MC_FRAME_MAX_DEFAULT;
  if (o->handshake_ms == 0) o->handshake_ms = 10000;
  if (o->out_high_water == 0) o->out_high_water = 4u << 20;
  if (o->out_low_water == 0) o->out_low_water = 1u << 20;
  if (o->out_max == 0) o->out_max = 16u << 20;
  if (o->close_flush_ms == 0) o->close_flush_ms = 2000;
}

/* ---- the link BIO -----------------------------------------------------
 * OpenSSL reads ciphertext straight from the loop's read buffer (or from
 * the link's spill when it had to stop reading) and writes ciphertext
 * straight into the link's next write request. An idle link therefore
 * keeps no BIO buffer at all, where two memory BIOs would each keep the
 * largest handshake flight they ever held. */

#define LINK_OUT_MIN 2048

static int link_bio_create(BIO *b) {
  BIO_set_init(b, 1);
  return 1;
}

static int link_bio_read(BIO *b, char *buf, int len) {
  mc_link *l = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  if (l == NULL || len <= 0) return 0;
  if (l->rd_len == 0) {
    BIO_set_retry_read(b); /* like an empty memory BIO: wait for more */
    return -1;
  }
  size_t n = (size_t)len < l->rd_len ? (size_t)len : l->rd_len;
  memcpy(buf, l->rd, n);
  l->rd += n;
  l->rd_len -= n;
  return (int)n;
}

/* Room for want more bytes in the pending write request. */
static int out_reserve(mc_link *l, size_t want) {
  write_req *w = l->out;
  size_t len = w != NULL ? w->len : 0;
  if (w != NULL && w->cap - len >= want) return 0;
  size_t cap = w != NULL ? w->cap * 2 : LINK_OUT_MIN;
  while (cap - len < want) cap *= 2;
  w = realloc(w, sizeof *w + cap);
  if (w == NULL) return MC_ENOMEM; /* l->out is still valid */
  if (l->out == NULL) w->len = 0;
  w->cap = cap;
  l->out = w;
  return 0;
}

static int link_bio_write(BIO *b, const char *buf, int len) {
  mc_link *l = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  if (l == NULL || len <= 0) return 0;
  if (out_reserve(l, (size_t)len) != 0) return -1;
  memcpy(l->out->bytes + l->out->len, buf, (size_t)len);
  l->out->len += (size_t)len;
  return len;
}

static long link_bio_ctrl(BIO *b, int cmd, long num, void *ptr) {
  (void)num;
  (void)ptr;
  mc_link *l = BIO_get_data(b);
  switch (cmd) {
  case BIO_CTRL_FLUSH: return 1;
  case BIO_CTRL_PENDING: return l != NULL ? (long)l->rd_len : 0;
  case BIO_CTRL_WPENDING: return l != NULL && l->out != NULL ? (long)l->out->len : 0;
  default: return 0;
  }
}

static BIO_METHOD *link_bio_method(void) {
  static BIO_METHOD *m; /* one per process, never freed */
  if (m != NULL) return m;
  m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "mc_link");
  if (m == NULL) return NULL;
  BIO_meth_set_create(m, link_bio_create);
  BIO_meth_set_read(m, link_bio_read);
  BIO_meth_set_write(m, link_bio_write);
  BIO_meth_set_ctrl(m, link_bio_ctrl);
  return m;
}

static mc_link *link_new(uv_loop_t *loop, SSL_CTX *ctx, int is_server,
                         const mc_link_opts *opts, const mc_link_cbs *cbs,
                         void *data, uint64_t id) {
  BIO_METHOD *m = link_bio_method();
  mc_link *l = m != NULL ? calloc(1, sizeof *l) : NULL;
  if (l == NULL) return NULL;
  l->loop = loop;
  l->is_server = is_server;
  l->cbs = *cbs;
  l->data = data;
  l->id = id;
  opts_defaults(&l->opts, opts);
  l->ssl = SSL_new(ctx);
  BIO *bio = BIO_new(m);
  if (l->ssl == NULL || bio == NULL) {
    SSL_free(l->ssl);
    BIO_free(bio);
    free(l);
    return NULL;
  }
  BIO_set_data(bio, l);
  SSL_set_bio(l->ssl, bio, bio); /* ssl owns the BIO now, both ways */
  if (is_server) SSL_set_accept_state(l->ssl);
  else SSL_set_connect_state(l->ssl);
  uv_tcp_init(loop, &l->tcp);
  uv_timer_init(loop, &l->timer);
  l->tcp.data = l;
  l->timer.data = l;
  return l;
}

/* ---- output ---------------------------------------------------------- */

static void write_cb(uv_write_t *req, int status) {
  write_req *w = (write_req *)req;
  mc_link *l = req->data;
  l->queued -= w->len;
  free(w);
  if (status < 0 && status != UV_ECANCELED && l->state != LS_CLOSING) {
    mc_log_debug(l->id, "write failed err=%s", uv_strerror(status));
    mc_link_close(l, MC_EIO);
    return;
  }
  if (l->state == LS_CLOSING) {
    if (l->queued == 0 && l->pending_closes == 0) link_finish_close(l);
    return;
  }
  if (l->paused && l->queued <= l->opts.out_low_water) {
    l->paused = 0;
    link_resume(l);
  }
  if (l->cbs.on_drain_cb != NULL && l->state == LS_OPEN && l->queued <= l->opts.out_low_water)
    l->cbs.on_drain_cb(l);
}

/* Hand whatever OpenSSL produced to the socket: first uv_try_write
 * (written at once when libuv has nothing queued before it: no request,
 * no callback, and none of the epoll_ctl that libuv 1.44 makes after each
 * completed uv_write, one per reply), then one uv_write for what the
 * socket did not take (all of it when it would block; a failed try is
 * left to uv_write, which reports it through write_cb as before). */
static int link_flush(mc_link *l) {
  write_req *w = l->out;
  if (w == NULL || w->len == 0) return 0;
  l->out = NULL;
  uv_buf_t b = uv_buf_init((char *)w->bytes, (unsigned)w->len);
  int n = uv_try_write((uv_stream_t *)&l->tcp, &b, 1);
  if (n > 0) {
    l->stats.bytes_out += (size_t)n;
    if ((size_t)n == w->len) {
      free(w);
      return 0;
    }
    b = uv_buf_init((char *)w->bytes + n, (unsigned)(w->len - (size_t)n));
    w->len -= (size_t)n; /* what write_cb takes off queued */
  }
  w->req.data = l;
  int rc = uv_write(&w->req, (uv_stream_t *)&l->tcp, &b, 1, write_cb);
  if (rc != 0) {
    free(w);
    return MC_EIO;
  }
  l->queued += w->len;
  l->stats.bytes_out += w->len;
  if (l->queued > l->opts.out_high_water && !l->paused && l->state == LS_OPEN) {
    l->paused = 1; /* stop reading until the peer drains our output */
    link_read_stop(l);
  }
  return 0;
}

int mc_link_send(mc_link *l, const Motcua__Envelope *env) {
  if (l->state != LS_OPEN) return MC_ECLOSED;
  if (mc_link_queued(l) > l->opts.out_max) return MC_EBUSY;
  uint8_t *buf;
  size_t len;
  int rc = mc_frame_encode(env, l->opts.max_frame, &buf, &len);
  if (rc != 0) return rc;
  int n = SSL_write(l->ssl, buf, (int)len);
  free(buf);
  if (n <= 0) return MC_ETLS;
  l->stats.frames_out++;
  return l->batching ? 0 : link_flush(l); /* a turn flushes once, at its end */
}

int mc_link_send_error(mc_link *l, uint64_t request_id, int err, const char *msg) {
  Motcua__Error e = MOTCUA__ERROR__INIT;
  Motcua__Envelope env = MOTCUA__ENVELOPE__INIT;
  e.code = mc_err_to_wire(err);
  e.message = (char *)(msg != NULL ? msg : mc_strerror(err));
  env.request_id = request_id;
  env.body_case = MOTCUA__ENVELOPE__BODY_ERROR;
  env.error = &e;
  return mc_link_send(l, &env);
}

/* ---- close ----------------------------------------------------------- */

static void handle_close_cb(uv_handle_t *h) {
  mc_link *l = h->data;
  if (--l->pending_closes > 0) return;
  void (*cb)(mc_link *, int) = l->cbs.on_close_cb;
  if (cb != NULL) cb(l, l->close_reason);
  SSL_free(l->ssl);
  free(l->in);
  free(l->out);
  free(l->spill);
  free(l->dial);
  free(l->turn);
  free(l);
}

static void link_finish_close(mc_link *l) {
  if (l->pending_closes > 0) return;
  if (l->resolving) {
    uv_cancel((uv_req_t *)&l->dial->gai); /* resolve_cb finishes the close */
    return;
  }
  l->pending_closes = l->turn != NULL ? 3 : 2;
  if (l->turn != NULL) uv_close((uv_handle_t *)l->turn, handle_close_cb);
  uv_close((uv_handle_t *)&l->timer, handle_close_cb);
  uv_close((uv_handle_t *)&l->tcp, handle_close_cb);
}

static void close_timer_cb(uv_timer_t *t) { link_finish_close(t->data); }

void mc_link_close(mc_link *l, int reason) {
  if (l->state == LS_CLOSING) return;
  int was_open = l->state == LS_OPEN;
  l->state = LS_CLOSING;
  l->close_reason = reason;
  link_read_stop(l);
  if (was_open) SSL_shutdown(l->ssl); /* queue close_notify */
  if (was_open || l->is_server) link_flush(l); /* close_notify or alert */
  if (l->queued == 0) {
    link_finish_close(l);
    return;
  }
  uv_timer_start(&l->timer, close_timer_cb, l->opts.close_flush_ms, 0);
}

/* ---- input -----------------------------------------------------------
 * SSL_read goes into one loop-wide plaintext buffer and frames are decoded
 * from there. A link keeps its own buffer only for a frame that is not
 * complete yet (sized for that frame, freed once it is decoded) or for
 * frames left undecoded while it is paused. Nothing here is re-entered:
 * on_frame_cb never leads to another link's input processing (reads and
 * completed writes arrive only from the loop). */

#define LINK_PLAIN_CHUNK 16384 /* one TLS record of plaintext */
#define LINK_SPILL_MAX (4 * LINK_READ_CHUNK)

static uint8_t plain_buf[LINK_PLAIN_CHUNK];

static int in_reserve(mc_link *l, size_t need) {
  if (l->in_cap >= need) return 0;
  uint8_t *p = realloc(l->in, need);
  if (p == NULL) return MC_ENOMEM;
  l->in = p;
  l->in_cap = need;
  return 0;
}

static void link_drop_input(mc_link *l) {
  free(l->in);
  l->in = NULL;
  l->in_len = l->in_cap = 0;
}

/* Whole size of the frame starting the link's buffer (header included),
 * or 0 while its header is incomplete. The length was checked against
 * max_frame by the decoder that asked for more. */
static size_t in_frame_size(const mc_link *l) {
  if (l->in_len < MC_FRAME_HEADER) return 0;
  const uint8_t *h = l->in;
  uint32_t n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
  return MC_FRAME_HEADER + (size_t)n;
}

/* Paused by backpressure or out of this turn's budget: decode nothing. */
static int link_held(const mc_link *l) { return l->paused || l->yielded; }

/* A frame that cannot be decoded: an Error with the request id when it is
 * readable (a malformed body), then close: the stream cannot resync. */
static void link_bad_frame(mc_link *l, const uint8_t *buf, size_t len, int rc) {
  mc_frame f;
  uint64_t id = 0;
  if (rc == MC_EPROTO && mc_frame_parse(buf, len, l->opts.max_frame, &f) == MC_OK)
    mc_frame_peek_request_id(f.payload, f.payload_len, &id);
  mc_log_warn(l->id, "bad frame err=%s id=%llu remote=%s", mc_errname(rc),
              (unsigned long long)id, l->remote);
  mc_link_send_error(l, id, rc, rc == MC_ETOOBIG ? "frame too large" : "malformed frame");
  mc_link_close(l, rc);
}

/* Count one frame against the turn's budget; yield once it is spent. */
static void link_turn_count(mc_link *l, size_t bytes) {
  l->turn_bytes += bytes;
  if (++l->turn_frames >= MC_LINK_TURN_FRAMES || l->turn_bytes >= MC_LINK_TURN_BYTES)
    l->yielded = 1;
}

/* Decode whole frames from buf[0..len) while the link is open and not
 * held; returns the bytes consumed. */
static size_t link_decode_frames(mc_link *l, const uint8_t *buf, size_t len) {
  size_t off = 0;
  while (l->state == LS_OPEN && !link_held(l) && off < len) {
    Motcua__Envelope *env = NULL;
    size_t used = 0;
    int rc = mc_frame_decode(buf + off, len - off, l->opts.max_frame, &used, &env);
    if (rc == MC_ENEEDMORE) break;
    if (rc == MC_EINVAL && env != NULL) { /* a text field holds a NUL byte */
      mc_log_warn(l->id, "refused request id=%llu: a text field holds a NUL byte",
                  (unsigned long long)env->request_id);
      mc_link_send_error(l, env->request_id, MC_EINVAL, "a text field contains a NUL byte");
      mc_envelope_free(env);
      off += used;
      continue;
    }
    if (rc != 0) {
      link_bad_frame(l, buf + off, len - off, rc);
      break;
    }
    off += used;
    l->stats.frames_in++;
    l->stats.last_in_ms = uv_now(l->loop);
    link_turn_count(l, used);
    l->cbs.on_frame_cb(l, env);
  }
  return off;
}

/* Decode what the link's own buffer holds; keep the rest at its start. */
static void link_decode_kept(mc_link *l) {
  size_t off = link_decode_frames(l, l->in, l->in_len);
  if (l->state != LS_OPEN) return;
  memmove(l->in, l->in + off, l->in_len - off);
  l->in_len -= off;
  if (l->in_len == 0) link_drop_input(l);
}

/* Decode from the shared plaintext buffer; copy an unfinished frame (or,
 * when paused, the undecoded rest) into the link's own buffer. */
static int link_decode_shared(mc_link *l, size_t len) {
  size_t off = link_decode_frames(l, plain_buf, len);
  if (l->state != LS_OPEN || off == len) return 0;
  size_t rest = len - off;
  int rc = in_reserve(l, rest);
  if (rc != 0) return rc;
  memcpy(l->in, plain_buf + off, rest);
  l->in_len = rest;
  size_t whole = in_frame_size(l);
  return whole > rest && !link_held(l) ? in_reserve(l, whole) : 0;
}

/* One SSL_read: into the link's buffer when a frame is unfinished (at
 * most the rest of that frame), else into the shared buffer. */
static int link_read_plain(mc_link *l, int *n) {
  if (l->in_len == 0) {
    *n = SSL_read(l->ssl, plain_buf, sizeof plain_buf);
    return *n > 0 ? link_decode_shared(l, (size_t)*n) : 0;
  }
  size_t whole = in_frame_size(l); /* the frame's size is allocated at once */
  size_t want = whole > l->in_len ? whole - l->in_len : MC_FRAME_HEADER - l->in_len;
  if (want > LINK_READ_CHUNK) want = LINK_READ_CHUNK;
  int rc = in_reserve(l, whole > l->in_len + want ? whole : l->in_len + want);
  if (rc != 0) return rc;
  *n = SSL_read(l->ssl, l->in + l->in_len, (int)want);
  if (*n <= 0) return 0;
  l->in_len += (size_t)*n;
  link_decode_kept(l);
  return 0;
}

static int ssl_error_is_fatal(mc_link *l, int n) {
  int e = SSL_get_error(l->ssl, n);
  return !(e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE);
}

/* Pull plaintext out of OpenSSL while the link is open and not held. */
static void link_pull(mc_link *l) {
  if (l->in_len > 0 && l->state == LS_OPEN && !link_held(l)) link_decode_kept(l);
  while (l->state == LS_OPEN && !link_held(l)) {
    int n = 0;
    int rc = link_read_plain(l, &n);
    if (rc != 0) {
      mc_link_close(l, rc);
      return;
    }
    if (n <= 0) {
      int e = SSL_get_error(l->ssl, n);
      if (e == SSL_ERROR_ZERO_RETURN) mc_link_close(l, MC_OK);
      else if (ssl_error_is_fatal(l, n)) mc_link_close(l, MC_ETLS);
      break;
    }
  }
}

static void turn_cb(uv_idle_t *h);

/* Continue a yielded link on the next loop iteration: the idle handle
 * keeps the loop's poll from blocking, so other links are read first. */
static void link_yield(mc_link *l) {
  if (l->turn == NULL) {
    l->turn = malloc(sizeof *l->turn);
    if (l->turn == NULL) {
      mc_link_close(l, MC_ENOMEM);
      return;
    }
    uv_idle_init(l->loop, l->turn);
    l->turn->data = l;
  }
  uv_idle_start(l->turn, turn_cb);
}

/* One turn: frames up to the budget, replies flushed once, then read on,
 * stop (backpressure) or yield. */
static void link_process_input(mc_link *l) {
  l->batching = 1;
  link_pull(l);
  l->batching = 0;
  link_flush(l); /* also what OpenSSL wrote itself (key updates, alerts) */
  if (l->state != LS_OPEN) return;
  if (link_held(l)) {
    link_read_stop(l);
    if (l->yielded && !l->paused) link_yield(l);
  } else {
    link_read_start(l);
  }
}

/* Process what arrived while the link was held (frames, plaintext and
 * ciphertext it kept), as a new turn. */
static void link_resume(mc_link *l) {
  if (l->turn != NULL) uv_idle_stop(l->turn);
  l->yielded = 0;
  l->turn_frames = 0;
  l->turn_bytes = 0;
  if (link_input_begin(l, NULL, 0) == 0) link_process_input(l);
  if (link_input_end(l) != 0) mc_link_close(l, MC_ENOMEM);
}

static void link_handshake_turn(mc_link *l);

/* A handshake deferred by the budget: its kept bytes, then read on. */
static void link_resume_handshake(mc_link *l) {
  l->yielded = 0;
  if (link_input_begin(l, NULL, 0) == 0) {
    link_handshake_turn(l);
    if (l->state == LS_HANDSHAKE && !l->yielded) link_read_start(l);
  }
  if (link_input_end(l) != 0) mc_link_close(l, MC_ENOMEM);
}

static void turn_cb(uv_idle_t *h) {
  mc_link *l = h->data;
  uv_idle_stop(h);
  if (l->state == LS_HANDSHAKE) link_resume_handshake(l);
  else if (l->state == LS_OPEN && !l->paused) link_resume(l); /* else the drain resumes it */
}

/* Let OpenSSL read the spill (if any) followed by buf[0..n). */
static int link_input_begin(mc_link *l, const uint8_t *buf, size_t n) {
  if (l->spill_len == 0) {
    l->rd = buf;
    l->rd_len = n;
    return 0;
  }
  if (n > 0) {
    if (l->spill_len + n > LINK_SPILL_MAX) return MC_ENOMEM;
    uint8_t *p = realloc(l->spill, l->spill_len + n);
    if (p == NULL) return MC_ENOMEM;
    memcpy(p + l->spill_len, buf, n);
    l->spill = p;
    l->spill_len += n;
  }
  l->rd = l->spill;
  l->rd_len = l->spill_len;
  return 0;
}

/* Keep the ciphertext OpenSSL did not read (a paused link) in the spill;
 * it must not point into the loop's read buffer after the callback. */
static int link_input_end(mc_link *l) {
  const uint8_t *rest = l->rd;
  size_t n = l->rd_len;
  l->rd = NULL;
  l->rd_len = 0;
  if (n == 0 || l->state == LS_CLOSING) {
    free(l->spill);
    l->spill = NULL;
    l->spill_len = 0;
    return 0;
  }
  if (l->spill != NULL && rest >= l->spill && rest < l->spill + l->spill_len) {
    memmove(l->spill, rest, n);
    l->spill_len = n;
    return 0;
  }
  uint8_t *p = malloc(n);
  if (p == NULL) return MC_ENOMEM;
  memcpy(p, rest, n);
  free(l->spill);
  l->spill = p;
  l->spill_len = n;
  return 0;
}

/* ---- handshake and reading ------------------------------------------ */

static void idle_timer_cb(uv_timer_t *t) {
  mc_link *l = t->data;
  uint64_t now = uv_now(l->loop);
  uint64_t idle = now - l->stats.last_in_ms;
  if (idle >= l->opts.idle_ms) {
    mc_log_info(l->id, "closing idle link idle_ms=%llu remote=%s",
                (unsigned long long)idle, l->remote);
    mc_link_close(l, MC_ETIMEOUT);
    return;
  }
  uv_timer_start(t, idle_timer_cb, l->opts.idle_ms - idle, 0);
}

static void handshake_timer_cb(uv_timer_t *t) {
  mc_link *l = t->data;
  mc_log_warn(l->id, "tls handshake timeout remote=%s", l->remote);
  mc_link_close(l, MC_ETIMEOUT);
}

static void log_handshake_failure(mc_link *l) {
  long v = SSL_get_verify_result(l->ssl);
  unsigned long e = ERR_peek_last_error();
  char reason[160] = "";
  if (e != 0) ERR_error_string_n(e, reason, sizeof reason);
  ERR_clear_error();
  mc_log_warn(l->id, "tls handshake failed remote=%s verify=\"%s\" reason=\"%s\"",
              l->remote, v == X509_V_OK ? "ok" : X509_verify_cert_error_string(v),
              reason);
}

static int link_verify_peer(mc_link *l, mc_peer_id *peer) {
  X509 *cert = SSL_get1_peer_certificate(l->ssl);
  int rc = SSL_get_verify_result(l->ssl) == X509_V_OK ? mc_tls_peer_identity(cert, peer)
                                                      : MC_EUNAUTH;
  X509_free(cert);
  return rc;
}

static void free_handle_cb(uv_handle_t *h) { free(h); }

/* A handshake the budget deferred left its idle handle: an idle link keeps
 * none (docs/PERFORMANCE.md "What an idle link costs"); a later yield
 * allocates another. */
static void link_drop_turn(mc_link *l) {
  if (l->turn == NULL) return;
  uv_close((uv_handle_t *)l->turn, free_handle_cb);
  l->turn = NULL;
}

/* The identity lives on this stack frame: an idle link keeps no copy of it
 * (the server's session has one), so mc_link_peer() is valid in on_open_cb
 * only. */
static void link_opened(mc_link *l) {
  link_drop_turn(l);
  mc_peer_id peer;
  int rc = link_verify_peer(l, &peer);
  /* A client talks only to a certificate issued to the server, never to
   * another unit's certificate from the same CA. */
  if (rc == 0 && !l->is_server && peer.role != MC_ROLE_SERVER) rc = MC_EUNAUTH;
  if (rc != 0) {
    mc_log_warn(l->id, "peer certificate has no usable identity remote=%s", l->remote);
    mc_link_close(l, rc);
    return;
  }
  l->state = LS_OPEN;
  l->stats.opened_ms = l->stats.last_in_ms = uv_now(l->loop);
  uv_timer_stop(&l->timer);
  if (l->opts.idle_ms > 0) uv_timer_start(&l->timer, idle_timer_cb, l->opts.idle_ms, 0);
  l->peer = &peer;
  if (l->cbs.on_open_cb != NULL) l->cbs.on_open_cb(l);
  l->peer = NULL;
  link_process_input(l); /* application data that came with the handshake */
}

/* ---- handshake budget (link.h) ------------------------------------------ */

static unsigned hs_budget, hs_this_turn;
static uint64_t hs_steps, hs_deferred;

void mc_link_handshake_budget(unsigned steps) { hs_budget = steps; }
void mc_link_turn_begin(void) { hs_this_turn = 0; }
uint64_t mc_link_handshake_steps(void) { return hs_steps; }
uint64_t mc_link_handshake_deferred(void) { return hs_deferred; }

static void link_handshake(mc_link *l);

/* One handshake step if the turn's budget allows; else keep the input
 * (link_input_end spills it), stop reading and continue next iteration. */
static void link_handshake_turn(mc_link *l) {
  if (hs_budget != 0 && hs_this_turn >= hs_budget) {
    hs_deferred++;
    l->yielded = 1;
    link_read_stop(l);
    link_yield(l);
    return;
  }
  hs_this_turn++;
  hs_steps++;
  link_handshake(l);
}

static void link_handshake(mc_link *l) {
  int n = SSL_do_handshake(l->ssl);
  link_flush(l);
  if (n == 1) {
    link_opened(l);
    return;
  }
  if (ssl_error_is_fatal(l, n)) {
    log_handshake_failure(l);
    mc_link_close(l, MC_ETLS);
  }
}

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  (void)h;
  (void)hint;
  *buf = uv_buf_init((char *)read_buf, sizeof read_buf);
}

/* EOF after the peer's close_notify is an orderly close; EOF without it
 * (a dropped or truncated stream, also mid-handshake) is MC_ECLOSED; a
 * socket error MC_EIO. */
static int read_end_reason(mc_link *l, int nread) {
  /* The stream ended before any TLS alert: a dropped link, not a TLS
   * failure (an alert or a bad certificate fails in SSL_do_handshake). */
  if (l->state == LS_HANDSHAKE) return nread == UV_EOF ? MC_ECLOSED : MC_EIO;
  if (l->state != LS_OPEN) return MC_ETLS;
  if (nread != UV_EOF) return MC_EIO;
  return (SSL_get_shutdown(l->ssl) & SSL_RECEIVED_SHUTDOWN) ? MC_OK : MC_ECLOSED;
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  mc_link *l = s->data;
  if (nread == 0) return;
  if (nread < 0) {
    mc_log_debug(l->id, "read end err=%s", uv_strerror((int)nread));
    mc_link_close(l, read_end_reason(l, (int)nread));
    return;
  }
  l->stats.bytes_in += (uint64_t)nread;
  l->turn_frames = 0; /* a read starts a turn (a yielded link does not read) */
  l->turn_bytes = 0;
  if (link_input_begin(l, (const uint8_t *)buf->base, (size_t)nread) != 0) {
    mc_link_close(l, MC_ENOMEM);
    return;
  }
  if (l->state == LS_HANDSHAKE) link_handshake_turn(l);
  else if (l->state == LS_OPEN) link_process_input(l);
  if (link_input_end(l) != 0) mc_link_close(l, MC_ENOMEM);
}

static void link_read_stop(mc_link *l) {
  if (l->reading) uv_read_stop((uv_stream_t *)&l->tcp);
  l->reading = 0;
}

static void link_read_start(mc_link *l) {
  if (l->reading || l->state == LS_CLOSING) return;
  if (uv_read_start((uv_stream_t *)&l->tcp, alloc_cb, read_cb) == 0) l->reading = 1;
}

static void link_begin_tls(mc_link *l) {
  struct sockaddr_storage ss;
  int len = sizeof ss;
  char ip[48] = "?";
  int port = 0;
  if (uv_tcp_getpeername(&l->tcp, (struct sockaddr *)&ss, &len) == 0) {
    if (ss.ss_family == AF_INET6) {
      uv_ip6_name((struct sockaddr_in6 *)&ss, ip, sizeof ip);
      port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    } else {
      uv_ip4_name((struct sockaddr_in *)&ss, ip, sizeof ip);
      port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
  }
  snprintf(l->remote, sizeof l->remote, "%s:%d", ip, port);
  uv_tcp_nodelay(&l->tcp, 1);
  uv_tcp_keepalive(&l->tcp, 1, 60);
  l->state = LS_HANDSHAKE;
  uv_timer_start(&l->timer, handshake_timer_cb, l->opts.handshake_ms, 0);
  link_read_start(l);
  if (!l->is_server) link_handshake(l); /* ClientHello */
}

/* ---- accept / connect ----------------------------------------------- */

int mc_link_accept(uv_stream_t *listener, SSL_CTX *ctx, const mc_link_opts *opts,
                   const mc_link_cbs *cbs, void *data, uint64_t id, mc_link **out) {
  mc_link *l = link_new(listener->loop, ctx, 1, opts, cbs, data, id);
  if (l == NULL) return MC_ENOMEM;
  int rc = uv_accept(listener, (uv_stream_t *)&l->tcp);
  if (rc != 0) {
    /* Close quietly: the caller was told of the failure by the return. */
    l->cbs.on_close_cb = NULL;
    l->state = LS_CLOSING;
    link_finish_close(l);
    return MC_EIO;
  }
  link_begin_tls(l);
  *out = l;
  return 0;
}

static void connect_cb(uv_connect_t *req, int status) {
  mc_link *l = req->data;
  if (l->state == LS_CLOSING) return;
  if (status < 0) {
    mc_log_debug(l->id, "connect failed err=%s", uv_strerror(status));
    mc_link_close(l, MC_EUNAVAIL);
    return;
  }
  link_begin_tls(l);
}

static void resolve_cb(uv_getaddrinfo_t *req, int status, struct addrinfo *ai) {
  mc_link *l = req->data;
  int rc = status;
  l->resolving = 0;
  if (l->state == LS_CLOSING) {
    link_finish_close(l);
    goto out;
  }
  if (rc == 0 && l->dial->bind.ss_family != 0)
    rc = uv_tcp_bind(&l->tcp, (const struct sockaddr *)&l->dial->bind, 0);
  if (rc == 0) {
    l->state = LS_CONNECTING;
    l->dial->conn_req.data = l;
    rc = uv_tcp_connect(&l->dial->conn_req, &l->tcp, ai->ai_addr, connect_cb);
  }
  if (rc != 0) {
    mc_log_debug(l->id, "resolve/connect failed err=%s", uv_strerror(rc));
    mc_link_close(l, MC_EUNAVAIL);
  }
out:
  uv_freeaddrinfo(ai);
}

int mc_link_connect(uv_loop_t *loop, SSL_CTX *ctx, const char *host, int port,
                    const mc_link_opts *opts, const mc_link_cbs *cbs, void *data,
                    mc_link **out) {
  link_dial *dial = calloc(1, sizeof *dial);
  mc_link *l = dial != NULL ? link_new(loop, ctx, 0, opts, cbs, data, 0) : NULL;
  if (l == NULL) {
    free(dial);
    return MC_ENOMEM;
  }
  l->dial = dial;
  const char *name = l->opts.server_name;
  if (name != NULL && name[0] != '\0') {
    SSL_set1_host(l->ssl, name); /* verify the server certificate's name */
    SSL_set_tlsext_host_name(l->ssl, name);
  }
  l->opts.server_name = NULL; /* not owned; used only above */
  const struct sockaddr *b = l->opts.bind_addr;
  if (b != NULL)
    memcpy(&dial->bind, b, b->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                    : sizeof(struct sockaddr_in));
  l->opts.bind_addr = NULL;
  char portstr[16];
  snprintf(portstr, sizeof portstr, "%d", port);
  snprintf(l->remote, sizeof l->remote, "%.40s:%d", host, port);
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  l->dial->gai.data = l;
  l->state = LS_RESOLVING;
  int rc = uv_getaddrinfo(loop, &l->dial->gai, resolve_cb, host, portstr, &hints);
  l->resolving = rc == 0;
  if (rc != 0) {
    l->cbs.on_close_cb = NULL;
    l->state = LS_CLOSING;
    link_finish_close(l);
    return MC_EINVAL;
  }
  *out = l;
  return 0;
}

/* ---- accessors ------------------------------------------------------- */

void mc_link_set_idle(mc_link *l, uint64_t idle_ms) {
  l->opts.idle_ms = idle_ms;
  if (l->state != LS_OPEN) return;
  uv_timer_stop(&l->timer);
  if (idle_ms > 0) uv_timer_start(&l->timer, idle_timer_cb, idle_ms, 0);
}

int mc_link_peer_addr(const mc_link *l, struct sockaddr_storage *out) {
  int len = sizeof *out;
  memset(out, 0, sizeof *out);
  return uv_tcp_getpeername(&l->tcp, (struct sockaddr *)out, &len) == 0 ? 0 : MC_EIO;
}

void *mc_link_data(const mc_link *l) { return l->data; }
void mc_link_set_data(mc_link *l, void *data) { l->data = data; }
uint64_t mc_link_id(const mc_link *l) { return l->id; }
const mc_peer_id *mc_link_peer(const mc_link *l) { return l->peer; }
const mc_link_stats *mc_link_get_stats(const mc_link *l) { return &l->stats; }
size_t mc_link_queued(const mc_link *l) {
  return l->queued + (l->out != NULL ? l->out->len : 0);
}
const char *mc_link_remote(const mc_link *l) { return l->remote; }

const char *mc_link_tls_version(const mc_link *l) { return SSL_get_version(l->ssl); }

const char *mc_link_cipher(const mc_link *l) {
  const char *c = SSL_get_cipher_name(l->ssl);
  return c != NULL ? c : "";
}
