/* mc_link: one framed, TLS-protected connection over a libuv TCP handle.
 * Used by the server (accepted links) and by the client library (connected
 * links). OpenSSL is fed through memory BIOs (h2o style); the owner sees
 * only whole decoded Envelopes.
 *
 * Lifecycle: HANDSHAKE -> OPEN -> CLOSING -> (on_close fires) -> freed.
 * on_close fires exactly once for every link whose creation returned 0,
 * after which the link pointer is invalid.
 *
 * Bounds: inbound frames over max_frame close the link (after an Error
 * frame is sent; a frame that does not unpack gets it with its request id
 * when that is readable); queued output above out_high_water stops reading
 * until it drains below out_low_water; mc_link_send fails with MC_EBUSY
 * above out_max. Fairness: one turn of a link's input hands at most
 * MC_LINK_TURN_FRAMES frames (or MC_LINK_TURN_BYTES of plaintext) to
 * on_frame_cb, then the link stops reading and continues on the next loop
 * iteration, after the other links' reads; replies sent during a turn go
 * out in one write at its end. */
#ifndef MC_LINK_H
#define MC_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "frame.h"
#include "tls.h"

/* One link's share of a loop turn. 16 frames, not 64: a flooding link
 * then adds at most ~16 cheap requests' work before another link's frame
 * is read (docs/PERFORMANCE.md "Fairness under load": another unit's ping
 * p99 under intake + a ping flood 0.26-0.36 ms at 64, 0.16-0.18 ms at 16).
 * A bench build may set another value with -D to repeat that comparison. */
#ifndef MC_LINK_TURN_FRAMES
#define MC_LINK_TURN_FRAMES 16
#endif
#define MC_LINK_TURN_BYTES (256u << 10)

/* Handshake steps in one loop turn, across all links of the process
 * (mc_link_handshake_budget; 0, the default, = no limit). A server step
 * costs ~1.8 ms of CPU here (docs/PERFORMANCE.md), so a burst of units
 * connecting at once would otherwise be one long turn for everyone. A link
 * over the budget keeps its handshake bytes and continues on the next loop
 * iteration. The owner of the loop calls mc_link_turn_begin() once per
 * iteration, after the wait for I/O (a uv_check handle): the links
 * deferred in one turn then resume (their idle handles) before the next
 * wait's new ClientHellos take the budget, first come, first served. */
void mc_link_handshake_budget(unsigned steps);
void mc_link_turn_begin(void);
/* Handshake steps taken and deferred since start (for tests and metrics). */
uint64_t mc_link_handshake_steps(void);
uint64_t mc_link_handshake_deferred(void);

typedef struct mc_link mc_link;

typedef struct mc_link_cbs {
  /* Handshake done and peer verified; mc_link_peer() is valid during this
   * call only (copy what is needed: the link keeps no copy). */
  void (*on_open_cb)(mc_link *l);
  /* One decoded envelope; the callee owns env (mc_envelope_free). */
  void (*on_frame_cb)(mc_link *l, Motcua__Envelope *env);
  /* The link is gone; reason is MC_OK for an orderly close by either side
   * (TLS close_notify), MC_ECLOSED when the peer's stream ended without
   * one, MC_ETIMEOUT for the idle or handshake timer, or another negative
   * mc_err. Last call for this link. */
  void (*on_close_cb)(mc_link *l, int reason);
  /* Optional: a write completed and the queued output is at or below
   * out_low_water (streams refill their window here). */
  void (*on_drain_cb)(mc_link *l);
} mc_link_cbs;

typedef struct mc_link_opts {
  size_t max_frame;           /* default MC_FRAME_MAX_DEFAULT */
  uint64_t handshake_ms;      /* default 10000 */
  uint64_t idle_ms;           /* close when nothing arrives for this long; 0 = never */
  size_t out_high_water;      /* default 4 MiB */
  size_t out_low_water;       /* default 1 MiB */
  size_t out_max;             /* default 16 MiB */
  uint64_t close_flush_ms;    /* a closing link's output gets this long to drain; default 2000 */
  const char *server_name;    /* client: expected server certificate CN (SNI) */
  const struct sockaddr *bind_addr; /* client: local address to bind before connecting
                                       (copied; NULL: the kernel's choice) */
} mc_link_opts;

typedef struct mc_link_stats {
  uint64_t bytes_in, bytes_out, frames_in, frames_out;
  uint64_t opened_ms;  /* uv_now at handshake completion */
  uint64_t last_in_ms; /* uv_now of last frame received */
} mc_link_stats;

/* Accept one pending connection on listener. Returns 0 and *out, or an
 * error (nothing to clean up, no callback). */
int mc_link_accept(uv_stream_t *listener, SSL_CTX *ctx, const mc_link_opts *opts,
                   const mc_link_cbs *cbs, void *data, uint64_t id, mc_link **out);

/* Connect to host:port (numeric IPv4/IPv6 or a name resolved with
 * uv_getaddrinfo). on_open_cb fires after the TLS handshake, on_close_cb
 * on any failure. */
int mc_link_connect(uv_loop_t *loop, SSL_CTX *ctx, const char *host, int port,
                    const mc_link_opts *opts, const mc_link_cbs *cbs, void *data,
                    mc_link **out);

/* Encode and queue one envelope. MC_ETOOBIG, MC_EBUSY (output over
 * out_max), MC_ECLOSED. Never calls a callback synchronously. */
int mc_link_send(mc_link *l, const Motcua__Envelope *env);

/* Send an Error envelope for request_id (0 = unsolicited). */
int mc_link_send_error(mc_link *l, uint64_t request_id, int err, const char *msg);

/* Start an orderly close: queued output is flushed (bounded by a short
 * timer), TLS close_notify sent, then on_close_cb(reason). Idempotent. */
void mc_link_close(mc_link *l, int reason);

void *mc_link_data(const mc_link *l);
void mc_link_set_data(mc_link *l, void *data);
uint64_t mc_link_id(const mc_link *l);
/* The verified peer's identity inside on_open_cb; NULL at any other time. */
const mc_peer_id *mc_link_peer(const mc_link *l);
const mc_link_stats *mc_link_get_stats(const mc_link *l);
/* Output queued: handed to uv_write and not yet written, or still
 * gathering in the current input turn. */
size_t mc_link_queued(const mc_link *l);
/* Change the idle limit (0 = never) and restart its timer from now (the
 * server shortens it until Hello). */
void mc_link_set_idle(mc_link *l, uint64_t idle_ms);
/* The peer's socket address: 0, or MC_EIO. */
int mc_link_peer_addr(const mc_link *l, struct sockaddr_storage *out);
/* The protocol ("TLSv1.3") and the suite ("TLS_CHACHA20_POLY1305_SHA256") of
 * an open link: OpenSSL's static names, valid for the whole process (the
 * monitor keeps the pointers, not copies). */
const char *mc_link_tls_version(const mc_link *l);
const char *mc_link_cipher(const mc_link *l);
/* Remote address as text ("127.0.0.1:5555"). */
const char *mc_link_remote(const mc_link *l);

#endif
