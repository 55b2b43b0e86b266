/* Loop turns: histograms and the stretch-wise CPU reading (turns.h). */
#include "turns.h"

const int64_t mc_turn_le_us[MC_TURN_BUCKETS] = {100,   250,   500,    1000,   2500,
                                                5000,  10000, 25000,  100000, 1000000};
_Static_assert(MC_TURN_EXACT_US == 100, "MC_TURN_EXACT_US is the first bucket's bound");

void mc_turn_hist_add(mc_turn_hist *h, int64_t us) {
  if (us < 0) us = 0;
  h->count++;
  h->sum_us += us;
  if (us > h->max_us) h->max_us = us;
  for (int i = 0; i < MC_TURN_BUCKETS; i++)
    if (us <= mc_turn_le_us[i]) {
      h->within[i]++;
      return;
    }
}

void mc_turn_meter_start(mc_turn_meter *m, uint64_t cpu_ns) {
  m->cpu_ns = cpu_ns;
  m->short_ns = 0;
}

int mc_turn_meter_wall(mc_turn_meter *m, mc_turn_hist *cpu, uint64_t wall_ns) {
  if (m->short_ns + wall_ns > (uint64_t)MC_TURN_EXACT_US * 1000) {
    m->wall_ns = wall_ns;
    return 1;
  }
  mc_turn_hist_add(cpu, (int64_t)(wall_ns / 1000)); /* its CPU <= its wall <= the first bound */
  m->short_ns += wall_ns;
  return 0;
}

void mc_turn_meter_cpu(mc_turn_meter *m, mc_turn_hist *cpu, uint64_t cpu_ns) {
  uint64_t stretch = cpu_ns > m->cpu_ns ? cpu_ns - m->cpu_ns : 0;
  /* the stretch's short turns were counted at their wall time */
  uint64_t own = stretch > m->short_ns ? stretch - m->short_ns : 0;
  if (own > m->wall_ns) { /* spent in waits, not in this turn */
    m->waits_ns += own - m->wall_ns;
    own = m->wall_ns;
  }
  mc_turn_hist_add(cpu, (int64_t)(own / 1000));
  mc_turn_meter_start(m, cpu_ns);
}
