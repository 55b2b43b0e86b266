/* Uploads: UploadBegin -> UploadChunk* -> UploadFinish (docs/PROTOCOL.md
 * "Files"). An upload in memory is server-wide, keyed by (unit, dossier,
 * sha256, kind) and by its id, so a reconnecting client continues the same
 * upload; storage keeps its committed offset for after a restart.
 *
 * Begin and Finish are sync points: they are answered only when every
 * accepted chunk is committed (no write or fsync pending), so the offset
 * they report is exactly where the client must continue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_name.h"
#include "files.h"
#include "actions.h"
#include "handlers.h"
#include "handlers_internal.h"
#include "log.h"
#include "session_mon.h"
#include "store.h"

#define MAX_UNCOMMITTED (16u << 20) /* accepted, not yet fsynced, per upload */
#define EVICT_IDLE_MS (300 * 1000)  /* idle uploads leave memory (storage keeps them) */

enum { WAIT_BEGIN, WAIT_FINISH };

typedef struct waiter {
  mc_req *r;
  int what;
  struct waiter *next;
} waiter;

typedef struct upload {
  char id[MC_UPLOAD_ID_HEX], unit[MC_UNIT_CODE_MAX], code[MC_DOSSIER_CODE_MAX];
  char sha[MC_SHA256_HEX], name[MC_FILE_NAME_MAX], kind[8];
  uint64_t size, received, committed;
  uint32_t chunk;
  char mime[32];   /* detected at finish */
  mc_upload_io *io;
  int opened, failed, finishing;
  mc_req *ack;     /* where batch acks go: the session sending chunks */
  waiter *waiters; /* parked begin / finish requests */
  mc_req *fin;
  uint64_t touched_ms;
  uint64_t sid;    /* session that sent the last chunk (monitoring) */
  mc_server *srv;
  struct upload *next;
} upload;

/* One unit's share of the upload table (B5): uploads in memory plus begins
 * that passed the check and wait on storage. */
typedef struct unit_quota {
  char unit[MC_UNIT_CODE_MAX];
  long n;
  uint64_t bytes;
  struct unit_quota *next;
} unit_quota;

static struct {
  mc_server *srv;
  upload *uploads;
  long n; /* slots taken: uploads in memory + begins reserved */
  unit_quota *quotas;
} F;

/* ---- quotas (B5) ---------------------------------------------------------- */

static unit_quota *quota_of(const char *unit, int create) {
  for (unit_quota *q = F.quotas; q != NULL; q = q->next)
    if (strcmp(q->unit, unit) == 0) return q;
  unit_quota *q = create ? calloc(1, sizeof *q) : NULL;
  if (q == NULL) return NULL;
  snprintf(q->unit, sizeof q->unit, "%s", unit);
  q->next = F.quotas;
  F.quotas = q;
  return q;
}

/* Take a slot for (unit, size) before any asynchronous step, so concurrent
 * begins cannot all pass the check. 0, or MC_EBUSY with *detail. */
static int quota_take(const char *unit, uint64_t size, const char **detail) {
  const mc_settings *cfg = &F.srv->cfg;
  if (F.n >= cfg->max_uploads) return *detail = "uploads", MC_EBUSY;
  unit_quota *q = quota_of(unit, 1);
  if (q == NULL) return *detail = "upload", MC_ENOMEM;
  if (q->n >= cfg->max_uploads_per_unit) return *detail = "unit uploads", MC_EBUSY;
  if (q->bytes + size > (uint64_t)cfg->max_upload_bytes_per_unit)
    return *detail = "unit bytes", MC_EBUSY;
  q->n++;
  q->bytes += size;
  F.n++;
  return 0;
}

static void quota_give(const char *unit, uint64_t size) {
  unit_quota *q = quota_of(unit, 0);
  F.n--;
  if (q == NULL) return;
  q->n--;
  q->bytes -= size <= q->bytes ? size : q->bytes;
  if (q->n > 0) return;
  for (unit_quota **p = &F.quotas; *p != NULL; p = &(*p)->next)
    if (*p == q) {
      *p = q->next;
      break;
    }
  free(q);
}

/* ---- registry ----------------------------------------------------------- */

static upload *find_by_key(const char *unit, const char *code, const char *sha, const char *kind) {
  for (upload *u = F.uploads; u != NULL; u = u->next)
    if (!strcmp(u->unit, unit) && !strcmp(u->code, code) && !strcmp(u->sha, sha) &&
        !strcmp(u->kind, kind))
      return u;
  return NULL;
}

static upload *find_by_id(const char *id) {
  for (upload *u = F.uploads; u != NULL; u = u->next)
    if (strcmp(u->id, id) == 0) return u;
  return NULL;
}

static void fail_waiters(upload *u, int err, const char *detail) {
  while (u->waiters != NULL) {
    waiter *w = u->waiters;
    u->waiters = w->next;
    mc_req_fail(w->r, err, detail);
    free(w);
  }
}

/* Remove from the registry, release requests, close the file. */
/* Tell the monitor how many uploads session sid is moving now. */
static void report_uploads(uint64_t sid) {
  uint32_t n = 0;
  if (sid == 0 || F.srv == NULL) return;
  for (const upload *u = F.uploads; u != NULL; u = u->next)
    if (u->sid == sid && !u->failed) n++;
  mc_session *s = mc_session_find(F.srv, sid);
  if (s != NULL) mc_session_mon_uploads(s, n);
}

static void upload_drop(upload *u, int unlink_tmp) {
  for (upload **p = &F.uploads; *p != NULL; p = &(*p)->next)
    if (*p == u) {
      *p = u->next;
      quota_give(u->unit, u->size);
      break;
    }
  fail_waiters(u, MC_EUNAVAIL, "upload");
  if (u->ack != NULL) mc_req_finish(u->ack, NULL);
  if (u->fin != NULL) mc_req_fail(u->fin, MC_EUNAVAIL, "upload");
  mc_upload_io_close(u->io, unlink_tmp);
  uint64_t sid = u->sid;
  free(u);
  report_uploads(sid);
}

/* ---- replies ------------------------------------------------------------ */

static void fill_info(Motcua__FileInfo *fi, const upload *u, const char *mime) {
  fi->name = (char *)u->name;
  fi->size = u->size;
  fi->sha256 = (char *)u->sha;
  fi->mime = (char *)(mime != NULL ? mime : "");
  fi->kind = (char *)u->kind;
  fi->added_by_unit = (char *)u->unit;
  fi->added_at_ms = mc_server_now_ms();
}

/* A begin for a file the dossier already has (deduplicated, or finished
 * while the begin waited): complete, committed = size, no upload id. */
static void reply_complete(mc_req *r, const upload *u) {
  Motcua__FileInfo fi = MOTCUA__FILE_INFO__INIT;
  fill_info(&fi, u, u->mime);
  Motcua__UploadState st = MOTCUA__UPLOAD_STATE__INIT;
  st.upload_id = "";
  st.committed_offset = u->size;
  st.chunk_bytes = u->chunk;
  st.complete = 1;
  st.file = &fi;
  ENV_INIT(out, r->id, upload_state, &st, MOTCUA__ENVELOPE__BODY_UPLOAD_STATE);
  mc_req_finish(r, &out);
}

static void reply_file(mc_req *r, const upload *u) {
  Motcua__FileInfo fi = MOTCUA__FILE_INFO__INIT;
  fill_info(&fi, u, u->mime);
  ENV_INIT(out, r->id, file_info, &fi, MOTCUA__ENVELOPE__BODY_FILE_INFO);
  mc_req_finish(r, &out);
}

/* The finish's outcome for the requests that waited on it (a client that
 * came back while its upload was finishing: issue 13): a begin is answered
 * as a duplicate, a finish with the file; a failure with its own error. */
static void settle_waiters(upload *u, int err, const char *detail) {
  while (u->waiters != NULL) {
    waiter *w = u->waiters;
    u->waiters = w->next;
    if (err != 0) mc_req_fail(w->r, err, detail);
    else if (w->what == WAIT_BEGIN) reply_complete(w->r, u);
    else reply_file(w->r, u);
    free(w);
  }
}

static void reply_state(mc_req *r, const upload *u) {
  Motcua__UploadState st = MOTCUA__UPLOAD_STATE__INIT;
  st.upload_id = (char *)u->id;
  st.committed_offset = u->committed;
  st.chunk_bytes = u->chunk;
  ENV_INIT(out, r->id, upload_state, &st, MOTCUA__ENVELOPE__BODY_UPLOAD_STATE);
  mc_req_finish(r, &out);
}

static void send_ack(upload *u) {
  Motcua__UploadAck a = MOTCUA__UPLOAD_ACK__INIT;
  a.upload_id = u->id;
  a.committed_offset = u->committed;
  ENV_INIT(out, u->ack->id, upload_ack, &a, MOTCUA__ENVELOPE__BODY_UPLOAD_ACK);
  if (u->received == u->committed) {
    mc_req_finish(u->ack, &out); /* everything acknowledged */
    u->ack = NULL;
  } else {
    mc_session_reply(u->ack->s, &out);
  }
}

/* ---- finish ------------------------------------------------------------- */

static void finish_attached_cb(void *arg, int err, const char *detail) {
  upload *u = arg;
  mc_req *r = u->fin;
  u->fin = NULL;
  if (err != 0) {
    mc_req_fail(r, err, detail);
  } else {
    mc_log_info(r->s->id, "file stored code=%s sha256=%s size=%llu kind=%s unit=%s", u->code,
                u->sha, (unsigned long long)u->size, u->kind, u->unit);
    reply_file(r, u);
  }
  settle_waiters(u, err, detail != NULL ? detail : "storage");
  upload_drop(u, 0);
}

static void finalized_cb(mc_upload_io *io, int err, const char *mime, const char *detail) {
  upload *u = mc_upload_io_data(io);
  mc_store *st = F.srv->store;
  if (err == 0 && st != NULL) {
    char name[MC_FILE_NAME_MAX];
    snprintf(u->mime, sizeof u->mime, "%s", mime);
    if (mc_dom_file_name(u->name, mime, name, sizeof name) == MC_DOM_OK) /* B1: .pdf etc. */
      memcpy(u->name, name, sizeof u->name);
    mc_attach_rec a = {u->code, u->sha, mime, u->name, u->kind, u->unit, u->id, u->size,
                       F.srv->cfg.max_files_per_dossier, (uint64_t)F.srv->cfg.max_dossier_bytes};
    err = mc_store_file_attach(st, &a, finish_attached_cb, u);
    if (err == 0) return;
  }
  if (err == MC_EINVAL && st != NULL) mc_store_upload_delete(st, u->id); /* start over */
  mc_log_warn(u->fin->s->id, "upload refused at finish id=%s err=%s detail=%s", u->id,
              mc_errname(err), detail ? detail : "-");
  mc_req_fail(u->fin, err, detail != NULL ? detail : "storage");
  u->fin = NULL;
  settle_waiters(u, err, detail != NULL ? detail : "storage");
  upload_drop(u, err == MC_EINVAL);
}

static void start_finish(upload *u, mc_req *r) {
  if (u->committed != u->size) return mc_req_fail(r, MC_EBADSTATE, "incomplete");
  if (u->finishing) return mc_req_fail(r, MC_EBADSTATE, "finishing");
  u->finishing = 1;
  u->fin = r;
  int rc = mc_upload_io_finalize(u->io, u->sha, u->size, finalized_cb);
  if (rc != 0) finalized_cb(u->io, rc, NULL, "finalize");
}

/* Answer parked requests once everything accepted is committed. */
static void wake(upload *u) {
  if (!u->opened || u->finishing) return;
  if (u->failed) return fail_waiters(u, MC_EIO, "upload");
  if (!mc_upload_io_idle(u->io) || u->received != u->committed) return;
  while (u->waiters != NULL && !u->finishing) {
    waiter *w = u->waiters;
    u->waiters = w->next;
    if (w->what == WAIT_BEGIN) reply_state(w->r, u);
    else start_finish(u, w->r);
    free(w);
  }
}

static int park(upload *u, mc_req *r, int what) {
  waiter *w = malloc(sizeof *w);
  if (w == NULL) return MC_ENOMEM;
  *w = (waiter){r, what, u->waiters};
  u->waiters = w;
  u->touched_ms = uv_now(F.srv->loop);
  wake(u);
  return 0;
}

/* ---- io callbacks ------------------------------------------------------- */

static void io_opened_cb(mc_upload_io *io, int err, uint64_t committed) {
  upload *u = mc_upload_io_data(io);
  if (err != 0) {
    fail_waiters(u, MC_EIO, "upload");
    return upload_drop(u, 0);
  }
  u->opened = 1;
  u->committed = u->received = committed;
  wake(u);
}

static void io_committed_cb(mc_upload_io *io, int err, uint64_t committed) {
  upload *u = mc_upload_io_data(io);
  if (err != 0) {
    mc_log_error(0, "upload write failed id=%s", u->id);
    u->failed = 1;
    if (u->ack != NULL) mc_req_fail(u->ack, MC_EIO, "upload");
    u->ack = NULL;
    return wake(u);
  }
  u->committed = committed;
  u->touched_ms = uv_now(F.srv->loop);
  if (F.srv->store != NULL) mc_store_upload_commit(F.srv->store, u->id, committed);
  if (u->ack != NULL) send_ack(u);
  wake(u);
}

static const mc_upload_io_cbs io_cbs = {io_opened_cb, io_committed_cb};

/* ---- begin -------------------------------------------------------------- */

typedef struct begin_ctx {
  mc_req *r;
  char unit[MC_UNIT_CODE_MAX];
  int reserved; /* holds a quota slot (B5) */
  char code[MC_DOSSIER_CODE_MAX], name[MC_FILE_NAME_MAX], sha[MC_SHA256_HEX], kind[8];
  char new_id[MC_UPLOAD_ID_HEX];
  char mime[32];
  uint64_t size;
  uint32_t chunk;
} begin_ctx;

static void begin_release(begin_ctx *b) {
  if (b->reserved) quota_give(b->unit, b->size);
  b->reserved = 0;
}

static void begin_fail(begin_ctx *b, int err, const char *detail) {
  begin_release(b);
  mc_req_fail(b->r, err, detail);
  free(b);
}

static void begin_done(begin_ctx *b) {
  begin_release(b);
  free(b);
}

static upload *upload_new(const begin_ctx *b, const char *id, const char *unit) {
  upload *u = calloc(1, sizeof *u);
  if (u == NULL) return NULL;
  snprintf(u->id, sizeof u->id, "%s", id);
  snprintf(u->unit, sizeof u->unit, "%s", unit);
  memcpy(u->code, b->code, sizeof u->code);
  memcpy(u->sha, b->sha, sizeof u->sha);
  memcpy(u->name, b->name, sizeof u->name);
  memcpy(u->kind, b->kind, sizeof u->kind);
  u->size = b->size;
  u->chunk = b->chunk;
  u->srv = F.srv;
  return u;
}

static void begin_opened_cb(void *arg, int err, const char *id, uint64_t committed) {
  begin_ctx *b = arg;
  if (err != 0) return begin_fail(b, err, err == MC_ECONFLICT ? "size" : "code");
  upload *u = find_by_key(b->unit, b->code, b->sha, b->kind); /* a racing begin won */
  if (u == NULL && (u = upload_new(b, id, b->unit)) != NULL) {
    err = mc_upload_io_open(F.srv->files, u->id, committed, &io_cbs, u, &u->io);
    if (err != 0) {
      free(u);
      return begin_fail(b, err, "upload");
    }
    u->next = F.uploads;
    F.uploads = u;
    b->reserved = 0; /* the slot is the upload's now: upload_drop gives it back */
  }
  err = u == NULL ? MC_ENOMEM : park(u, b->r, WAIT_BEGIN);
  if (err != 0) return begin_fail(b, err, "upload");
  begin_done(b);
}

static void dedup_attached_cb(void *arg, int err, const char *detail) {
  begin_ctx *b = arg;
  if (err != 0) return begin_fail(b, err, detail);
  upload tmp = {0};
  memcpy(tmp.name, b->name, sizeof tmp.name);
  memcpy(tmp.sha, b->sha, sizeof tmp.sha);
  memcpy(tmp.kind, b->kind, sizeof tmp.kind);
  memcpy(tmp.unit, b->unit, sizeof tmp.unit);
  memcpy(tmp.mime, b->mime, sizeof tmp.mime);
  tmp.size = b->size;
  tmp.chunk = b->chunk;
  mc_log_info(b->r->s->id, "file deduplicated code=%s sha256=%s", b->code, b->sha);
  reply_complete(b->r, &tmp);
  begin_done(b);
}

static int begin_dedup(begin_ctx *b, const mc_file_probe *p) {
  char name[MC_FILE_NAME_MAX];
  if (p->file_size != b->size) return MC_ECONFLICT;
  snprintf(b->mime, sizeof b->mime, "%s", p->mime);
  if (mc_dom_file_name(b->name, p->mime, name, sizeof name) == MC_DOM_OK)
    memcpy(b->name, name, sizeof b->name);
  mc_attach_rec a = {b->code, b->sha, p->mime, b->name, b->kind, b->unit, NULL,
                     b->size, F.srv->cfg.max_files_per_dossier,
                     (uint64_t)F.srv->cfg.max_dossier_bytes};
  return mc_store_file_attach(F.srv->store, &a, dedup_attached_cb, b);
}

static void begin_probed_cb(void *arg, int err, const mc_file_probe *p) {
  begin_ctx *b = arg;
  const mc_settings *cfg = &F.srv->cfg;
  if (err != 0) return begin_fail(b, err, "code");
  if (p->file_exists) { /* the unit holds it already (B2): no slot needed */
    begin_release(b);
    err = begin_dedup(b, p);
    return err != 0 ? begin_fail(b, err, "size") : (void)0;
  }
  if (p->dossier_files + 1 > cfg->max_files_per_dossier)
    return begin_fail(b, MC_ETOOBIG, "files per dossier");
  if (p->dossier_bytes + b->size > (uint64_t)cfg->max_dossier_bytes)
    return begin_fail(b, MC_ETOOBIG, "dossier bytes");
  const char *detail = NULL; /* the upload it meant to join has left meanwhile */
  if (!b->reserved && (err = quota_take(b->unit, b->size, &detail)) != 0)
    return begin_fail(b, err, detail);
  b->reserved = 1;
  mc_upload_rec rec = {b->new_id, b->unit, b->code, b->sha, b->name, b->kind, b->size};
  if (mc_files_new_id(b->new_id) != 0 ||
      (err = mc_store_upload_open(F.srv->store, &rec, begin_opened_cb, b)) != 0)
    begin_fail(b, err ? err : MC_EINTERNAL, "storage");
}

/* Scans: any unit that sees the dossier; results: only its holder. */
static void begin_shown_cb(void *arg, int err, const mc_dossier *d) {
  begin_ctx *b = arg;
  const mc_actor *who = &b->r->s->actor;
  if (err == 0 && !mc_wf_can_see(d, who)) err = MC_ENOTFOUND;
  if (err != 0) return begin_fail(b, err, "code");
  if (strcmp(b->kind, "result") == 0 && strcmp(d->holder_unit, who->unit) != 0)
    return begin_fail(b, MC_EFORBIDDEN, "result: holder only");
  upload *u = find_by_key(b->unit, b->code, b->sha, b->kind);
  if (u != NULL) {
    if ((err = park(u, b->r, WAIT_BEGIN)) != 0) return begin_fail(b, err, "upload");
    return begin_done(b);
  }
  err = mc_store_file_probe(F.srv->store, b->code, b->sha, b->unit, begin_probed_cb, b);
  if (err != 0) begin_fail(b, err, "storage");
}

static int begin_fields(mc_session *s, const Motcua__UploadBegin *q, begin_ctx *b,
                        mc_fault *fault) {
  if (!handlers__code_ok(q->code)) return handlers__refuse(fault, MC_EINVAL, "code");
  if (mc_dom_file_name(q->name, NULL, b->name, sizeof b->name) != MC_DOM_OK) /* B1 */
    return handlers__refuse(fault, MC_EINVAL, "name");
  if (!mc_files_sha_hex_ok(q->sha256)) return handlers__refuse(fault, MC_EINVAL, "sha256");
  if (!mc_files_kind_ok(q->kind)) return handlers__refuse(fault, MC_EINVAL, "kind");
  const char *rule = NULL;
  int op = strcmp(q->kind, "result") == 0 ? MC_OP_UPLOAD_RESULT : MC_OP_UPLOAD_SCAN;
  int rc = s->who == NULL ? MC_ELOGIN : mc_wf_officer_may(op, s->who->officer.roles, &rule);
  if (rc != 0) return handlers__refuse_rule(fault, rc, rule != NULL ? rule : "session_token");
  if (q->size == 0) return handlers__refuse(fault, MC_EINVAL, "size");
  if (q->size > (uint64_t)s->srv->cfg.max_file_bytes)
    return handlers__refuse(fault, MC_ETOOBIG, "size");
  snprintf(b->code, sizeof b->code, "%s", q->code);
  snprintf(b->sha, sizeof b->sha, "%s", q->sha256);
  snprintf(b->kind, sizeof b->kind, "%s", q->kind);
  b->size = q->size;
  b->chunk = mc_files_chunk_size(q->chunk_bytes, (uint32_t)s->srv->cfg.chunk_bytes);
  snprintf(b->unit, sizeof b->unit, "%.*s", MC_LIM_UNIT_CODE, s->peer.unit);
  return 0;
}

/* A begin that does not continue an upload in memory takes its quota slot
 * now, before the storage calls (B5: the check and the count are one step). */
static int begin_reserve(begin_ctx *b, mc_fault *fault) {
  const char *detail = NULL;
  if (find_by_key(b->unit, b->code, b->sha, b->kind) != NULL) return 0;
  int rc = quota_take(b->unit, b->size, &detail);
  if (rc != 0) {
    mc_log_warn(0, "upload refused unit=%s err=%s detail=%s", b->unit, mc_errname(rc), detail);
    return handlers__refuse(fault, rc, detail);
  }
  b->reserved = 1;
  return 0;
}

int mc_handle_upload_begin(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  begin_ctx *b = calloc(1, sizeof *b);
  if (b == NULL) return MC_ENOMEM;
  int rc = begin_fields(s, env->upload_begin, b, fault);
  if (rc == 0) rc = begin_reserve(b, fault);
  if (rc == 0) rc = handlers__start(s, env->request_id, &b->r);
  if (rc != 0) {
    begin_release(b);
    return free(b), rc;
  }
  rc = mc_store_show(s->srv->store, b->code, begin_shown_cb, b);
  if (rc != 0) {
    mc_req_finish(b->r, NULL);
    begin_done(b);
  }
  return rc;
}

/* ---- chunks ------------------------------------------------------------- */

static upload *own_upload(mc_session *s, const char *id) {
  upload *u = mc_files_upload_id_ok(id) ? find_by_id(id) : NULL;
  return u != NULL && strcmp(u->unit, s->peer.unit) == 0 ? u : NULL;
}

static int accept_chunk(mc_session *s, upload *u, const Motcua__UploadChunk *q, uint64_t rid,
                        mc_fault *fault) {
  mc_chunk_in c = {q->offset, q->data.data, q->data.len, q->sha256.data, q->sha256.len};
  const char *detail = NULL;
  if (!u->opened || u->finishing) return handlers__refuse(fault, MC_EBADSTATE, "upload state");
  if (u->failed) return handlers__refuse(fault, MC_EIO, "upload");
  if (mc_upload_io_pending(u->io) + c.len > MAX_UNCOMMITTED)
    return handlers__refuse(fault, MC_EBUSY, "window");
  int rc = mc_files_check_chunk(&c, u->received, u->size, u->chunk, &detail);
  if (rc != 0) return handlers__refuse(fault, rc, detail);
  if (u->ack != NULL && u->ack->s != s) {
    mc_req_finish(u->ack, NULL); /* another link took over this upload */
    u->ack = NULL;
  }
  if (u->ack == NULL && (u->ack = mc_req_start(s, rid)) == NULL) return MC_ENOMEM;
  if (u->sid != s->id) {
    uint64_t before = u->sid;
    u->sid = s->id;
    report_uploads(before);
    report_uploads(s->id);
  }
  if ((rc = mc_upload_io_write(u->io, c.offset, c.data, c.len)) != 0) return rc;
  u->ack->id = rid;
  u->received += c.len;
  u->touched_ms = uv_now(s->srv->loop);
  return 0;
}

int mc_handle_upload_chunk(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  const Motcua__UploadChunk *q = env->upload_chunk;
  upload *u = own_upload(s, q->upload_id);
  if (u == NULL) return handlers__refuse(fault, MC_ENOTFOUND, "upload_id");
  return accept_chunk(s, u, q, env->request_id, fault);
}

int mc_handle_upload_finish(mc_session *s, const Motcua__Envelope *env, mc_fault *fault) {
  upload *u = own_upload(s, env->upload_finish->upload_id);
  if (u == NULL) return handlers__refuse(fault, MC_ENOTFOUND, "upload_id");
  mc_req *r; /* while finishing, it waits for the outcome (issue 13) */
  int rc = handlers__start(s, env->request_id, &r);
  if (rc == 0 && (rc = park(u, r, WAIT_FINISH)) != 0) mc_req_finish(r, NULL);
  return rc;
}

/* ---- expiry, garbage collection, eviction --------------------------------- */

static int upload_idle(const upload *u) {
  return u->opened && !u->finishing && u->waiters == NULL && u->ack == NULL &&
         mc_upload_io_idle(u->io);
}

/* Storage expired upload id (files/sweep.h): drop it if idle here. */
static int upload_expired_cb(void *arg, const char *id) {
  (void)arg;
  upload *u = find_by_id(id);
  if (u == NULL) return 0; /* the sweeper unlinks its temporary file */
  if (upload_idle(u)) upload_drop(u, 1);
  return 1;
}

/* Idle uploads leave memory (storage keeps their offset); never-started
 * ones (no byte received) are deleted after upload_start_expiry_s (B5). */
static void evict_idle(uint64_t now) {
  uint64_t limit = (uint64_t)F.srv->cfg.upload_expiry_s * 1000;
  uint64_t start_limit = (uint64_t)F.srv->cfg.upload_start_expiry_s * 1000;
  if (limit > EVICT_IDLE_MS) limit = EVICT_IDLE_MS;
  upload *next;
  for (upload *u = F.uploads; u != NULL; u = next) {
    next = u->next;
    if (!upload_idle(u)) continue;
    if (u->committed == 0 && u->received == 0 && now - u->touched_ms >= start_limit) {
      if (F.srv->store != NULL) mc_store_upload_delete(F.srv->store, u->id);
      upload_drop(u, 1);
    } else if (now - u->touched_ms >= limit) {
      upload_drop(u, 0);
    }
  }
}

static void sweep_tick_cb(void *arg, uint64_t now) {
  (void)arg;
  if (F.srv != NULL) evict_idle(now);
}

const mc_sweep_cbs mc_files_sweep_cbs = {.tick_cb = sweep_tick_cb,
                                         .expired_cb = upload_expired_cb};

void mc_files_start(mc_server *srv) { F.srv = srv; }

void mc_files_stop(mc_server *srv) {
  (void)srv;
  if (F.srv == NULL) return;
  while (F.uploads != NULL) upload_drop(F.uploads, 0);
  while (F.quotas != NULL) { /* begins still waiting on storage */
    unit_quota *q = F.quotas;
    F.quotas = q->next;
    free(q);
  }
  F.n = 0;
}
