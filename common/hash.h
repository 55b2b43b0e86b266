/* One non-cryptographic hash for the in-memory tables (FNV-1a, 32 bits):
 * the shared certificate chains (tls.c), the receive lanes (store/receive.c),
 * the ready sessions by unit (net/session.c). Not for anything a peer could
 * use to collide on purpose at scale: those tables are bounded by what the
 * CA issued. */
#ifndef MC_HASH_H
#define MC_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t mc_fnv1a(const void *data, size_t len) {
  const unsigned char *p = data;
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static inline uint32_t mc_fnv1a_str(const char *s) {
  uint32_t h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
    h = (h ^ *p) * 16777619u;
  return h;
}

#endif
