/* Intake against the procedure's published file (issue 14): what a
 * receive must hand in. Pure. */
#ifndef MC_INTAKE_H
#define MC_INTAKE_H

#include "model.h"
#include "validate.h"

/* 0 if f may be received for p: every component it lists is one of p's,
 * and every required component of p is among them, or f gives a
 * missing_reason. MC_EINVAL with *field = "components" (an ordinal p does
 * not have) or "missing_reason" (a required one missing, no reason);
 * *missing = the first missing required ordinal (0 if none). */
int mc_intake_check(const mc_procedure *p, const mc_receive_fields *f, const char **field,
                    int *missing);

#endif
