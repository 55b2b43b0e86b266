/* Loop turns: the loop's work between two waits for I/O, the longest a
 * request that arrives meanwhile waits before it is read. Pure counting:
 * server.c reads the clocks and feeds them in (turn_mark_cb), the monitor
 * copies the histograms out (motcua_loop_turn_seconds, _cpu_seconds).
 *
 * The CPU side (mc_turn_meter) reads the loop thread's CPU clock, a system
 * call, only when the turns since the last reading have added up to more
 * than the first bucket (MC_TURN_EXACT_US) of wall time. A turn shorter
 * than that spent at most its wall time on the CPU, so it is counted in the
 * first bucket with its wall time as its CPU time; the turn that ends a
 * stretch gets the CPU the reading shows less what its stretch's short
 * turns were counted with. Its figure is therefore exact to within the
 * first bucket's width, the CPU sum is the thread's CPU in turns plus
 * whatever the short turns lost to preemption (they are counted at their wall time), and
 * a busy loop of many short turns pays one system call per stretch instead
 * of one per turn.
 *
 * The thread also spends CPU outside turns, inside the wait for I/O (the
 * kernel's switch back to the thread after epoll_wait: on the development
 * VM a tenth of the thread's samples under load; docs/MONITOR.md). libuv counts that as
 * waiting, so no turn's wall time holds it: a turn is counted with at most
 * its wall time of CPU, and what the reading shows beyond that goes to
 * waits_ns instead of to the turn that happened to end the stretch. */
#ifndef MC_TURNS_H
#define MC_TURNS_H

#include <stdint.h>

#define MC_TURN_BUCKETS 10
extern const int64_t mc_turn_le_us[MC_TURN_BUCKETS]; /* bucket upper bounds */
#define MC_TURN_EXACT_US 100                          /* = mc_turn_le_us[0] */

typedef struct mc_turn_hist {
  uint64_t within[MC_TURN_BUCKETS]; /* above le[i-1], within le[i] */
  uint64_t count;                   /* all turns (also those above the last bound) */
  int64_t sum_us, max_us;
} mc_turn_hist;

/* Count one turn of us microseconds. */
void mc_turn_hist_add(mc_turn_hist *h, int64_t us);

/* The CPU reading of the current stretch of turns. */
typedef struct mc_turn_meter {
  uint64_t cpu_ns;   /* the thread's CPU clock at the last reading */
  uint64_t short_ns; /* wall (= CPU counted) of the stretch's short turns */
  uint64_t wall_ns;  /* wall of the turn that ends the stretch */
  uint64_t waits_ns; /* CPU outside turns (in waits for I/O), since start */
} mc_turn_meter;

/* The first reading of the CPU clock, before the first turn. */
void mc_turn_meter_start(mc_turn_meter *m, uint64_t cpu_ns);

/* One turn of wall_ns ended. Returns 1 when the caller must read the
 * thread's CPU clock now and pass it to mc_turn_meter_cpu; 0 when the turn
 * is counted already (in cpu, as a short turn). */
int mc_turn_meter_wall(mc_turn_meter *m, mc_turn_hist *cpu, uint64_t wall_ns);

/* The CPU clock read after mc_turn_meter_wall returned 1: counts that turn
 * in cpu (at most its wall time; the rest to waits_ns) and starts a new
 * stretch. */
void mc_turn_meter_cpu(mc_turn_meter *m, mc_turn_hist *cpu, uint64_t cpu_ns);

#endif
