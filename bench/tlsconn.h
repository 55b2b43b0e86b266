/* tlsconn: a bare TLS byte stream over a libuv TCP handle, OpenSSL on
 * memory BIOs (the same data path as common/link.c, without framing).
 * Used only by the bench: the TLS echo reference (server side) and the
 * MQTT idle clients that load mosquitto (client side).
 *
 * Lifecycle: tc_accept / tc_connect -> on_open_cb after the handshake ->
 * on_data_cb for each plaintext chunk -> on_close_cb exactly once (for
 * every conn whose creation returned 0), after which the pointer is
 * invalid. tc_write copies its input. */
#ifndef MC_BENCH_TLSCONN_H
#define MC_BENCH_TLSCONN_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct tc_conn tc_conn;

typedef struct tc_cbs {
  void (*on_open_cb)(tc_conn *c);
  void (*on_data_cb)(tc_conn *c, const uint8_t *p, size_t n);
  void (*on_close_cb)(tc_conn *c, int failed); /* failed: before/at handshake or I/O error */
} tc_cbs;

int tc_accept(uv_stream_t *listener, SSL_CTX *ctx, const tc_cbs *cbs, void *data,
              tc_conn **out);
/* src may be NULL (kernel picks the source address). */
int tc_connect(uv_loop_t *loop, SSL_CTX *ctx, const struct sockaddr *dst,
               const struct sockaddr *src, const tc_cbs *cbs, void *data, tc_conn **out);
int tc_write(tc_conn *c, const void *p, size_t n);
void tc_close(tc_conn *c);
void *tc_data(const tc_conn *c);

#endif
