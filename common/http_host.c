/* The admin listener's Host allow-list (http_host.h). */
#include "http_host.h"

#include <ctype.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Append name (len bytes) in lower case; an IPv6 literal gets brackets. */
static int add_name(mc_http_hosts *h, const char *name, size_t len) {
  if (len == 0) return 0;
  int v6 = memchr(name, ':', len) != NULL && name[0] != '[';
  if (len + (v6 ? 2 : 0) > MC_HTTP_HOST_LEN || h->n >= MC_HTTP_HOSTS_MAX) return MC_EINVAL;
  char *out = h->names[h->n++];
  size_t o = 0;
  if (v6) out[o++] = '[';
  for (size_t i = 0; i < len; i++) out[o++] = (char)tolower((unsigned char)name[i]);
  if (v6) out[o++] = ']';
  out[o] = '\0';
  return 0;
}

static int add_str(mc_http_hosts *h, const char *s) { return add_name(h, s, strlen(s)); }

int mc_http_hosts_init(mc_http_hosts *h, const char *listen_host, int port, const char *extra) {
  memset(h, 0, sizeof *h);
  h->port = port;
  int rc = add_str(h, "127.0.0.1");
  if (rc == 0) rc = add_str(h, "localhost");
  if (rc == 0) rc = add_str(h, "[::1]");
  if (rc == 0 && listen_host != NULL) rc = add_str(h, listen_host);
  const char *sep = ", \t";
  for (const char *p = extra; rc == 0 && p != NULL && *p != '\0';) {
    size_t skip = strspn(p, sep), len = strcspn(p + skip, sep);
    rc = add_name(h, p + skip, len);
    p += skip + len;
  }
  return rc;
}

/* Split "name[:port]" / "[v6][:port]": the name's length, and the port
 * text after the colon (NULL if none). 0, or -1 if malformed. */
static int split_host(const char *host, size_t *name_len, const char **port) {
  size_t len = strlen(host);
  const char *colon;
  *port = NULL;
  if (host[0] == '[') {
    const char *close = strchr(host, ']');
    if (close == NULL) return -1;
    *name_len = (size_t)(close - host) + 1;
    if (close[1] == '\0') return 0;
    if (close[1] != ':') return -1;
    *port = close + 2;
    return 0;
  }
  colon = strchr(host, ':');
  if (colon != NULL && strchr(colon + 1, ':') != NULL) return -1; /* bare v6: not a Host */
  *name_len = colon != NULL ? (size_t)(colon - host) : len;
  if (colon != NULL) *port = colon + 1;
  return 0;
}

static int port_ok(const char *port, int want) {
  if (port == NULL) return 1;
  if (*port == '\0' || strlen(port) > 5 || strspn(port, "0123456789") != strlen(port)) return 0;
  return atoi(port) == want;
}

int mc_http_host_allowed(const mc_http_hosts *h, const char *host) {
  size_t name_len;
  const char *port;
  if (host == NULL) return 1;
  if (host[0] == '\0' || strlen(host) > MC_HTTP_HOST_LEN + 6) return 0;
  if (split_host(host, &name_len, &port) != 0 || name_len == 0) return 0;
  if (name_len > 1 && host[name_len - 1] == '.' && host[0] != '[') name_len--; /* FQDN dot */
  if (!port_ok(port, h->port)) return 0;
  for (size_t i = 0; i < h->n; i++)
    if (strlen(h->names[i]) == name_len && strncasecmp(h->names[i], host, name_len) == 0)
      return 1;
  return 0;
}
