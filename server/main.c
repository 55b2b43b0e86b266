/* motcua-server: start-up, signals and shutdown. Settings and arguments
 * -> the server object (server.c: TLS, storage, catalogue, listener) with
 * the layers above it installed (net/net.c) -> run the loop.
 * SIGINT/SIGTERM drain and exit 0; SIGHUP reloads. */
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "import.h"
#include "log.h"
#include "net.h"
#include "server.h"

static uv_signal_t sig[3]; /* SIGINT, SIGTERM, SIGHUP */

static void usage(FILE *f) {
  fprintf(f,
          "usage: motcua-server -c FILE [--migrate | --verify-log [--code CODE] |"
          " --officers-import TSV] [--name=value ...]\n"
          "  -c FILE      configuration (see deploy/motcua-server.conf.example)\n"
          "  --migrate    apply database migrations as db_migrate_conninfo and exit\n"
          "               (the server itself only checks that none is pending)\n"
          "  --verify-log recompute the progress log's hash chains (read-only, as\n"
          "               db_conninfo), print the first broken row of each dossier;\n"
          "               exit 0 intact, 1 broken, 2 could not verify\n"
          "  --code CODE  verify one dossier only\n"
          "  --officers-import TSV  create or update officer accounts from TSV (mode 0600;\n"
          "               lines: unit_code, login, password, roles, full name, title)\n"
          "  --name=value override any configuration key\n");
}

/* ---- arguments ---------------------------------------------------------- */

static const char *find_conf(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], "-c") == 0) return argv[i + 1];
  return NULL;
}

enum mode { MODE_SERVE, MODE_MIGRATE, MODE_VERIFY, MODE_IMPORT };

/* What is left after --name=value options were consumed. */
static int parse_args(int argc, char **argv, enum mode *mode, const char **code,
                      const char **import) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) i++;
    else if (strcmp(argv[i], "--migrate") == 0 && *mode == MODE_SERVE) *mode = MODE_MIGRATE;
    else if (strcmp(argv[i], "--verify-log") == 0 && *mode == MODE_SERVE) *mode = MODE_VERIFY;
    else if (strcmp(argv[i], "--code") == 0 && i + 1 < argc && strlen(argv[i + 1]) <= 64)
      *code = argv[++i];
    else if (strcmp(argv[i], "--officers-import") == 0 && i + 1 < argc && *mode == MODE_SERVE)
      *mode = MODE_IMPORT, *import = argv[++i];
    else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return 1;
    else {
      fprintf(stderr, "motcua-server: unknown argument \"%s\"\n", argv[i]);
      return MC_EINVAL;
    }
  }
  return 0;
}

/* ---- signals ----------------------------------------------------------- */

static void stopped_cb(mc_server *srv) {
  (void)srv;
  for (int i = 0; i < 3; i++) uv_close((uv_handle_t *)&sig[i], NULL);
}

static void signal_cb(uv_signal_t *h, int signum) {
  mc_server *srv = h->data;
  mc_log_info(0, "signal %s", strsignal(signum));
  if (signum == SIGHUP) mc_server_reload(srv);
  else mc_server_shutdown(srv, stopped_cb);
}

static void signals_start(mc_server *srv, uv_loop_t *loop) {
  static const int signums[3] = {SIGINT, SIGTERM, SIGHUP};
  for (int i = 0; i < 3; i++) {
    uv_signal_init(loop, &sig[i]);
    sig[i].data = srv;
    uv_signal_start(&sig[i], signal_cb, signums[i]);
  }
}

/* ---- run ---------------------------------------------------------------- */

static int serve(mc_server *srv, uv_loop_t *loop) {
  mc_net_install(srv);
  signals_start(srv, loop);
  int rc = mc_server_open(srv, loop);
  if (rc != 0) {
    stopped_cb(srv);
    uv_run(loop, UV_RUN_NOWAIT); /* the signal handles close */
    return rc;
  }
  uv_run(loop, UV_RUN_DEFAULT);
  return 0;
}

static int run(mc_server *srv, int migrate) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  int rc = migrate ? mc_server_migrate(srv, &loop) : serve(srv, &loop);
  if (uv_loop_close(&loop) != 0) {
    mc_log_warn(0, "handles still open at exit");
    uv_run(&loop, UV_RUN_NOWAIT);
    uv_loop_close(&loop);
  }
  mc_server_free(srv);
  if (rc == 0 && !migrate) mc_log_info(0, "stopped");
  return rc != 0;
}

/* ---- verify-log ----------------------------------------------------------- */

struct verify_state {
  long broken;
};

/* Prints dossier codes and row ids only: no citizen data. */
static void broken_cb(void *arg, const char *code, int64_t row_id, int64_t at_ms,
                      const char *why) {
  struct verify_state *v = arg;
  v->broken++;
  printf("BROKEN dossier=%s first_row=%lld at_ms=%lld reason=\"%s\"\n", code,
         (long long)row_id, (long long)at_ms, why);
}

/* 0 intact, 1 a chain is broken, 2 could not verify. */
static int verify_log(const mc_settings *cfg, const char *code) {
  char err[512];
  int64_t checked = 0;
  struct verify_state v = {0};
  if (mc_store_verify_log(cfg->db_conninfo, code, broken_cb, &v, &checked, err, sizeof err) !=
      0) {
    fprintf(stderr, "motcua-server: verify-log: %s\n", err);
    return 2;
  }
  if (code != NULL && checked == 0)
    printf("no progress-log rows for dossier %s\n", code);
  printf("%s rows_checked=%lld dossiers_broken=%ld\n", v.broken ? "BROKEN" : "OK",
         (long long)checked, v.broken);
  fflush(stdout);
  return v.broken ? 1 : 0;
}

/* Large blocks (TLS plaintext, 256 KiB upload chunks, frames up to 1 MiB)
 * come and go at line rate. glibc's defaults give each back to the kernel
 * (mmap above 128 KiB, heap trimmed above 128 KiB free at the top) and
 * every reuse then faults its pages in again: during a 100 MiB upload that
 * was most of the server's CPU (111 ticks against 31-35 with these
 * settings, docs/PERFORMANCE.md). Blocks up to 2 MiB stay on the heap; the
 * heap is trimmed once 4 MiB are free at its top. */
static void tune_malloc(void) {
  mallopt(M_MMAP_THRESHOLD, 2 << 20);
  mallopt(M_TRIM_THRESHOLD, 4 << 20);
}

int main(int argc, char **argv) {
  static mc_server srv;
  char err[512];
  enum mode mode = MODE_SERVE;
  const char *code = NULL, *import = NULL;
  tune_malloc();
  signal(SIGPIPE, SIG_IGN);
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
      return usage(stdout), 0;
  if (mc_settings_load(&srv.cfg, find_conf(argc, argv), &argc, argv, err, sizeof err) != 0) {
    fprintf(stderr, "motcua-server: %s\n", err);
    return 2;
  }
  int a = parse_args(argc, argv, &mode, &code, &import);
  if (a != 0) return usage(stderr), 2;
  int level = mc_log_level_parse(srv.cfg.log_level);
  if (level < 0) {
    fprintf(stderr, "motcua-server: log_level: unknown level \"%s\"\n", srv.cfg.log_level);
    return 2;
  }
  mc_log_level_current = level;
  if (code != NULL && mode != MODE_VERIFY) return usage(stderr), 2;
  if (mode == MODE_VERIFY) return verify_log(&srv.cfg, code);
  if (mode == MODE_IMPORT) return mc_officers_import(&srv.cfg, import);
  return run(&srv, mode == MODE_MIGRATE);
}
