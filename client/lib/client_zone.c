/* The server's time zone kept for offline use: one number in
 * <config dir>/.motcua-utc-offset, written after a Hello that carries it. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "error.h"
#include "motcua_client.h"
#include "render.h"

#define ZONE_FILE ".motcua-utc-offset"
#define ZONE_LIMIT_MIN (14 * 60) /* UTC-14..+14 */

void client__zone_save(const mc_client_config *cfg, int offset_min);

static int zone_path(const mc_client_config *cfg, char *path, size_t size) {
  const char *dir = cfg->config_dir[0] ? cfg->config_dir : ".";
  int n = snprintf(path, size, "%s/%s", dir, ZONE_FILE);
  return n > 0 && (size_t)n < size ? MC_OK : MC_EINVAL;
}

static int zone_valid(long v) { return v != 0 && v >= -ZONE_LIMIT_MIN && v <= ZONE_LIMIT_MIN; }

int mc_client_zone_load(const mc_client_config *cfg) {
  char path[MC_CLIENT_PATH_MAX + 32], line[32];
  if (zone_path(cfg, path, sizeof path) != MC_OK) return MC_EINVAL;
  FILE *f = fopen(path, "r");
  if (f == NULL) return MC_ENOTFOUND; /* never connected: the fallback stays */
  char *end = NULL;
  long v = fgets(line, sizeof line, f) != NULL ? strtol(line, &end, 10) : 0;
  fclose(f);
  if (end == line || !zone_valid(v)) return MC_EINVAL;
  mc_render_set_utc_offset((int)v);
  return MC_OK;
}

/* Best effort: a read-only configuration directory only loses the offline
 * copy (the next Hello sets the zone again). */
void client__zone_save(const mc_client_config *cfg, int offset_min) {
  char path[MC_CLIENT_PATH_MAX + 32], tmp[MC_CLIENT_PATH_MAX + 48];
  if (!zone_valid(offset_min) || zone_path(cfg, path, sizeof path) != MC_OK) return;
  snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()); /* desks run in parallel */
  FILE *f = fopen(tmp, "w");
  if (f == NULL) return;
  int ok = fprintf(f, "%d\n", offset_min) > 0;
  if (fclose(f) != 0 || !ok || rename(tmp, path) != 0) remove(tmp);
}
