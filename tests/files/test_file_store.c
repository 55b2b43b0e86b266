/* The storage interface (server/files/files.h) through its shared-directory
 * implementation, on a real libuv loop and a scratch directory: the
 * temporary area (write, durable "committed", resume from what the object
 * holds), put (finalize: verified, then published under its SHA-256; a
 * wrong SHA-256 removes the temporary object), open/stat and ranged read,
 * remove. A second implementation (an object store) is meant to pass the
 * same steps. argv[1]: a PDF sample. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "error.h"
#include "files.h"

#define ID "0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210"

static struct {
  int opened, open_err, committed_err, final_done, final_err, read_done, read_err, stat_err;
  uint64_t committed, size;
  char mime[64], detail[32];
  uint8_t got[64];
  size_t ngot;
} ev;

static void opened_cb(mc_upload_io *io, int err, uint64_t committed) {
  (void)io;
  ev.opened = 1;
  ev.open_err = err;
  ev.committed = committed;
}

static void committed_cb(mc_upload_io *io, int err, uint64_t committed) {
  (void)io;
  ev.committed_err = err;
  ev.committed = committed;
}

static void final_cb(mc_upload_io *io, int err, const char *mime, const char *detail) {
  (void)io;
  ev.final_done = 1;
  ev.final_err = err;
  snprintf(ev.mime, sizeof ev.mime, "%s", mime ? mime : "");
  snprintf(ev.detail, sizeof ev.detail, "%s", detail ? detail : "");
}

static void reader_opened(mc_file_reader *r, int err, uint64_t size) {
  (void)r;
  ev.opened = 1;
  ev.stat_err = err;
  ev.size = size;
}

static void read_cb(mc_file_reader *r, int err, const uint8_t *data, size_t n) {
  (void)r;
  ev.read_done = 1;
  ev.read_err = err;
  ev.ngot = n < sizeof ev.got ? n : sizeof ev.got;
  memcpy(ev.got, data, ev.ngot);
}

/* Run the loop until *flag (bounded: the test ends by itself). */
static void run_until(uv_loop_t *loop, const int *flag) {
  for (int i = 0; i < 100000 && !*flag; i++) uv_run(loop, UV_RUN_ONCE);
}

static void run_until_committed(uv_loop_t *loop, mc_upload_io *io, uint64_t want) {
  for (int i = 0; i < 100000 && (ev.committed < want || !mc_upload_io_idle(io)); i++)
    uv_run(loop, UV_RUN_ONCE);
}

static uint8_t *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = malloc(1 << 20);
  *n = f != NULL && buf != NULL ? fread(buf, 1, 1 << 20, f) : 0;
  if (f != NULL) fclose(f);
  return buf;
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static void test_dir_store(uv_loop_t *loop, const char *root, const uint8_t *pdf, size_t n) {
  char err[256], path[MC_PATH_MAX], sha[MC_SHA256_HEX];
  uint8_t raw[32];
  mc_file_store *st = NULL;
  mc_upload_io *io = NULL;
  mc_upload_io_cbs cbs = {opened_cb, committed_cb};
  mc_files_sha256(pdf, n, raw);
  mc_files_hex(raw, 32, sha);
  CHECK_EQ(mc_file_store_dir(&st, loop, root, err, sizeof err), 0);
  CHECK_STREQ(st->ops->name, "dir");
  snprintf(path, sizeof path, "%s/tmp", root);
  CHECK(exists(path));
  CHECK_EQ(mc_upload_io_open(st, "not-an-id", 0, &cbs, NULL, &io), MC_EINVAL);

  /* the temporary area: the first half, closed without removing */
  memset(&ev, 0, sizeof ev);
  CHECK_EQ(mc_upload_io_open(st, ID, 0, &cbs, &ev, &io), 0);
  CHECK(mc_upload_io_data(io) == &ev);
  run_until(loop, &ev.opened);
  CHECK_EQ(ev.open_err, 0);
  CHECK_EQ(mc_upload_io_write(io, 0, pdf, n / 2), 0);
  run_until_committed(loop, io, n / 2);
  CHECK_EQ(ev.committed, n / 2);
  CHECK_EQ(mc_upload_io_pending(io), 0);
  mc_upload_io_close(io, 0);
  uv_run(loop, UV_RUN_DEFAULT);

  /* resumed (another instance): the recorded offset is lowered to what the
   * object really holds */
  memset(&ev, 0, sizeof ev);
  CHECK_EQ(mc_upload_io_open(st, ID, n, &cbs, NULL, &io), 0);
  run_until(loop, &ev.opened);
  CHECK_EQ(ev.committed, n / 2);
  CHECK_EQ(mc_upload_io_write(io, n / 2, pdf + n / 2, n - n / 2), 0);
  run_until_committed(loop, io, n);
  CHECK_EQ(mc_upload_io_finalize(io, "nope", n, final_cb), MC_EINVAL);
  CHECK_EQ(mc_upload_io_finalize(io, sha, n, final_cb), 0);
  run_until(loop, &ev.final_done);
  CHECK_EQ(ev.final_err, 0);
  CHECK_STREQ(ev.mime, "application/pdf");
  mc_upload_io_close(io, 0);
  uv_run(loop, UV_RUN_DEFAULT);
  CHECK_EQ(mc_files_path(path, sizeof path, root, sha), 0);
  CHECK(exists(path)); /* published under its SHA-256 */
  CHECK_EQ(mc_files_tmp_path(path, sizeof path, root, ID), 0);
  CHECK(!exists(path)); /* nothing left in the temporary area */

  /* open, stat and a ranged read */
  mc_file_reader *r = NULL;
  memset(&ev, 0, sizeof ev);
  CHECK_EQ(mc_file_reader_open(st, sha, 16, &ev, reader_opened, &r), 0);
  run_until(loop, &ev.opened);
  CHECK_EQ(ev.stat_err, 0);
  CHECK_EQ(ev.size, n);
  CHECK_EQ(mc_file_reader_read(r, 5, read_cb), 0);
  run_until(loop, &ev.read_done);
  CHECK_EQ(ev.ngot, 16);
  CHECK(memcmp(ev.got, pdf + 5, 16) == 0);
  mc_file_reader_close(r);

  /* a wrong SHA-256 at the end: refused, the temporary object removed */
  memset(&ev, 0, sizeof ev);
  CHECK_EQ(mc_upload_io_open(st, ID2, 0, &cbs, NULL, &io), 0);
  run_until(loop, &ev.opened);
  CHECK_EQ(mc_upload_io_write(io, 0, pdf, n), 0);
  run_until_committed(loop, io, n);
  char other[MC_SHA256_HEX];
  memset(other, 'a', 64);
  other[64] = '\0';
  CHECK_EQ(mc_upload_io_finalize(io, other, n, final_cb), 0);
  run_until(loop, &ev.final_done);
  CHECK_EQ(ev.final_err, MC_EINVAL);
  CHECK_STREQ(ev.detail, "sha256");
  mc_upload_io_close(io, 1);
  uv_run(loop, UV_RUN_DEFAULT);
  CHECK_EQ(mc_files_tmp_path(path, sizeof path, root, ID2), 0);
  CHECK(!exists(path));

  /* remove: gone, and opening it says so */
  mc_files_remove(st, sha);
  uv_run(loop, UV_RUN_DEFAULT);
  CHECK_EQ(mc_files_path(path, sizeof path, root, sha), 0);
  CHECK(!exists(path));
  memset(&ev, 0, sizeof ev);
  CHECK_EQ(mc_file_reader_open(st, sha, 16, NULL, reader_opened, &r), 0);
  run_until(loop, &ev.opened);
  CHECK_EQ(ev.stat_err, MC_ENOTFOUND);
  mc_file_reader_close(r);
  uv_run(loop, UV_RUN_DEFAULT);
  mc_file_store_free(st);
}

int main(int argc, char **argv) {
  char root[] = "/tmp/mc-file-store-XXXXXX";
  size_t n = 0;
  uint8_t *pdf = argc > 1 ? slurp(argv[1], &n) : NULL;
  CHECK(n > 64);
  if (n <= 64 || mkdtemp(root) == NULL) return 1;
  uv_loop_t loop;
  uv_loop_init(&loop);
  test_dir_store(&loop, root, pdf, n);
  uv_loop_close(&loop);
  free(pdf);
  char cmd[sizeof root + 16];
  snprintf(cmd, sizeof cmd, "rm -rf %s", root);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", root);
  return check_result();
}
