/* motcua-login-bench: what an officer login costs the server (issue 15).
 * Real mc_links with real unit certificates, one libuv loop; the result is
 * one JSON line on stdout (bench/run.sh collects it).
 *
 *   cost   one link of --unit; --rounds times, one after the other: a
 *          LoginRequest (Argon2id verify + session row), a ListRequest
 *          (limit 10) and a Ping. p50 / mean of each; the ratios login/list
 *          and login/ping are the figures (same link, same run).
 *   burst  one link per unit of --units, each sending ListRequest (limit
 *          10): "the other units", --rate requests a second each (paced:
 *          a request is due every 1/rate s and its latency counts from
 *          when it was due, so a slow reply is not hidden by the requests
 *          it delayed), or --rate 0 a closed loop (the next request when
 *          the reply comes: the units then take every CPU cycle the
 *          logins leave, and a burst lasts as long as that share allows).
 *          First --warmup seconds not counted, --window seconds without
 *          logins (the reference), then
 *          --bursts times --burst links of --unit send a LoginRequest at
 *          the same instant; the other units' latencies from that instant
 *          until the last login answered are the burst sample. p99 during
 *          / p99 without is the figure.
 *
 * The password is read from --password-file (first line), never from the
 * command line. Every run ends by itself (a hard deadline). */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "frame.h"
#include "link.h"
#include "tls.h"

#define MAX_LINKS 512
#define PW_MAX 256

typedef struct opts {
  const char *mode, *host, *ca, *pki, *server_name, *unit, *login, *pw_file;
  char *units[64];
  int nunits, port, rounds, burst, bursts;
  double window_s, rate, warmup_s;
} opts;

static opts O = {.host = "127.0.0.1", .server_name = "motcua-server", .rounds = 20,
                 .burst = 50, .bursts = 3, .window_s = 5, .warmup_s = 1};
static char password[PW_MAX + 1];

static void usage(void) {
  fprintf(stderr,
          "usage: motcua-login-bench cost|burst --port N --ca FILE --pki DIR --unit CODE\n"
          "         --login LOGIN --password-file FILE\n"
          "  cost:  [--rounds N (20)]\n"
          "  burst: --units CODE,CODE,... [--burst N (50)] [--bursts N (3)] [--window S (5)]\n"
          "         [--rate R (0: closed loop)] [--warmup S (1)]\n");
}

static int parse_opts(int argc, char **argv) {
  if (argc < 2) return -1;
  O.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const char *k = argv[i];
    char *v = argv[i + 1];
    if (strcmp(k, "--host") == 0) O.host = v;
    else if (strcmp(k, "--port") == 0) O.port = atoi(v);
    else if (strcmp(k, "--ca") == 0) O.ca = v;
    else if (strcmp(k, "--pki") == 0) O.pki = v;
    else if (strcmp(k, "--server-name") == 0) O.server_name = v;
    else if (strcmp(k, "--unit") == 0) O.unit = v;
    else if (strcmp(k, "--login") == 0) O.login = v;
    else if (strcmp(k, "--password-file") == 0) O.pw_file = v;
    else if (strcmp(k, "--rounds") == 0) O.rounds = atoi(v);
    else if (strcmp(k, "--burst") == 0) O.burst = atoi(v);
    else if (strcmp(k, "--bursts") == 0) O.bursts = atoi(v);
    else if (strcmp(k, "--window") == 0) O.window_s = atof(v);
    else if (strcmp(k, "--rate") == 0) O.rate = atof(v);
    else if (strcmp(k, "--warmup") == 0) O.warmup_s = atof(v);
    else if (strcmp(k, "--units") == 0) {
      for (char *sv = NULL, *t = strtok_r(v, ",", &sv); t && O.nunits < 64;
           t = strtok_r(NULL, ",", &sv))
        O.units[O.nunits++] = t;
    } else return -1;
  }
  int cost = strcmp(O.mode, "cost") == 0, burst = strcmp(O.mode, "burst") == 0;
  if ((!cost && !burst) || O.port <= 0 || !O.ca || !O.pki || !O.unit || !O.login || !O.pw_file)
    return -1;
  if (O.rounds < 1 || O.burst < 1 || O.bursts < 1 || O.window_s <= 0 || O.rate < 0 ||
      O.rate > 10000 || O.warmup_s < 0)
    return -1;
  if (burst && (O.nunits == 0 || O.nunits + O.burst > MAX_LINKS)) return -1;
  return 0;
}

static int read_password(void) {
  FILE *f = fopen(O.pw_file, "r");
  if (f == NULL || fgets(password, sizeof password, f) == NULL) {
    if (f) fclose(f);
    return -1;
  }
  fclose(f);
  password[strcspn(password, "\r\n")] = '\0';
  return password[0] ? 0 : -1;
}

/* ---- latencies ------------------------------------------------------------ */

typedef struct lat {
  double *v;
  size_t n, cap;
} lat;

static void lat_add(lat *l, double ms) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 1024;
    double *p = realloc(l->v, cap * sizeof *p);
    if (p == NULL) return;
    l->v = p;
    l->cap = cap;
  }
  l->v[l->n++] = ms;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(lat *l, double p) {
  if (l->n == 0) return 0;
  qsort(l->v, l->n, sizeof *l->v, cmp_d);
  return l->v[(size_t)(p * (double)(l->n - 1) + 0.5)];
}

static double mean(const lat *l) {
  double s = 0;
  for (size_t i = 0; i < l->n; i++) s += l->v[i];
  return l->n ? s / (double)l->n : 0;
}

/* ---- links ------------------------------------------------------------------- */

enum kind { K_OTHER, K_LOGIN, K_COST };

typedef struct blink {
  mc_link *link;
  enum kind kind;
  int ready, closed, step; /* cost: 0 login, 1 list, 2 ping */
  uint64_t next_id, wait_id, sent_ns;
  uint64_t due_ns; /* other units: when the request in flight was due */
  uv_timer_t pace; /* other units with --rate: the next request's due time */
} blink;

static uv_loop_t *loop;
static blink links[MAX_LINKS];
static int nlinks, nready, nlive;
static SSL_CTX *ctxs[65];
static uv_timer_t t_phase, t_deadline;
static lat l_login, l_list, l_ping, l_base, l_burst;
static enum { P_CONNECT, P_WARM, P_BASE, P_GAP, P_BURST, P_DONE } phase = P_CONNECT;
static int bursts_done, burst_left, rounds_done;
static uint64_t burst_t0, login_ok, login_err, other_err, burst_ns_total;

static uint64_t now_ns(void) { return uv_hrtime(); }

#define ENV(e, id, field, val, bc) \
  Motcua__Envelope e = MOTCUA__ENVELOPE__INIT; \
  e.request_id = (id); \
  e.body_case = (bc); \
  e.field = (val)

static void send_on(blink *b, const Motcua__Envelope *e) {
  b->wait_id = e->request_id;
  b->sent_ns = now_ns();
  if (b->link == NULL || mc_link_send(b->link, e) != 0) b->wait_id = 0;
}

static void send_login(blink *b) {
  Motcua__LoginRequest q = MOTCUA__LOGIN_REQUEST__INIT;
  q.login = (char *)O.login;
  q.password = password;
  ENV(e, b->next_id++, login, &q, MOTCUA__ENVELOPE__BODY_LOGIN);
  send_on(b, &e);
}

static void send_list(blink *b) {
  Motcua__ListRequest q = MOTCUA__LIST_REQUEST__INIT;
  q.limit = 10;
  ENV(e, b->next_id++, list, &q, MOTCUA__ENVELOPE__BODY_LIST);
  send_on(b, &e);
}

static void send_ping(blink *b) {
  Motcua__Ping q = MOTCUA__PING__INIT;
  ENV(e, b->next_id++, ping, &q, MOTCUA__ENVELOPE__BODY_PING);
  send_on(b, &e);
}

static void send_hello(blink *b) {
  Motcua__Hello h = MOTCUA__HELLO__INIT;
  h.protocol_version = MC_PROTOCOL_VERSION;
  h.client_version = "motcua-login-bench/" MC_VERSION;
  ENV(e, b->next_id++, hello, &h, MOTCUA__ENVELOPE__BODY_HELLO);
  send_on(b, &e);
}

static void finish(void);
static void all_ready(void);
static void burst_start(void);

static void cost_next(blink *b) {
  if (rounds_done >= O.rounds) {
    finish();
    return;
  }
  if (b->step == 0) send_login(b);
  else if (b->step == 1) send_list(b);
  else send_ping(b);
}

static void on_cost(blink *b, const Motcua__Envelope *env, double ms) {
  if (env->body_case == MOTCUA__ENVELOPE__BODY_ERROR) {
    fprintf(stderr, "motcua-login-bench: refused step=%d code=%d detail=\"%s\"\n", b->step,
            env->error->code, env->error->detail);
    login_err++;
    finish();
    return;
  }
  lat_add(b->step == 0 ? &l_login : b->step == 1 ? &l_list : &l_ping, ms);
  if (++b->step == 3) {
    b->step = 0;
    rounds_done++;
  }
  cost_next(b);
}

static void on_login(const Motcua__Envelope *env) {
  if (env->body_case == MOTCUA__ENVELOPE__BODY_LOGIN_REPLY) login_ok++;
  else login_err++;
  if (--burst_left > 0) return;
  burst_ns_total += now_ns() - burst_t0;
  bursts_done++;
  phase = P_GAP;
  uv_timer_start(&t_phase, (uv_timer_cb)burst_start, 1000, 0);
}

static void pace_cb(uv_timer_t *t) {
  blink *b = t->data;
  if (phase != P_DONE) send_list(b);
}

/* The other unit's next request: at once (closed loop, or already due),
 * else when due. */
static void other_next(blink *b) {
  uint64_t now = now_ns();
  if (O.rate <= 0) b->due_ns = now;
  else b->due_ns += (uint64_t)(1e9 / O.rate);
  if (b->due_ns <= now) send_list(b);
  else uv_timer_start(&b->pace, pace_cb, (b->due_ns - now + 999999) / 1000000, 0);
}

static void on_other(blink *b, const Motcua__Envelope *env) {
  double ms = (double)(now_ns() - b->due_ns) / 1e6;
  if (env->body_case == MOTCUA__ENVELOPE__BODY_ERROR) other_err++;
  else if (phase == P_BASE) lat_add(&l_base, ms);
  else if (phase == P_BURST && b->due_ns >= burst_t0) lat_add(&l_burst, ms);
  if (phase != P_DONE) other_next(b);
}

static void frame_cb(mc_link *l, Motcua__Envelope *env) {
  blink *b = mc_link_data(l);
  if (env->request_id == 0 || env->request_id != b->wait_id) {
    if (env->body_case == MOTCUA__ENVELOPE__BODY_PING && env->request_id == 0) {
      Motcua__Pong p = MOTCUA__PONG__INIT;
      p.sent_ms = env->ping->sent_ms;
      ENV(e, 0, pong, &p, MOTCUA__ENVELOPE__BODY_PONG);
      mc_link_send(l, &e);
    }
    mc_envelope_free(env);
    return;
  }
  double ms = (double)(now_ns() - b->sent_ns) / 1e6;
  b->wait_id = 0;
  if (!b->ready) {
    if (env->body_case != MOTCUA__ENVELOPE__BODY_HELLO_REPLY) {
      fprintf(stderr, "motcua-login-bench: hello refused\n");
      mc_link_close(l, MC_OK);
    } else {
      b->ready = 1;
      if (++nready == nlinks) all_ready();
    }
  } else if (b->kind == K_COST) {
    on_cost(b, env, ms);
  } else if (b->kind == K_LOGIN) {
    on_login(env);
  } else {
    on_other(b, env);
  }
  mc_envelope_free(env);
}

static void open_cb(mc_link *l) { send_hello(mc_link_data(l)); }

static void close_cb(mc_link *l, int reason) {
  blink *b = mc_link_data(l);
  b->link = NULL;
  b->closed = 1;
  if (phase != P_DONE) {
    fprintf(stderr, "motcua-login-bench: link closed reason=%s\n", mc_errname(reason));
    finish();
  }
  if (--nlive == 0) uv_stop(loop);
}

static const mc_link_cbs cbs = {.on_open_cb = open_cb, .on_frame_cb = frame_cb,
                                .on_close_cb = close_cb};

static SSL_CTX *ctx_for(int i, const char *unit) {
  if (ctxs[i] != NULL) return ctxs[i];
  char cert[1024], key[1024], err[256];
  snprintf(cert, sizeof cert, "%s/units/%s.crt", O.pki, unit);
  snprintf(key, sizeof key, "%s/units/%s.key", O.pki, unit);
  mc_tls_files f = {.ca = O.ca, .cert = cert, .key = key};
  if (mc_tls_ctx_new(&ctxs[i], 0, &f, err, sizeof err) != 0) {
    fprintf(stderr, "motcua-login-bench: unit %s: %s\n", unit, err);
    return NULL;
  }
  return ctxs[i];
}

static int add_link(enum kind k, SSL_CTX *ctx) {
  blink *b = &links[nlinks++];
  b->kind = k;
  b->next_id = 1;
  uv_timer_init(loop, &b->pace);
  b->pace.data = b;
  mc_link_opts o = {.server_name = O.server_name, .handshake_ms = 30000};
  if (ctx == NULL || mc_link_connect(loop, ctx, O.host, O.port, &o, &cbs, b, &b->link) != 0)
    return -1;
  nlive++;
  return 0;
}

/* ---- phases ------------------------------------------------------------------ */

static void burst_start(void) {
  if (bursts_done >= O.bursts) {
    finish();
    return;
  }
  phase = P_BURST;
  burst_left = O.burst;
  burst_t0 = now_ns();
  for (int i = 0; i < nlinks; i++)
    if (links[i].kind == K_LOGIN) send_login(&links[i]);
}

static void base_start(void) {
  phase = P_BASE;
  uv_timer_start(&t_phase, (uv_timer_cb)burst_start, (uint64_t)(O.window_s * 1000), 0);
}

static void all_ready(void) {
  if (strcmp(O.mode, "cost") == 0) {
    cost_next(&links[0]);
    return;
  }
  phase = P_WARM; /* the server's first lists (statements, caches) are not the reference */
  uint64_t now = now_ns(), period = O.rate > 0 ? (uint64_t)(1e9 / O.rate) : 0;
  for (int i = 0, k = 0; i < nlinks; i++) /* paced units spread over one period */
    if (links[i].kind == K_OTHER) {
      links[i].due_ns = now + period * (uint64_t)k++ / (uint64_t)O.nunits - period;
      other_next(&links[i]);
    }
  uv_timer_start(&t_phase, (uv_timer_cb)base_start, (uint64_t)(O.warmup_s * 1000), 0);
}

static void print_result(void) {
  if (strcmp(O.mode, "cost") == 0) {
    double lg = pct(&l_login, .5), li = pct(&l_list, .5), pg = pct(&l_ping, .5);
    printf("{\"mode\":\"cost\",\"rounds\":%d,\"errors\":%" PRIu64 ",\"login_p50_ms\":%.3f,"
           "\"login_mean_ms\":%.3f,\"list_p50_ms\":%.3f,\"ping_p50_ms\":%.3f,"
           "\"login_over_list\":%.1f,\"login_over_ping\":%.1f}\n",
           rounds_done, login_err, lg, mean(&l_login), li, pg, li > 0 ? lg / li : 0,
           pg > 0 ? lg / pg : 0);
  } else {
    double b99 = pct(&l_base, .99), u99 = pct(&l_burst, .99);
    printf("{\"mode\":\"burst\",\"other_units\":%d,\"rate\":%g,\"burst\":%d,\"bursts\":%d,"
           "\"logins_ok\":%" PRIu64 ",\"logins_refused\":%" PRIu64 ",\"other_errors\":%" PRIu64
           ",\"burst_ms_mean\":%.1f,\"base_n\":%zu,\"burst_n\":%zu,\"base_p50_ms\":%.3f,"
           "\"base_p99_ms\":%.3f,\"burst_p50_ms\":%.3f,\"burst_p99_ms\":%.3f,"
           "\"p99_burst_over_base\":%.2f}\n",
           O.nunits, O.rate, O.burst, bursts_done, login_ok, login_err, other_err,
           bursts_done ? (double)burst_ns_total / 1e6 / bursts_done : 0, l_base.n, l_burst.n,
           pct(&l_base, .5), b99, pct(&l_burst, .5), u99, b99 > 0 ? u99 / b99 : 0);
  }
  fflush(stdout);
}

static void finish(void) {
  if (phase == P_DONE) return;
  phase = P_DONE;
  uv_timer_stop(&t_phase);
  for (int i = 0; i < nlinks; i++) uv_timer_stop(&links[i].pace);
  print_result();
  for (int i = 0; i < nlinks; i++)
    if (links[i].link != NULL) mc_link_close(links[i].link, MC_OK);
  if (nlive == 0) uv_stop(loop);
}

static void deadline_cb(uv_timer_t *t) {
  (void)t;
  fprintf(stderr, "motcua-login-bench: deadline reached\n");
  if (phase != P_DONE) finish();
  else uv_stop(loop);
  uv_timer_start(&t_deadline, deadline_cb, 5000, 0);
}

static int start_links(void) {
  if (strcmp(O.mode, "cost") == 0) return add_link(K_COST, ctx_for(0, O.unit));
  for (int i = 0; i < O.nunits; i++)
    if (add_link(K_OTHER, ctx_for(i + 1, O.units[i])) != 0) return -1;
  for (int i = 0; i < O.burst; i++)
    if (add_link(K_LOGIN, ctx_for(0, O.unit)) != 0) return -1;
  return 0;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (parse_opts(argc, argv) != 0) return usage(), 2;
  if (read_password() != 0) {
    fprintf(stderr, "motcua-login-bench: no password in %s\n", O.pw_file);
    return 2;
  }
  loop = uv_default_loop();
  uv_timer_init(loop, &t_phase);
  uv_timer_init(loop, &t_deadline);
  double budget = strcmp(O.mode, "cost") == 0 ? 60 + O.rounds * 2.0
                                                : 60 + O.warmup_s + O.window_s + O.bursts * 90.0;
  uv_timer_start(&t_deadline, deadline_cb, (uint64_t)(budget * 1000), 0);
  int rc = start_links();
  if (rc != 0) finish();
  if (nlive > 0) uv_run(loop, UV_RUN_DEFAULT);
  uv_close((uv_handle_t *)&t_phase, NULL);
  uv_close((uv_handle_t *)&t_deadline, NULL);
  for (int i = 0; i < nlinks; i++) uv_close((uv_handle_t *)&links[i].pace, NULL);
  uv_run(loop, UV_RUN_NOWAIT);
  for (int i = 0; i < 65; i++)
    if (ctxs[i] != NULL) mc_tls_ctx_free(ctxs[i]);
  free(l_login.v), free(l_list.v), free(l_ping.v), free(l_base.v), free(l_burst.v);
  memset(password, 0, sizeof password);
  return rc != 0 || login_err > 0 ? 1 : 0;
}
