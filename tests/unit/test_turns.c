/* Unit tests for the loop-turn histograms and the stretch-wise CPU reading
 * (server/turns.h). Pure: the turns and their CPU times are simulated. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "turns.h"

/* One simulated loop: the thread's CPU clock and what the meter counted. */
typedef struct sim {
  mc_turn_meter m;
  mc_turn_hist wall, cpu;
  uint64_t clock_ns; /* the thread's CPU clock */
  int readings;
} sim;

static void sim_start(sim *s) {
  *s = (sim){0};
  s->clock_ns = 5000000000u;
  mc_turn_meter_start(&s->m, s->clock_ns);
}

/* One turn of wall_us, cpu_us of it on the CPU; returns the CPU time the
 * histogram counted for the turns this call completed (sum's growth). */
static int64_t sim_turn(sim *s, int64_t wall_us, int64_t cpu_us) {
  int64_t before = s->cpu.sum_us;
  s->clock_ns += (uint64_t)cpu_us * 1000;
  mc_turn_hist_add(&s->wall, wall_us);
  if (mc_turn_meter_wall(&s->m, &s->cpu, (uint64_t)wall_us * 1000)) {
    s->readings++;
    mc_turn_meter_cpu(&s->m, &s->cpu, s->clock_ns);
  }
  return s->cpu.sum_us - before;
}

static void test_hist(void) {
  mc_turn_hist h = {0};
  mc_turn_hist_add(&h, -5); /* clamped to 0 */
  mc_turn_hist_add(&h, 100);
  mc_turn_hist_add(&h, 101);
  mc_turn_hist_add(&h, 2000000); /* above the last bound: counted, no bucket */
  CHECK_EQ(h.count, 4);
  CHECK_EQ(h.within[0], 2);
  CHECK_EQ(h.within[1], 1);
  uint64_t in_buckets = 0;
  for (int i = 0; i < MC_TURN_BUCKETS; i++) in_buckets += h.within[i];
  CHECK_EQ(in_buckets, 3);
  CHECK_EQ(h.sum_us, 2000201);
  CHECK_EQ(h.max_us, 2000000);
}

/* Short turns are counted at once, at their wall time, without a reading;
 * the turn that takes the stretch over the first bound reads the clock
 * and gets the stretch's CPU less what the short turns were counted at. */
static void test_stretch(void) {
  sim s;
  sim_start(&s);
  for (int i = 0; i < 4; i++) CHECK_EQ(sim_turn(&s, 20, 15), 20);
  CHECK_EQ(s.readings, 0);
  CHECK_EQ(s.cpu.count, 4);
  CHECK_EQ(s.cpu.within[0], 4);
  /* 80 + 30 > 100: read. Stretch CPU 60 + 25 = 85, the short turns were
   * counted at 80, so this turn at 5. */
  CHECK_EQ(sim_turn(&s, 30, 25), 5);
  CHECK_EQ(s.readings, 1);
  CHECK_EQ(s.cpu.count, 5);
  CHECK_EQ(s.cpu.sum_us, 85); /* the thread's CPU, exactly */
  CHECK_EQ(s.cpu.within[0], 5);
}

/* A long turn mostly preempted: the CPU histogram shows its own CPU, not
 * its wall time (what the metric is for). */
static void test_long_turn(void) {
  sim s;
  sim_start(&s);
  CHECK_EQ(sim_turn(&s, 2000, 300), 300);
  CHECK_EQ(s.readings, 1);
  CHECK_EQ(s.wall.within[4], 1); /* <= 2.5 ms */
  CHECK_EQ(s.cpu.within[2], 1);  /* <= 500 us */
  CHECK_EQ(s.cpu.max_us, 300);
  /* Short turns that were themselves preempted: their CPU was less than
   * their wall; the next reading's turn is not counted below 0. */
  CHECK_EQ(sim_turn(&s, 90, 10), 90);
  CHECK_EQ(sim_turn(&s, 50, 20), 0);
  CHECK_EQ(s.cpu.count, s.wall.count);
}

/* Random turns: the counts agree with the wall histogram, every turn's
 * CPU figure is within the first bound of its true CPU, the CPU sum is at
 * least the thread's CPU, and a loop of short turns reads the clock once
 * per stretch, not once per turn. */
static void test_random(void) {
  sim s;
  sim_start(&s);
  srand(19);
  int64_t true_sum = 0, worst = 0;
  const int n = 200000;
  for (int i = 0; i < n; i++) {
    int64_t wall = rand() % 8 == 0 ? rand() % 5000 : rand() % 40;
    int64_t cpu = wall > 0 ? rand() % (wall + 1) : 0;
    if (rand() % 4 != 0) cpu = wall; /* most turns are not preempted */
    true_sum += cpu;
    int64_t got = sim_turn(&s, wall, cpu);
    int64_t err = got > cpu ? got - cpu : cpu - got;
    if (err > worst) worst = err;
  }
  CHECK_EQ(s.cpu.count, s.wall.count);
  CHECK(worst <= MC_TURN_EXACT_US);
  CHECK(s.cpu.sum_us >= true_sum);
  CHECK(s.cpu.sum_us <= s.wall.sum_us);
  CHECK(s.readings < n / 2);
  fprintf(stderr, "random: %d turns, %d readings, worst error %lld us\n", n, s.readings,
          (long long)worst);
}

/* CPU the thread spends in a wait for I/O (the kernel's way back from
 * epoll_wait) is in no turn's wall time: the turn that ends the stretch is
 * counted with at most its wall time, the rest goes to waits_ns, and the
 * counted CPU plus waits_ns is the thread's CPU. */
static void test_wait_cpu(void) {
  sim s;
  sim_start(&s);
  CHECK_EQ(sim_turn(&s, 30, 30), 30);
  s.clock_ns += 1500000; /* 1.5 ms charged inside a wait */
  /* the reading shows 1,880 us since the last one, 30 of it the short turn's:
   * this turn is counted at its wall time, the rest was spent waiting */
  CHECK_EQ(sim_turn(&s, 400, 380), 400);
  CHECK_EQ(s.cpu.max_us, 400);
  CHECK_EQ(s.m.waits_ns, (30 + 1500 + 380 - 30 - 400) * 1000u);
  CHECK_EQ((uint64_t)s.cpu.sum_us * 1000 + s.m.waits_ns, 30000u + 1500000u + 380000u);
  /* A wait's CPU never makes a turn's CPU exceed its wall time. */
  for (int i = 0; i < 100; i++) {
    s.clock_ns += 100000;
    sim_turn(&s, 150, 100);
  }
  CHECK(s.cpu.max_us <= s.wall.max_us);
  CHECK(s.cpu.sum_us <= s.wall.sum_us);
}

static void test_busy_loop(void) {
  sim s;
  sim_start(&s);
  for (int i = 0; i < 1000; i++) sim_turn(&s, 20, 20);
  CHECK_EQ(s.cpu.sum_us, 20000);
  CHECK_EQ(s.cpu.count, 1000);
  CHECK(s.readings <= 1000 / 5); /* one per 100 us of turns */
}

int main(void) {
  test_hist();
  test_stretch();
  test_long_turn();
  test_random();
  test_wait_cpu();
  test_busy_loop();
  return check_result();
}
