/* motcua-tls-echo: the latency reference. A minimal libuv TLS echo server
 * with the motcua server's own TLS context (mc_tls_ctx_new: same CA, same
 * certificate, same ciphers, mutual authentication) that writes back every
 * plaintext byte it reads. The bench's ping clients talk to it through
 * mc_link exactly as to motcua-server: the Ping frame simply comes back.
 *
 * usage: motcua-tls-echo --port N --ca F --cert F --key F [--max-seconds S]
 * Exits on SIGINT/SIGTERM or after max-seconds (default 600). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "tls.h"
#include "tlsconn.h"

static uv_loop_t *loop;
static uv_tcp_t listener;
static uv_timer_t deadline;
static uv_signal_t sigs[2];
static SSL_CTX *ctx;
static tc_conn **conns;
static size_t nconns, capconns;

static void echo_data_cb(tc_conn *c, const uint8_t *p, size_t n) {
  if (tc_write(c, p, n) != 0) tc_close(c);
}

static void echo_close_cb(tc_conn *c, int failed) {
  (void)failed;
  for (size_t i = 0; i < nconns; i++)
    if (conns[i] == c) {
      conns[i] = conns[--nconns];
      break;
    }
}

static const tc_cbs echo_cbs = {.on_data_cb = echo_data_cb, .on_close_cb = echo_close_cb};

static void connection_cb(uv_stream_t *srv, int status) {
  if (status < 0) return;
  if (nconns == capconns) {
    size_t cap = capconns ? capconns * 2 : 64;
    tc_conn **p = realloc(conns, cap * sizeof *p);
    if (p == NULL) return;
    conns = p;
    capconns = cap;
  }
  tc_conn *c;
  if (tc_accept(srv, ctx, &echo_cbs, NULL, &c) == 0) conns[nconns++] = c;
}

static void stop_all(void) {
  uv_close((uv_handle_t *)&listener, NULL);
  uv_close((uv_handle_t *)&deadline, NULL);
  uv_close((uv_handle_t *)&sigs[0], NULL);
  uv_close((uv_handle_t *)&sigs[1], NULL);
  while (nconns > 0) {
    tc_conn *c = conns[nconns - 1];
    echo_close_cb(c, 0);
    tc_close(c);
  }
}

static void signal_cb(uv_signal_t *s, int signum) {
  (void)s;
  (void)signum;
  stop_all();
}

static void deadline_cb(uv_timer_t *t) {
  (void)t;
  fprintf(stderr, "motcua-tls-echo: max-seconds reached, exiting\n");
  stop_all();
}

static const char *arg_value(int argc, char **argv, const char *name, const char *def) {
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0) return argv[i + 1];
  return def;
}

int main(int argc, char **argv) {
  const char *ca = arg_value(argc, argv, "--ca", NULL);
  const char *cert = arg_value(argc, argv, "--cert", NULL);
  const char *key = arg_value(argc, argv, "--key", NULL);
  int port = atoi(arg_value(argc, argv, "--port", "0"));
  long max_s = atol(arg_value(argc, argv, "--max-seconds", "600"));
  if (ca == NULL || cert == NULL || key == NULL || port <= 0 || max_s <= 0) {
    fprintf(stderr, "usage: motcua-tls-echo --port N --ca F --cert F --key F [--max-seconds S]\n");
    return 2;
  }
  char err[256];
  mc_tls_files files = {.ca = ca, .cert = cert, .key = key};
  if (mc_tls_ctx_new(&ctx, 1, &files, err, sizeof err) != 0) {
    fprintf(stderr, "motcua-tls-echo: %s\n", err);
    return 1;
  }
  loop = uv_default_loop();
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", port, &addr);
  uv_tcp_init(loop, &listener);
  int rc = uv_tcp_bind(&listener, (const struct sockaddr *)&addr, 0);
  if (rc == 0) rc = uv_listen((uv_stream_t *)&listener, 511, connection_cb);
  if (rc != 0) {
    fprintf(stderr, "motcua-tls-echo: listen 127.0.0.1:%d: %s\n", port, uv_strerror(rc));
    return 1;
  }
  uv_timer_init(loop, &deadline);
  uv_timer_start(&deadline, deadline_cb, (uint64_t)max_s * 1000, 0);
  uv_signal_init(loop, &sigs[0]);
  uv_signal_init(loop, &sigs[1]);
  uv_signal_start(&sigs[0], signal_cb, SIGINT);
  uv_signal_start(&sigs[1], signal_cb, SIGTERM);
  printf("motcua-tls-echo ready port=%d\n", port);
  fflush(stdout);
  uv_run(loop, UV_RUN_DEFAULT);
  uv_loop_close(loop);
  free(conns);
  mc_tls_ctx_free(ctx);
  return 0;
}
