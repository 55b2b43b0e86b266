/* motcua-screens-bench: the officer's screens on a large database (issue
 * 19, "Years of data"; bench/years.sh drives it). One mode per run; the
 * result is one JSON line on stdout.
 *
 *   link  one persistent mutual-TLS mc_link of --unit (its certificate, its
 *         tester's session from --session if given), requests one at a
 *         time: for each screen of --cases, --warmup untimed requests, then
 *         --n timed ones cycling through the screen's values. p50/p99/mean.
 *         --only SCREEN runs that screen alone, each value once (at least
 *         3 requests), after
 *         printing "READY" and waiting --pause-ms (the wrapper turns the
 *         database's statement log on meanwhile, to capture what the server
 *         runs for it).
 *   sql   the reference: the statements captured for each screen (--sql
 *         FILE, written by the wrapper from the database's log), run with
 *         libpq on --conninfo (a unix socket), PQexecParams with the same
 *         text parameters, one request = the statements the server ran for
 *         one request, --warmup + --n per screen as in link mode.
 *
 * --cases FILE: lines "SCREEN<TAB>VALUE" (the value: a code for show and
 * history, the text of a search, empty for the lists and the inbox).
 * Screens: list, list_status4, overdue, due_soon, search_* (any suffix),
 * show, history, inbox.
 * --sql FILE: blocks "S SCREEN K" (K statements per request) followed by
 * "Q STATEMENT", "P COUNT" and COUNT lines "V VALUE" or "N" (NULL) per
 * statement. Every run ends by itself (a hard deadline). */
#include <inttypes.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "frame.h"
#include "link.h"
#include "tls.h"

#define MAX_SCREENS 32
#define MAX_VALUES 4096
#define LINE_MAX_LEN 65536
#define LIST_LIMIT 50
#define DUE_SOON_MS (2 * 86400000LL)

typedef struct opts {
  const char *mode, *host, *ca, *pki, *server_name, *unit, *session, *cases, *only, *sqlf,
      *conninfo;
  int port, n, warmup, pause_ms;
} opts;

static opts O = {.host = "127.0.0.1", .server_name = "motcua-server", .n = 200, .warmup = 10,
                 .pause_ms = 1500};

static void usage(void) {
  fprintf(stderr,
          "usage: motcua-screens-bench link --port N --ca FILE --pki DIR --unit CODE\n"
          "         --cases FILE [--session FILE] [--n N (200)] [--warmup N (10)]\n"
          "         [--only SCREEN [--pause-ms MS (1500)]]\n"
          "       motcua-screens-bench sql --conninfo STR --sql FILE [--n N] [--warmup N]\n");
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
    else if (strcmp(k, "--session") == 0) O.session = v;
    else if (strcmp(k, "--cases") == 0) O.cases = v;
    else if (strcmp(k, "--only") == 0) O.only = v;
    else if (strcmp(k, "--pause-ms") == 0) O.pause_ms = atoi(v);
    else if (strcmp(k, "--sql") == 0) O.sqlf = v;
    else if (strcmp(k, "--conninfo") == 0) O.conninfo = v;
    else if (strcmp(k, "--n") == 0) O.n = atoi(v);
    else if (strcmp(k, "--warmup") == 0) O.warmup = atoi(v);
    else return -1;
  }
  if (O.n < 1 || O.warmup < 0) return -1;
  if (strcmp(O.mode, "link") == 0)
    return O.port > 0 && O.ca && O.pki && O.unit && O.cases ? 0 : -1;
  if (strcmp(O.mode, "sql") == 0) return O.conninfo && O.sqlf ? 0 : -1;
  return -1;
}

/* ---- latencies ---------------------------------------------------------- */

typedef struct lat {
  double *v;
  size_t n, cap;
} lat;

static int lat_add(lat *l, double ms) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 256;
    double *p = realloc(l->v, cap * sizeof *p);
    if (p == NULL) return -1;
    l->v = p;
    l->cap = cap;
  }
  l->v[l->n++] = ms;
  return 0;
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

/* ---- screens and their values ---------------------------------------------- */

typedef struct screen {
  char name[64];
  char **vals; /* link: the values; sql: unused */
  size_t nvals;
  lat l;
  uint64_t errors, rows;
  int err_code; /* the last error frame's code */
} screen;

static screen S[MAX_SCREENS];
static int nscreens;

static screen *screen_of(const char *name) {
  for (int i = 0; i < nscreens; i++)
    if (strcmp(S[i].name, name) == 0) return &S[i];
  if (nscreens == MAX_SCREENS || strlen(name) >= sizeof S[0].name) return NULL;
  screen *s = &S[nscreens++];
  snprintf(s->name, sizeof s->name, "%s", name);
  return s;
}

static int add_value(screen *s, const char *v) {
  if (s->nvals == MAX_VALUES) return 0;
  char **p = realloc(s->vals, (s->nvals + 1) * sizeof *p);
  if (p == NULL) return -1;
  s->vals = p;
  if ((s->vals[s->nvals] = strdup(v)) == NULL) return -1;
  s->nvals++;
  return 0;
}

static void chomp(char *line) {
  size_t n = strlen(line);
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
}

static int load_cases(void) {
  FILE *f = fopen(O.cases, "r");
  if (f == NULL) return -1;
  static char line[LINE_MAX_LEN];
  int rc = 0;
  while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
    chomp(line);
    char *tab = strchr(line, '\t');
    if (line[0] == '\0' || line[0] == '#') continue;
    if (tab != NULL) *tab = '\0';
    if (O.only != NULL && strcmp(line, O.only) != 0) continue;
    screen *s = screen_of(line);
    rc = s == NULL ? -1 : add_value(s, tab ? tab + 1 : "");
  }
  fclose(f);
  return rc == 0 && nscreens > 0 ? 0 : -1;
}

static void print_result(void) {
  printf("{\"mode\":\"%s\",\"unit\":\"%s\",\"n\":%d,\"warmup\":%d,\"screens\":{", O.mode,
         O.unit ? O.unit : "", O.n, O.warmup);
  for (int i = 0; i < nscreens; i++) {
    screen *s = &S[i];
    double p50 = pct(&s->l, .5), p99 = pct(&s->l, .99);
    printf("%s\"%s\":{\"n\":%zu,\"errors\":%" PRIu64 ",\"error_code\":%d,\"rows\":%" PRIu64
           ",\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"mean_ms\":%.3f}",
           i ? "," : "", s->name, s->l.n, s->errors, s->err_code, s->rows, p50, p99,
           mean(&s->l));
  }
  printf("}}\n");
  fflush(stdout);
}

static void free_screens(void) {
  for (int i = 0; i < nscreens; i++) {
    for (size_t j = 0; j < S[i].nvals; j++) free(S[i].vals[j]);
    free(S[i].vals);
    free(S[i].l.v);
  }
}

/* ---- link mode ----------------------------------------------------------- */

static uv_loop_t *loop;
static uv_timer_t t_pause, t_deadline;
static mc_link *link_;
static SSL_CTX *ctx;
static char token[256];
static int cur, done_flag, failed, live;
static long step; /* requests of the current screen sent (warm-up included) */
static uint64_t next_id = 1, wait_id, sent_ns;

#define ENV(e, field, val, bc)                \
  Motcua__Envelope e = MOTCUA__ENVELOPE__INIT; \
  e.request_id = next_id++;                    \
  e.body_case = (bc);                          \
  e.field = (val);                             \
  e.session_token = token

static void send_env(Motcua__Envelope *e) {
  wait_id = e->request_id;
  sent_ns = uv_hrtime();
  if (link_ == NULL || mc_link_send(link_, e) != 0) {
    fprintf(stderr, "motcua-screens-bench: send failed\n");
    failed = 1;
    wait_id = 0;
  }
}

static void send_list(const char *name) {
  Motcua__ListRequest q = MOTCUA__LIST_REQUEST__INIT;
  q.limit = LIST_LIMIT;
  if (strcmp(name, "list_status4") == 0) q.status = 4;
  if (strcmp(name, "overdue") == 0) q.overdue = 1;
  if (strcmp(name, "due_soon") == 0) q.due_within_ms = DUE_SOON_MS;
  ENV(e, list, &q, MOTCUA__ENVELOPE__BODY_LIST);
  send_env(&e);
}

static void send_request(screen *s, const char *v) {
  if (strncmp(s->name, "search", 6) == 0) {
    Motcua__SearchRequest q = MOTCUA__SEARCH_REQUEST__INIT;
    q.text = (char *)v;
    q.limit = LIST_LIMIT;
    ENV(e, search, &q, MOTCUA__ENVELOPE__BODY_SEARCH);
    send_env(&e);
  } else if (strcmp(s->name, "show") == 0) {
    Motcua__ShowRequest q = MOTCUA__SHOW_REQUEST__INIT;
    q.code = (char *)v;
    ENV(e, show, &q, MOTCUA__ENVELOPE__BODY_SHOW);
    send_env(&e);
  } else if (strcmp(s->name, "history") == 0) {
    Motcua__HistoryRequest q = MOTCUA__HISTORY_REQUEST__INIT;
    q.code = (char *)v;
    ENV(e, history, &q, MOTCUA__ENVELOPE__BODY_HISTORY);
    send_env(&e);
  } else if (strcmp(s->name, "inbox") == 0) {
    Motcua__InboxRequest q = MOTCUA__INBOX_REQUEST__INIT;
    q.limit = LIST_LIMIT;
    ENV(e, inbox, &q, MOTCUA__ENVELOPE__BODY_INBOX);
    send_env(&e);
  } else {
    send_list(s->name);
  }
}

static void finish(void) {
  if (done_flag) return;
  done_flag = 1;
  print_result();
  if (link_ != NULL) mc_link_close(link_, MC_OK);
  else uv_stop(loop);
}

/* --only: each value once, and every screen at least 3 times (the wrapper
 * keeps the statements seen once per request, not a background one that
 * ran meanwhile). */
static long only_requests(const screen *s) {
  long n = (long)s->nvals;
  return n * ((3 + n - 1) / n);
}

/* The next request: warm-up then timed ones; --only: see only_requests. */
static void next(void) {
  while (!failed && cur < nscreens) {
    screen *s = &S[cur];
    long total = O.only ? only_requests(s) : O.warmup + O.n;
    if (step < total) {
      send_request(s, s->vals[(size_t)step % s->nvals]);
      step++;
      return;
    }
    cur++;
    step = 0;
  }
  if (O.only) printf("DONE\n");
  finish();
}

static uint64_t rows_of(const Motcua__Envelope *env) {
  switch (env->body_case) {
    case MOTCUA__ENVELOPE__BODY_LIST_REPLY: return env->list_reply->n_dossiers;
    case MOTCUA__ENVELOPE__BODY_HISTORY_REPLY: return env->history_reply->n_steps;
    case MOTCUA__ENVELOPE__BODY_INBOX_REPLY: return env->inbox_reply->n_events;
    case MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY: return 1;
    default: return 0;
  }
}

static void on_reply(const Motcua__Envelope *env, double ms) {
  screen *s = &S[cur];
  int timed = O.only != NULL || step > O.warmup;
  if (env->body_case == MOTCUA__ENVELOPE__BODY_ERROR) {
    s->errors++;
    s->err_code = env->error->code;
  } else if (timed) {
    if (lat_add(&s->l, ms) != 0) failed = 1;
    s->rows += rows_of(env);
  }
  next();
}

static void start_cb(uv_timer_t *t) {
  (void)t;
  next();
}

static void frame_cb(mc_link *l, Motcua__Envelope *env) {
  if (env->request_id == 0 || env->request_id != wait_id) {
    if (env->body_case == MOTCUA__ENVELOPE__BODY_PING && env->request_id == 0) {
      Motcua__Pong p = MOTCUA__PONG__INIT;
      p.sent_ms = env->ping->sent_ms;
      Motcua__Envelope e = MOTCUA__ENVELOPE__INIT;
      e.body_case = MOTCUA__ENVELOPE__BODY_PONG;
      e.pong = &p;
      mc_link_send(l, &e);
    }
    mc_envelope_free(env);
    return;
  }
  double ms = (double)(uv_hrtime() - sent_ns) / 1e6;
  wait_id = 0;
  if (env->body_case == MOTCUA__ENVELOPE__BODY_HELLO_REPLY) {
    if (O.only) {
      printf("READY\n");
      fflush(stdout);
      uv_timer_start(&t_pause, start_cb, (uint64_t)O.pause_ms, 0);
    } else {
      next();
    }
  } else if (env->body_case == MOTCUA__ENVELOPE__BODY_ERROR && cur == 0 && step == 0) {
    fprintf(stderr, "motcua-screens-bench: hello refused\n");
    failed = 1;
    finish();
  } else {
    on_reply(env, ms);
  }
  mc_envelope_free(env);
}

static void open_cb(mc_link *l) {
  (void)l;
  Motcua__Hello h = MOTCUA__HELLO__INIT;
  h.protocol_version = MC_PROTOCOL_VERSION;
  h.client_version = "motcua-screens-bench/" MC_VERSION;
  ENV(e, hello, &h, MOTCUA__ENVELOPE__BODY_HELLO);
  send_env(&e);
}

static void close_cb(mc_link *l, int reason) {
  (void)l;
  link_ = NULL;
  live = 0;
  if (!done_flag) {
    fprintf(stderr, "motcua-screens-bench: link closed reason=%s\n", mc_errname(reason));
    failed = 1;
    finish();
  }
  uv_stop(loop);
}

static const mc_link_cbs cbs = {.on_open_cb = open_cb, .on_frame_cb = frame_cb,
                                .on_close_cb = close_cb};

static void deadline_cb(uv_timer_t *t) {
  (void)t;
  fprintf(stderr, "motcua-screens-bench: deadline reached\n");
  failed = 1;
  if (!done_flag) finish();
  uv_stop(loop);
}

static int read_token(void) {
  if (O.session == NULL) return 0;
  FILE *f = fopen(O.session, "r");
  if (f == NULL) return -1;
  int ok = fgets(token, sizeof token, f) != NULL;
  fclose(f);
  chomp(token);
  return ok ? 0 : -1;
}

static int run_link(void) {
  if (read_token() != 0) {
    fprintf(stderr, "motcua-screens-bench: cannot read %s\n", O.session);
    return 2;
  }
  char cert[1024], key[1024], err[256];
  snprintf(cert, sizeof cert, "%s/units/%s.crt", O.pki, O.unit);
  snprintf(key, sizeof key, "%s/units/%s.key", O.pki, O.unit);
  mc_tls_files f = {.ca = O.ca, .cert = cert, .key = key};
  if (mc_tls_ctx_new(&ctx, 0, &f, err, sizeof err) != 0) {
    fprintf(stderr, "motcua-screens-bench: unit %s: %s\n", O.unit, err);
    return 2;
  }
  loop = uv_default_loop();
  uv_timer_init(loop, &t_pause);
  uv_timer_init(loop, &t_deadline);
  long reqs = 0;
  for (int i = 0; i < nscreens; i++) reqs += O.only ? only_requests(&S[i]) : O.n + O.warmup;
  uv_timer_start(&t_deadline, deadline_cb, (uint64_t)(60000 + reqs * 2000), 0);
  mc_link_opts o = {.server_name = O.server_name, .handshake_ms = 30000};
  if (mc_link_connect(loop, ctx, O.host, O.port, &o, &cbs, NULL, &link_) != 0) {
    fprintf(stderr, "motcua-screens-bench: connect failed\n");
    failed = 1;
  } else {
    live = 1;
    uv_run(loop, UV_RUN_DEFAULT);
  }
  uv_close((uv_handle_t *)&t_pause, NULL);
  uv_close((uv_handle_t *)&t_deadline, NULL);
  uv_run(loop, UV_RUN_NOWAIT);
  mc_tls_ctx_free(ctx);
  memset(token, 0, sizeof token);
  return failed ? 1 : 0;
}

/* ---- sql mode: the reference ------------------------------------------------ */

typedef struct stmt {
  char *sql;
  char **vals; /* NULL entries: SQL NULL */
  int nparams;
} stmt;

typedef struct sql_screen {
  stmt *st;
  size_t nst;
  int per_req; /* statements per request */
} sql_screen;

static sql_screen Q[MAX_SCREENS];

static int sql_add_stmt(sql_screen *q, const char *sql) {
  stmt *p = realloc(q->st, (q->nst + 1) * sizeof *p);
  if (p == NULL) return -1;
  q->st = p;
  memset(&q->st[q->nst], 0, sizeof *q->st);
  if ((q->st[q->nst].sql = strdup(sql)) == NULL) return -1;
  q->nst++;
  return 0;
}

static int sql_add_param(stmt *t, const char *v) {
  char **p = realloc(t->vals, (size_t)(t->nparams + 1) * sizeof *p);
  if (p == NULL) return -1;
  t->vals = p;
  t->vals[t->nparams] = NULL;
  if (v != NULL && (t->vals[t->nparams] = strdup(v)) == NULL) return -1;
  t->nparams++;
  return 0;
}

static int sql_line(char *line, int *qi) {
  sql_screen *q = *qi >= 0 ? &Q[*qi] : NULL;
  stmt *t = q && q->nst ? &q->st[q->nst - 1] : NULL;
  if (strncmp(line, "S ", 2) == 0) {
    char *sp = strrchr(line + 2, ' ');
    if (sp == NULL) return -1;
    *sp = '\0';
    screen *s = screen_of(line + 2);
    if (s == NULL) return -1;
    *qi = (int)(s - S);
    Q[*qi].per_req = atoi(sp + 1);
    return Q[*qi].per_req >= 1 ? 0 : -1;
  }
  if (q == NULL) return -1;
  if (strncmp(line, "Q ", 2) == 0) return sql_add_stmt(q, line + 2);
  if (t == NULL) return -1;
  if (strncmp(line, "P ", 2) == 0) return 0;
  if (strncmp(line, "V ", 2) == 0) return sql_add_param(t, line + 2);
  if (strcmp(line, "N") == 0) return sql_add_param(t, NULL);
  return -1;
}

static int load_sql(void) {
  FILE *f = fopen(O.sqlf, "r");
  if (f == NULL) return -1;
  char *line = malloc(LINE_MAX_LEN);
  int rc = line ? 0 : -1, qi = -1;
  while (rc == 0 && fgets(line, LINE_MAX_LEN, f) != NULL) {
    chomp(line);
    if (line[0] != '\0') rc = sql_line(line, &qi);
  }
  free(line);
  fclose(f);
  return rc == 0 && nscreens > 0 ? 0 : -1;
}

/* One request of screen i: its k statements from index j. */
static int sql_request(PGconn *c, int i, size_t j, uint64_t *rows) {
  sql_screen *q = &Q[i];
  for (int k = 0; k < q->per_req; k++) {
    stmt *t = &q->st[(j + (size_t)k) % q->nst];
    PGresult *r = PQexecParams(c, t->sql, t->nparams, NULL, (const char *const *)t->vals, NULL,
                               NULL, 0);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) fprintf(stderr, "motcua-screens-bench: %s: %s", S[i].name, PQerrorMessage(c));
    *rows += (uint64_t)PQntuples(r);
    PQclear(r);
    if (!ok) return -1;
  }
  return 0;
}

static int run_sql(void) {
  PGconn *c = PQconnectdb(O.conninfo);
  if (PQstatus(c) != CONNECTION_OK) {
    fprintf(stderr, "motcua-screens-bench: %s", PQerrorMessage(c));
    PQfinish(c);
    return 2;
  }
  for (int i = 0; i < nscreens; i++) {
    sql_screen *q = &Q[i];
    size_t reqs = q->nst / (size_t)q->per_req;
    if (reqs == 0) continue;
    for (long n = 0; n < O.warmup + O.n; n++) {
      size_t j = ((size_t)n % reqs) * (size_t)q->per_req;
      uint64_t rows = 0;
      uint64_t t0 = uv_hrtime();
      int rc = sql_request(c, i, j, &rows);
      double ms = (double)(uv_hrtime() - t0) / 1e6;
      if (rc != 0) S[i].errors++;
      else if (n >= O.warmup) lat_add(&S[i].l, ms), S[i].rows += rows;
    }
  }
  PQfinish(c);
  print_result();
  for (int i = 0; i < nscreens; i++) {
    for (size_t j = 0; j < Q[i].nst; j++) {
      for (int k = 0; k < Q[i].st[j].nparams; k++) free(Q[i].st[j].vals[k]);
      free(Q[i].st[j].vals);
      free(Q[i].st[j].sql);
    }
    free(Q[i].st);
  }
  return 0;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (parse_opts(argc, argv) != 0) return usage(), 2;
  int rc;
  if (strcmp(O.mode, "link") == 0) {
    if (load_cases() != 0) {
      fprintf(stderr, "motcua-screens-bench: no cases in %s\n", O.cases);
      return 2;
    }
    rc = run_link();
  } else {
    if (load_sql() != 0) {
      fprintf(stderr, "motcua-screens-bench: bad statements file %s\n", O.sqlf);
      return 2;
    }
    rc = run_sql();
  }
  free_screens();
  return rc;
}
