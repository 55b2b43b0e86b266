/* officer_rules: the rules table's officer-role answers, as JSON, for the
 * integration tests (tests/integration/test_officer_roles.py). Links only
 * mc_rules: the answers come from mc_wf_decide and mc_wf_officer_may, the
 * very functions the server calls, so no test types the table in again.
 *
 *   officer_rules action NAME STATUS LEVEL UNIT HOLDER FORWARDED_TO ACTOR_UNIT ACTOR_ROLE
 *       a dossier as `show --json` gives it (LEVEL commune|district, "-" for
 *       an empty FORWARDED_TO; ACTOR_ROLE commune|district): for each single
 *       officer role, whether the action is allowed ("allow"), refused for
 *       the officer role ("role"), or refused for another reason ("other")
 *   officer_rules op receive|upload_scan|upload_result|calendar|officers
 *       the same for the requests that are not transitions
 * Output: {"receiving": "allow", "processing": "role", ...}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "error.h"
#include "officer.h"

static int action_of(const char *name) {
  for (int a = 1; a <= MC_ACT_MAX; a++)
    if (mc_action_name(a) != NULL && strcmp(mc_action_name(a), name) == 0) return a;
  return 0;
}

static const char *verdict(int rc, const char *rule) {
  if (rc == 0) return "allow";
  if (rc == MC_EFORBIDDEN && rule != NULL && strncmp(rule, "rule.officer_role", 17) == 0)
    return "role";
  fprintf(stderr, "officer_rules: %s (%s)\n", mc_errname(rc), rule != NULL ? rule : "-");
  return "other";
}

static void print_roles(const char *v[5]) {
  printf("{");
  for (int r = 1; r <= 4; r++) printf("%s\"%s\": \"%s\"", r > 1 ? ", " : "", mc_off_role_name(r), v[r]);
  printf("}\n");
}

static int by_action(char **argv) {
  mc_calendar cal = {.utc_offset_min = 420, .cutoff_min = 900, .day_start_min = 450,
                     .day_end_min = 1020};
  mc_dossier d;
  memset(&d, 0, sizeof d);
  int action = action_of(argv[0]);
  if (action == 0) return fprintf(stderr, "unknown action %s\n", argv[0]), 2;
  d.status = atoi(argv[1]);
  d.level = strcmp(argv[2], "district") == 0 ? MC_LEVEL_DISTRICT : MC_LEVEL_COMMUNE;
  snprintf(d.unit_code, sizeof d.unit_code, "%s", argv[3]);
  snprintf(d.holder_unit, sizeof d.holder_unit, "%s", argv[4]);
  snprintf(d.forwarded_to, sizeof d.forwarded_to, "%s", strcmp(argv[5], "-") ? argv[5] : "");
  d.received_at_ms = d.due_at_ms = 1796000000000LL;
  const char *v[5] = {0};
  for (int r = 1; r <= 4; r++) {
    mc_actor who;
    memset(&who, 0, sizeof who);
    snprintf(who.unit, sizeof who.unit, "%s", argv[6]);
    who.role = strcmp(argv[7], "district") == 0 ? MC_ROLE_DISTRICT : MC_ROLE_COMMUNE;
    who.officer_roles = 1u << r;
    mc_action_args in = {.action = action, .now_ms = 1796000000000LL, .rating = 3};
    mc_change out;
    const char *rule = NULL;
    int rc = mc_wf_decide(&cal, &d, "444", &who, &in, &out, &rule);
    v[r] = verdict(rc, rule);
  }
  print_roles(v);
  return 0;
}

static int by_op(const char *name) {
  static const struct {
    const char *name;
    int op;
  } ops[] = {{"receive", MC_OP_RECEIVE}, {"upload_scan", MC_OP_UPLOAD_SCAN},
             {"upload_result", MC_OP_UPLOAD_RESULT}, {"calendar", MC_OP_CALENDAR},
             {"officers", MC_OP_OFFICERS}};
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    if (strcmp(ops[i].name, name) != 0) continue;
    const char *v[5] = {0};
    for (int r = 1; r <= 4; r++) {
      const char *rule = NULL;
      int rc = mc_wf_officer_may(ops[i].op, 1u << r, &rule);
      v[r] = verdict(rc, rule);
    }
    print_roles(v);
    return 0;
  }
  return fprintf(stderr, "unknown op %s\n", name), 2;
}

int main(int argc, char **argv) {
  if (argc == 10 && strcmp(argv[1], "action") == 0) return by_action(argv + 2);
  if (argc == 3 && strcmp(argv[1], "op") == 0) return by_op(argv[2]);
  fprintf(stderr, "usage: officer_rules action NAME STATUS LEVEL UNIT HOLDER FORWARDED_TO "
                  "ACTOR_UNIT ACTOR_ROLE | op NAME\n");
  return 2;
}
