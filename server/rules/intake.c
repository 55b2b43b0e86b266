/* Intake against the procedure's published file: see intake.h. */
#include "intake.h"

#include "error.h"

static int has_component(const mc_procedure *p, int ordinal) {
  for (size_t i = 0; i < p->ncomponents; i++)
    if (p->components[i].ordinal == ordinal) return 1;
  return 0;
}

static int handed_in(const mc_receive_fields *f, int ordinal) {
  for (size_t i = 0; i < f->ncomponents; i++)
    if (f->components[i].ordinal == ordinal) return 1;
  return 0;
}

int mc_intake_check(const mc_procedure *p, const mc_receive_fields *f, const char **field,
                    int *missing) {
  *missing = 0;
  for (size_t i = 0; i < f->ncomponents; i++)
    if (!has_component(p, f->components[i].ordinal)) {
      *field = "components";
      return MC_EINVAL;
    }
  for (size_t i = 0; i < p->ncomponents && *missing == 0; i++)
    if (p->components[i].required && !handed_in(f, p->components[i].ordinal))
      *missing = p->components[i].ordinal;
  if (*missing != 0 && f->missing_reason[0] == '\0') {
    *field = "missing_reason";
    return MC_EINVAL;
  }
  return 0;
}
