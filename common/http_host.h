/* Which Host header the admin HTTP listener answers (DNS rebinding guard):
 * pure, no I/O. A request whose Host names anything but the listener's own
 * address, 127.0.0.1, localhost, [::1] or a configured extra name is
 * refused before routing. */
#ifndef MC_HTTP_HOST_H
#define MC_HTTP_HOST_H

#include <stddef.h>

#define MC_HTTP_HOSTS_MAX 16 /* names in the allow-list */
#define MC_HTTP_HOST_LEN 254 /* longest name kept (DNS name limit) */

typedef struct mc_http_hosts {
  char names[MC_HTTP_HOSTS_MAX][MC_HTTP_HOST_LEN + 1]; /* lower case; IPv6 in brackets */
  size_t n;
  int port; /* the listener's port: a Host that names a port must name this one */
} mc_http_hosts;

/* The allow-list of a listener on listen_host:port plus extra, a list of
 * names separated by commas or blanks (NULL or "" = none). Returns 0, or
 * MC_EINVAL when a name is too long or there are more than
 * MC_HTTP_HOSTS_MAX names (the listener must not start on a list it
 * cannot hold). */
int mc_http_hosts_init(mc_http_hosts *h, const char *listen_host, int port, const char *extra);

/* 1 if the Host header value (name, name:port, [v6] or [v6]:port; any
 * case) is allowed, else 0. host NULL (HTTP/1.0 without Host) is allowed:
 * browsers always send one, so the rebinding guard holds. */
int mc_http_host_allowed(const mc_http_hosts *h, const char *host);

#endif
