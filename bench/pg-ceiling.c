/* motcua-pg-ceiling: the batched ceiling of intake (issue 19, part 1).
 *
 * The database's best chance at what motcua-server's group commit does:
 * N clients, each its own libpq connection as the server's role, each a
 * closed loop of batches of --batch receives (the server's STORE_BATCH_MAX)
 * sent as the same statement the server sends (server/store/receive.c
 * SQL_RECEIVE_MANY: mc_receive_many($1::jsonb), every dossier column back),
 * with the same 22 items per receive and the same applicant data as
 * `motcua-bench intake` (name, id, phone, officer, missing reason, the
 * canonical text, two 64-hex MACs, the tester officer's id and title).
 * No TLS, no protobuf, no event loop: a prepared statement per connection
 * (--unprepared: PQexecParams each time, as the server does today) and,
 * with --pipeline D, D batches in flight per connection (libpq pipeline
 * mode; each batch still its own transaction).
 *
 * Units: the communes of the catalogue. With N <= units, client c takes
 * every unit u with u mod N == c: no two clients share a unit, so no batch
 * waits for another's day-sequence row or register lock (the server's
 * lanes do the same). With more clients than units, client c takes unit
 * c mod units only.
 *
 * Prints one JSON line (the shape motcua-bench intake prints, plus batch
 * figures); exit 1 if any receive failed. Runs against 127.0.0.1 or a unix
 * socket only as its conninfo says; ends by itself after warm-up +
 * duration (+ 30 s grace). */
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 256
#define MAX_UNITS 64
#define MAX_BATCH 256
#define MAX_DEPTH 8
#define ITEM_MAX 1024

/* The statement of server/store/receive.c, columns as DOSSIER_COLS_P
 * returns them: every dossier column comes back, as for the server. */
static const char SQL_BATCH[] =
    "SELECT o_ord, o_state, o_msg, (o_d).code, (o_d).status, (o_d).unit_code, "
    "(o_d).unit_name, (o_d).procedure_code, (o_d).procedure_name, (o_d).level, "
    "(o_d).applicant_name, (o_d).applicant_id, (o_d).applicant_phone, (o_d).channel, "
    "(o_d).received_at_ms, (o_d).due_at_ms, (o_d).holder_unit, (o_d).forwarded_to, "
    "(o_d).forwarded_at_ms, (o_d).assigned_officer, (o_d).department, (o_d).supplement_count,"
    " (o_d).rescheduled, (o_d).rating, (o_d).paused_at_ms, (o_d).finished_at_ms, "
    "(o_d).returned_at_ms, (o_d).collected_by, (o_d).fee_amount, (o_d).assigned_login, "
    "(o_d).awaiting_signature FROM mc_receive_many($1::jsonb)";

/* motcua-bench.c's applicant data, byte for byte. */
static const char bench_name[] =
    "Nguyễn Thị Phương Thảo Hoàng Lê Minh Khánh Trần Văn Đức Phạm Quỳnh "
    "Anh Võ Đình Trọng Bùi Thị Ngọc Hà";
static const char bench_officer[] = "Cán bộ tiếp nhận và trả kết quả Bộ phận một cửa xã";
static const char bench_phone[] = "0912345678";
static const char bench_missing[] = "bench: components not recorded";

typedef struct unit {
  char code[16], agency[64], officer_id[24], officer[200], title[200];
} unit;

static struct {
  const char *conninfo, *proc;
  int clients, batch, depth, prepared, utc_off_min;
  double warmup_s, duration_s;
} O = {.clients = 1, .batch = 32, .depth = 1, .prepared = 1, .utc_off_min = 420,
       .warmup_s = 1, .duration_s = 5};

static unit units[MAX_UNITS];
static int nunits;
static char day[40];
static atomic_int phase; /* 0 warm-up, 1 measure, 2 stop */
static atomic_uint_fast64_t n_ok, n_err, n_batches;
static atomic_int printed_errors;

typedef struct client {
  int idx, nmine, mine[MAX_UNITS];
  pthread_t th;
  PGconn *pg;
  uint64_t next;
  uint32_t *lat_us; /* one per batch measured */
  size_t nlat, caplat;
  int failed;
} client;

static client cl[MAX_CLIENTS];

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int64_t wall_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static uint64_t mix64(uint64_t x) { /* splitmix64 */
  x += 0x9e3779b97f4a7c15u;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
  return x ^ (x >> 31);
}

/* 64 hex digits: stands for an HMAC-SHA-256 (same length, as random). */
static void fake_mac(char out[65], uint64_t seed) {
  for (int i = 0; i < 4; i++) snprintf(out + 16 * i, 17, "%016" PRIx64, mix64(seed + (uint64_t)i));
}

/* Appends s as a JSON string; 0, or -1 when it does not fit. */
static int jstr(char *b, size_t cap, size_t *len, const char *s) {
  size_t n = *len;
  if (n + 2 >= cap) return -1;
  b[n++] = '"';
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (n + 8 >= cap) return -1;
    if (ch == '"' || ch == '\\') {
      b[n++] = '\\';
      b[n++] = (char)ch;
    } else if (ch < 0x20) {
      n += (size_t)snprintf(b + n, cap - n, "\\u%04x", ch);
    } else {
      b[n++] = (char)ch;
    }
  }
  b[n++] = '"';
  b[n] = '\0';
  *len = n;
  return 0;
}

static int jraw(char *b, size_t cap, size_t *len, const char *s) {
  int w = snprintf(b + *len, cap - *len, "%s", s);
  if (w < 0 || (size_t)w >= cap - *len) return -1;
  *len += (size_t)w;
  return 0;
}

/* The canonical text of server/rules/validate.c mc_val_receive_canon. */
static void canon(char *out, size_t cap, const char *idn) {
  const char *f[] = {"receive", O.proc, bench_name, idn, bench_phone, "1", bench_officer,
                     "", "", "1", "0", bench_missing};
  size_t len = 0;
  out[0] = '\0';
  for (size_t i = 0; i < sizeof f / sizeof f[0] && len < cap; i++)
    len += (size_t)snprintf(out + len, cap - len, "%zu:%s;", strlen(f[i]), f[i]);
}

/* One receive as the server's batch_item makes it: 22 strings or nulls. */
static int item(client *c, char *b, size_t cap, size_t *len, const unit *u) {
  char key[64], idn[16], fp[512], mac1[65], mac2[65], rec[24], due[24];
  uint64_t id = c->next++;
  int64_t now = wall_ms();
  snprintf(key, sizeof key, "ceiling-%x-%d-%" PRIu64, (unsigned)getpid(), c->idx, id);
  snprintf(idn, sizeof idn, "0%011" PRIu64, ((uint64_t)c->idx * 1000003u + id) % 100000000000u);
  snprintf(rec, sizeof rec, "%" PRId64, now);
  snprintf(due, sizeof due, "%" PRId64, now + (int64_t)5 * 86400000);
  canon(fp, sizeof fp, idn);
  fake_mac(mac1, ((uint64_t)c->idx << 40) ^ (id << 2));
  fake_mac(mac2, 0x5eedu); /* one phone for every applicant, as in motcua-bench */
  const char *v[] = {u->code, key, u->agency, day, O.proc, bench_name, idn, bench_phone, "1",
                     u->officer, rec, due, fp, mac1, mac2, "", "", "1", bench_missing, "[]",
                     u->officer_id[0] ? u->officer_id : NULL, u->title};
  int rc = jraw(b, cap, len, "[");
  for (size_t i = 0; rc == 0 && i < sizeof v / sizeof v[0]; i++) {
    if (i > 0) rc = jraw(b, cap, len, ",");
    if (rc == 0) rc = v[i] ? jstr(b, cap, len, v[i]) : jraw(b, cap, len, "null");
  }
  return rc == 0 ? jraw(b, cap, len, "]") : rc;
}

static char *batch_json(client *c) {
  size_t cap = (size_t)O.batch * ITEM_MAX + 8, len = 0;
  char *b = malloc(cap);
  if (b == NULL) return NULL;
  b[0] = '\0';
  int rc = jraw(b, cap, &len, "[");
  for (int i = 0; rc == 0 && i < O.batch; i++) {
    if (i > 0) rc = jraw(b, cap, &len, ",");
    if (rc == 0) rc = item(c, b, cap, &len, &units[c->mine[i % c->nmine]]);
  }
  if (rc == 0) rc = jraw(b, cap, &len, "]");
  if (rc != 0) {
    free(b);
    return NULL;
  }
  return b;
}

static int send_batch(client *c) {
  char *j = batch_json(c);
  const char *p[1] = {j};
  int ok = j != NULL && (O.prepared ? PQsendQueryPrepared(c->pg, "batch", 1, p, NULL, NULL, 0)
                                    : PQsendQueryParams(c->pg, SQL_BATCH, 1, NULL, p, NULL,
                                                        NULL, 0));
  free(j);
  if (ok && O.depth > 1) ok = PQpipelineSync(c->pg);
  return ok ? 0 : -1;
}

static void note_lat(client *c, uint64_t ns) {
  if (c->nlat == c->caplat) {
    size_t n = c->caplat ? c->caplat * 2 : 1024;
    uint32_t *p = realloc(c->lat_us, n * sizeof *p);
    if (p == NULL) return;
    c->lat_us = p;
    c->caplat = n;
  }
  c->lat_us[c->nlat++] = (uint32_t)(ns / 1000);
}

/* Reads one batch's answer: the rows, then (pipeline) its sync. */
static int read_batch(client *c, uint64_t sent) {
  PGresult *r;
  int rows = -1, bad = 0, nulls = 0;
  for (;;) {
    /* pipeline: a NULL ends the statement's results, its sync follows */
    if ((r = PQgetResult(c->pg)) == NULL) {
      if (O.depth == 1 || ++nulls > 1 || PQstatus(c->pg) != CONNECTION_OK) break;
      continue;
    }
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_PIPELINE_SYNC) {
      PQclear(r);
      break;
    }
    if (st == PGRES_TUPLES_OK) {
      rows = PQntuples(r);
      for (int i = 0; i < rows; i++) bad += !PQgetisnull(r, i, 1);
      if (bad > 0 && atomic_fetch_add(&printed_errors, 1) < 5)
        fprintf(stderr, "motcua-pg-ceiling: receive refused sqlstate=%s msg=%s\n",
                PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
    } else if (atomic_fetch_add(&printed_errors, 1) < 5) {
      fprintf(stderr, "motcua-pg-ceiling: %s", PQresultErrorMessage(r));
    }
    PQclear(r);
  }
  if (rows < 0) return -1;
  if (atomic_load(&phase) == 1) {
    atomic_fetch_add(&n_ok, (uint64_t)(rows - bad));
    atomic_fetch_add(&n_err, (uint64_t)bad + (uint64_t)(O.batch - rows));
    atomic_fetch_add(&n_batches, 1);
    note_lat(c, now_ns() - sent);
  }
  return 0;
}

static void *client_main(void *arg) {
  client *c = arg;
  uint64_t sent[MAX_DEPTH];
  int head = 0, inflight = 0;
  if (O.depth > 1 && !PQenterPipelineMode(c->pg)) c->failed = 1;
  while (!c->failed && atomic_load(&phase) < 2) {
    while (inflight < O.depth && atomic_load(&phase) < 2) {
      if (send_batch(c) != 0) {
        c->failed = 1;
        break;
      }
      sent[(head + inflight) % MAX_DEPTH] = now_ns();
      inflight++;
    }
    if (inflight == 0 || c->failed) break;
    if (O.depth > 1 && PQflush(c->pg) < 0) c->failed = 1;
    if (!c->failed && read_batch(c, sent[head]) != 0) c->failed = 1;
    head = (head + 1) % MAX_DEPTH;
    inflight--;
  }
  while (!c->failed && inflight-- > 0) { /* drain, uncounted */
    if (read_batch(c, sent[head]) != 0) c->failed = 1;
    head = (head + 1) % MAX_DEPTH;
  }
  if (c->failed) fprintf(stderr, "motcua-pg-ceiling: client %d: %s", c->idx, PQerrorMessage(c->pg));
  return NULL;
}

static int load_units(PGconn *pg) {
  PGresult *r = PQexec(pg,
      "SELECT u.code, u.agency_id, coalesce(o.id::text, ''), coalesce(o.full_name, ''),"
      " coalesce(o.title, '') FROM units u LEFT JOIN officers o ON o.login = 'tester.' || u.code"
      " WHERE u.role = 'commune' ORDER BY u.code");
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    fprintf(stderr, "motcua-pg-ceiling: units: %s", PQresultErrorMessage(r));
    PQclear(r);
    return -1;
  }
  nunits = PQntuples(r) < MAX_UNITS ? PQntuples(r) : MAX_UNITS;
  for (int i = 0; i < nunits; i++) {
    unit *u = &units[i];
    snprintf(u->code, sizeof u->code, "%s", PQgetvalue(r, i, 0));
    snprintf(u->agency, sizeof u->agency, "%s", PQgetvalue(r, i, 1));
    snprintf(u->officer_id, sizeof u->officer_id, "%s", PQgetvalue(r, i, 2));
    /* an unverified officer (no tester) is the request's own text */
    snprintf(u->officer, sizeof u->officer, "%s",
             u->officer_id[0] ? PQgetvalue(r, i, 3) : bench_officer);
    snprintf(u->title, sizeof u->title, "%s", PQgetvalue(r, i, 4));
  }
  PQclear(r);
  return nunits > 0 ? 0 : -1;
}

static void assign_units(client *c) {
  c->nmine = 0;
  if (O.clients >= nunits) {
    c->mine[c->nmine++] = c->idx % nunits;
    return;
  }
  for (int u = 0; u < nunits; u++)
    if (u % O.clients == c->idx) c->mine[c->nmine++] = u;
}

static int connect_client(client *c) {
  c->pg = PQconnectdb(O.conninfo);
  if (PQstatus(c->pg) != CONNECTION_OK) {
    fprintf(stderr, "motcua-pg-ceiling: connect: %s", PQerrorMessage(c->pg));
    return -1;
  }
  if (O.prepared) {
    PGresult *r = PQprepare(c->pg, "batch", SQL_BATCH, 1, NULL);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) fprintf(stderr, "motcua-pg-ceiling: prepare: %s", PQresultErrorMessage(r));
    PQclear(r);
    if (!ok) return -1;
  }
  return 0;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static double pct_ms(const uint32_t *v, size_t n, double p) {
  if (n == 0) return 0;
  return v[(size_t)(p * (double)(n - 1) + 0.5)] / 1000.0;
}

static void usage(void) {
  fprintf(stderr,
          "usage: motcua-pg-ceiling --conninfo STR --proc CODE [--clients N] [--batch B]\n"
          "         [--warmup S] [--duration S] [--pipeline D] [--unprepared]\n"
          "         [--utc-offset-min M]\n");
}

static int parse(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(k, "--unprepared") == 0) {
      O.prepared = 0;
      continue;
    }
    if (v == NULL) return -1;
    i++;
    if (strcmp(k, "--conninfo") == 0) O.conninfo = v;
    else if (strcmp(k, "--proc") == 0) O.proc = v;
    else if (strcmp(k, "--clients") == 0) O.clients = atoi(v);
    else if (strcmp(k, "--batch") == 0) O.batch = atoi(v);
    else if (strcmp(k, "--pipeline") == 0) O.depth = atoi(v);
    else if (strcmp(k, "--warmup") == 0) O.warmup_s = atof(v);
    else if (strcmp(k, "--duration") == 0) O.duration_s = atof(v);
    else if (strcmp(k, "--utc-offset-min") == 0) O.utc_off_min = atoi(v);
    else return -1;
  }
  if (O.conninfo == NULL || O.proc == NULL || strlen(O.proc) > 64) return -1;
  if (O.clients < 1 || O.clients > MAX_CLIENTS || O.batch < 1 || O.batch > MAX_BATCH) return -1;
  if (O.depth < 1 || O.depth > MAX_DEPTH || O.duration_s <= 0 || O.warmup_s < 0) return -1;
  return 0;
}

static void sleep_s(double s) {
  struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  while (nanosleep(&t, &t) != 0) {}
}

static void print_result(double secs) {
  size_t n = 0;
  for (int i = 0; i < O.clients; i++) n += cl[i].nlat;
  uint32_t *all = malloc((n ? n : 1) * sizeof *all);
  size_t k = 0;
  for (int i = 0; all != NULL && i < O.clients; i++) {
    memcpy(all + k, cl[i].lat_us, cl[i].nlat * sizeof *all);
    k += cl[i].nlat;
  }
  if (all != NULL) qsort(all, k, sizeof *all, cmp_u32);
  uint64_t ok = atomic_load(&n_ok);
  printf("{\"mode\":\"intake\",\"target\":\"ceiling\",\"clients\":%d,\"batch\":%d,"
         "\"prepared\":%d,\"pipeline\":%d,\"ok\":%" PRIu64 ",\"errors\":%" PRIu64
         ",\"batches\":%" PRIu64 ",\"seconds\":%.3f,\"rate\":%.1f,\"p50_ms\":%.3f,"
         "\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
         O.clients, O.batch, O.prepared, O.depth, ok, atomic_load(&n_err),
         atomic_load(&n_batches), secs, secs > 0 ? (double)ok / secs : 0,
         pct_ms(all, k, .5), pct_ms(all, k, .99), pct_ms(all, k, 1));
  free(all);
}

int main(int argc, char **argv) {
  if (parse(argc, argv) != 0) {
    usage();
    return 2;
  }
  alarm((unsigned)(O.warmup_s + O.duration_s + 60)); /* ends by itself, whatever happens */
  time_t t = (time_t)(wall_ms() / 1000 + O.utc_off_min * 60);
  struct tm tm;
  gmtime_r(&t, &tm);
  snprintf(day, sizeof day, "%02d%02d%02d", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday);
  int rc = 0, started = 0;
  for (int i = 0; i < O.clients && rc == 0; i++) {
    cl[i].idx = i;
    rc = connect_client(&cl[i]);
  }
  if (rc == 0) rc = load_units(cl[0].pg);
  for (int i = 0; i < O.clients && rc == 0; i++) {
    assign_units(&cl[i]);
    if (pthread_create(&cl[i].th, NULL, client_main, &cl[i]) != 0) rc = -1;
    else started++;
  }
  if (rc == 0) {
    sleep_s(O.warmup_s);
    atomic_store(&phase, 1);
  }
  uint64_t t0 = now_ns();
  if (rc == 0) sleep_s(O.duration_s);
  uint64_t t1 = now_ns();
  atomic_store(&phase, 2);
  for (int i = 0; i < started; i++) pthread_join(cl[i].th, NULL);
  int failed = rc != 0;
  for (int i = 0; i < O.clients; i++) failed |= cl[i].failed;
  if (rc == 0) print_result((double)(t1 - t0) / 1e9);
  for (int i = 0; i < O.clients; i++) {
    PQfinish(cl[i].pg);
    free(cl[i].lat_us);
  }
  return failed || atomic_load(&n_err) > 0 ? 1 : 0;
}
