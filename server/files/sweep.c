#include "sweep.h"

#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "files.h"
#include "log.h"

struct mc_sweeper {
  uv_loop_t *loop;
  mc_store *store;
  mc_file_store *files;
  long expiry_s;
  uint64_t every_ms;  /* storage expiry and gc period */
  uint64_t last_ms;   /* last storage pass */
  mc_sweep_cbs cbs;
  uv_timer_t timer;
  int busy;    /* expiry or gc query outstanding */
  int stopped; /* no callback, no query; freed when neither timer nor query */
  int closing; /* timer handle closing */
};

static void sweeper_maybe_free(mc_sweeper *sw) {
  if (sw->stopped && !sw->busy && !sw->closing) free(sw);
}

static void sweep_done(mc_sweeper *sw) {
  sw->busy = 0;
  sweeper_maybe_free(sw);
}

static void gc_cb(void *arg, int err, const char *const *shas, size_t n) {
  mc_sweeper *sw = arg;
  for (size_t i = 0; err == 0 && !sw->stopped && i < n; i++) {
    mc_log_info(0, "file removed (no reference left) sha256=%s", shas[i]);
    mc_files_remove(sw->files, shas[i]);
  }
  sweep_done(sw);
}

static void expired_cb(void *arg, int err, const char *const *ids, size_t n) {
  mc_sweeper *sw = arg;
  for (size_t i = 0; err == 0 && !sw->stopped && i < n; i++) {
    mc_log_info(0, "upload expired id=%s", ids[i]);
    if (!sw->cbs.expired_cb(sw->cbs.arg, ids[i]))
      mc_files_remove_tmp(sw->files, ids[i]);
  }
  if (sw->stopped || mc_store_files_gc(sw->store, gc_cb, sw) != 0) sweep_done(sw);
}

static void tick_cb(uv_timer_t *t) {
  mc_sweeper *sw = t->data;
  uint64_t now = uv_now(sw->loop);
  sw->cbs.tick_cb(sw->cbs.arg, now); /* every second: in-memory expiry is in seconds */
  if (sw->busy || now - sw->last_ms < sw->every_ms) return;
  sw->last_ms = now;
  sw->busy = 1;
  if (mc_store_uploads_expire(sw->store, sw->expiry_s, expired_cb, sw) != 0) sw->busy = 0;
}

int mc_sweeper_start(uv_loop_t *loop, mc_store *store, mc_file_store *files, long expiry_s,
                     const mc_sweep_cbs *cbs, mc_sweeper **out) {
  mc_sweeper *sw = calloc(1, sizeof *sw);
  if (sw == NULL) return MC_ENOMEM;
  *sw = (mc_sweeper){.loop = loop, .store = store, .files = files, .expiry_s = expiry_s,
                     .cbs = *cbs};
  uint64_t every = (uint64_t)expiry_s * 250; /* a quarter of the expiry */
  if (every < 1000) every = 1000;
  if (every > 60000) every = 60000;
  uv_timer_init(loop, &sw->timer);
  sw->timer.data = sw;
  sw->every_ms = every;
  sw->last_ms = uv_now(loop);
  uv_timer_start(&sw->timer, tick_cb, 1000, 1000);
  *out = sw;
  return 0;
}

static void timer_closed_cb(uv_handle_t *h) {
  mc_sweeper *sw = h->data;
  sw->closing = 0;
  sweeper_maybe_free(sw);
}

void mc_sweeper_stop(mc_sweeper *sw) {
  if (sw == NULL || sw->stopped) return;
  sw->stopped = 1;
  sw->closing = 1;
  uv_close((uv_handle_t *)&sw->timer, timer_closed_cb);
}
