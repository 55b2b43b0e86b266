/* File transfers with resume and verification (see transfer.h). */
#include "transfer.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "error.h"
#include "file_name.h"
#include "render.h"

#define MAX_RETRIES 5

static uint64_t now_ms(void) { return uv_hrtime() / 1000000u; }

static void hex(const uint8_t *raw, size_t n, char *out) {
  static const char h[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = h[raw[i] >> 4];
    out[2 * i + 1] = h[raw[i] & 15];
  }
  out[2 * n] = '\0';
}

static int hash_fd(int fd, char out[65], uint64_t *size) {
  enum { BUF = 1 << 20 };
  uint8_t *buf = malloc(BUF), raw[32];
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int rc = buf && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 ? MC_OK : MC_ENOMEM;
  uint64_t total = 0;
  ssize_t n = 0;
  while (rc == MC_OK && (n = pread(fd, buf, BUF, (off_t)total)) > 0) {
    if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) rc = MC_EINTERNAL;
    total += (uint64_t)n;
  }
  unsigned int len = 32;
  if (rc == MC_OK && (n < 0 || EVP_DigestFinal_ex(ctx, raw, &len) != 1)) rc = MC_EIO;
  if (rc == MC_OK) hex(raw, 32, out);
  if (size != NULL) *size = total;
  EVP_MD_CTX_free(ctx);
  free(buf);
  return rc;
}

int mc_transfer_sha256_file(const char *path, char out[65], uint64_t *size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MC_EIO;
  int rc = hash_fd(fd, out, size);
  close(fd);
  return rc;
}

static void report(mc_transfer_progress_cb cb, void *ud, const mc_transfer_result *r,
                   uint64_t done, uint64_t t0, int finished) {
  if (cb == NULL) return;
  mc_transfer_progress p = {r->name, done, r->size, r->resumed_from, now_ms() - t0, finished};
  cb(&p, ud);
}

/* Server refusal carried in an Error envelope. */
static int take_error(mc_transfer_result *out, const Motcua__Error *e) {
  int rc = mc_err_from_wire(e->code);
  snprintf(out->detail, sizeof out->detail, "%s", e->detail ? e->detail : "");
  out->refused = 1;
  out->error = (mc_client_error){.err = rc, .refused = 1};
  snprintf(out->error.code, sizeof out->error.code, "%s", mc_errname(rc));
  snprintf(out->error.message, sizeof out->error.message, "%s",
           e->message && e->message[0] ? e->message : mc_strerror(rc));
  snprintf(out->error.field, sizeof out->error.field, "%s", out->detail);
  return rc;
}

/* Call and check the reply's body; on refusal fill out->detail. */
static int call_want(mc_client *c, Motcua__Envelope *req, Motcua__Envelope__BodyCase want,
                     Motcua__Envelope **rep, mc_transfer_result *out) {
  int rc = mc_client_call(c, req, rep, &out->error);
  if (rc != MC_OK) {
    out->refused = out->error.refused;
    snprintf(out->detail, sizeof out->detail, "%s", out->error.field);
    return rc;
  }
  if ((*rep)->body_case == want) return MC_OK;
  mc_envelope_free(*rep);
  *rep = NULL;
  out->error.err = MC_EPROTO;
  snprintf(out->error.code, sizeof out->error.code, "%s", mc_errname(MC_EPROTO));
  return MC_EPROTO;
}

/* ---- upload ------------------------------------------------------------- */

typedef struct up {
  mc_client *c;
  int fd;
  char id[40];
  uint64_t sent, acked;
  uint32_t chunk;
  int err;
  mc_transfer_result *out;
  uint8_t *buf;
  double rate; /* bytes/s cap, 0 = none */
  uint64_t t0, rate_from, rate_t0;
} up;

static void up_reply_cb(mc_client *c, Motcua__Envelope *env, void *ud) {
  up *u = ud;
  if (env->body_case == MOTCUA__ENVELOPE__BODY_UPLOAD_ACK &&
      strcmp(env->upload_ack->upload_id ? env->upload_ack->upload_id : "", u->id) == 0) {
    if (env->upload_ack->committed_offset > u->acked) u->acked = env->upload_ack->committed_offset;
  } else if (env->body_case == MOTCUA__ENVELOPE__BODY_ERROR && u->err == MC_OK) {
    u->err = take_error(u->out, env->error);
  }
  mc_envelope_free(env);
  mc_client_wake(c);
}

/* UploadBegin: sets id, chunk, acked = sent = committed; *done if the
 * server already holds the file. */
static int up_begin(up *u, const char *code, const char *kind, const char *sha, int *done) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__UploadBegin b = MOTCUA__UPLOAD_BEGIN__INIT;
  b.code = (char *)code;
  b.name = u->out->name;
  b.size = u->out->size;
  b.sha256 = (char *)sha;
  b.kind = (char *)kind;
  b.chunk_bytes = MC_TRANSFER_CHUNK;
  req.body_case = MOTCUA__ENVELOPE__BODY_UPLOAD_BEGIN;
  req.upload_begin = &b;
  int rc = call_want(u->c, &req, MOTCUA__ENVELOPE__BODY_UPLOAD_STATE, &rep, u->out);
  if (rc != MC_OK) return rc;
  const Motcua__UploadState *st = rep->upload_state;
  *done = st->complete;
  if (st->file != NULL && st->file->mime != NULL)
    snprintf(u->out->mime, sizeof u->out->mime, "%s", st->file->mime);
  if (st->file != NULL && st->file->name != NULL && st->file->name[0] != '\0')
    snprintf(u->out->name, sizeof u->out->name, "%s", st->file->name); /* as stored (B1) */
  snprintf(u->id, sizeof u->id, "%s", st->upload_id ? st->upload_id : "");
  u->chunk = st->chunk_bytes > 0 && st->chunk_bytes <= (1u << 20) ? st->chunk_bytes : MC_TRANSFER_CHUNK;
  u->acked = u->sent = st->committed_offset <= u->out->size ? st->committed_offset : 0;
  mc_envelope_free(rep);
  return MC_OK;
}

/* Sleep so that bytes sent since rate_from stay under the cap. */
static void rate_wait(const up *u) {
  if (u->rate <= 0) return;
  uint64_t due = (uint64_t)((double)(u->sent - u->rate_from) * 1000.0 / u->rate);
  uint64_t el = now_ms() - u->rate_t0;
  if (due <= el) return;
  uint64_t d = due - el;
  struct timespec ts = {(time_t)(d / 1000), (long)(d % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static int up_send_one(up *u) {
  uint64_t left = u->out->size - u->sent;
  size_t n = left < u->chunk ? (size_t)left : u->chunk;
  ssize_t got = pread(u->fd, u->buf, n, (off_t)u->sent);
  if (got != (ssize_t)n) return u->out->local = 1, MC_EIO; /* the file changed under us */
  uint8_t sum[32];
  unsigned int len = 32;
  EVP_Digest(u->buf, n, sum, &len, EVP_sha256(), NULL);
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__UploadChunk ch = MOTCUA__UPLOAD_CHUNK__INIT;
  ch.upload_id = u->id;
  ch.offset = u->sent;
  ch.data.data = u->buf;
  ch.data.len = n;
  ch.sha256.data = sum;
  ch.sha256.len = 32;
  req.body_case = MOTCUA__ENVELOPE__BODY_UPLOAD_CHUNK;
  req.upload_chunk = &ch;
  int rc = mc_client_send(u->c, &req, &u->out->error);
  if (rc == MC_OK) u->sent += n;
  return rc;
}

/* Send while the window allows, then wait for an ack or a refusal. */
static int up_stream(up *u, mc_transfer_progress_cb cb, void *ud) {
  uint64_t window = (uint64_t)u->chunk * MC_TRANSFER_WINDOW;
  while (u->acked < u->out->size && u->err == MC_OK) {
    while (u->sent < u->out->size && u->sent - u->acked < window) {
      rate_wait(u);
      int rc = up_send_one(u);
      if (rc != MC_OK) return rc;
    }
    int rc = mc_client_wait(u->c, 0, &u->out->error);
    if (rc != MC_OK) return rc;
    report(cb, ud, u->out, u->acked, u->t0, 0);
  }
  return u->err;
}

static int up_finish(up *u) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT, *rep;
  Motcua__UploadFinish f = MOTCUA__UPLOAD_FINISH__INIT;
  f.upload_id = u->id;
  req.body_case = MOTCUA__ENVELOPE__BODY_UPLOAD_FINISH;
  req.upload_finish = &f;
  int rc = call_want(u->c, &req, MOTCUA__ENVELOPE__BODY_FILE_INFO, &rep, u->out);
  if (rc != MC_OK) return rc;
  snprintf(u->out->mime, sizeof u->out->mime, "%s", rep->file_info->mime ? rep->file_info->mime : "");
  if (rep->file_info->name != NULL && rep->file_info->name[0] != '\0') /* as stored (B1) */
    snprintf(u->out->name, sizeof u->out->name, "%s", rep->file_info->name);
  mc_envelope_free(rep);
  return MC_OK;
}

static int retryable(const up *u) {
  return u->err == MC_EBUSY ||
         (u->err == MC_EINVAL && (strcmp(u->out->detail, "checksum") == 0 ||
                                  strcmp(u->out->detail, "offset") == 0));
}

static int up_run(up *u, const char *code, const char *kind, mc_transfer_progress_cb cb, void *ud) {
  int done = 0, rc = up_begin(u, code, kind, u->out->sha256, &done);
  u->out->resumed_from = done ? 0 : u->acked;
  u->out->deduplicated = done;
  u->rate_from = u->sent;
  u->rate_t0 = now_ms();
  for (int tries = 0; rc == MC_OK && !done; tries++) {
    rc = up_stream(u, cb, ud);
    if (rc == MC_OK) break;
    if (tries >= MAX_RETRIES || !retryable(u)) return rc;
    /* A refused chunk changed nothing: ask where to go on. Refusals of the
     * chunks that followed it arrive before the answer; forget them. */
    rc = up_begin(u, code, kind, u->out->sha256, &done);
    u->err = MC_OK;
    u->out->refused = 0;
    u->rate_from = u->sent;
    u->rate_t0 = now_ms();
  }
  if (rc == MC_OK && !done) rc = up_finish(u);
  if (rc == MC_OK) report(cb, ud, u->out, u->out->size, u->t0, 1);
  return rc;
}

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s != NULL ? s + 1 : path;
}

int mc_transfer_upload(mc_client *c, const char *code, const char *path, const char *kind,
                       mc_transfer_progress_cb cb, void *ud, mc_transfer_result *out) {
  memset(out, 0, sizeof *out);
  snprintf(out->name, sizeof out->name, "%s", base_name(path));
  snprintf(out->path, sizeof out->path, "%s", path);
  snprintf(out->kind, sizeof out->kind, "%s", kind);
  up u = {.c = c, .out = out, .t0 = now_ms()};
  const char *rate = getenv("MOTCUA_RATE_LIMIT");
  u.rate = rate != NULL ? strtod(rate, NULL) : 0;
  u.fd = open(path, O_RDONLY | O_CLOEXEC);
  if (u.fd < 0) return out->local = 1, MC_EIO;
  int rc = hash_fd(u.fd, out->sha256, &out->size);
  out->local = rc != MC_OK;
  if (rc == MC_OK && out->size == 0) rc = MC_EINVAL, snprintf(out->detail, sizeof out->detail, "size");
  if (rc == MC_OK && (u.buf = malloc(512u << 10)) == NULL) rc = MC_ENOMEM;
  mc_client_set_reply_cb(c, up_reply_cb, &u);
  if (rc == MC_OK) rc = up_run(&u, code, kind, cb, ud);
  mc_client_set_reply_cb(c, NULL, NULL);
  out->elapsed_ms = now_ms() - u.t0;
  free(u.buf);
  close(u.fd);
  return rc;
}

/* ---- list --------------------------------------------------------------- */

int mc_transfer_list(mc_client *c, const char *code, Motcua__Envelope **reply,
                     mc_client_error *err) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__FilesRequest f = MOTCUA__FILES_REQUEST__INIT;
  mc_transfer_result out = {0};
  f.code = (char *)code;
  req.body_case = MOTCUA__ENVELOPE__BODY_FILES;
  req.files = &f;
  int rc = call_want(c, &req, MOTCUA__ENVELOPE__BODY_FILES_REPLY, reply, &out);
  if (rc != MC_OK && err != NULL) *err = out.error;
  return rc;
}

/* ---- download ----------------------------------------------------------- */

typedef struct down {
  int fd;
  int dirfd;              /* DIR/<dossier code>, opened without following links */
  char name[MC_LIM_FILE_NAME + 1], part[MC_LIM_FILE_NAME + 8];
  uint64_t rid, offset, size;
  int err, done;
  mc_transfer_result *out;
} down;

static int down_chunk(down *d, const Motcua__DownloadChunk *ch) {
  if (ch->offset != d->offset || ch->data.len > d->size - d->offset) return MC_EPROTO;
  if (ch->data.len > 0 &&
      pwrite(d->fd, ch->data.data, ch->data.len, (off_t)ch->offset) != (ssize_t)ch->data.len)
    return d->out->local = 1, MC_EIO;
  d->offset += ch->data.len;
  d->done = ch->last || d->offset == d->size;
  return MC_OK;
}

static void down_reply_cb(mc_client *c, Motcua__Envelope *env, void *ud) {
  down *d = ud;
  if (env->request_id == d->rid && d->err == MC_OK) {
    if (env->body_case == MOTCUA__ENVELOPE__BODY_DOWNLOAD_CHUNK)
      d->err = down_chunk(d, env->download_chunk);
    else if (env->body_case == MOTCUA__ENVELOPE__BODY_ERROR)
      d->err = take_error(d->out, env->error);
  }
  mc_envelope_free(env);
  mc_client_wake(c);
}

static int down_request(mc_client *c, const char *code, const char *sha, down *d) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__DownloadRequest q = MOTCUA__DOWNLOAD_REQUEST__INIT;
  q.code = (char *)code;
  q.sha256 = (char *)sha;
  q.offset = d->offset;
  req.body_case = MOTCUA__ENVELOPE__BODY_DOWNLOAD;
  req.download = &q;
  int rc = mc_client_send(c, &req, &d->out->error);
  d->rid = req.request_id;
  return rc;
}

static int down_stream(mc_client *c, const char *code, down *d, mc_transfer_progress_cb cb,
                       void *ud, uint64_t t0) {
  if (d->offset == d->size) return MC_OK;
  int rc = down_request(c, code, d->out->sha256, d);
  while (rc == MC_OK && !d->done && d->err == MC_OK) {
    rc = mc_client_wait(c, 0, &d->out->error);
    report(cb, ud, d->out, d->offset, t0, 0);
  }
  return rc != MC_OK ? rc : d->err;
}

/* The target exists: the same bytes count as downloaded, others are never
 * replaced (B1). */
static int down_exists(down *d) {
  char sum[65];
  int fd = openat(d->dirfd, d->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  int same = fd >= 0 && hash_fd(fd, sum, NULL) == MC_OK && strcmp(sum, d->out->sha256) == 0;
  if (fd >= 0) close(fd);
  unlinkat(d->dirfd, d->part, 0);
  if (same) return d->out->resumed_from = d->out->size, MC_OK;
  d->out->local = d->out->exists = 1;
  return MC_ECONFLICT;
}

/* Verify the whole file, then make it visible under its name: linkat never
 * replaces an existing file (unlike rename). */
static int down_commit(down *d) {
  char sum[65];
  int rc = hash_fd(d->fd, sum, NULL);
  if (rc == MC_OK && strcmp(sum, d->out->sha256) != 0) {
    unlinkat(d->dirfd, d->part, 0);
    snprintf(d->out->detail, sizeof d->out->detail, "sha256");
    return MC_EIO;
  }
  if (rc == MC_OK && fsync(d->fd) != 0) rc = MC_EIO;
  if (rc == MC_OK && linkat(d->dirfd, d->part, d->dirfd, d->name, 0) != 0)
    return errno == EEXIST ? down_exists(d) : (d->out->local = 1, MC_EIO);
  if (rc == MC_OK) unlinkat(d->dirfd, d->part, 0);
  if (rc == MC_OK) fsync(d->dirfd);
  d->out->local = rc != MC_OK && d->out->detail[0] == '\0';
  return rc;
}

/* DIR/<code>, created 0700 if missing; neither DIR's last component nor the
 * dossier folder may be a symbolic link. */
static int down_dir(down *d, const char *dir, const char *code) {
  char folder[MC_LIM_FILE_NAME + 1];
  if (mc_dom_file_name(code, NULL, folder, sizeof folder) != MC_DOM_OK) return MC_EINVAL;
  int top = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (top < 0) return d->out->local = 1, MC_EIO;
  if (mkdirat(top, folder, 0700) != 0 && errno != EEXIST) d->dirfd = -1;
  else d->dirfd = openat(top, folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  close(top);
  int n = snprintf(d->out->path, sizeof d->out->path, "%s/%s/%s", dir, folder, d->name);
  if (n < 0 || (size_t)n >= sizeof d->out->path) return MC_ETOOBIG;
  return d->dirfd < 0 ? (d->out->local = 1, MC_EIO) : MC_OK;
}

/* NAME.part: continued when it is our own regular file (opened without
 * following links), else created exclusively, 0600. */
static int down_part(down *d) {
  struct stat st;
  d->fd = openat(d->dirfd, d->part, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (d->fd >= 0 && (fstat(d->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
                     st.st_uid != geteuid())) {
    close(d->fd);
    return d->out->local = d->out->exists = 1, MC_ECONFLICT;
  }
  if (d->fd < 0 && errno == ENOENT)
    d->fd = openat(d->dirfd, d->part, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (d->fd < 0 || fstat(d->fd, &st) != 0) return d->out->local = 1, MC_EIO;
  d->offset = (uint64_t)st.st_size;
  if (d->offset > d->size) { /* not ours: start over */
    if (ftruncate(d->fd, 0) != 0) return MC_EIO;
    d->offset = 0;
  }
  d->out->resumed_from = d->offset;
  return MC_OK;
}

/* The name written is the server's name under the shared policy, with the
 * extension of the validated type (defence in depth). */
static int down_open(down *d, const char *dir, const char *code, const Motcua__FileInfo *fi) {
  if (mc_dom_file_name(fi->name, fi->mime, d->name, sizeof d->name) != MC_DOM_OK ||
      mc_dom_file_ext(fi->mime) == NULL)
    return MC_EPROTO;
  snprintf(d->out->name, sizeof d->out->name, "%s", d->name);
  snprintf(d->part, sizeof d->part, "%s.part", d->name);
  int rc = down_dir(d, dir, code);
  if (rc != MC_OK) return rc;
  if (faccessat(d->dirfd, d->name, F_OK, AT_SYMLINK_NOFOLLOW) == 0) { /* already there */
    d->fd = -1;
    return down_exists(d) == MC_OK ? 1 : MC_ECONFLICT;
  }
  return down_part(d);
}

int mc_transfer_download(mc_client *c, const char *code, const Motcua__FileInfo *fi,
                         const char *dir, mc_transfer_progress_cb cb, void *ud,
                         mc_transfer_result *out) {
  memset(out, 0, sizeof *out);
  if (fi->name == NULL || fi->sha256 == NULL || strlen(fi->sha256) != 64) return MC_EPROTO;
  snprintf(out->name, sizeof out->name, "%s", fi->name);
  snprintf(out->sha256, sizeof out->sha256, "%s", fi->sha256);
  snprintf(out->mime, sizeof out->mime, "%s", fi->mime ? fi->mime : "");
  snprintf(out->kind, sizeof out->kind, "%s", fi->kind ? fi->kind : "");
  out->size = fi->size;
  down d = {.fd = -1, .dirfd = -1, .size = fi->size, .out = out};
  uint64_t t0 = now_ms();
  int rc = down_open(&d, dir, code, fi);
  if (rc == MC_OK) {
    mc_client_set_reply_cb(c, down_reply_cb, &d);
    rc = down_stream(c, code, &d, cb, ud, t0);
    mc_client_set_reply_cb(c, NULL, NULL);
    if (rc == MC_OK) rc = down_commit(&d);
  }
  if (rc == 1) rc = MC_OK; /* the same file was already there */
  if (rc == MC_OK) report(cb, ud, out, out->size, t0, 1);
  out->elapsed_ms = now_ms() - t0;
  if (d.fd >= 0) close(d.fd);
  if (d.dirfd >= 0) close(d.dirfd);
  return rc;
}

/* ---- JSON --------------------------------------------------------------- */

json_t *mc_transfer_result_json(const mc_transfer_result *r) {
  double secs = (double)r->elapsed_ms / 1000.0;
  double mib_s = secs > 0 ? (double)(r->size - r->resumed_from) / (1 << 20) / secs : 0;
  return json_pack("{s:s, s:I, s:s, s:I, s:s, s:s, s:b, s:s, s:I, s:f}", "name", r->name,
                   "size", (json_int_t)r->size, "sha256", r->sha256, "resumed_from",
                   (json_int_t)r->resumed_from, "mime", r->mime, "kind", r->kind,
                   "deduplicated", r->deduplicated, "path", r->path, "elapsed_ms",
                   (json_int_t)r->elapsed_ms, "mib_per_s", mib_s);
}

json_t *mc_transfer_file_json(const Motcua__FileInfo *f) {
  char at[40] = "";
  mc_render_rfc3339(f->added_at_ms, mc_render_utc_offset(), at, sizeof at);
  return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "name", f->name, "size",
                   (json_int_t)f->size, "sha256", f->sha256, "mime", f->mime, "kind", f->kind,
                   "added_by_unit", f->added_by_unit, "added_at", at);
}
