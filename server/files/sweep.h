/* The expiry sweep of the content store: every second, tick_cb (the
 * uploads in memory: never-started ones expire in seconds); every
 * upload_expiry_s/4 (1..60 s) delete the upload rows untouched for upload_expiry_s and their
 * temporary files, then the files rows nothing refers to any more and
 * their content files. The server object starts and stops it
 * (server.c); the uploads in memory (net/handlers_files.c) take part
 * through the callbacks. */
#ifndef MC_SWEEP_H
#define MC_SWEEP_H

#include <stdint.h>
#include <uv.h>

#include "files.h"
#include "store.h"

typedef struct mc_sweep_cbs {
  /* Every second, before any expiry query (now: uv_now). */
  void (*tick_cb)(void *arg, uint64_t now);
  /* Storage expired upload id: 1 if an upload in memory took care of it
   * (dropped it with its temporary file, or is busy), 0 to unlink
   * its temporary object here. */
  int (*expired_cb)(void *arg, const char *id);
  void *arg;
} mc_sweep_cbs;

typedef struct mc_sweeper mc_sweeper;

/* Arms the timer. 0 or MC_ENOMEM. cbs is copied. */
int mc_sweeper_start(uv_loop_t *loop, mc_store *store, mc_file_store *files, long expiry_s,
                     const mc_sweep_cbs *cbs, mc_sweeper **out);
/* Stops the timer; no callback fires afterwards. Frees once its queries
 * have answered. NULL is ignored. */
void mc_sweeper_stop(mc_sweeper *sw);

#endif
