/* Admission limits (admit.h): the pre-auth budget's table of source
 * addresses and the token bucket. Pure. */
#include "admit.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

int mc_addr_key_from(const struct sockaddr *sa, mc_addr_key *out) {
  static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  memset(out, 0, sizeof *out);
  if (sa->sa_family == AF_INET) {
    memcpy(out->b, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    return 0;
  }
  if (sa->sa_family != AF_INET6) return -1;
  const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
  if (memcmp(a, v4mapped, sizeof v4mapped) == 0) memcpy(out->b, a + 12, 4);
  else {
    out->b[15] = 6; /* never equal to an IPv4 key */
    memcpy(out->b, a, 8);
  }
  return 0;
}

int mc_admit_init(mc_admit *a, size_t max_total, size_t max_per_addr, uint64_t seed) {
  size_t n = 16;
  while (n < 2 * max_total) n *= 2;
  memset(a, 0, sizeof *a);
  a->slots = calloc(n, sizeof *a->slots);
  if (a->slots == NULL) return MC_ENOMEM;
  a->max_total = max_total;
  a->max_per_addr = max_per_addr;
  a->mask = n - 1;
  a->seed = seed;
  return 0;
}

void mc_admit_release(mc_admit *a) {
  free(a->slots);
  a->slots = NULL;
}

static size_t key_hash(const mc_admit *a, const mc_addr_key *k) {
  uint64_t h = 1469598103934665603ull ^ a->seed; /* FNV-1a, seeded, then mixed */
  for (size_t i = 0; i < sizeof k->b; i++) h = (h ^ k->b[i]) * 1099511628211ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return (size_t)h;
}

/* The slot holding k, else the empty slot where it would go. */
static size_t key_find(const mc_admit *a, const mc_addr_key *k) {
  size_t i = key_hash(a, k) & a->mask;
  while (a->slots[i].count != 0 && memcmp(&a->slots[i].key, k, sizeof *k) != 0)
    i = (i + 1) & a->mask;
  return i;
}

size_t mc_admit_held_by(const mc_admit *a, const mc_addr_key *k) {
  return a->slots[key_find(a, k)].count;
}

enum mc_admit_verdict mc_admit_take(mc_admit *a, const mc_addr_key *k) {
  struct mc_admit_slot *s = &a->slots[key_find(a, k)];
  if (s->count >= a->max_per_addr) { /* checked first: the address's own share */
    a->refused_addr++;
    return MC_ADMIT_ADDR;
  }
  if (a->held >= a->max_total) {
    a->refused_full++;
    return MC_ADMIT_FULL;
  }
  if (s->count++ == 0) {
    s->key = *k;
    a->addrs++;
  }
  a->held++;
  return MC_ADMIT_OK;
}

/* Empty slot i, moving later entries of its probe run back (no
 * tombstones: lookups stay short however keys come and go). */
static void slot_remove(mc_admit *a, size_t i) {
  size_t j = i;
  for (;;) {
    j = (j + 1) & a->mask;
    if (a->slots[j].count == 0) break;
    size_t home = key_hash(a, &a->slots[j].key) & a->mask;
    /* j's entry may move to i only if its home is not in (i, j] cyclically */
    int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (stays) continue;
    a->slots[i] = a->slots[j];
    i = j;
  }
  a->slots[i].count = 0;
}

void mc_admit_put(mc_admit *a, const mc_addr_key *k) {
  size_t i = key_find(a, k);
  if (a->slots[i].count == 0) return; /* not held: nothing to give back */
  a->held--;
  if (--a->slots[i].count > 0) return;
  a->addrs--;
  slot_remove(a, i);
}

int mc_bucket_take(mc_bucket *b, uint64_t now_ms, double rate, double burst) {
  if (b->at_ms == 0) b->tokens = burst;
  else if (now_ms > b->at_ms) b->tokens += (double)(now_ms - b->at_ms) * rate / 1000.0;
  if (b->tokens > burst) b->tokens = burst;
  b->at_ms = now_ms != 0 ? now_ms : 1;
  if (b->tokens < 1.0) return 0;
  b->tokens -= 1.0;
  return 1;
}
