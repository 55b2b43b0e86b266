/* libFuzzer target: a Host header value (peer input of the admin HTTP
 * listener) through the allow-list check of common/http_host.c,
 * and the same bytes as the http_allowed_hosts setting. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mc_http_hosts allow;
  static int ready;
  if (!ready) {
    mc_http_hosts_init(&allow, "10.0.0.1", 7480, "monitor.example, [fe80::1]");
    ready = 1;
  }
  char *s = malloc(size + 1);
  if (s == NULL) return 0;
  memcpy(s, data, size);
  s[size] = '\0'; /* MHD hands a NUL-terminated value */
  (void)mc_http_host_allowed(&allow, s);
  mc_http_hosts extra;
  if (mc_http_hosts_init(&extra, s, 1, s) == 0) (void)mc_http_host_allowed(&extra, "localhost:1");
  free(s);
  return 0;
}
