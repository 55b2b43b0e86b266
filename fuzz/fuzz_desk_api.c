/* libFuzzer target: one request of the desk's JSON API (client/desk/
 * desk_req.c), as a browser on the LAN could send it: the first line is
 * "METHOD PATH[?QUERY]", the rest the body. Through the query splitter, the
 * router and every route's validation; then the same bytes as a Cookie
 * header and a CSRF token against a session table (desk_guard.c), and as an
 * Origin and an upload's first bytes. Corpus: fuzz/corpus/desk_api. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "desk_guard.h"
#include "desk_req.h"

static void one_request(char *s, size_t size) {
  char *nl = memchr(s, '\n', size);
  const char *body = nl != NULL ? nl + 1 : "";
  size_t len = nl != NULL ? size - (size_t)(nl + 1 - s) : 0;
  if (nl != NULL) *nl = '\0';
  char *sp = strchr(s, ' ');
  const char *method = s, *path = sp != NULL ? sp + 1 : "/";
  if (sp != NULL) *sp = '\0';
  char *q = strchr(path, '?');
  desk_kv kv[DESK_QUERY_MAX];
  size_t nq = 0;
  if (q != NULL) {
    *q = '\0';
    nq = desk_query_split(q + 1, kv, DESK_QUERY_MAX);
  }
  desk_req r;
  desk_req_error e;
  int m = desk_method_parse(method);
  desk_req_parse(m, path, kv, nq, NULL, 0, &r, &e); /* headers only, as the desk does first */
  desk_req_free(&r);
  desk_req_parse(m, path, kv, nq, body, len, &r, &e);
  desk_req_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static desk_sessions t;
  static mc_http_hosts hosts;
  static int ready;
  if (!ready) {
    unsigned char id[32] = {1}, csrf[32] = {2};
    char cookie[DESK_SECRET_HEX + 1], ev[MC_CLIENT_TOKEN_MAX + 1];
    desk_sessions_init(&t, 900000);
    desk_sessions_add(&t, id, csrf, 1, cookie, ev);
    mc_http_hosts_init(&hosts, "192.168.1.10", 8480, "desk.local");
    ready = 1;
  }
  if (size > DESK_JSON_MAX + 4096) return 0;
  char *s = malloc(size + 1);
  if (s == NULL) return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  char value[128];
  desk_cookie_get(s, DESK_COOKIE, value, sizeof value);
  desk_session *sess = desk_sessions_find(&t, value, 2);
  (void)desk_csrf_ok(sess != NULL ? sess : &t.s[0], s);
  (void)desk_origin_ok(&hosts, 1, s);
  (void)desk_fetch_site_ok(s);
  (void)desk_upload_type(data, size);
  one_request(s, strlen(s));
  free(s);
  return 0;
}
