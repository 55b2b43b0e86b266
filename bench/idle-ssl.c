/* motcua-idle-ssl CERT_DIR [N]: heap per idle server-side SSL object after a
 * real mutual-TLS handshake, OpenSSL's part of an idle link alone
 * (docs/PERFORMANCE.md "Many idle links"). Contexts from mc_tls_ctx_new with
 * the certificates of tests/tls/mkcerts.sh (server.*, client.*, ca.crt);
 * CONC handshakes in flight over memory BIOs (default 64, like
 * bench/links.sh); each server SSL then keeps a null BIO like an idle link.
 * Prints heap in use (mallinfo2, chunk headers included), heap size and RSS
 * growth per SSL. Environment: SUITES (server TLS 1.3 suites), GRP (server
 * groups), CONC. A measuring tool, not a test: no target, no ratio. */
#include <malloc.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls.h"

typedef struct hs {
  SSL *s, *c;
  BIO *sr, *sw, *cr, *cw;
  int on;
} hs;

static long rss_kb(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0, res = 0;
  if (f != NULL && fscanf(f, "%ld %ld", &size, &res) != 2) res = 0;
  if (f != NULL) fclose(f);
  return res * 4;
}

static void pump(BIO *from, BIO *to) {
  char buf[16384];
  int n;
  while ((n = BIO_read(from, buf, sizeof buf)) > 0) BIO_write(to, buf, n);
}

static int ctx(SSL_CTX **out, int server, const char *dir) {
  char ca[600], crt[600], key[600], err[256];
  snprintf(ca, sizeof ca, "%s/ca.crt", dir);
  snprintf(crt, sizeof crt, "%s/%s.crt", dir, server ? "server" : "client");
  snprintf(key, sizeof key, "%s/%s.key", dir, server ? "server" : "client");
  mc_tls_files f = {ca, crt, key, NULL};
  if (mc_tls_ctx_new(out, server, &f, err, sizeof err) == 0) return 0;
  fprintf(stderr, "motcua-idle-ssl: %s\n", err);
  return -1;
}

static void start(hs *x, SSL_CTX *sc, SSL_CTX *cc) {
  x->s = SSL_new(sc);
  x->c = SSL_new(cc);
  x->sr = BIO_new(BIO_s_mem());
  x->sw = BIO_new(BIO_s_mem());
  x->cr = BIO_new(BIO_s_mem());
  x->cw = BIO_new(BIO_s_mem());
  SSL_set_bio(x->s, x->sr, x->sw);
  SSL_set_bio(x->c, x->cr, x->cw);
  SSL_set_accept_state(x->s);
  SSL_set_connect_state(x->c);
  x->on = 1;
}

/* One step of x's handshake; 1 when it ended with data both ways, -1 on
 * failure, 0 while it goes on. */
static int step(hs *x) {
  SSL_do_handshake(x->c);
  pump(x->cw, x->sr);
  SSL_do_handshake(x->s);
  pump(x->sw, x->cr);
  if (!SSL_is_init_finished(x->s) || !SSL_is_init_finished(x->c)) return 0;
  char buf[16];
  SSL_write(x->c, "hello", 5);
  pump(x->cw, x->sr);
  if (SSL_read(x->s, buf, sizeof buf) != 5) return -1;
  SSL_write(x->s, "world", 5);
  pump(x->sw, x->cr);
  SSL_read(x->c, buf, sizeof buf);
  SSL_free(x->c);
  BIO *nb = BIO_new(BIO_s_null());
  SSL_set_bio(x->s, nb, nb);
  x->on = 0;
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: motcua-idle-ssl CERT_DIR [N]\n");
    return 2;
  }
  int n = argc > 2 ? atoi(argv[2]) : 2000;
  int conc = getenv("CONC") != NULL ? atoi(getenv("CONC")) : 64;
  if (n < 1 || conc < 1) return 2;
  SSL_CTX *sc = NULL, *cc = NULL;
  if (ctx(&sc, 1, argv[1]) != 0 || ctx(&cc, 0, argv[1]) != 0) return 1;
  if (getenv("SUITES") != NULL && SSL_CTX_set_ciphersuites(sc, getenv("SUITES")) != 1) return 2;
  if (getenv("GRP") != NULL && SSL_CTX_set1_groups_list(sc, getenv("GRP")) != 1) return 2;
  SSL **kept = calloc((size_t)n, sizeof *kept);
  hs *h = calloc((size_t)conc, sizeof *h);
  if (kept == NULL || h == NULL) return 1;
  struct mallinfo2 m0 = mallinfo2();
  long r0 = rss_kb();
  int started = 0, done = 0;
  while (done < n) {
    for (int j = 0; j < conc && done < n; j++) {
      if (!h[j].on && started < n) {
        start(&h[j], sc, cc);
        started++;
      }
      if (!h[j].on) continue;
      SSL *s = h[j].s;
      int rc = step(&h[j]);
      if (rc < 0) {
        ERR_print_errors_fp(stderr);
        return 1;
      }
      if (rc == 1) kept[done++] = s;
    }
  }
  struct mallinfo2 m1 = mallinfo2();
  printf("%d SSL, %s: heap in use %.0f B, heap %.0f B, RSS %.0f B per SSL\n", n,
         SSL_get_cipher_name(kept[0]), (double)(m1.uordblks - m0.uordblks) / n,
         (double)(m1.arena + m1.hblkhd - m0.arena - m0.hblkhd) / n,
         (double)(rss_kb() - r0) * 1024 / n);
  for (int i = 0; i < n; i++) SSL_free(kept[i]);
  free(kept);
  free(h);
  mc_tls_ctx_free(sc);
  mc_tls_ctx_free(cc);
  return 0;
}
