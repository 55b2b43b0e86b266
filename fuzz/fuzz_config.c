/* libFuzzer target: configuration files through the real loaders — the
 * server's settings table (server/settings.c) and the client's
 * (client/lib/client_config.c), both parsed by inih and checked by
 * common/config.c (unknown keys, integer bounds, string sizes, relative
 * paths made absolute). The first byte picks the loader; the rest is the
 * file, written to a memfd so that the loaders open it as they open a
 * file on disk. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "motcua_client.h"
#include "settings.h"

static int fd = -1;
static char path[64];

static int write_file(const uint8_t *data, size_t size) {
  if (fd < 0) {
    fd = memfd_create("fuzz_config", 0);
    if (fd < 0) abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  }
  if (ftruncate(fd, 0) != 0) abort();
  if (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size) abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 65536) return 0;
  write_file(data + 1, size - 1);
  char err[512];
  if (data[0] & 1) {
    static mc_settings s; /* large: keep it off the stack */
    int argc = 0;
    char *argv[] = {NULL};
    (void)mc_settings_load(&s, path, &argc, argv, err, sizeof err);
  } else {
    static mc_client_config c;
    if (mc_client_config_init(&c, err, sizeof err) != 0) abort();
    if (mc_client_config_load(&c, path, err, sizeof err) == 0) (void)mc_client_config_check(&c);
  }
  return 0;
}
