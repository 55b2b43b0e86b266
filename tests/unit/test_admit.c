/* Unit tests for the admission limits (server/net/admit.h): the pre-auth
 * budget per source address and in all, its table under churn, the
 * address keys, and the token bucket. Pure: no I/O, no clock. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "admit.h"
#include "check.h"

static mc_addr_key v4(uint32_t a) {
  mc_addr_key k;
  struct sockaddr_in sin = {.sin_family = AF_INET};
  sin.sin_addr.s_addr = htonl(a);
  CHECK_EQ(mc_addr_key_from((const struct sockaddr *)&sin, &k), 0);
  return k;
}

static mc_addr_key v6(const char *text) {
  mc_addr_key k;
  struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
  CHECK_EQ(inet_pton(AF_INET6, text, &sin6.sin6_addr), 1);
  CHECK_EQ(mc_addr_key_from((const struct sockaddr *)&sin6, &k), 0);
  return k;
}

static void test_keys(void) {
  mc_addr_key a = v4(0x7f000002), b = v6("::ffff:127.0.0.2");
  CHECK(memcmp(&a, &b, sizeof a) == 0); /* v4-mapped counts as IPv4 */
  mc_addr_key c = v6("2001:db8:1:2::1"), d = v6("2001:db8:1:2:ffff::9");
  CHECK(memcmp(&c, &d, sizeof c) == 0); /* one /64 */
  mc_addr_key e = v6("2001:db8:1:3::1");
  CHECK(memcmp(&c, &e, sizeof c) != 0);
  mc_addr_key z = v4(0), z6 = v6("::");
  CHECK(memcmp(&z, &z6, sizeof z) != 0); /* an IPv6 key never equals an IPv4 one */
  struct sockaddr other = {.sa_family = AF_UNIX};
  CHECK_EQ(mc_addr_key_from(&other, &z), -1);
}

static void test_per_address_and_total(void) {
  mc_admit a;
  CHECK_FATAL(mc_admit_init(&a, 10, 3, 42) == 0);
  mc_addr_key stranger = v4(0x7f000002), unit = v4(0x7f000001);
  for (int i = 0; i < 3; i++) CHECK_EQ(mc_admit_take(&a, &stranger), MC_ADMIT_OK);
  CHECK_EQ(mc_admit_take(&a, &stranger), MC_ADMIT_ADDR); /* the newest is refused */
  CHECK_EQ(a.refused_addr, 1);
  CHECK_EQ(mc_admit_take(&a, &unit), MC_ADMIT_OK); /* another address still gets in */
  CHECK_EQ(a.held, 4);
  CHECK_EQ(a.addrs, 2);
  CHECK_EQ(mc_admit_held_by(&a, &stranger), 3);
  mc_admit_put(&a, &stranger);
  CHECK_EQ(mc_admit_take(&a, &stranger), MC_ADMIT_OK); /* a place given back is free */
  mc_addr_key zero = {{0}};
  for (uint32_t i = 0; i < 6; i++)
    CHECK_EQ(mc_admit_take(&a, &zero), i < 3 ? MC_ADMIT_OK : MC_ADMIT_ADDR);
  CHECK_EQ(a.held, 7);
  mc_addr_key x = v4(0x0a000001), y = v4(0x0a000002), w = v4(0x0a000003);
  CHECK_EQ(mc_admit_take(&a, &x), MC_ADMIT_OK);
  CHECK_EQ(mc_admit_take(&a, &y), MC_ADMIT_OK);
  CHECK_EQ(mc_admit_take(&a, &y), MC_ADMIT_OK);
  CHECK_EQ(mc_admit_take(&a, &w), MC_ADMIT_FULL); /* 10 in all */
  CHECK_EQ(a.refused_full, 1);
  CHECK_EQ(mc_admit_take(&a, &stranger), MC_ADMIT_ADDR); /* its own share is checked first */
  CHECK_EQ(a.refused_full, 1);
  mc_admit_put(&a, &w); /* never taken: nothing given back */
  CHECK_EQ(a.held, 10);
  mc_admit_release(&a);
}

/* Many addresses coming and going: counts stay exact and every key is
 * found again (backward-shift deletion keeps probe runs whole). */
static void test_churn(void) {
  mc_admit a;
  enum { N = 500 };
  CHECK_FATAL(mc_admit_init(&a, N, 2, 7) == 0);
  uint32_t held[N] = {0};
  uint32_t rnd = 12345;
  for (int step = 0; step < 200000; step++) {
    rnd = rnd * 1103515245u + 12345u;
    uint32_t i = (rnd >> 8) % N;
    mc_addr_key k = v4(0x0a000000u + i * 7919u);
    if ((rnd >> 4) & 1) {
      int v = mc_admit_take(&a, &k);
      if (v == MC_ADMIT_OK) held[i]++;
      else CHECK(v == MC_ADMIT_ADDR ? held[i] == 2 : a.held == N);
    } else if (held[i] > 0) {
      mc_admit_put(&a, &k);
      held[i]--;
    }
  }
  size_t total = 0, addrs = 0;
  for (uint32_t i = 0; i < N; i++) {
    mc_addr_key k = v4(0x0a000000u + i * 7919u);
    CHECK_EQ(mc_admit_held_by(&a, &k), held[i]);
    total += held[i];
    addrs += held[i] > 0;
  }
  CHECK_EQ(a.held, total);
  CHECK_EQ(a.addrs, addrs);
  for (uint32_t i = 0; i < N; i++) {
    mc_addr_key k = v4(0x0a000000u + i * 7919u);
    for (; held[i] > 0; held[i]--) mc_admit_put(&a, &k);
  }
  CHECK_EQ(a.held, 0);
  CHECK_EQ(a.addrs, 0);
  for (size_t i = 0; i <= a.mask; i++) CHECK_EQ(a.slots[i].count, 0);
  mc_admit_release(&a);
}

static void test_bucket(void) {
  mc_bucket b = {0};
  int ok = 0;
  for (int i = 0; i < 30; i++) ok += mc_bucket_take(&b, 1000, 10, 20);
  CHECK_EQ(ok, 20); /* full at first use: the burst */
  CHECK_EQ(mc_bucket_take(&b, 1050, 10, 20), 0); /* half a token */
  CHECK_EQ(mc_bucket_take(&b, 1100, 10, 20), 1); /* 10/s: one per 100 ms */
  CHECK_EQ(mc_bucket_take(&b, 1100, 10, 20), 0);
  ok = 0;
  for (int i = 0; i < 100; i++) ok += mc_bucket_take(&b, 100000, 10, 20);
  CHECK_EQ(ok, 20); /* never more than the burst after a long pause */
  CHECK_EQ(mc_bucket_take(&b, 50, 10, 20), 0); /* a clock going back adds nothing */
}

int main(void) {
  RUN_TEST(test_keys);
  RUN_TEST(test_per_address_and_total);
  RUN_TEST(test_churn);
  RUN_TEST(test_bucket);
  return check_result();
}
