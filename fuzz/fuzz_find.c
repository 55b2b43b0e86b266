/* libFuzzer target: client/lib/find.c over text a peer sends (procedure
 * names and sectors from the server's catalogue) and text a clerk types
 * (query, dossier code). Input: query NUL name NUL sector NUL code. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "find.h"

#define PART_MAX 4096

/* The next NUL-terminated part of data into out (cut at PART_MAX). */
static size_t take(const uint8_t *data, size_t size, size_t at, char *out) {
  size_t n = 0;
  while (at < size && data[at] != 0) {
    if (n < PART_MAX - 1) out[n++] = (char)data[at];
    at++;
  }
  out[n] = '\0';
  return at < size ? at + 1 : at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char q[PART_MAX], name[PART_MAX], sector[PART_MAX], code[PART_MAX], out[128];
  size_t at = take(data, size, 0, q);
  at = take(data, size, at, name);
  at = take(data, size, at, sector);
  take(data, size, at, code);
  mc_find_fold(name, out, sizeof out);
  mc_find_fold(q, out, 1);
  mc_find_item items[3] = {{code, name, sector}, {name, sector, q}, {"", "", ""}};
  size_t order[3];
  size_t m = mc_find_rank(q, items, 3, order);
  for (size_t i = 0; i < m; i++)
    if (order[i] >= 3) __builtin_trap();
  mc_find_code(q, items, 3);
  mc_find_code_normalise(code, sector, out, sizeof out);
  mc_find_code_is_short(code);
  return 0;
}
