/* libFuzzer target: the upload validators (W6, server/files/validate.c) and
 * the attachment name policy (B1, proto/file_name.h) over arbitrary bytes.
 * Nothing may crash, leak or read past the buffer; an accepted file's type
 * is one of the four; a stored name never has a meaning of its own. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "file_name.h"
#include "files.h"

static const char *const TYPES[] = {"application/pdf", "image/jpeg", "image/png", "image/tiff"};

static void check_name(const char *name, const char *mime) {
  char out[MC_LIM_FILE_NAME + 1];
  if (mc_dom_file_name(name, mime, out, sizeof out) != MC_DOM_OK) return;
  size_t n = strlen(out);
  if (n == 0 || n > MC_LIM_FILE_NAME || strchr(".-~ ", out[0]) != NULL) abort();
  if (strpbrk(out, "/\\$`;|&<>*?!\"'") != NULL || mc_dom_text(out, MC_LIM_FILE_NAME, 1) != 0)
    abort();
  const char *ext = mc_dom_file_ext(mime), *dot = strrchr(out, '.');
  if (ext != NULL && (dot == NULL || dot == out)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *detail = NULL, *mime = mc_files_validate(data, size, &detail);
  if (mime == NULL && detail == NULL) abort();
  if (mime != NULL) {
    int known = 0;
    for (size_t i = 0; i < 4; i++) known |= strcmp(mime, TYPES[i]) == 0;
    if (!known || detail != NULL) abort();
  }
  char name[MC_LIM_FILE_NAME + 40];
  size_t n = size < sizeof name - 1 ? size : sizeof name - 1;
  memcpy(name, data, n);
  name[n] = '\0';
  check_name(name, NULL);
  check_name(name, TYPES[size % 4]);
  return 0;
}
