/* Admission limits, pure (no I/O, no clock: the caller passes "now"):
 * the budget of connections that have not finished Hello, counted in all
 * and per source address, and the token buckets of the per-link rates.
 * session.c owns one mc_admit per server and the buckets of each session. */
#ifndef MC_ADMIT_H
#define MC_ADMIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* A source address as the budget counts it: an IPv4 address, or the /64
 * of an IPv6 address (one site holds a whole /64). */
typedef struct mc_addr_key {
  uint8_t b[16];
} mc_addr_key;

/* The key of sa (AF_INET, AF_INET6; an IPv4-mapped IPv6 address counts as
 * its IPv4 address). 0, or -1 for another family. */
int mc_addr_key_from(const struct sockaddr *sa, mc_addr_key *out);

enum mc_admit_verdict { MC_ADMIT_OK = 0, MC_ADMIT_FULL, MC_ADMIT_ADDR };

struct mc_admit_slot {
  mc_addr_key key;
  uint32_t count; /* places the key holds; 0 = empty slot */
};

/* The pre-auth budget: at most max_total connections held at once, at
 * most max_per_addr of them from one key. Its table has room for
 * max_total keys (each held connection names one), so it never grows. */
typedef struct mc_admit {
  size_t max_total, max_per_addr;
  size_t held;           /* connections holding a place now */
  size_t addrs;          /* distinct keys among them */
  uint64_t refused_full; /* refusals: the whole budget was taken */
  uint64_t refused_addr; /* refusals: the key's share was taken */
  struct mc_admit_slot *slots; /* open addressing, linear probing */
  size_t mask;           /* slots - 1 (a power of two >= 2 * max_total) */
  uint64_t seed;         /* hash seed, so that keys cannot be chosen to collide */
} mc_admit;

/* 0 or MC_ENOMEM. max_total, max_per_addr >= 1. */
int mc_admit_init(mc_admit *a, size_t max_total, size_t max_per_addr, uint64_t seed);
void mc_admit_release(mc_admit *a);
/* Take a place for k: MC_ADMIT_OK, or why not (counted, nothing taken):
 * MC_ADMIT_ADDR when k's share is taken (checked first), else
 * MC_ADMIT_FULL when the whole budget is. */
enum mc_admit_verdict mc_admit_take(mc_admit *a, const mc_addr_key *k);
/* Give back a place k took. */
void mc_admit_put(mc_admit *a, const mc_addr_key *k);
/* Places k holds now. */
size_t mc_admit_held_by(const mc_admit *a, const mc_addr_key *k);

/* A token bucket: rate tokens a second, at most burst at once; full at
 * its first use. */
typedef struct mc_bucket {
  double tokens;
  uint64_t at_ms; /* 0 = never used */
} mc_bucket;

/* Take one token at now_ms: 1, or 0 when the bucket is empty. */
int mc_bucket_take(mc_bucket *b, uint64_t now_ms, double rate, double burst);

#endif
