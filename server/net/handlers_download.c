/* FilesRequest and DownloadRequest: who may see the dossier may list and
 * download its files. A download streams DownloadChunk frames (the
 * request's id) read with uv_fs_read; it keeps at most DOWNLOAD_WINDOW bytes
 * queued on the link and continues when the link drains (mc_link
 * on_drain_cb), so a 100 MiB file never sits in memory and other messages
 * interleave with its chunks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "files.h"
#include "handlers.h"
#include "handlers_internal.h"
#include "log.h"
#include "store.h"

#define DOWNLOAD_WINDOW (1u << 20)  /* queued output before pausing */
#define DOWNLOAD_CHUNK (256u << 10)
#define DOWNLOADS_PER_SESSION 4

typedef struct download {
  mc_req *r;
  mc_file_reader *rd;
  char code[MC_DOSSIER_CODE_MAX], sha[MC_SHA256_HEX];
  uint64_t offset, size;
  int stalled, reading, is_list;
  struct download *next;
} download;

static download *downloads;

static void dl_unlink(download *d) {
  for (download **p = &downloads; *p != NULL; p = &(*p)->next)
    if (*p == d) {
      *p = d->next;
      return;
    }
}

static void dl_end(download *d, int err, const char *detail) {
  dl_unlink(d);
  mc_file_reader_close(d->rd);
  if (err != 0) mc_req_fail(d->r, err, detail);
  else mc_req_finish(d->r, NULL);
  free(d);
}

static size_t session_downloads(const mc_session *s) {
  size_t n = 0;
  for (download *d = downloads; d != NULL; d = d->next) n += d->r->s == s;
  return n;
}

/* ---- streaming ---------------------------------------------------------- */

static void pump(download *d);

static void send_chunk(download *d, const uint8_t *data, size_t n) {
  Motcua__DownloadChunk c = MOTCUA__DOWNLOAD_CHUNK__INIT;
  c.sha256 = d->sha;
  c.offset = d->offset;
  c.data.data = (uint8_t *)data;
  c.data.len = n;
  c.size = d->size;
  c.last = d->offset + n == d->size;
  ENV_INIT(out, d->r->id, download_chunk, &c, MOTCUA__ENVELOPE__BODY_DOWNLOAD_CHUNK);
  mc_session_reply(d->r->s, &out);
}

static void read_cb(mc_file_reader *rd, int err, const uint8_t *data, size_t n) {
  download *d = mc_file_reader_data(rd);
  d->reading = 0;
  if (err == 0 && n == 0) err = MC_EIO; /* the file is shorter than recorded */
  if (err != 0) return dl_end(d, err, "read");
  if (n > d->size - d->offset) n = (size_t)(d->size - d->offset);
  send_chunk(d, data, n);
  d->offset += n;
  if (d->offset == d->size) {
    mc_log_info(d->r->s->id, "download done code=%s sha256=%s size=%llu", d->code, d->sha,
                (unsigned long long)d->size);
    return dl_end(d, 0, NULL);
  }
  pump(d);
}

static void pump(download *d) {
  mc_link *l = d->r->s->link;
  if (l == NULL || d->r->s->state == MC_SS_CLOSING) return dl_end(d, MC_ECLOSED, NULL);
  if (d->reading) return;
  if (mc_link_queued(l) > DOWNLOAD_WINDOW) {
    d->stalled = 1; /* mc_files_on_drain resumes */
    return;
  }
  d->stalled = 0;
  int rc = mc_file_reader_read(d->rd, d->offset, read_cb);
  if (rc != 0) return dl_end(d, rc, "read");
  d->reading = 1;
}

void mc_files_on_drain(mc_session *s) {
  download *next;
  for (download *d = downloads; d != NULL; d = next) {
    next = d->next;
    if (d->r->s == s && d->stalled) pump(d);
  }
}

void mc_files_session_closed(mc_session *s) {
  download *next;
  for (download *d = downloads; d != NULL; d = next) {
    next = d->next;
    if (d->r->s == s && d->rd != NULL) dl_end(d, MC_ECLOSED, NULL); /* others wait on storage */
  }
}

static void opened_cb(mc_file_reader *rd, int err, uint64_t size) {
  download *d = mc_file_reader_data(rd);
  if (err == 0 && size < d->size) err = MC_EIO;
  if (err != 0) return dl_end(d, err, "file");
  if (d->offset == d->size) { /* nothing left: one empty last chunk */
    send_chunk(d, (const uint8_t *)"", 0);
    return dl_end(d, 0, NULL);
  }
  pump(d);
}

/* ---- authorisation, listing --------------------------------------------- */

static void reply_files(download *d, const mc_file_row *rows, size_t n) {
  dl_unlink(d);
  Motcua__FileInfo *fv = calloc(n + 1, sizeof *fv);
  Motcua__FileInfo **fp = calloc(n + 1, sizeof *fp);
  if (fv == NULL || fp == NULL) {
    free(fv);
    free(fp);
    mc_req_fail(d->r, MC_ENOMEM, NULL);
    return free(d);
  }
  for (size_t i = 0; i < n; i++) {
    motcua__file_info__init(&fv[i]);
    fv[i].name = (char *)rows[i].name;
    fv[i].size = rows[i].size;
    fv[i].sha256 = (char *)rows[i].sha;
    fv[i].mime = (char *)rows[i].mime;
    fv[i].kind = (char *)rows[i].kind;
    fv[i].added_by_unit = (char *)rows[i].unit;
    fv[i].added_at_ms = rows[i].added_at_ms;
    fp[i] = &fv[i];
  }
  Motcua__FilesReply fr = MOTCUA__FILES_REPLY__INIT;
  fr.n_files = n;
  fr.files = fp;
  ENV_INIT(out, d->r->id, files_reply, &fr, MOTCUA__ENVELOPE__BODY_FILES_REPLY);
  mc_req_finish(d->r, &out);
  free(fp);
  free(fv);
  free(d);
}

static void rows_cb(void *arg, int err, const mc_file_row *rows, size_t n) {
  download *d = arg;
  if (err != 0) return dl_end(d, err, "code");
  if (d->is_list) return reply_files(d, rows, n);
  size_t i = 0;
  while (i < n && strcmp(rows[i].sha, d->sha) != 0) i++;
  if (i == n) return dl_end(d, MC_ENOTFOUND, "sha256");
  if (d->offset > rows[i].size) return dl_end(d, MC_EINVAL, "offset");
  d->size = rows[i].size;
  mc_server *srv = d->r->s->srv;
  err = mc_file_reader_open(srv->files, d->sha, DOWNLOAD_CHUNK, d, opened_cb,
                            &d->rd);
  if (err != 0) dl_end(d, err, "file");
}

static void shown_cb(void *arg, int err, const mc_dossier *dossier) {
  download *d = arg;
  if (err == 0 && !mc_wf_can_see(dossier, &d->r->s->actor)) err = MC_ENOTFOUND;
  if (err != 0) return dl_end(d, err, "code");
  err = mc_store_files_list(d->r->s->srv->store, d->code, rows_cb, d);
  if (err != 0) dl_end(d, err, "storage");
}

static int start(mc_session *s, uint64_t rid, download *d) {
  int rc = handlers__start(s, rid, &d->r);
  if (rc != 0) return free(d), rc;
  d->next = downloads;
  downloads = d;
  rc = mc_store_show(s->srv->store, d->code, shown_cb, d);
  if (rc != 0) {
    dl_unlink(d);
    mc_req_finish(d->r, NULL);
    free(d);
  }
  return rc;
}

int mc_handle_files(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  if (!handlers__code_ok(env->files->code)) return handlers__refuse(fault, MC_EINVAL, "code");
  download *d = calloc(1, sizeof *d);
  if (d == NULL) return MC_ENOMEM;
  snprintf(d->code, sizeof d->code, "%s", env->files->code);
  d->is_list = 1;
  return start(s, env->request_id, d);
}

int mc_handle_download(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  const Motcua__DownloadRequest *q = env->download;
  if (!handlers__code_ok(q->code)) return handlers__refuse(fault, MC_EINVAL, "code");
  if (!mc_files_sha_hex_ok(q->sha256)) return handlers__refuse(fault, MC_EINVAL, "sha256");
  if (session_downloads(s) >= DOWNLOADS_PER_SESSION)
    return handlers__refuse(fault, MC_EBUSY, "downloads");
  download *d = calloc(1, sizeof *d);
  if (d == NULL) return MC_ENOMEM;
  snprintf(d->code, sizeof d->code, "%s", q->code);
  snprintf(d->sha, sizeof d->sha, "%s", q->sha256);
  d->offset = q->offset;
  return start(s, env->request_id, d);
}
