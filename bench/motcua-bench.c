/* motcua-bench: load generator for motcua-server. Many simulated units on
 * one libuv loop, each a real mc_link (common/link.h) with a real unit
 * certificate, speaking the protocol with protobuf-c. One mode per run;
 * the result is one JSON line on stdout (bench/run.sh collects them).
 *
 *   intake  N units, each a closed loop of ReceiveRequest -> DossierReply
 *           (one request in flight per unit, like a desk officer).
 *   ping    N clients, each a closed loop of Ping -> Pong. With --echo the
 *           target is motcua-tls-echo, which sends the Ping frame back.
 *   idle    --conns links: handshake + Hello, then held open with a Ping
 *           every --heartbeat seconds (and Pong to the server's pings).
 *           Prints "READY ..." when every link is up, holds --hold seconds.
 *   mqtt    the same idle pattern against an MQTT broker over mutual TLS
 *           (CONNECT, then PINGREQ every --heartbeat), for mosquitto.
 *   fair    --clients intake units, one link flooding Pings and one probe
 *           link of another unit pinging: the probe's p50/p99 alone, with
 *           the intake load, and with the load and the flood (bench/fair.sh).
 *   flood   --clients links, each keeping --flood-depth Pings in flight.
 *   storm   --clients links, each a closed loop of reconnects: connect, a
 *           full TLS handshake (the server keeps no session cache), Hello
 *           and its answer, close, connect again: units reconnecting at
 *           once, sustained. Rate = cycles/s; latency = connect to Hello's
 *           answer.
 *   probe   one link pinging in a closed loop until --duration ends (or
 *           SIGTERM); writes each Ping's send time (uv_hrtime ns, the
 *           monotonic clock every process here shares) and latency (us) to
 *           --samples FILE: bench/fair.sh cuts them by the phases a `fair
 *           --probe 0` process prints, so the probe is a unit of its own
 *           (its own process, its own CPU priority).
 *
 * Every run ends by itself: a hard deadline closes everything. */
#include <errno.h>
#include <inttypes.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "frame.h"
#include "link.h"
#include "tls.h"
#include "tlsconn.h"

#define MAX_UNITS 256
#define SETTLE_MS 5000 /* drain: wait this long for in-flight replies */

/* ---------------------------------------------------------------- options */

typedef struct opts {
  const char *mode, *host, *ca, *pki, *server_name, *proc, *src_prefix, *sessions;
  int port, clients, conns, concurrency, echo, src_count, flood_depth, probe, random_keys;
  const char *samples;
  double warmup_s, duration_s, hold_s, heartbeat_s;
  char *units[MAX_UNITS];
  int nunits;
} opts;

static opts O = {
    .host = "127.0.0.1", .server_name = "motcua-server", .clients = 1, .conns = 1000,
    .concurrency = 64, .src_count = 48, .flood_depth = 256, .probe = 1, .warmup_s = 2, .duration_s = 10, .hold_s = 30, .heartbeat_s = 30,
};

static void usage(void) {
  fprintf(stderr,
          "usage: motcua-bench MODE --port N --ca FILE --pki DIR --units CODE,CODE,...\n"
          "  MODE: intake | ping | idle | mqtt | fair | flood | probe | storm\n"
          "  --host H (127.0.0.1)  --server-name NAME (motcua-server)\n"
          "  --clients N  --warmup S  --duration S        (intake, ping, flood, storm)\n"
          "  --proc CODE                                   (intake: commune-level procedure)\n"
          "  --keys ordered|random (ordered)  intake's idempotency keys: in the order\n"
          "                  they are made (as mc_client_idem_key's), or 32 random hex\n"
          "                  digits (the clients' keys before 2026-12-07)\n"
          "  --echo                                        (ping: target is motcua-tls-echo)\n"
          "  --flood-depth K (256)   (fair: --clients intake units, a flood link keeping K\n"
          "                  Pings in flight, a probe link pinging; phases idle, load,\n"
          "                  flood of --warmup + --duration each; 0: no flood inside, the\n"
          "                  line FLOOD when a separate `flood` process should start)\n"
          "                  (flood: --clients links each keeping K Pings in flight)\n"
          "  --probe 0|1 (1)  fair: 0 = no probe link here (a `probe` process pings)\n"
          "  --samples FILE   probe: where its samples go (send ns, latency us)\n"
          "  --conns N --concurrency N --hold S --heartbeat S   (idle, mqtt)\n"
          "  --src-prefix 127.0.0. --src-count N (48)  spread the links' source addresses\n"
          "                  over PREFIX2 .. PREFIX(N+1) (idle, mqtt, and the other modes)\n"
          "  --sessions DIR  officer sessions DIR/session-CODE.token (intake: receives\n"
          "                  need one; deploy/local.sh up logs each unit's tester in)\n"
          "Unit certificates: PKI/units/CODE.crt and .key (deploy/pki.sh).\n");
}

static int parse_units(char *list) {
  for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (O.nunits == MAX_UNITS) return -1;
    O.units[O.nunits++] = t;
  }
  return O.nunits > 0 ? 0 : -1;
}

static int parse_opts(int argc, char **argv) {
  if (argc < 2) return -1;
  O.mode = argv[1];
  for (int i = 2; i < argc; i++) {
    const char *k = argv[i];
    if (strcmp(k, "--echo") == 0) {
      O.echo = 1;
      continue;
    }
    if (i + 1 >= argc) return -1;
    char *v = argv[++i];
    if (strcmp(k, "--host") == 0) O.host = v;
    else if (strcmp(k, "--port") == 0) O.port = atoi(v);
    else if (strcmp(k, "--ca") == 0) O.ca = v;
    else if (strcmp(k, "--pki") == 0) O.pki = v;
    else if (strcmp(k, "--server-name") == 0) O.server_name = v;
    else if (strcmp(k, "--units") == 0) { if (parse_units(v) != 0) return -1; }
    else if (strcmp(k, "--proc") == 0) O.proc = v;
    else if (strcmp(k, "--clients") == 0) O.clients = atoi(v);
    else if (strcmp(k, "--conns") == 0) O.conns = atoi(v);
    else if (strcmp(k, "--concurrency") == 0) O.concurrency = atoi(v);
    else if (strcmp(k, "--warmup") == 0) O.warmup_s = atof(v);
    else if (strcmp(k, "--duration") == 0) O.duration_s = atof(v);
    else if (strcmp(k, "--hold") == 0) O.hold_s = atof(v);
    else if (strcmp(k, "--heartbeat") == 0) O.heartbeat_s = atof(v);
    else if (strcmp(k, "--src-prefix") == 0) O.src_prefix = v;
    else if (strcmp(k, "--src-count") == 0) O.src_count = atoi(v);
    else if (strcmp(k, "--flood-depth") == 0) O.flood_depth = atoi(v);
    else if (strcmp(k, "--sessions") == 0) O.sessions = v;
    else if (strcmp(k, "--probe") == 0) O.probe = atoi(v) != 0;
    else if (strcmp(k, "--samples") == 0) O.samples = v;
    else if (strcmp(k, "--keys") == 0) {
      if (strcmp(v, "random") != 0 && strcmp(v, "ordered") != 0) return -1;
      O.random_keys = strcmp(v, "random") == 0;
    }
    else return -1;
  }
  if (O.port <= 0 || O.ca == NULL || O.pki == NULL || O.nunits == 0) return -1;
  if (O.clients < 1 || O.conns < 1 || O.concurrency < 1 || O.heartbeat_s <= 0) return -1;
  if (O.src_count < 1 || O.src_count > 250) return -1;
  if ((strcmp(O.mode, "intake") == 0 || strcmp(O.mode, "fair") == 0) && O.proc == NULL)
    return -1;
  if (O.flood_depth < 0 || O.flood_depth > 100000) return -1;
  if (strcmp(O.mode, "probe") == 0 && O.samples == NULL) return -1;
  return 0;
}

/* ------------------------------------------------------------------ state */

enum phase { PH_WARMUP, PH_MEASURE, PH_DRAIN, PH_DONE };

typedef struct sim {
  int idx;
  mc_link *link;
  tc_conn *tc;
  int ready, closed;
  uint64_t next_id, wait_id, sent_ns;
  uint64_t conn_ns; /* storm: when this cycle's connect started */
  int cycling;      /* storm: closed by us after a cycle, to reconnect */
  uint8_t mq[4]; /* mqtt: partial packet carried between reads */
  size_t mqlen;
} sim;

static uv_loop_t *loop;
static SSL_CTX *unit_ctx[MAX_UNITS];
static sim *sims;
static int nsims;
static enum phase phase = PH_WARMUP;
static uv_timer_t t_phase, t_tick, t_deadline;
static uv_signal_t sigs[2];
static uint64_t t0_ns, t1_ns, start_ns;

static struct {
  uint64_t ok, errors, opened, failed, dropped, established, pings, pongs, server_pings;
  int next_launch, live, printed_errors;
  uint64_t ready_ns;
} st;

static uint32_t *lat_us;
static size_t nlat, caplat;

static uint64_t now_ns(void) { return uv_hrtime(); }

static void lat_add(uint64_t ns) {
  if (nlat == caplat) {
    size_t cap = caplat ? caplat * 2 : 65536;
    uint32_t *p = realloc(lat_us, cap * sizeof *p);
    if (p == NULL) return;
    lat_us = p;
    caplat = cap;
  }
  lat_us[nlat++] = (uint32_t)(ns / 1000);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static double pct_ms(double p) {
  if (nlat == 0) return 0;
  size_t i = (size_t)(p * (double)(nlat - 1) + 0.5);
  return lat_us[i] / 1000.0;
}

/* A request still waiting for its reply on an open link (the drain waits). */
static int any_waiting(void) {
  for (int i = 0; i < nsims; i++)
    if (sims[i].wait_id != 0 && !sims[i].closed) return 1;
  return 0;
}

/* ------------------------------------------------------------ TLS setup */

static int load_contexts(int client_count) {
  char cert[1024], key[1024], err[256];
  int n = client_count < O.nunits ? client_count : O.nunits;
  for (int i = 0; i < n; i++) {
    snprintf(cert, sizeof cert, "%s/units/%s.crt", O.pki, O.units[i]);
    snprintf(key, sizeof key, "%s/units/%s.key", O.pki, O.units[i]);
    mc_tls_files f = {.ca = O.ca, .cert = cert, .key = key};
    if (mc_tls_ctx_new(&unit_ctx[i], 0, &f, err, sizeof err) != 0) {
      fprintf(stderr, "motcua-bench: unit %s: %s\n", O.units[i], err);
      return -1;
    }
  }
  return 0;
}

static SSL_CTX *ctx_of(int idx) { return unit_ctx[idx % O.nunits]; }

/* Each unit's officer session (issue 15): "" when none. */
static char unit_token[MAX_UNITS][72];

static void load_sessions(void) {
  for (int i = 0; O.sessions != NULL && i < O.nunits; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/session-%s.token", O.sessions, O.units[i]);
    FILE *f = fopen(path, "r");
    if (f == NULL) continue;
    if (fgets(unit_token[i], sizeof unit_token[i], f) == NULL) unit_token[i][0] = '\0';
    unit_token[i][strcspn(unit_token[i], "\r\n")] = '\0';
    fclose(f);
  }
}

/* ------------------------------------------------------------- requests */

#define ENV(e, id, field, val, bc) \
  Motcua__Envelope e = MOTCUA__ENVELOPE__INIT; \
  e.request_id = (id);                          \
  e.body_case = (bc);                           \
  e.field = (val)

/* Applicant data as long as the server's field limits allow (name < 160
 * bytes, officer < 96): a realistic upper bound for a desk's request. */
static char bench_name[] =
    "Nguyễn Thị Phương Thảo Hoàng Lê Minh Khánh Trần Văn Đức Phạm Quỳnh "
    "Anh Võ Đình Trọng Bùi Thị Ngọc Hà";
static char bench_officer[] = "Cán bộ tiếp nhận và trả kết quả Bộ phận một cửa xã";
static char bench_phone[] = "0912345678";

static int send_env(sim *s, const Motcua__Envelope *e) {
  if (s->link == NULL || s->closed) return -1;
  int rc = mc_link_send(s->link, e);
  if (rc != 0) {
    fprintf(stderr, "motcua-bench: send failed sim=%d err=%s\n", s->idx, mc_errname(rc));
    return -1;
  }
  return 0;
}

/* The receive's idempotency key: per client in the order sent (a unit's
 * keys arrive in order, as the clients' time-ordered ones), or random. */
static void bench_key(char *key, size_t len, const sim *s, uint64_t id) {
  unsigned char raw[16];
  if (O.random_keys && RAND_bytes(raw, sizeof raw) == 1) {
    for (size_t i = 0; i < sizeof raw && 2 * i + 2 < len; i++)
      snprintf(key + 2 * i, 3, "%02x", raw[i]);
    return;
  }
  snprintf(key, len, "bench-%x-%d-%" PRIu64, (unsigned)getpid(), s->idx, id);
}

static void send_receive(sim *s) {
  char key[64], idn[16];
  uint64_t id = s->next_id++;
  bench_key(key, sizeof key, s, id);
  snprintf(idn, sizeof idn, "0%011" PRIu64, ((uint64_t)s->idx * 1000003u + id) % 100000000000u);
  Motcua__Applicant a = MOTCUA__APPLICANT__INIT;
  a.name = bench_name;
  a.id_number = idn;
  a.phone = bench_phone;
  Motcua__ReceiveRequest r = MOTCUA__RECEIVE_REQUEST__INIT;
  r.idempotency_key = key;
  r.procedure_code = (char *)O.proc;
  r.applicant = &a;
  r.channel = MOTCUA__CHANNEL__CHANNEL_DIRECT;
  r.officer = bench_officer;
  r.missing_reason = "bench: components not recorded"; /* issue 14: a reason, not a list */
  ENV(e, id, receive, &r, MOTCUA__ENVELOPE__BODY_RECEIVE);
  e.session_token = unit_token[s->idx % O.nunits];
  s->wait_id = id;
  s->sent_ns = now_ns();
  if (send_env(s, &e) != 0) s->wait_id = 0;
}

static void send_ping(sim *s, uint64_t id) {
  Motcua__Ping p = MOTCUA__PING__INIT;
  p.sent_ms = (int64_t)(now_ns() / 1000000);
  ENV(e, id, ping, &p, MOTCUA__ENVELOPE__BODY_PING);
  send_env(s, &e);
}

static void send_pong(sim *s, int64_t sent_ms) {
  Motcua__Pong p = MOTCUA__PONG__INIT;
  p.sent_ms = sent_ms;
  ENV(e, 0, pong, &p, MOTCUA__ENVELOPE__BODY_PONG);
  send_env(s, &e);
}

static void send_hello(sim *s) {
  Motcua__Hello h = MOTCUA__HELLO__INIT;
  h.protocol_version = MC_PROTOCOL_VERSION;
  h.client_version = "motcua-bench/" MC_VERSION;
  uint64_t id = s->next_id++;
  ENV(e, id, hello, &h, MOTCUA__ENVELOPE__BODY_HELLO);
  s->wait_id = id;
  s->sent_ns = now_ns();
  send_env(s, &e);
}

/* Next request of a closed-loop client (intake, ping). */
static void issue(sim *s) {
  if (phase >= PH_DRAIN || s->closed) return;
  if (strcmp(O.mode, "flood") == 0) {
    for (int k = 0; k < O.flood_depth; k++) send_ping(s, s->next_id++);
  } else if (strcmp(O.mode, "intake") == 0) {
    send_receive(s);
  } else {
    uint64_t id = s->next_id++;
    s->wait_id = id;
    s->sent_ns = now_ns();
    send_ping(s, id);
  }
}

/* --------------------------------------------------------- link callbacks */

static void launch_more(void);
static void finish(void);
static int is_idle_mode(void);

static void note_error(const Motcua__Envelope *env) {
  st.errors++;
  if (st.printed_errors++ < 5 && env->body_case == MOTCUA__ENVELOPE__BODY_ERROR)
    fprintf(stderr, "motcua-bench: error reply code=%d msg=\"%s\" detail=\"%s\"\n",
            env->error->code, env->error->message, env->error->detail);
}

static int is_fair_mode(void);
static int is_probe_mode(void);
static void fair_on_ready(sim *s);
static int fair_frame(sim *s, const Motcua__Envelope *env);
static void fair_ping(sim *s);
static void probe_frame(sim *s, const Motcua__Envelope *env);

static int is_storm_mode(void);
static void storm_cycle(sim *s);

static void on_ready(sim *s) {
  s->ready = 1;
  st.established++;
  if (is_storm_mode()) {
    storm_cycle(s);
    return;
  }
  if (is_fair_mode()) {
    fair_on_ready(s);
    return;
  }
  if (is_probe_mode()) {
    fair_ping(s);
    return;
  }
  if (is_idle_mode()) launch_more();
  else issue(s);
}

static void on_reply(sim *s, const Motcua__Envelope *env) {
  uint64_t lat = now_ns() - s->sent_ns;
  s->wait_id = 0;
  if (!s->ready) {
    if (env->body_case == MOTCUA__ENVELOPE__BODY_ERROR) {
      note_error(env);
      mc_link_close(s->link, MC_OK);
      return;
    }
    on_ready(s);
    return;
  }
  if (env->body_case == MOTCUA__ENVELOPE__BODY_ERROR) note_error(env);
  else if (phase == PH_MEASURE) {
    st.ok++;
    lat_add(lat);
  }
  if (phase == PH_DRAIN) {
    if (!any_waiting()) finish();
    return;
  }
  issue(s);
}

static void frame_cb(mc_link *l, Motcua__Envelope *env) {
  sim *s = mc_link_data(l);
  if (is_fair_mode() && s->ready && fair_frame(s, env)) {
    mc_envelope_free(env);
    return;
  }
  if (is_probe_mode() && s->ready && env->request_id != 0) {
    probe_frame(s, env);
    mc_envelope_free(env);
    return;
  }
  if (strcmp(O.mode, "flood") == 0 && s->ready && env->request_id != 0) {
    if (phase == PH_MEASURE) st.ok++; /* a Pong: the next Ping keeps the depth */
    if (phase < PH_DRAIN) send_ping(s, s->next_id++);
    mc_envelope_free(env);
    return;
  }
  if (env->request_id != 0 && env->request_id == s->wait_id) {
    on_reply(s, env);
  } else if (env->body_case == MOTCUA__ENVELOPE__BODY_PING && env->request_id == 0) {
    st.server_pings++;
    send_pong(s, env->ping->sent_ms);
  } else if (env->body_case == MOTCUA__ENVELOPE__BODY_PONG ||
             (O.echo && env->body_case == MOTCUA__ENVELOPE__BODY_PING)) {
    st.pongs++; /* idle-mode heartbeat answered */
  }
  mc_envelope_free(env);
}

static void open_cb(mc_link *l) {
  sim *s = mc_link_data(l);
  st.opened++;
  send_hello(s);
}

static void storm_next(sim *s);

static void close_cb(mc_link *l, int reason) {
  sim *s = mc_link_data(l);
  s->link = NULL;
  s->closed = 1;
  st.live--;
  if (s->cycling) {
    storm_next(s);
    return;
  }
  if (phase < PH_DRAIN || strcmp(O.mode, "idle") == 0) {
    if (!s->ready) st.failed++;
    else if (phase < PH_DONE) st.dropped++;
    if (st.failed + st.dropped <= 5 && phase < PH_DONE)
      fprintf(stderr, "motcua-bench: link %d closed reason=%s\n", s->idx, mc_errname(reason));
  }
  if (strcmp(O.mode, "idle") == 0 && !s->ready) launch_more();
  if (phase == PH_DONE && st.live == 0) uv_stop(loop);
}

static const mc_link_cbs bench_cbs = {
    .on_open_cb = open_cb, .on_frame_cb = frame_cb, .on_close_cb = close_cb};

/* The source address of sim s with --src-prefix: PREFIX(2 + idx % src_count),
 * so no one address's ~28k ephemeral ports limit the link count. */
static const struct sockaddr *src_of(const sim *s, struct sockaddr_in *src) {
  if (O.src_prefix == NULL) return NULL;
  char ip[32];
  snprintf(ip, sizeof ip, "%s%d", O.src_prefix, 2 + s->idx % O.src_count);
  if (uv_ip4_addr(ip, 0, src) != 0) return NULL;
  return (const struct sockaddr *)src;
}

static int start_link(sim *s) {
  struct sockaddr_in src;
  mc_link_opts o = {.server_name = O.server_name, .handshake_ms = 30000,
                    .bind_addr = src_of(s, &src)};
  st.live++;
  s->conn_ns = now_ns();
  int rc = mc_link_connect(loop, ctx_of(s->idx), O.host, O.port, &o, &bench_cbs, s, &s->link);
  if (rc != 0) {
    st.live--;
    st.failed++;
    s->closed = 1;
    return rc;
  }
  return 0;
}

/* ------------------------------------------------------------- mqtt idle */

static void mq_data_cb(tc_conn *c, const uint8_t *p, size_t n) {
  sim *s = tc_data(c);
  for (size_t i = 0; i < n; i++) {
    s->mq[s->mqlen++] = p[i];
    uint8_t type = s->mq[0] & 0xF0;
    size_t want = type == 0x20 ? 4 : 2;
    if (s->mqlen < want) continue;
    if (type == 0x20 && !s->ready) {
      if (s->mq[3] != 0) {
        tc_close(c);
        return;
      }
      on_ready(s);
    } else if (type == 0xD0) {
      st.pongs++;
    }
    s->mqlen = 0;
  }
}

static void mq_open_cb(tc_conn *c) {
  sim *s = tc_data(c);
  st.opened++;
  char cid[32];
  int idlen = snprintf(cid, sizeof cid, "bench-%d", s->idx);
  unsigned ka = (unsigned)(O.heartbeat_s * 2);
  uint8_t pkt[64];
  size_t n = 0;
  pkt[n++] = 0x10;
  pkt[n++] = (uint8_t)(10 + 2 + idlen);
  const uint8_t vh[] = {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, (uint8_t)(ka >> 8), (uint8_t)ka};
  memcpy(pkt + n, vh, sizeof vh);
  n += sizeof vh;
  pkt[n++] = 0;
  pkt[n++] = (uint8_t)idlen;
  memcpy(pkt + n, cid, (size_t)idlen);
  n += (size_t)idlen;
  if (tc_write(c, pkt, n) != 0) tc_close(c);
}

static void mq_close_cb(tc_conn *c, int failed) {
  sim *s = tc_data(c);
  (void)failed;
  s->tc = NULL;
  s->closed = 1;
  st.live--;
  if (!s->ready) st.failed++;
  else if (phase < PH_DONE) st.dropped++;
  if (!s->ready) launch_more();
  if (phase == PH_DONE && st.live == 0) uv_stop(loop);
}

static const tc_cbs mq_cbs = {
    .on_open_cb = mq_open_cb, .on_data_cb = mq_data_cb, .on_close_cb = mq_close_cb};

static int start_mqtt(sim *s) {
  struct sockaddr_in dst, src;
  uv_ip4_addr(O.host, O.port, &dst);
  const struct sockaddr *srcp = src_of(s, &src);
  st.live++;
  if (tc_connect(loop, ctx_of(s->idx), (const struct sockaddr *)&dst, srcp, &mq_cbs, s,
                 &s->tc) != 0) {
    st.live--;
    st.failed++;
    s->closed = 1;
    return -1;
  }
  return 0;
}

/* ----------------------------------------------------- idle: ramp + hold */

static int is_idle_mode(void) { return strcmp(O.mode, "idle") == 0 || strcmp(O.mode, "mqtt") == 0; }

static void hold_done_cb(uv_timer_t *t) {
  (void)t;
  finish();
}

static void all_up(void) {
  st.ready_ns = now_ns();
  printf("READY established=%" PRIu64 " failed=%" PRIu64 " ramp_s=%.2f\n", st.established,
         st.failed, (double)(st.ready_ns - start_ns) / 1e9);
  fflush(stdout);
  uv_timer_start(&t_phase, hold_done_cb, (uint64_t)(O.hold_s * 1000), 0);
}

static void launch_more(void) {
  if (!is_idle_mode() || phase != PH_WARMUP) return;
  int pending = (int)(st.next_launch - (int)st.established - (int)st.failed);
  while (st.next_launch < nsims && pending < O.concurrency) {
    sim *s = &sims[st.next_launch++];
    if (strcmp(O.mode, "mqtt") == 0) start_mqtt(s);
    else start_link(s);
    pending = (int)(st.next_launch - (int)st.established - (int)st.failed);
  }
  if ((int)(st.established + st.failed) == nsims) {
    phase = PH_MEASURE;
    all_up();
  }
}

/* Heartbeats spread over the interval: every 100 ms a tenth-of-a-second
 * slice of the links pings. */
static void tick_cb(uv_timer_t *t) {
  (void)t;
  static uint64_t tick;
  int slots = (int)(O.heartbeat_s * 10);
  if (slots < 1) slots = 1;
  for (int i = (int)(tick % (uint64_t)slots); i < nsims; i += slots) {
    sim *s = &sims[i];
    if (!s->ready || s->closed) continue;
    st.pings++;
    if (s->tc != NULL) {
      static const uint8_t pingreq[2] = {0xC0, 0x00};
      tc_write(s->tc, pingreq, 2);
    } else {
      send_ping(s, s->next_id++);
    }
  }
  tick++;
}

/* --------------------------------------------------------------- phases */

static void close_all(void) {
  for (int i = 0; i < nsims; i++) {
    if (sims[i].link != NULL) mc_link_close(sims[i].link, MC_OK);
    if (sims[i].tc != NULL) tc_close(sims[i].tc);
  }
}

static void print_result(void) {
  qsort(lat_us, nlat, sizeof *lat_us, cmp_u32);
  double secs = t1_ns > t0_ns ? (double)(t1_ns - t0_ns) / 1e9 : 0;
  if (is_idle_mode()) {
    printf("{\"mode\":\"%s\",\"conns\":%d,\"established\":%" PRIu64 ",\"failed\":%" PRIu64
           ",\"dropped\":%" PRIu64 ",\"ramp_s\":%.2f,\"pings\":%" PRIu64 ",\"pongs\":%" PRIu64
           ",\"server_pings\":%" PRIu64 "}\n",
           O.mode, nsims, st.established, st.failed, st.dropped,
           st.ready_ns ? (double)(st.ready_ns - start_ns) / 1e9 : -1.0, st.pings, st.pongs,
           st.server_pings);
  } else {
    printf("{\"mode\":\"%s\",\"target\":\"%s\",\"clients\":%d,\"ok\":%" PRIu64
           ",\"errors\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"dropped\":%" PRIu64
           ",\"seconds\":%.3f,\"rate\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
           O.mode, O.echo ? "echo" : "motcua", nsims, st.ok, st.errors, st.failed, st.dropped,
           secs, secs > 0 ? (double)st.ok / secs : 0, pct_ms(0.50), pct_ms(0.99), pct_ms(1.0));
  }
  fflush(stdout);
}

static void finish(void) {
  if (phase == PH_DONE) return;
  if (t1_ns == 0) t1_ns = now_ns();
  if (is_idle_mode()) t0_ns = st.ready_ns;
  phase = PH_DONE;
  uv_timer_stop(&t_phase);
  uv_timer_stop(&t_tick);
  print_result();
  close_all();
  if (st.live == 0) uv_stop(loop);
}

static void drain_timeout_cb(uv_timer_t *t) {
  (void)t;
  finish();
}

static void measure_end_cb(uv_timer_t *t) {
  t1_ns = now_ns();
  phase = PH_DRAIN;
  uv_timer_start(t, drain_timeout_cb, SETTLE_MS, 0);
  if (!any_waiting()) finish();
}

static void measure_start_cb(uv_timer_t *t) {
  phase = PH_MEASURE;
  t0_ns = now_ns();
  if ((int)st.established < nsims)
    fprintf(stderr, "motcua-bench: only %" PRIu64 "/%d links ready after warm-up\n",
            st.established, nsims);
  uv_timer_start(t, measure_end_cb, (uint64_t)(O.duration_s * 1000), 0);
}


/* ----------------------------------------------------------------- storm */

static int is_storm_mode(void) { return strcmp(O.mode, "storm") == 0; }

/* A cycle ends at Hello's answer: count it, close, and reconnect in
 * close_cb (storm_next), so a sim holds one link at a time. */
static void storm_cycle(sim *s) {
  if (phase == PH_MEASURE) {
    st.ok++;
    lat_add(now_ns() - s->conn_ns);
  }
  s->cycling = 1;
  mc_link_close(s->link, MC_OK);
}

static void storm_next(sim *s) {
  s->cycling = 0;
  s->ready = 0;
  if (phase < PH_DRAIN) {
    s->closed = 0;
    start_link(s);
    return;
  }
  if (phase == PH_DRAIN && !any_waiting()) finish();
  else if (phase == PH_DONE && st.live == 0) uv_stop(loop);
}

/* ------------------------------------------------------------------ fair */
/* fair: --clients N intake units (closed loops of ReceiveRequest), one
 * flood link (--flood-depth Pings always in flight, each Pong answered by
 * the next Ping) and one probe link of another unit (a closed loop of
 * Ping -> Pong, the loop's own latency). Three phases of --warmup +
 * --duration seconds, the probe measured in each: idle (probe alone),
 * load (intake running), flood (intake and the flood). */

enum { FP_CONNECT, FP_IDLE, FP_LOAD, FP_FLOOD, FP_END };
static int fphase = FP_CONNECT, fmeasure;
typedef struct lat_set {
  uint32_t *v;
  size_t n, cap;
} lat_set;
static lat_set flat[3];
static uint64_t fok[3], fflood[3], fstart_ns[3], fend_ns[3];
static uv_timer_t t_fair;

static int is_fair_mode(void) { return strcmp(O.mode, "fair") == 0; }
static sim *flood_sim(void) { return &sims[O.clients]; }
static sim *probe_sim(void) { return O.probe ? &sims[O.clients + 1] : NULL; }

static void lat_set_add(lat_set *l, uint64_t ns) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 65536;
    uint32_t *p = realloc(l->v, cap * sizeof *p);
    if (p == NULL) return;
    l->v = p;
    l->cap = cap;
  }
  l->v[l->n++] = (uint32_t)(ns / 1000);
}

static double lat_set_pct(lat_set *l, double p) {
  if (l->n == 0) return 0;
  return l->v[(size_t)(p * (double)(l->n - 1) + 0.5)] / 1000.0;
}

static void fair_ping(sim *s) {
  uint64_t id = s->next_id++;
  s->wait_id = id;
  s->sent_ns = now_ns();
  send_ping(s, id);
}

static void fair_print(void) {
  static const char *names[3] = {"idle", "load", "flood"};
  printf("{\"mode\":\"fair\",\"clients\":%d,\"flood_depth\":%d,\"probe\":\"%s\"", O.clients,
         O.flood_depth, O.probe ? "ping" : "separate");
  for (int i = 0; i < 3; i++) {
    lat_set *l = &flat[i];
    qsort(l->v, l->n, sizeof *l->v, cmp_u32);
    double secs = fend_ns[i] > fstart_ns[i] ? (double)(fend_ns[i] - fstart_ns[i]) / 1e9 : 0;
    printf(",\"%s\":{\"t0_ns\":%" PRIu64 ",\"t1_ns\":%" PRIu64 ",\"probe_n\":%zu,"
           "\"probe_p50_ms\":%.3f,\"probe_p99_ms\":%.3f,"
           "\"probe_max_ms\":%.3f,\"intake_rate\":%.1f,\"flood_rate\":%.1f}",
           names[i], fstart_ns[i], fend_ns[i], l->n, lat_set_pct(l, .5), lat_set_pct(l, .99),
           lat_set_pct(l, 1),
           secs > 0 ? (double)fok[i] / secs : 0, secs > 0 ? (double)fflood[i] / secs : 0);
  }
  printf(",\"errors\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"dropped\":%" PRIu64 "}\n", st.errors,
         st.failed, st.dropped);
  fflush(stdout);
}

static void fair_finish(void) {
  if (phase == PH_DONE) return;
  phase = PH_DONE;
  fphase = FP_END;
  uv_timer_stop(&t_fair);
  fair_print();
  close_all();
  if (st.live == 0) uv_stop(loop);
}

/* Timer: warm-up of a phase ends (measure), or its measurement ends (next phase). */
static void fair_timer_cb(uv_timer_t *t) {
  int i = fphase - FP_IDLE;
  if (!fmeasure) {
    fmeasure = 1;
    fstart_ns[i] = now_ns();
    uv_timer_start(t, fair_timer_cb, (uint64_t)(O.duration_s * 1000), 0);
    return;
  }
  fend_ns[i] = now_ns();
  fmeasure = 0;
  if (++fphase == FP_END) {
    fair_finish();
    return;
  }
  if (fphase == FP_LOAD)
    for (int k = 0; k < O.clients; k++)
      if (sims[k].ready && !sims[k].closed) send_receive(&sims[k]);
  if (fphase == FP_FLOOD && O.flood_depth == 0) {
    printf("FLOOD\n"); /* the script starts the flooding process (motcua-bench flood) */
    fflush(stdout);
  }
  if (fphase == FP_FLOOD)
    for (int k = 0; k < O.flood_depth; k++) send_ping(flood_sim(), flood_sim()->next_id++);
  uv_timer_start(t, fair_timer_cb, (uint64_t)(O.warmup_s * 1000), 0);
}

static void fair_on_ready(sim *s) {
  (void)s; /* every link ready: the phases start */
  if ((int)st.established < nsims) return;
  fphase = FP_IDLE;
  uv_timer_start(&t_fair, fair_timer_cb, (uint64_t)(O.warmup_s * 1000), 0);
  if (probe_sim() != NULL) fair_ping(probe_sim());
}

/* A frame on a ready link: 1 when handled here. */
static int fair_frame(sim *s, const Motcua__Envelope *env) {
  int i = fphase - FP_IDLE, m = fmeasure && fphase < FP_END;
  if (env->request_id == 0) return 0; /* the server's pings: answered by frame_cb */
  if (env->body_case == MOTCUA__ENVELOPE__BODY_ERROR) note_error(env);
  if (s == flood_sim()) {
    if (m) fflood[i]++;
    if (fphase == FP_FLOOD) send_ping(s, s->next_id++);
  } else if (s == probe_sim()) {
    if (m && env->request_id == s->wait_id) lat_set_add(&flat[i], now_ns() - s->sent_ns);
    if (fphase < FP_END) fair_ping(s);
  } else if (env->request_id == s->wait_id) {
    s->wait_id = 0;
    if (m && env->body_case != MOTCUA__ENVELOPE__BODY_ERROR) fok[i]++;
    if (fphase >= FP_LOAD && fphase < FP_END) send_receive(s);
  }
  return 1;
}

/* ----------------------------------------------------------------- probe */
/* probe: one link, a closed loop of Ping -> Pong; every sample kept as
 * (send time, latency) and written to --samples at the end. */

static uint64_t *psent;
static uint32_t *plat;
static size_t pn, pcap;

static int is_probe_mode(void) { return strcmp(O.mode, "probe") == 0; }

static void probe_frame(sim *s, const Motcua__Envelope *env) {
  if (env->request_id != s->wait_id) return;
  if (env->body_case == MOTCUA__ENVELOPE__BODY_ERROR) note_error(env);
  if (pn == pcap) {
    size_t cap = pcap ? pcap * 2 : 65536;
    uint64_t *a = realloc(psent, cap * sizeof *a);
    if (a != NULL) psent = a;
    uint32_t *b = a != NULL ? realloc(plat, cap * sizeof *b) : NULL;
    if (b != NULL) plat = b;
    if (a != NULL && b != NULL) pcap = cap;
  }
  if (pn < pcap) {
    psent[pn] = s->sent_ns;
    plat[pn++] = (uint32_t)((now_ns() - s->sent_ns) / 1000);
  }
  if (phase < PH_DONE) fair_ping(s);
}

static void probe_finish(void) {
  if (phase == PH_DONE) return;
  phase = PH_DONE;
  FILE *f = fopen(O.samples, "w");
  if (f == NULL) {
    fprintf(stderr, "motcua-bench: cannot write %s\n", O.samples);
    st.errors++;
  } else {
    for (size_t i = 0; i < pn; i++) fprintf(f, "%" PRIu64 " %u\n", psent[i], plat[i]);
    fclose(f);
  }
  printf("{\"mode\":\"probe\",\"samples\":%zu,\"errors\":%" PRIu64 ",\"failed\":%" PRIu64
         ",\"dropped\":%" PRIu64 "}\n", pn, st.errors, st.failed, st.dropped);
  fflush(stdout);
  close_all();
  if (st.live == 0) uv_stop(loop);
}

static void probe_end_cb(uv_timer_t *t) {
  (void)t;
  probe_finish();
}

/* Whatever happens, the process ends: close everything, then give up. */
static void deadline_cb(uv_timer_t *t) {
  static int fired;
  if (!fired++) {
    fprintf(stderr, "motcua-bench: deadline reached\n");
    if (is_fair_mode()) fair_finish();
    else if (is_probe_mode()) probe_finish();
    else finish();
    uv_timer_start(t, deadline_cb, 5000, 0);
    return;
  }
  uv_stop(loop);
}

static void signal_cb(uv_signal_t *sg, int signum) {
  (void)sg;
  (void)signum;
  if (is_fair_mode()) fair_finish();
  else if (is_probe_mode()) probe_finish();
  else finish();
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (parse_opts(argc, argv) != 0) {
    usage();
    return 2;
  }
  int idle = is_idle_mode();
  if (!idle && strcmp(O.mode, "intake") != 0 && strcmp(O.mode, "ping") != 0 &&
      strcmp(O.mode, "flood") != 0 && !is_fair_mode() && !is_probe_mode() && !is_storm_mode()) {
    usage();
    return 2;
  }
  nsims = idle ? O.conns : is_fair_mode() ? O.clients + 1 + O.probe : is_probe_mode() ? 1 : O.clients;
  sims = calloc((size_t)nsims, sizeof *sims);
  if (sims == NULL || load_contexts(nsims) != 0) return 1;
  load_sessions();
  loop = uv_default_loop();
  uv_timer_init(loop, &t_phase);
  uv_timer_init(loop, &t_tick);
  uv_timer_init(loop, &t_deadline);
  uv_signal_init(loop, &sigs[0]);
  uv_signal_init(loop, &sigs[1]);
  uv_signal_start(&sigs[0], signal_cb, SIGINT);
  uv_signal_start(&sigs[1], signal_cb, SIGTERM);
  start_ns = now_ns();
  for (int i = 0; i < nsims; i++) {
    sims[i].idx = i;
    sims[i].next_id = 1;
  }
  double budget;
  if (idle) {
    budget = 300 + O.conns / 50.0 + O.hold_s; /* 100,000 links: ~2,000 s to ramp */
    launch_more();
    uv_timer_start(&t_tick, tick_cb, 100, 100);
  } else {
    budget = O.warmup_s + O.duration_s + 60;
    for (int i = 0; i < nsims; i++) start_link(&sims[i]);
    if (is_fair_mode()) {
      budget = 3 * (O.warmup_s + O.duration_s) + 90;
      uv_timer_init(loop, &t_fair);
    } else if (is_probe_mode()) {
      uv_timer_start(&t_phase, probe_end_cb, (uint64_t)(O.duration_s * 1000), 0);
    } else {
      uv_timer_start(&t_phase, measure_start_cb, (uint64_t)(O.warmup_s * 1000), 0);
    }
  }
  uv_timer_start(&t_deadline, deadline_cb, (uint64_t)(budget * 1000), 0);
  uv_run(loop, UV_RUN_DEFAULT);
  /* Close the remaining handles (timers, signals) and let them finish. */
  uv_close((uv_handle_t *)&t_phase, NULL);
  uv_close((uv_handle_t *)&t_tick, NULL);
  uv_close((uv_handle_t *)&t_deadline, NULL);
  if (is_fair_mode()) uv_close((uv_handle_t *)&t_fair, NULL);
  uv_close((uv_handle_t *)&sigs[0], NULL);
  uv_close((uv_handle_t *)&sigs[1], NULL);
  uv_run(loop, UV_RUN_NOWAIT);
  for (int i = 0; i < O.nunits; i++)
    if (unit_ctx[i] != NULL) mc_tls_ctx_free(unit_ctx[i]);
  free(sims);
  free(lat_us);
  for (int i = 0; i < 3; i++) free(flat[i].v);
  free(psent);
  free(plat);
  return (st.errors > 0 || st.failed > 0) ? 1 : 0;
}
