/* The status sets SQL migrations state as literals must be the sets
 * proto/domain.h defines (mc_dom_status_set_sql), so SQL cannot drift from
 * C: every line of the server/store/sql files that carries the marker of a set
 * (the open-dossier index) must list exactly that set. Also: no migration
 * after 008 may define mc_forward again (one forward rule, in C).
 * Usage: test_sql_sets SQL_DIR */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "domain.h"

/* Lines naming these must list the set in "status IN (...)". */
static const struct {
  const char *marker;
  unsigned set;
} sets[] = {
    {"dossiers_open_due_idx", MC_STATUS_OPEN_SET},
};

/* "1, 2, 4" -> "1,2,4" (the form mc_dom_status_set_sql writes). */
static void squeeze(const char *in, size_t n, char *out, size_t cap) {
  size_t k = 0;
  for (size_t i = 0; i < n && k + 1 < cap; i++)
    if (in[i] != ' ') out[k++] = in[i];
  out[k] = '\0';
}

static int check_line(const char *file, const char *line, unsigned set) {
  const char *p = strstr(line, "status IN (");
  const char *q = p != NULL ? strchr(p, ')') : NULL;
  char got[64];
  if (q == NULL) {
    fprintf(stderr, "%s: no \"status IN (...)\" beside the marker: %s", file, line);
    return 0;
  }
  p += strlen("status IN (");
  squeeze(p, (size_t)(q - p), got, sizeof got);
  if (strcmp(got, mc_dom_status_set_sql(set)) == 0) return 1;
  fprintf(stderr, "%s: set (%s), domain.h says (%s)\n", file, got, mc_dom_status_set_sql(set));
  return 0;
}

/* Returns how many marker lines the file had. */
static int check_file(const char *dir, const char *name) {
  char path[1024], line[4096];
  int found = 0;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  CHECK(f != NULL);
  if (f == NULL) return 0;
  while (fgets(line, sizeof line, f) != NULL) {
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
      if (strstr(line, sets[i].marker) != NULL) {
        CHECK(check_line(name, line, sets[i].set));
        found++;
      }
    if (strncmp(name, "008", 3) > 0) CHECK(strstr(line, "FUNCTION mc_forward") == NULL);
  }
  fclose(f);
  return found;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_sql_sets SQL_DIR\n");
    return 2;
  }
  DIR *d = opendir(argv[1]);
  CHECK(d != NULL);
  if (d == NULL) return check_result();
  int markers = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (strlen(e->d_name) > 4 && strcmp(e->d_name + strlen(e->d_name) - 4, ".sql") == 0)
      markers += check_file(argv[1], e->d_name);
  closedir(d);
  CHECK(markers >= 1); /* the open-due index exists */
  return check_result();
}
