/* The retention sweep (retention.h): a small state machine driven by the
 * answers of mc_store_retention, one statement in flight at a time. */
#include "retention.h"

#include <stdlib.h>

#include "error.h"
#include "log.h"
#include "store.h"

#define ROLLUP_DAYS 31       /* local days one rollup statement computes */
#define MAX_STATEMENTS 400   /* per sweep: the rest waits for the next one */

struct mc_retention {
  mc_server *srv;
  mc_mon_server *out;
  uv_timer_t timer;
  int stopped, running;
  mc_retention_step step;
  int statements;
  int64_t t0_ms;
  int64_t n[MC_RET__COUNT];
};

static void submit(mc_retention *r);

static void args_of(const mc_retention *r, mc_retention_args *a) {
  const mc_settings *c = &r->srv->cfg;
  *a = (mc_retention_args){
      .instance = c->instance_name,
      .every_s = (int)c->retention_interval_s,
      .offset_min = (int)c->utc_offset_minutes,
      .max_days = ROLLUP_DAYS,
      .keep_days = (int)(r->step == MC_RET_IDEM ? c->idempotency_reply_days
                                                 : c->link_events_days),
      .batch = (int)c->retention_batch,
  };
}

static void finish(mc_retention *r, int err) {
  int64_t ms = mc_server_now_ms() - r->t0_ms;
  r->running = 0;
  if (err != 0) {
    r->out->ret_errors++;
    static const char *const names[MC_RET__COUNT] = {"claim", "rollup", "link_events",
                                                     "idempotency"};
    mc_log_warn(0, "retention: sweep stopped at %s err=%s", names[r->step], mc_errname(err));
    return;
  }
  r->out->ret_sweeps++;
  r->out->ret_last_ms = ms;
  r->out->ret_last_at_ms = r->t0_ms;
  mc_log_info(0, "retention: sweep rollup_days=%lld link_events_deleted=%lld "
              "idempotency_replies_dropped=%lld statements=%d ms=%lld%s",
              (long long)r->n[MC_RET_ROLLUP], (long long)r->n[MC_RET_LINK_EVENTS],
              (long long)r->n[MC_RET_IDEM], r->statements, (long long)ms,
              r->statements >= MAX_STATEMENTS ? " more=1" : "");
}

/* The step after one answer n, or -1: the sweep ends. */
static int next_step(const mc_retention *r, int64_t n) {
  int more = r->statements < MAX_STATEMENTS;
  switch (r->step) {
    case MC_RET_CLAIM: return MC_RET_ROLLUP;
    case MC_RET_ROLLUP: return n > 0 && more ? MC_RET_ROLLUP : MC_RET_LINK_EVENTS;
    case MC_RET_LINK_EVENTS:
      return n >= r->srv->cfg.retention_batch && more ? MC_RET_LINK_EVENTS : MC_RET_IDEM;
    case MC_RET_IDEM: return n >= r->srv->cfg.retention_batch && more ? MC_RET_IDEM : -1;
    default: return -1;
  }
}

static void answer_cb(void *arg, int err, int64_t n) {
  mc_retention *r = arg;
  if (err != 0) {
    finish(r, err);
    return;
  }
  if (n < 0) { /* another instance sweeps (claim) or holds the lock now */
    r->out->ret_skipped++;
    r->running = 0;
    mc_log_debug(0, "retention: another instance sweeps");
    return;
  }
  r->n[r->step] += r->step == MC_RET_CLAIM ? 0 : n;
  if (r->step == MC_RET_ROLLUP) r->out->ret_rollup_days += (uint64_t)n;
  if (r->step == MC_RET_LINK_EVENTS) r->out->ret_link_events += (uint64_t)n;
  if (r->step == MC_RET_IDEM) r->out->ret_idem_replies += (uint64_t)n;
  int next = next_step(r, n);
  if (next < 0 || r->stopped || r->srv->shutting_down) {
    finish(r, 0);
    return;
  }
  r->step = (mc_retention_step)next;
  submit(r);
}

static void submit(mc_retention *r) {
  mc_retention_args a;
  args_of(r, &a);
  r->statements++;
  int rc = mc_store_retention(r->srv->store, r->step, &a, answer_cb, r);
  if (rc != 0) finish(r, rc);
}

static void timer_cb(uv_timer_t *t) {
  mc_retention *r = t->data;
  if (r->running || r->stopped || r->srv->shutting_down || r->srv->store == NULL) return;
  r->running = 1;
  r->step = MC_RET_CLAIM;
  r->statements = 0;
  r->t0_ms = mc_server_now_ms();
  for (int i = 0; i < MC_RET__COUNT; i++) r->n[i] = 0;
  submit(r);
}

mc_retention *mc_retention_start(mc_server *srv, mc_mon_server *counters) {
  if (srv->cfg.retention_interval_s <= 0) return NULL;
  mc_retention *r = calloc(1, sizeof *r);
  if (r == NULL) return NULL;
  r->srv = srv;
  r->out = counters;
  uv_timer_init(srv->loop, &r->timer);
  r->timer.data = r;
  uint64_t every = (uint64_t)srv->cfg.retention_interval_s * 1000u;
  uv_timer_start(&r->timer, timer_cb, every, every);
  return r;
}

void mc_retention_stop(mc_retention *r) {
  if (r == NULL || r->stopped) return;
  r->stopped = 1;
  uv_close((uv_handle_t *)&r->timer, NULL);
}

void mc_retention_free(mc_retention *r) { free(r); }
