/* Content store: pure helpers, then the shared-directory implementation of
 * the storage interface on libuv's fs API (see files.h). */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

/* ---- pure helpers ------------------------------------------------------- */

static const struct magic {
  const char *mime;
  size_t n;
  const uint8_t bytes[8];
} magics[] = {
    {"application/pdf", 5, {'%', 'P', 'D', 'F', '-'}},
    {"image/jpeg", 3, {0xFF, 0xD8, 0xFF}},
    {"image/png", 8, {0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A}},
    {"image/tiff", 4, {0x49, 0x49, 0x2A, 0x00}},
    {"image/tiff", 4, {0x4D, 0x4D, 0x00, 0x2A}},
};

const char *mc_files_magic(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
    if (n >= magics[i].n && memcmp(p, magics[i].bytes, magics[i].n) == 0) return magics[i].mime;
  return NULL;
}

static int lower_hex_ok(const char *s, size_t want) {
  if (s == NULL || strnlen(s, want + 1) != want) return 0;
  for (size_t i = 0; i < want; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
  return 1;
}

int mc_files_sha_hex_ok(const char *s) { return lower_hex_ok(s, 64); }
int mc_files_upload_id_ok(const char *s) { return lower_hex_ok(s, 32); }

int mc_files_kind_ok(const char *s) {
  return s != NULL && (strcmp(s, "scan") == 0 || strcmp(s, "result") == 0);
}

static int fmt_path(size_t cap, int n) {
  return n < 0 || (size_t)n >= cap ? MC_ETOOBIG : 0;
}

int mc_files_dir(char *out, size_t cap, const char *data_dir, const char *sha, int level) {
  if (!mc_files_sha_hex_ok(sha)) return MC_EINVAL;
  if (level == 1) return fmt_path(cap, snprintf(out, cap, "%s/%.2s", data_dir, sha));
  return fmt_path(cap, snprintf(out, cap, "%s/%.2s/%.2s", data_dir, sha, sha + 2));
}

int mc_files_path(char *out, size_t cap, const char *data_dir, const char *sha) {
  if (!mc_files_sha_hex_ok(sha)) return MC_EINVAL;
  return fmt_path(cap, snprintf(out, cap, "%s/%.2s/%.2s/%s", data_dir, sha, sha + 2, sha));
}

int mc_files_tmp_path(char *out, size_t cap, const char *data_dir, const char *id) {
  if (!mc_files_upload_id_ok(id)) return MC_EINVAL;
  return fmt_path(cap, snprintf(out, cap, "%s/tmp/%s", data_dir, id));
}

uint32_t mc_files_chunk_size(uint32_t proposed, uint32_t dflt) {
  uint32_t c = proposed == 0 ? dflt : proposed;
  if (c < MC_CHUNK_MIN) c = MC_CHUNK_MIN;
  if (c > MC_CHUNK_MAX) c = MC_CHUNK_MAX;
  return c;
}

void mc_files_sha256(const uint8_t *data, size_t len, uint8_t out[32]) {
  unsigned int n = 32;
  if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1) memset(out, 0, 32);
}

void mc_files_hex(const uint8_t *raw, size_t n, char *out) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = hex[raw[i] >> 4];
    out[2 * i + 1] = hex[raw[i] & 15];
  }
  out[2 * n] = '\0';
}

int mc_files_new_id(char out[MC_UPLOAD_ID_HEX]) {
  uint8_t raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) return MC_EINTERNAL;
  mc_files_hex(raw, sizeof raw, out);
  return 0;
}

int mc_files_check_chunk(const mc_chunk_in *c, uint64_t expected, uint64_t size,
                         uint32_t chunk_max, const char **detail) {
  uint8_t sum[32];
  if (c->offset != expected) return *detail = "offset", MC_EINVAL;
  if (c->len == 0 || c->len > chunk_max || c->offset > size || c->len > size - c->offset)
    return *detail = "length", MC_EINVAL;
  if (c->sha == NULL || c->sha_len != 32) return *detail = "checksum", MC_EINVAL;
  mc_files_sha256(c->data, c->len, sum);
  if (memcmp(sum, c->sha, 32) != 0) return *detail = "checksum", MC_EINVAL;
  if (c->offset == 0 && mc_files_magic(c->data, c->len) == NULL)
    return *detail = "file type", MC_EINVAL;
  return 0;
}

/* ---- directories (start-up) --------------------------------------------- */

static int mkdir_ok(const char *path) {
  return mkdir(path, 0750) == 0 || errno == EEXIST ? 0 : -1;
}

static int dir_prepare(const char *data_dir, char *err, size_t errlen) {
  char tmp[MC_PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s/tmp", data_dir);
  if (mkdir_ok(data_dir) != 0 || mkdir_ok(tmp) != 0 || access(tmp, W_OK) != 0) {
    snprintf(err, errlen, "data_dir %s: %s", data_dir, strerror(errno));
    return MC_ECONFIG;
  }
  return 0;
}

/* ---- uploads: write + group-commit fsync --------------------------------- */

typedef struct dir_upload {
  mc_upload_io pub;       /* first: the handle the server holds */
  uv_loop_t *loop;
  char path[MC_PATH_MAX];
  char data_dir[MC_PATH_MAX];
  uv_file fd;
  mc_upload_io_cbs cbs;
  uint64_t received;  /* end of the bytes queued for writing */
  uint64_t committed; /* fsynced */
  uint64_t sync_target;
  int writes;         /* uv_fs_write in flight */
  int busy;           /* open, fsync or finalize in flight */
  int err;
  int closing, unlink_on_close;
  uv_fs_t req;        /* open / fstat / fsync / close (one at a time) */
  /* finalize */
  uv_work_t work;
  char sha[MC_SHA256_HEX];
  uint64_t size;
  const char *mime, *detail;
  int fin_err;
  mc_upload_io_final_cb fin_cb;
} dir_upload;

typedef struct write_req {
  uv_fs_t req;
  dir_upload *io;
  size_t len;
  uint8_t bytes[];
} write_req;

static void io_maybe_free(dir_upload *io);
static void unlink_tmp(uv_loop_t *loop, const char *data_dir, const char *id);

static dir_upload *dir_io(mc_upload_io *p) { return (dir_upload *)p; }
static const dir_upload *dir_cio(const mc_upload_io *p) { return (const dir_upload *)p; }
static int up_idle(const dir_upload *io) { return io->writes == 0 && !io->busy; }

static int dir_upload_idle(const mc_upload_io *p) { return up_idle(dir_cio(p)); }
static uint64_t dir_upload_pending(const mc_upload_io *p) {
  return dir_cio(p)->received - dir_cio(p)->committed;
}

static void sync_done(uv_fs_t *req) {
  dir_upload *io = req->data;
  int rc = (int)req->result;
  uv_fs_req_cleanup(req);
  io->busy = 0;
  if (io->closing) return io_maybe_free(io);
  if (rc < 0) io->err = MC_EIO;
  else io->committed = io->sync_target;
  io->cbs.committed_cb(&io->pub, io->err, io->committed);
  if (!io->closing && io->err == 0 && io->writes == 0 && io->received > io->committed) {
    io->busy = 1; /* what was written meanwhile: the next group */
    io->sync_target = io->received;
    io->req.data = io;
    if (uv_fs_fdatasync(io->loop, &io->req, io->fd, sync_done) != 0) io->busy = 0;
  }
}

static void maybe_sync(dir_upload *io) {
  if (io->writes > 0 || io->busy || io->err != 0 || io->received <= io->committed) return;
  io->busy = 1;
  io->sync_target = io->received;
  io->req.data = io;
  if (uv_fs_fdatasync(io->loop, &io->req, io->fd, sync_done) != 0) {
    io->busy = 0;
    io->err = MC_EIO;
    io->cbs.committed_cb(&io->pub, io->err, io->committed);
  }
}

static void write_done(uv_fs_t *req) {
  write_req *w = req->data;
  dir_upload *io = w->io;
  int short_write = req->result < 0 || (size_t)req->result != w->len;
  uv_fs_req_cleanup(req);
  free(w);
  io->writes--;
  if (io->closing) return io_maybe_free(io);
  if (short_write && io->err == 0) {
    io->err = MC_EIO;
    io->cbs.committed_cb(&io->pub, io->err, io->committed);
    return;
  }
  maybe_sync(io);
}

static int dir_upload_write(mc_upload_io *p, uint64_t offset, const uint8_t *data, size_t len) {
  dir_upload *io = dir_io(p);
  if (io->err != 0 || io->closing || io->fd < 0) return io->err ? io->err : MC_ECLOSED;
  write_req *w = malloc(sizeof *w + len);
  if (w == NULL) return MC_ENOMEM;
  memcpy(w->bytes, data, len);
  w->io = io;
  w->len = len;
  w->req.data = w;
  uv_buf_t b = uv_buf_init((char *)w->bytes, (unsigned)len);
  if (uv_fs_write(io->loop, &w->req, io->fd, &b, 1, (int64_t)offset, write_done) != 0) {
    free(w);
    return MC_EIO;
  }
  io->writes++;
  if (offset + len > io->received) io->received = offset + len;
  return 0;
}

static void fstat_done(uv_fs_t *req) {
  dir_upload *io = req->data;
  int rc = (int)req->result;
  uint64_t have = rc == 0 ? req->statbuf.st_size : 0;
  uv_fs_req_cleanup(req);
  io->busy = 0;
  if (io->closing) return io_maybe_free(io);
  /* Never claim more than the file holds (the recorded offset was fsynced
   * first, so this only guards against a replaced or damaged file). */
  if (have < io->committed) io->committed = have;
  io->received = io->committed;
  io->cbs.opened_cb(&io->pub, rc < 0 ? MC_EIO : 0, io->committed);
}

static void open_done(uv_fs_t *req) {
  dir_upload *io = req->data;
  int rc = (int)req->result;
  uv_fs_req_cleanup(req);
  if (rc >= 0) io->fd = rc;
  if (io->closing || rc < 0) {
    io->busy = 0;
    if (io->closing) return io_maybe_free(io);
    io->err = MC_EIO;
    return io->cbs.opened_cb(&io->pub, MC_EIO, 0);
  }
  io->req.data = io;
  if (uv_fs_fstat(io->loop, &io->req, io->fd, fstat_done) != 0) {
    io->busy = 0;
    io->cbs.opened_cb(&io->pub, MC_EIO, 0);
  }
}

static int dir_upload_open(mc_file_store *st, const char *id, uint64_t committed,
                           const mc_upload_io_cbs *cbs, void *data, mc_upload_io **out) {
  const char *data_dir = st->impl;
  uv_loop_t *loop = st->loop;
  dir_upload *io = calloc(1, sizeof *io);
  if (io == NULL) return MC_ENOMEM;
  int rc = mc_files_tmp_path(io->path, sizeof io->path, data_dir, id);
  if (rc == 0 && snprintf(io->data_dir, sizeof io->data_dir, "%s", data_dir) >= (int)sizeof io->data_dir)
    rc = MC_ETOOBIG;
  if (rc != 0) return free(io), rc;
  io->loop = loop;
  io->fd = -1;
  io->cbs = *cbs;
  io->pub = (mc_upload_io){.store = st, .data = data};
  io->committed = committed;
  io->busy = 1;
  io->req.data = io;
  if (uv_fs_open(loop, &io->req, io->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600, open_done) != 0) {
    free(io);
    return MC_EIO;
  }
  *out = &io->pub;
  return 0;
}

/* ---- finalize (threadpool) ---------------------------------------------- */

/* Hash [0, size) and read the first bytes for the magic check. */
static int hash_file(int fd, uint64_t size, char hex[MC_SHA256_HEX], uint8_t head[8]) {
  enum { BUF = 1 << 20 };
  uint8_t *buf = malloc(BUF), raw[32];
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int rc = buf != NULL && ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 ? 0 : MC_ENOMEM;
  for (uint64_t off = 0; rc == 0 && off < size;) {
    size_t want = size - off < BUF ? (size_t)(size - off) : BUF;
    ssize_t n = pread(fd, buf, want, (off_t)off);
    if (n <= 0) rc = MC_EIO;
    else if (off == 0) memcpy(head, buf, (size_t)n < 8 ? (size_t)n : 8);
    if (rc == 0 && EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) rc = MC_EINTERNAL;
    off += n > 0 ? (uint64_t)n : 0;
  }
  unsigned int len = 32;
  if (rc == 0 && EVP_DigestFinal_ex(ctx, raw, &len) != 1) rc = MC_EINTERNAL;
  if (rc == 0) mc_files_hex(raw, 32, hex);
  EVP_MD_CTX_free(ctx);
  free(buf);
  return rc;
}

static int fsync_path(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return MC_EIO;
  int rc = fsync(fd);
  close(fd);
  return rc == 0 ? 0 : MC_EIO;
}

/* mkdir DATA/ab and DATA/ab/cd; fsync the parent of each new directory. */
static int make_dirs(const dir_upload *io, char *leaf, size_t cap) {
  char ab[MC_PATH_MAX];
  if (mc_files_dir(ab, sizeof ab, io->data_dir, io->sha, 1) != 0 ||
      mc_files_dir(leaf, cap, io->data_dir, io->sha, 2) != 0)
    return MC_EIO;
  if (mkdir(ab, 0750) == 0) {
    if (fsync_path(io->data_dir) != 0) return MC_EIO;
  } else if (errno != EEXIST) {
    return MC_EIO;
  }
  if (mkdir(leaf, 0750) == 0) {
    if (fsync_path(ab) != 0) return MC_EIO;
  } else if (errno != EEXIST) {
    return MC_EIO;
  }
  return 0;
}

/* The whole file, mapped read-only, through mc_files_validate (W6). */
static const char *validate_fd(dir_upload *io, const char **detail) {
  if (io->size == 0 || io->size > SIZE_MAX) return *detail = "file structure", NULL;
  void *p = mmap(NULL, (size_t)io->size, PROT_READ, MAP_PRIVATE, io->fd, 0);
  if (p == MAP_FAILED) return *detail = "file structure", NULL;
  const char *mime = mc_files_validate(p, (size_t)io->size, detail);
  munmap(p, (size_t)io->size);
  return mime;
}

static void fin_work(uv_work_t *w) {
  dir_upload *io = w->data;
  char hex[MC_SHA256_HEX], leaf[MC_PATH_MAX], dst[MC_PATH_MAX];
  uint8_t head[8] = {0};
  io->fin_err = hash_file(io->fd, io->size, hex, head);
  if (io->fin_err != 0) return;
  io->mime = mc_files_magic(head, io->size < 8 ? (size_t)io->size : 8);
  if (strcmp(hex, io->sha) == 0 && io->mime != NULL) io->mime = validate_fd(io, &io->detail);
  else io->detail = io->mime == NULL ? "file type" : "sha256";
  if (io->detail != NULL) {
    io->mime = NULL;
    io->fin_err = MC_EINVAL;
    unlink(io->path);
    return;
  }
  if (ftruncate(io->fd, (off_t)io->size) != 0 || fsync(io->fd) != 0 ||
      make_dirs(io, leaf, sizeof leaf) != 0 ||
      mc_files_path(dst, sizeof dst, io->data_dir, io->sha) != 0 ||
      rename(io->path, dst) != 0 || fsync_path(leaf) != 0)
    io->fin_err = MC_EIO;
}

static void fin_done(uv_work_t *w, int status) {
  dir_upload *io = w->data;
  io->busy = 0;
  if (status != 0 && io->fin_err == 0) io->fin_err = MC_EIO;
  if (io->closing) return io_maybe_free(io);
  io->fin_cb(&io->pub, io->fin_err, io->mime, io->detail);
}

static int dir_upload_finalize(mc_upload_io *p, const char *sha, uint64_t size,
                               mc_upload_io_final_cb cb) {
  dir_upload *io = dir_io(p);
  if (!up_idle(io) || io->fd < 0 || io->closing) return MC_EBADSTATE;
  if (!mc_files_sha_hex_ok(sha)) return MC_EINVAL;
  memcpy(io->sha, sha, MC_SHA256_HEX);
  io->size = size;
  io->fin_cb = cb;
  io->mime = io->detail = NULL;
  io->work.data = io;
  if (uv_queue_work(io->loop, &io->work, fin_work, fin_done) != 0) return MC_EIO;
  io->busy = 1;
  return 0;
}

/* ---- close -------------------------------------------------------------- */

static void close_done(uv_fs_t *req) {
  dir_upload *io = req->data;
  uv_fs_req_cleanup(req);
  if (io->unlink_on_close) unlink_tmp(io->loop, io->data_dir, io->path + strlen(io->path) - 32);
  free(io);
}

static void io_maybe_free(dir_upload *io) {
  if (io->writes > 0 || io->busy) return;
  if (io->fd < 0) {
    free(io);
    return;
  }
  io->req.data = io;
  io->busy = 1;
  if (uv_fs_close(io->loop, &io->req, io->fd, close_done) != 0) {
    close(io->fd);
    free(io);
  }
}

static void dir_upload_close(mc_upload_io *p, int unlink_file) {
  dir_upload *io = dir_io(p);
  if (io->closing) return;
  io->closing = 1;
  io->unlink_on_close = unlink_file;
  io_maybe_free(io);
}

typedef struct unlink_req {
  uv_fs_t req;
  char path[MC_PATH_MAX];
} unlink_req;

static void unlink_done(uv_fs_t *req) {
  uv_fs_req_cleanup(req);
  free(req->data);
}

static void unlink_path(uv_loop_t *loop, unlink_req *u) {
  u->req.data = u;
  if (uv_fs_unlink(loop, &u->req, u->path, unlink_done) != 0) free(u);
}

static void unlink_tmp(uv_loop_t *loop, const char *data_dir, const char *id) {
  unlink_req *u = malloc(sizeof *u);
  if (u == NULL) return;
  if (mc_files_tmp_path(u->path, sizeof u->path, data_dir, id) != 0) return free(u);
  unlink_path(loop, u);
}

static void dir_remove_tmp(mc_file_store *st, const char *id) {
  unlink_tmp(st->loop, st->impl, id);
}

static void dir_remove(mc_file_store *st, const char *sha) {
  const char *data_dir = st->impl;
  uv_loop_t *loop = st->loop;
  unlink_req *u = malloc(sizeof *u);
  if (u == NULL) return;
  if (mc_files_path(u->path, sizeof u->path, data_dir, sha) != 0) return free(u);
  unlink_path(loop, u);
}

/* ---- reading ------------------------------------------------------------ */

typedef struct dir_reader {
  mc_file_reader pub;     /* first: the handle the server holds */
  uv_loop_t *loop;
  uv_fs_t req;
  uv_file fd;
  int busy, closing;
  mc_file_opened_cb opened_cb;
  mc_file_read_cb read_cb;
  size_t chunk;
  uint8_t *buf;
} dir_reader;

static void reader_free(dir_reader *r) {
  if (r->busy) return;
  if (r->fd >= 0) close(r->fd); /* close(2) of a regular file does not block */
  free(r->buf);
  free(r);
}


static void reader_stat_done(uv_fs_t *req) {
  dir_reader *r = req->data;
  int rc = (int)req->result;
  uint64_t size = rc == 0 ? req->statbuf.st_size : 0;
  uv_fs_req_cleanup(req);
  r->busy = 0;
  if (r->closing) return reader_free(r);
  r->opened_cb(&r->pub, rc < 0 ? MC_EIO : 0, size);
}

static void reader_open_done(uv_fs_t *req) {
  dir_reader *r = req->data;
  int rc = (int)req->result;
  uv_fs_req_cleanup(req);
  if (rc >= 0) r->fd = rc;
  if (rc < 0 || r->closing) {
    r->busy = 0;
    if (r->closing) return reader_free(r);
    return r->opened_cb(&r->pub, rc == UV_ENOENT ? MC_ENOTFOUND : MC_EIO, 0);
  }
  if (uv_fs_fstat(r->loop, &r->req, r->fd, reader_stat_done) != 0) {
    r->busy = 0;
    r->opened_cb(&r->pub, MC_EIO, 0);
  }
}

static int dir_reader_open(mc_file_store *st, const char *sha, size_t chunk, void *data,
                           mc_file_opened_cb opened_cb, mc_file_reader **out) {
  const char *data_dir = st->impl;
  uv_loop_t *loop = st->loop;
  char path[MC_PATH_MAX];
  int rc = mc_files_path(path, sizeof path, data_dir, sha);
  if (rc != 0) return rc;
  dir_reader *r = calloc(1, sizeof *r);
  if (r == NULL || (r->buf = malloc(chunk)) == NULL) return free(r), MC_ENOMEM;
  r->loop = loop;
  r->fd = -1;
  r->chunk = chunk;
  r->pub = (mc_file_reader){.store = st, .data = data};
  r->opened_cb = opened_cb;
  r->req.data = r;
  r->busy = 1;
  if (uv_fs_open(loop, &r->req, path, O_RDONLY | O_CLOEXEC, 0, reader_open_done) != 0) {
    free(r->buf);
    free(r);
    return MC_EIO;
  }
  *out = &r->pub;
  return 0;
}

static void reader_read_done(uv_fs_t *req) {
  dir_reader *r = req->data;
  ssize_t n = req->result;
  uv_fs_req_cleanup(req);
  r->busy = 0;
  if (r->closing) return reader_free(r);
  r->read_cb(&r->pub, n < 0 ? MC_EIO : 0, r->buf, n < 0 ? 0 : (size_t)n);
}

static int dir_reader_read(mc_file_reader *p, uint64_t offset, mc_file_read_cb cb) {
  dir_reader *r = (dir_reader *)p;
  if (r->busy || r->closing || r->fd < 0) return MC_EBADSTATE;
  uv_buf_t b = uv_buf_init((char *)r->buf, (unsigned)r->chunk);
  r->read_cb = cb;
  r->req.data = r;
  if (uv_fs_read(r->loop, &r->req, r->fd, &b, 1, (int64_t)offset, reader_read_done) != 0)
    return MC_EIO;
  r->busy = 1;
  return 0;
}

static void dir_reader_close(mc_file_reader *p) {
  dir_reader *r = (dir_reader *)p;
  if (r->closing) return;
  r->closing = 1;
  reader_free(r);
}

/* ---- the shared-directory store ------------------------------------------- */

static void dir_free(mc_file_store *st) {
  free(st->impl);
  free(st);
}

static const mc_file_store_ops dir_ops = {
    .name = "dir",
    .upload_open = dir_upload_open,
    .upload_write = dir_upload_write,
    .upload_idle = dir_upload_idle,
    .upload_pending = dir_upload_pending,
    .upload_finalize = dir_upload_finalize,
    .upload_close = dir_upload_close,
    .remove_tmp = dir_remove_tmp,
    .remove = dir_remove,
    .reader_open = dir_reader_open,
    .reader_read = dir_reader_read,
    .reader_close = dir_reader_close,
    .free = dir_free,
};

int mc_file_store_dir(mc_file_store **out, uv_loop_t *loop, const char *data_dir, char *err,
                      size_t errlen) {
  int rc = dir_prepare(data_dir, err, errlen);
  if (rc != 0) return rc;
  mc_file_store *st = calloc(1, sizeof *st);
  char *root = strndup(data_dir, MC_PATH_MAX - 1);
  if (st == NULL || root == NULL) {
    free(st);
    free(root);
    snprintf(err, errlen, "out of memory");
    return MC_ENOMEM;
  }
  *st = (mc_file_store){.ops = &dir_ops, .loop = loop, .impl = root};
  *out = st;
  return 0;
}
