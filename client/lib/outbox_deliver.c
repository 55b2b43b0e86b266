/* mc_outbox delivery: one pass over the pending items, each on its own. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "outbox_internal.h"

#define WATCH_BUDGET_MS 20000u

typedef struct pass_ctx {
  mc_outbox *ob;
  mc_outbox_send_fn send;
  void *send_ud;
  const mc_outbox_pass *pass;
  mc_outbox_stats *st;
} pass_ctx;

static uint64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Serialise passes of several processes on one outbox: flock on
 * "<db>.lock". Returns the fd (>= 0), MC_EBUSY if another process holds it
 * (no wait), MC_EIO on error. */
static int take_lock(const mc_outbox *ob, int wait) {
  char path[MC_CLIENT_PATH_MAX + 8];
  snprintf(path, sizeof path, "%s.lock", ob->path);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return MC_EIO;
  if (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
    close(fd);
    return wait ? MC_EIO : MC_EBUSY;
  }
  return fd;
}

static void report(pass_ctx *p, int64_t id, mc_outbox_outcome out, Motcua__Envelope **reply) {
  mc_outbox_item it;
  if (p->pass->report == NULL || mc_outbox_get(p->ob, id, &it) != MC_OK) return;
  p->pass->report(p->pass->report_ud, &it, out, reply);
}

/* Reject id and its dependents; each is reported. */
static int reject(pass_ctx *p, int64_t id, const char *msg) {
  int64_t *deps = NULL;
  size_t n = 0;
  int rc = outbox__mark_rejected(p->ob, id, msg, &deps, &n);
  if (rc != MC_OK) return rc;
  p->st->rejected += 1 + (unsigned)n;
  report(p, id, MC_OUTBOX_OUT_REJECTED, NULL);
  for (size_t i = 0; i < n; i++) report(p, deps[i], MC_OUTBOX_OUT_REJECTED, NULL);
  free(deps);
  return MC_OK;
}

static int waiting(pass_ctx *p, int64_t id) {
  p->st->waiting++;
  report(p, id, MC_OUTBOX_OUT_WAITING, NULL);
  return MC_OK;
}

/* MC_OK -> 0 ("handled, next item"), errors as they are. */
static int handled(int rc) { return rc == MC_OK ? 0 : rc; }

/* Check the item's dependency: 1 go on, 0 handled (waiting / rejected),
 * <0 store error. */
static int check_dependency(pass_ctx *p, const mc_outbox_item *it) {
  mc_outbox_item dep;
  char msg[64];
  if (it->depends_on == 0) return 1;
  int rc = mc_outbox_get(p->ob, it->depends_on, &dep);
  if (rc == MC_ENOTFOUND || (rc == MC_OK && dep.state == MC_OUTBOX_DELIVERED)) return 1;
  if (rc != MC_OK) return rc;
  if (dep.state == MC_OUTBOX_PENDING) return handled(waiting(p, it->id));
  snprintf(msg, sizeof msg, "depends on rejected item %lld", (long long)dep.id);
  return handled(reject(p, it->id, msg));
}

/* Put the real code of a provisional number into req: 1 go on, 0 handled. */
static int substitute(pass_ctx *p, const mc_outbox_item *it, Motcua__Envelope *req,
                      char *real, size_t size) {
  char **code = mc_outbox_req_code(req);
  mc_outbox_item rcv;
  if (code == NULL || !mc_outbox_is_provisional(*code)) return 1;
  int rc = mc_outbox_find_provisional(p->ob, *code, &rcv);
  if (rc == MC_ENOTFOUND) return handled(reject(p, it->id, "unknown provisional number"));
  if (rc != MC_OK) return rc;
  if (rcv.state == MC_OUTBOX_PENDING) return handled(waiting(p, it->id));
  if (rcv.state == MC_OUTBOX_REJECTED) {
    char msg[64];
    snprintf(msg, sizeof msg, "depends on rejected item %lld", (long long)rcv.id);
    return handled(reject(p, it->id, msg));
  }
  snprintf(real, size, "%s", rcv.real_code);
  *code = real;
  return 1;
}

static int delivered(pass_ctx *p, int64_t id, Motcua__Envelope *reply) {
  const Motcua__Dossier *d = NULL;
  if (reply->body_case == MOTCUA__ENVELOPE__BODY_DOSSIER_REPLY && reply->dossier_reply != NULL)
    d = reply->dossier_reply->dossier;
  if (d == NULL || d->code == NULL) {
    char msg[128];
    snprintf(msg, sizeof msg, "unexpected reply %s", mc_body_name(reply->body_case));
    return reject(p, id, msg);
  }
  int rc = outbox__mark_delivered(p->ob, id, d->code, d->status, p->pass->now_ms);
  if (rc != MC_OK) return rc;
  p->st->delivered++;
  report(p, id, MC_OUTBOX_OUT_DELIVERED, &reply);
  mc_envelope_free(reply);
  return MC_OK;
}

static int failed(pass_ctx *p, int64_t id, int err, const mc_outbox_send_result *res) {
  const char *msg = res->msg[0] ? res->msg : mc_strerror(err);
  if (res->refused && !mc_outbox_is_transient_refusal(err)) return reject(p, id, msg);
  int rc = mc_outbox_note_failure(p->ob, id, msg, p->pass->now_ms);
  if (rc != MC_OK) return rc;
  p->st->retry++;
  if (res->link_down) {
    p->st->stopped = 1;
    p->st->stop_err = err;
    snprintf(p->st->stop_msg, sizeof p->st->stop_msg, "%s", msg);
  }
  report(p, id, MC_OUTBOX_OUT_RETRY, NULL);
  return MC_OK;
}

static int deliver_one(pass_ctx *p, const mc_outbox_item *it) {
  Motcua__Envelope *req = NULL, *reply = NULL;
  mc_outbox_send_result res;
  char real[MC_OUTBOX_CODE_MAX];
  int rc = check_dependency(p, it);
  if (rc <= 0) return rc;
  if ((rc = outbox__load_body(p->ob, it->id, &req)) != MC_OK)
    return rc == MC_EIO ? reject(p, it->id, mc_outbox_errmsg(p->ob)) : rc;
  char **code = mc_outbox_req_code(req);
  char *stored = code != NULL ? *code : NULL;
  rc = substitute(p, it, req, real, sizeof real);
  if (rc > 0) {
    memset(&res, 0, sizeof res);
    int err = p->send(p->send_ud, it, req, &reply, &res);
    rc = err == MC_OK ? delivered(p, it->id, reply) : failed(p, it->id, err, &res);
  }
  if (code != NULL) *code = stored; /* the substitute belongs to this frame */
  mc_envelope_free(req);
  return rc;
}

static int run_pass(pass_ctx *p) {
  mc_outbox_item it;
  int64_t last = 0;
  uint64_t t0 = mono_ms();
  int rc;
  while (!p->st->stopped) {
    if (p->pass->budget_ms && mono_ms() - t0 >= p->pass->budget_ms) break;
    rc = outbox__next_pending(p->ob, last, p->pass->all, p->pass->now_ms, &it);
    if (rc <= 0) return rc;
    last = it.id;
    if ((rc = deliver_one(p, &it)) < 0) return rc;
  }
  return MC_OK;
}

int mc_outbox_deliver(mc_outbox *ob, mc_outbox_send_fn send, void *send_ud,
                      const mc_outbox_pass *pass, mc_outbox_stats *st) {
  pass_ctx p = {ob, send, send_ud, pass, st};
  memset(st, 0, sizeof *st);
  int fd = take_lock(ob, pass->wait_lock);
  if (fd == MC_EBUSY) {
    st->busy = 1;
    return MC_OK;
  }
  if (fd < 0) {
    snprintf(ob->err, sizeof ob->err, "outbox: cannot take the lock file %.400s.lock",
             ob->path);
    return MC_EIO;
  }
  int rc = run_pass(&p);
  close(fd); /* releases the lock */
  return rc;
}

/* ---- over an mc_client ------------------------------------------------------- */

int mc_outbox_officer_may_send(const mc_outbox_item *it, const char *login) {
  return it->officer[0] == '\0' || (login != NULL && strcmp(it->officer, login) == 0);
}

int mc_outbox_wait_officer(const mc_outbox_item *it, mc_outbox_send_result *res) {
  res->refused = res->link_down = 0;
  snprintf(res->msg, sizeof res->msg, "waiting for officer %s to log in", it->officer);
  return MC_ELOGIN;
}

int mc_outbox_client_send_e(mc_client *c, const mc_outbox_item *it, Motcua__Envelope *req,
                            Motcua__Envelope **reply, mc_outbox_send_result *res,
                            mc_client_error *err) {
  mc_client_error e = {0};
  int rc = MC_OK;
  *reply = NULL;
  if (!mc_outbox_officer_may_send(it, mc_client_officer_login(c))) {
    rc = mc_outbox_wait_officer(it, res);
    if (err != NULL) mc_client_error_set(err, rc, "login_required", NULL, res->msg);
    return rc;
  }
  if (!mc_client_is_ready(c) && (rc = mc_client_connect(c, &e)) != MC_OK) {
    res->refused = e.refused;
    res->link_down = !res->refused;
  } else if ((rc = mc_client_call(c, req, reply, &e)) != MC_OK) {
    res->refused = e.refused;
  }
  if (rc != MC_OK) snprintf(res->msg, sizeof res->msg, "%s", e.message);
  if (err != NULL) *err = e;
  return rc;
}

int mc_outbox_client_send(void *client, const mc_outbox_item *it, Motcua__Envelope *req,
                          Motcua__Envelope **reply, mc_outbox_send_result *res) {
  return mc_outbox_client_send_e(client, it, req, reply, res, NULL);
}

/* The depth the server shows IT staff (ClientStatus, sent after Hello and
 * on change). */
static void report_depth(mc_outbox *ob, mc_client *c) {
  size_t n = 0;
  if (mc_outbox_pending_count(ob, &n) == MC_OK)
    mc_client_report_status(c, n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
}

int mc_outbox_sync(mc_outbox *ob, mc_client *c, const mc_outbox_pass *pass,
                   mc_outbox_stats *st) {
  report_depth(ob, c);
  int rc = mc_outbox_deliver(ob, mc_outbox_client_send, c, pass, st);
  report_depth(ob, c);
  return rc;
}

int mc_outbox_watch_event(mc_outbox *ob, const mc_client_config *cfg,
                          const mc_client_event *ev, mc_outbox_report_fn report_fn,
                          void *ud, mc_outbox_stats *st) {
  mc_outbox_pass pass = {0};
  mc_client *c = NULL;
  char err[512];
  size_t n = 0;
  memset(st, 0, sizeof *st);
  if (ev->kind != MC_CLIENT_EV_CONNECTED && ev->kind != MC_CLIENT_EV_PONG) return MC_OK;
  if (mc_outbox_pending_count(ob, &n) != MC_OK || n == 0) return MC_OK;
  pass.all = ev->kind == MC_CLIENT_EV_CONNECTED; /* the link is back: everything now */
  pass.now_ms = mc_client_now_ms();
  pass.budget_ms = WATCH_BUDGET_MS;
  pass.report = report_fn;
  pass.report_ud = ud;
  int rc = mc_client_new(cfg, &c, err, sizeof err);
  if (rc != MC_OK) {
    snprintf(ob->err, sizeof ob->err, "%s", err);
    return rc;
  }
  rc = mc_outbox_sync(ob, c, &pass, st);
  mc_client_free(c);
  return rc;
}
