/* Workflow rules on fixed dates: deadlines on the working-day calendar,
 * dossier code syntax, visibility and forwarding rules, field checks. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "error.h"
#include "validate.h"
#include "actions.h"
#include "workflow.h"

/* Vietnam local time -> epoch ms. */
static int64_t vn(int y, int mo, int d, int h, int mi) {
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
  return ((int64_t)timegm(&tm) - 7 * 3600) * 1000;
}

static int32_t vday(int y, int mo, int d) {
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d};
  return (int32_t)(timegm(&tm) / 86400);
}

static mc_calendar cal_plain(void) {
  return (mc_calendar){.utc_offset_min = 420, .cutoff_min = 900, .day_start_min = 450,
                       .day_end_min = 1020};
}

static int64_t due(const mc_calendar *c, int64_t at, int v, int unit) {
  int64_t d = 0;
  CHECK_EQ(mc_deadline(c, at, v, unit, &d), 0);
  return d;
}

static void test_working_days(void) {
  mc_calendar c = cal_plain();
  /* Friday 2026-11-27 09:00, 3 working days: Fri, Mon, Tue -> Tue 17:00. */
  CHECK_EQ(due(&c, vn(2026, 11, 27, 9, 0), 3, MC_LIMIT_WORKING_DAYS), vn(2026, 12, 1, 17, 0));
  /* After the 15:00 cutoff counting starts Monday -> Wed 17:00. */
  CHECK_EQ(due(&c, vn(2026, 11, 27, 15, 30), 3, MC_LIMIT_WORKING_DAYS), vn(2026, 12, 2, 17, 0));
  /* Exactly 15:00 is already after the cutoff. */
  CHECK_EQ(due(&c, vn(2026, 11, 27, 15, 0), 1, MC_LIMIT_WORKING_DAYS), vn(2026, 11, 30, 17, 0));
  /* Received on a Sunday: counting starts Monday. */
  CHECK_EQ(due(&c, vn(2026, 11, 29, 10, 0), 1, MC_LIMIT_WORKING_DAYS), vn(2026, 11, 30, 17, 0));
  /* Never on a weekend, whatever the start. */
  for (int day = 0; day < 14; day++)
    for (int n = 1; n <= 12; n++) {
      int64_t d = due(&c, vn(2026, 11, 16 + day, 10, 0), n, MC_LIMIT_WORKING_DAYS);
      CHECK(mc_is_working_day(&c, mc_local_day(&c, d)));
    }
}

static void test_holidays(void) {
  /* Friday after 15:00 before a Monday holiday (synthetic): Tuesday. */
  int32_t h1[] = {vday(2026, 11, 30)};
  mc_calendar c = cal_plain();
  c.holidays = h1;
  c.nholidays = 1;
  CHECK_EQ(due(&c, vn(2026, 11, 27, 16, 0), 1, MC_LIMIT_WORKING_DAYS), vn(2026, 12, 1, 17, 0));
  /* Across Tết 2027 (Feb 4-10 off, Saturday Jan 30 made a working day as a
   * compensatory swap): received Wed Feb 3 10:00, 3 working days. */
  int32_t tet[] = {vday(2027, 2, 4), vday(2027, 2, 5), vday(2027, 2, 8), vday(2027, 2, 9),
                   vday(2027, 2, 10)};
  int32_t swap[] = {vday(2027, 1, 30)};
  c.holidays = tet;
  c.nholidays = 5;
  c.workdays = swap;
  c.nworkdays = 1;
  CHECK_EQ(due(&c, vn(2027, 2, 3, 10, 0), 3, MC_LIMIT_WORKING_DAYS), vn(2027, 2, 12, 17, 0));
  CHECK(mc_is_working_day(&c, vday(2027, 1, 30)));
  CHECK(!mc_is_working_day(&c, vday(2027, 2, 8)));
  /* A calendar-day limit ending inside Tết moves to the next working day. */
  CHECK_EQ(due(&c, vn(2027, 2, 2, 10, 0), 3, MC_LIMIT_CALENDAR_DAYS), vn(2027, 2, 11, 17, 0));
}

static void test_hours_days_months(void) {
  mc_calendar c = cal_plain();
  /* Friday 16:00 + 4 office hours: 1 h Friday, 3 h Monday from 07:30. */
  CHECK_EQ(due(&c, vn(2026, 11, 27, 16, 0), 4, MC_LIMIT_HOURS), vn(2026, 11, 30, 10, 30));
  /* Before opening: counts from 07:30. */
  CHECK_EQ(due(&c, vn(2026, 11, 25, 6, 0), 2, MC_LIMIT_HOURS), vn(2026, 11, 25, 9, 30));
  /* Thursday + 3 calendar days ends Saturday -> Monday. */
  CHECK_EQ(due(&c, vn(2026, 11, 26, 9, 0), 3, MC_LIMIT_CALENDAR_DAYS), vn(2026, 11, 30, 17, 0));
  /* One month from Thu 2026-01-15: ends Sat Feb 14 -> Mon Feb 16. */
  CHECK_EQ(due(&c, vn(2026, 1, 15, 9, 0), 1, MC_LIMIT_MONTHS), vn(2026, 2, 16, 17, 0));
  /* Month-end clamp: from Fri 2027-01-29 one month -> Feb 28 (Sun) -> Mar 1. */
  CHECK_EQ(due(&c, vn(2027, 1, 29, 9, 0), 1, MC_LIMIT_MONTHS), vn(2027, 3, 1, 17, 0));
  int64_t d;
  CHECK_EQ(mc_deadline(&c, 0, 1, 99, &d), MC_EINVAL);
  CHECK_EQ(mc_deadline(&c, 0, -1, MC_LIMIT_HOURS, &d), MC_EINVAL);
}

static void test_dates(void) {
  mc_calendar c = cal_plain();
  char out[7];
  /* 2026-11-28 20:00 UTC is already the 29th in Vietnam. */
  mc_local_yymmdd(&c, (int64_t)1795896000 * 1000, out);
  CHECK_STREQ(out, "261129");
  mc_local_yymmdd(&c, vn(2027, 1, 1, 0, 0), out);
  CHECK_STREQ(out, "270101");
  CHECK_EQ(mc_local_minute(&c, vn(2026, 11, 27, 15, 30)), 930);
}

static void test_codes(void) {
  CHECK_EQ(mc_dom_dossier_code("H15.50.05.13-261008-0975"), MC_DOM_OK);
  CHECK_EQ(mc_dom_dossier_code("H30.44.01-261129-12345"), MC_DOM_OK);
  CHECK(mc_dom_dossier_code("") != MC_DOM_OK);
  CHECK(mc_dom_dossier_code("H15.50.05.13-26100-0975") != MC_DOM_OK);
  CHECK(mc_dom_dossier_code("H15.50.05.13-261008-097") != MC_DOM_OK);
  CHECK(mc_dom_dossier_code("H15 50-261008-0975") != MC_DOM_OK);
  CHECK(mc_dom_dossier_code("-261008-0975") != MC_DOM_OK);
  CHECK(mc_dom_dossier_code("H15.50.05.13-2610a8-0975") != MC_DOM_OK);
  CHECK(mc_dom_dossier_code("H15.50.05.13-261008-0975x") != MC_DOM_OK);
  char longc[200];
  memset(longc, 'A', sizeof longc - 1);
  longc[sizeof longc - 1] = '\0';
  CHECK(mc_dom_dossier_code(longc) != MC_DOM_OK);
}

static mc_dossier dossier(const char *unit, const char *fwd, int level, int status) {
  mc_dossier d;
  memset(&d, 0, sizeof d);
  strcpy(d.unit_code, unit);
  strcpy(d.holder_unit, fwd[0] ? fwd : unit);
  strcpy(d.forwarded_to, fwd);
  d.level = level;
  d.status = status;
  return d;
}

static mc_actor peer(const char *unit, mc_role role) {
  mc_actor p;
  memset(&p, 0, sizeof p);
  strcpy(p.unit, unit);
  p.role = role;
  p.officer_roles = MC_OFF_ALL_ROLES; /* per-role refusals: test_officer_roles */
  return p;
}

/* Forwarding goes through the transition table like every action. */
static int fwd(const mc_dossier *d, const mc_actor *who) {
  mc_calendar c = cal_plain();
  mc_action_args in = {.action = MC_ACT_FORWARD, .now_ms = vn(2026, 12, 1, 9, 0)};
  mc_change ch;
  const char *rule;
  return mc_wf_decide(&c, d, "444", who, &in, &ch, &rule);
}

static void test_rules(void) {
  mc_actor a = peer("18499", MC_ROLE_COMMUNE), b = peer("18502", MC_ROLE_COMMUNE);
  mc_actor dist = peer("444", MC_ROLE_DISTRICT), admin = peer("admin", MC_ROLE_ADMIN);
  mc_dossier d = dossier("18499", "", MC_LEVEL_DISTRICT, MC_ST_RECEIVED);
  CHECK(mc_wf_can_see(&d, &a));
  CHECK(!mc_wf_can_see(&d, &b));
  CHECK(!mc_wf_can_see(&d, &dist));
  CHECK(!mc_wf_can_see(&d, &admin));
  CHECK_EQ(fwd(&d, &a), 0);
  CHECK_EQ(fwd(&d, &b), MC_EFORBIDDEN);
  CHECK_EQ(fwd(&d, &dist), MC_EFORBIDDEN);
  mc_dossier c = dossier("18499", "", MC_LEVEL_COMMUNE, MC_ST_RECEIVED);
  CHECK_EQ(fwd(&c, &a), MC_EWRONGLEVEL);
  mc_dossier f = dossier("18499", "444", MC_LEVEL_DISTRICT, MC_ST_RECEIVED);
  CHECK(mc_wf_can_see(&f, &dist));
  CHECK(mc_wf_can_see(&f, &a));
  CHECK_EQ(fwd(&f, &a), MC_EBADSTATE); /* already forwarded */
  CHECK_EQ(fwd(&f, &b), MC_EFORBIDDEN);
  for (int st = 1; st <= 10; st++) {
    mc_dossier x = dossier("18499", "", MC_LEVEL_DISTRICT, st);
    int ok = st == MC_ST_RECEIVED;
    CHECK_EQ(fwd(&x, &a), ok ? 0 : MC_EBADSTATE);
    CHECK(mc_status_name_vi(st) != NULL);
  }
  CHECK(mc_status_name_vi(0) == NULL && mc_status_name_vi(11) == NULL);
}

static void test_applicant(void) {
  mc_applicant ap = {"Nguyễn Thị Thu Trang", "042190001234", "0912345678"};
  const char *field = NULL;
  CHECK_EQ(mc_wf_check_applicant(&ap, &field), 0);
  strcpy(ap.id_number, "04219000123");
  CHECK_EQ(mc_wf_check_applicant(&ap, &field), MC_EINVAL);
  CHECK_STREQ(field, "id_number");
  strcpy(ap.id_number, "123456789");
  strcpy(ap.phone, "09a");
  CHECK_EQ(mc_wf_check_applicant(&ap, &field), MC_EINVAL);
  CHECK_STREQ(field, "phone");
  strcpy(ap.phone, "");
  strcpy(ap.name, "a\nb");
  CHECK_EQ(mc_wf_check_applicant(&ap, &field), MC_EINVAL);
  CHECK_STREQ(field, "name");
  CHECK_EQ(mc_wf_check_channel(0), MC_EINVAL);
  CHECK_EQ(mc_wf_check_channel(3), 0);
}

/* Every string field passes mc_val_str, so its UTF-8 check guards them all. */
static void test_utf8(void) {
  static const struct {
    const char *s;
    int ok;
  } cases[] = {
      {"", 1}, {"Nguyễn Thị Thu Trang", 1}, {"\xf0\x9f\x98\x80", 1}, /* U+1F600 */
      {"\xef\xbf\xbf", 1},                                        /* U+FFFF */
      {"Nguy\xe1\xbb", 0},                                         /* truncated */
      {"\xc0\xaf", 0},     {"\xe0\x80\xaf", 0},                     /* overlong */
      {"\xed\xa0\x80", 0},                                         /* surrogate */
      {"\xf4\x90\x80\x80", 0},                                     /* > U+10FFFF */
      {"\x80", 0},          {"a\xff" "b", 0},     {"\xe1\x41\x41", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    CHECK_EQ(mc_dom_utf8(cases[i].s, strlen(cases[i].s)), cases[i].ok);
  char out[32];
  CHECK_EQ(mc_val_str(out, sizeof out, "Hà Tĩnh", 1), 0);
  CHECK_EQ(mc_val_str(out, sizeof out, "H\xe0 T", 1), MC_EINVAL);
}

/* ---- the transition table, exhaustively ---------------------------------- */

/* Where the actor stands: written from docs/WORKFLOW.md ("Level
 * boundaries"), independently of the rows of actions.c. */
enum ctx { K_OWN_C, K_OWN_D, K_INTAKE, K_UP_CENTRE, K_UP_RECV, K_BACK_RECV, K_BACK_CENTRE,
           K_OTHER, K__N };

static void place(int k, int status, mc_dossier *d, mc_actor *who) {
  static const struct { const char *unit, *fwd, *holder, *actor; int level; mc_role role; } t[] = {
      [K_OWN_C] = {"18499", "", "18499", "18499", MC_LEVEL_COMMUNE, MC_ROLE_COMMUNE},
      [K_OWN_D] = {"444", "", "444", "444", MC_LEVEL_DISTRICT, MC_ROLE_DISTRICT},
      [K_INTAKE] = {"18499", "", "18499", "18499", MC_LEVEL_DISTRICT, MC_ROLE_COMMUNE},
      [K_UP_CENTRE] = {"18499", "444", "444", "444", MC_LEVEL_DISTRICT, MC_ROLE_DISTRICT},
      [K_UP_RECV] = {"18499", "444", "444", "18499", MC_LEVEL_DISTRICT, MC_ROLE_COMMUNE},
      [K_BACK_RECV] = {"18499", "444", "18499", "18499", MC_LEVEL_DISTRICT, MC_ROLE_COMMUNE},
      [K_BACK_CENTRE] = {"18499", "444", "18499", "444", MC_LEVEL_DISTRICT, MC_ROLE_DISTRICT},
      [K_OTHER] = {"18499", "", "18499", "18502", MC_LEVEL_DISTRICT, MC_ROLE_COMMUNE},
  };
  *d = dossier(t[k].unit, t[k].fwd, t[k].level, status);
  strcpy(d->holder_unit, t[k].holder);
  d->due_at_ms = vn(2026, 12, 10, 17, 0);
  *who = peer(t[k].actor, t[k].role);
}

#define B(x) (1u << (x))
#define OPEN (B(1) | B(2) | B(4) | B(5) | B(6))
/* Allowed statuses per action and place (0 = never). */
static unsigned allowed(int action, int k) {
  int own = k == K_OWN_C || k == K_OWN_D;
  switch (action) {
  case MC_ACT_ACCEPT: return own || k == K_UP_CENTRE ? B(2) : 0;
  case MC_ACT_ASSIGN: return k == K_OWN_D || k == K_UP_CENTRE ? B(2) | B(4) : 0;
  case MC_ACT_RESULT: return own || k == K_UP_CENTRE ? B(4) : 0;
  case MC_ACT_SEND_BACK: return k == K_UP_CENTRE ? B(3) | B(7) | B(8) | B(9) : 0;
  case MC_ACT_SUPPLEMENT_REQUEST:
    return own || k == K_UP_CENTRE ? B(2) | B(4) : k == K_INTAKE ? B(2) : 0;
  case MC_ACT_SUPPLEMENT: return k == K_OTHER || k >= K_BACK_RECV ? 0 : B(5);
  case MC_ACT_FEE_REQUEST: return own || k == K_UP_CENTRE ? B(4) : 0;
  case MC_ACT_FEE_PAID: return own || k == K_UP_CENTRE || k == K_UP_RECV ? B(6) : 0;
  case MC_ACT_REFUSE: return own || k == K_UP_CENTRE || k == K_INTAKE ? B(1) | B(2) : 0;
  case MC_ACT_STOP: return own || k == K_UP_CENTRE ? B(4) | B(5) | B(6) : 0;
  case MC_ACT_WITHDRAW:
    return own || k == K_UP_CENTRE || k == K_UP_RECV ? OPEN : k == K_INTAKE ? B(1) | B(2) | B(5) : 0;
  case MC_ACT_RESCHEDULE: return own || k == K_UP_CENTRE ? OPEN & ~B(1) : 0;
  case MC_ACT_RETURN: return own || k == K_BACK_RECV ? B(9) : 0;
  case MC_ACT_RATE: return own || k == K_BACK_RECV ? B(10) : 0;
  case MC_ACT_FORWARD: return k == K_INTAKE ? B(2) : 0;
  case MC_ACT_PROPOSE: return own || k == K_UP_CENTRE ? B(4) : 0;
  }
  return 0;
}

static int decide(mc_dossier *d, mc_actor *who, int action, mc_change *c, const char **rule) {
  mc_calendar cal = cal_plain();
  mc_action_args in = {.action = action, .now_ms = vn(2026, 12, 1, 9, 0),
                       .new_due_ms = vn(2026, 12, 21, 17, 0), .rating = 2}; /* a Monday */
  return mc_wf_decide(&cal, d, "444", who, &in, c, rule);
}

/* Every cell: action x place x status. Allowed ones succeed; others are
 * refused with a rule id ("rule.") in the detail; a status the place
 * allows elsewhere is bad_state; a commune acting before the forward on
 * what only the district may do is wrong_level. Admin: always forbidden. */
static void test_transition_table(void) {
  for (int act = 1; act <= MC_ACT_MAX; act++) {
    for (int k = 0; k < K__N; k++) {
      for (int st = 1; st <= 10; st++) {
        mc_dossier d;
        mc_actor who, admin = peer("admin", MC_ROLE_ADMIN);
        mc_change c;
        const char *rule = NULL;
        place(k, st, &d, &who);
        int rc = decide(&d, &who, act, &c, &rule);
        unsigned ok = allowed(act, k);
        int want = (ok >> st) & 1 ? 0 : ok ? MC_EBADSTATE : -1;
        int bad = want == -1 ? rc == 0 : rc != want;
        if (bad)
          fprintf(stderr, "action %s place %d status %d: rc=%d rule=%s\n", mc_action_name(act),
                  k, st, rc, rule ? rule : "-");
        CHECK(!bad);
        if (rc != 0) CHECK(rule != NULL && strncmp(rule, "rule.", 5) == 0 && strlen(rule) < 128);
        if (want == -1 && k == K_INTAKE &&
            (act == MC_ACT_ACCEPT || act == MC_ACT_RESULT || act == MC_ACT_RETURN))
          CHECK_EQ(rc, MC_EWRONGLEVEL);
        CHECK_EQ(decide(&d, &admin, act, &c, &rule), MC_EFORBIDDEN);
      }
    }
  }
  /* Statuses each successful action leads to. */
  static const int to[][4] = {{MC_ACT_ACCEPT, K_UP_CENTRE, 2, 4}, {MC_ACT_RESULT, K_OWN_C, 4, 9},
                              {MC_ACT_SUPPLEMENT_REQUEST, K_INTAKE, 2, 5},
                              {MC_ACT_SUPPLEMENT, K_INTAKE, 5, 2}, /* intake: back to 2 */
                              {MC_ACT_SUPPLEMENT, K_UP_RECV, 5, 4},
                              {MC_ACT_SUPPLEMENT, K_OWN_C, 5, 4},
                              {MC_ACT_FEE_REQUEST, K_UP_CENTRE, 4, 6}, {MC_ACT_REFUSE, K_INTAKE, 2, 3},
                              {MC_ACT_STOP, K_OWN_D, 4, 8}, {MC_ACT_WITHDRAW, K_UP_RECV, 4, 7},
                              {MC_ACT_RETURN, K_BACK_RECV, 9, 10}, {MC_ACT_FORWARD, K_INTAKE, 2, 2}};
  for (size_t i = 0; i < sizeof to / sizeof to[0]; i++) {
    mc_dossier d;
    mc_actor who;
    mc_change c;
    const char *rule;
    place(to[i][1], to[i][2], &d, &who);
    CHECK_EQ(decide(&d, &who, to[i][0], &c, &rule), 0);
    CHECK_EQ(c.status_after, to[i][3]);
  }
}

static void test_who_and_moves(void) {
  mc_dossier d = dossier("18499", "", MC_LEVEL_DISTRICT, MC_ST_RECEIVED);
  mc_actor a = peer("18499", MC_ROLE_COMMUNE), dist = peer("444", MC_ROLE_DISTRICT);
  mc_change c;
  const char *rule;
  /* forward moves the holder up and tells the district */
  CHECK_EQ(decide(&d, &a, MC_ACT_FORWARD, &c, &rule), 0);
  CHECK_STREQ(c.holder_after, "444");
  CHECK_STREQ(c.to_unit, "444");
  CHECK_STREQ(c.from_unit, "18499");
  CHECK_STREQ(c.notify_unit, "444");
  /* the district cannot act on it before it is forwarded */
  CHECK_EQ(decide(&d, &dist, MC_ACT_ACCEPT, &c, &rule), MC_EFORBIDDEN);
  /* a commune-level dossier is never forwarded */
  mc_dossier cl = dossier("18499", "", MC_LEVEL_COMMUNE, MC_ST_RECEIVED);
  CHECK_EQ(decide(&cl, &a, MC_ACT_FORWARD, &c, &rule), MC_EWRONGLEVEL);
  /* forwarded: district accepts; the commune supplies a supplement it asked for */
  mc_dossier f = dossier("18499", "444", MC_LEVEL_DISTRICT, MC_ST_RECEIVED);
  CHECK_EQ(decide(&f, &dist, MC_ACT_ACCEPT, &c, &rule), 0);
  CHECK_STREQ(c.notify_unit, "18499");
  CHECK_EQ(decide(&f, &a, MC_ACT_ACCEPT, &c, &rule), MC_EFORBIDDEN);
  f.status = MC_ST_SUPPLEMENT;
  f.paused_at_ms = vn(2026, 11, 30, 9, 0);
  CHECK_EQ(decide(&f, &a, MC_ACT_SUPPLEMENT, &c, &rule), 0);
  CHECK_STREQ(c.notify_unit, "444");
  /* send back returns the holder to the receiving commune */
  f.status = MC_ST_RESOLVED;
  f.paused_at_ms = 0;
  CHECK_EQ(decide(&f, &dist, MC_ACT_SEND_BACK, &c, &rule), 0);
  CHECK_STREQ(c.holder_after, "18499");
  CHECK_EQ(c.status_after, MC_ST_RESOLVED);
  /* return needs the dossier back in the commune's hands */
  CHECK_EQ(decide(&f, &a, MC_ACT_RETURN, &c, &rule), MC_EFORBIDDEN);
  /* a commune may not send back */
  CHECK_EQ(decide(&f, &a, MC_ACT_SEND_BACK, &c, &rule), MC_EFORBIDDEN);
}

static void test_clock(void) {
  mc_calendar cal = cal_plain();
  mc_dossier d = dossier("18499", "", MC_LEVEL_COMMUNE, MC_ST_PROCESSING);
  mc_actor a = peer("18499", MC_ROLE_COMMUNE);
  d.due_at_ms = vn(2026, 12, 2, 17, 0); /* Wednesday */
  mc_change c;
  const char *rule;
  mc_action_args in = {.action = MC_ACT_SUPPLEMENT_REQUEST, .now_ms = vn(2026, 11, 30, 10, 0)};
  CHECK_EQ(mc_wf_decide(&cal, &d, "444", &a, &in, &c, &rule), 0);
  CHECK_EQ(c.paused_at_after_ms, in.now_ms);
  CHECK_EQ(c.supplement_inc, 1);
  CHECK_EQ(c.due_after_ms, d.due_at_ms);
  /* resumed two days later: the due time moves two days, to Friday */
  d.status = MC_ST_SUPPLEMENT;
  d.paused_at_ms = in.now_ms;
  in = (mc_action_args){.action = MC_ACT_SUPPLEMENT, .now_ms = vn(2026, 12, 2, 10, 0)};
  CHECK_EQ(mc_wf_decide(&cal, &d, "444", &a, &in, &c, &rule), 0);
  CHECK_EQ(c.paused_at_after_ms, 0);
  CHECK_EQ(c.due_after_ms, vn(2026, 12, 4, 17, 0));
  /* issue 14: a pause spanning the weekend moves the due time by the
   * working time it lasted (Friday 10:00-17:00 = 7 h), not by 2 days */
  d.paused_at_ms = vn(2026, 11, 27, 10, 0); /* Friday */
  d.due_at_ms = vn(2026, 12, 3, 17, 0);     /* Thursday */
  in.now_ms = vn(2026, 11, 29, 10, 0);      /* Sunday */
  CHECK_EQ(mc_wf_decide(&cal, &d, "444", &a, &in, &c, &rule), 0);
  CHECK_EQ(c.due_after_ms, vn(2026, 12, 4, 14, 30));
  /* overdue is derived: paused before due is not overdue, a second supplement is */
  mc_dossier o = dossier("18499", "", MC_LEVEL_COMMUNE, MC_ST_SUPPLEMENT);
  o.due_at_ms = vn(2026, 12, 2, 17, 0);
  o.paused_at_ms = vn(2026, 12, 1, 9, 0);
  CHECK(!mc_wf_overdue(&o, vn(2026, 12, 20, 9, 0)));
  o.supplement_count = 2;
  CHECK(mc_wf_overdue(&o, vn(2026, 12, 1, 9, 0)));
  o.supplement_count = 1;
  o.paused_at_ms = 0;
  CHECK(mc_wf_overdue(&o, vn(2026, 12, 2, 17, 1)));
  o.finished_at_ms = vn(2026, 12, 2, 16, 0);
  CHECK(!mc_wf_overdue(&o, vn(2026, 12, 20, 9, 0)));
  /* step results */
  CHECK_STREQ(mc_wf_step_result(&cal, vn(2026, 12, 1, 9, 0), vn(2026, 12, 2, 17, 0), 0), "early");
  CHECK_STREQ(mc_wf_step_result(&cal, vn(2026, 12, 2, 9, 0), vn(2026, 12, 2, 17, 0), 1), "on_time");
  CHECK_STREQ(mc_wf_step_result(&cal, vn(2026, 12, 2, 17, 1), vn(2026, 12, 2, 17, 0), 0), "late");
  /* issue 14: from a second supplement request on, the dossier is late */
  CHECK_STREQ(mc_wf_step_result(&cal, vn(2026, 12, 1, 9, 0), vn(2026, 12, 2, 17, 0), 2), "late");
  o = dossier("18499", "", MC_LEVEL_COMMUNE, MC_ST_PROCESSING);
  o.due_at_ms = vn(2026, 12, 10, 17, 0);
  o.supplement_count = 1;
  in = (mc_action_args){.action = MC_ACT_SUPPLEMENT_REQUEST, .now_ms = vn(2026, 12, 1, 9, 0)};
  CHECK_EQ(mc_wf_decide(&cal, &o, "444", &a, &in, &c, &rule), 0);
  CHECK_STREQ(c.result, "late");
  o.supplement_count = 0;
  CHECK_EQ(mc_wf_decide(&cal, &o, "444", &a, &in, &c, &rule), 0);
  CHECK_STREQ(c.result, "early");
}

static void test_once_only(void) {
  mc_calendar cal = cal_plain();
  mc_dossier d = dossier("18499", "", MC_LEVEL_COMMUNE, MC_ST_PROCESSING);
  mc_actor a = peer("18499", MC_ROLE_COMMUNE);
  d.due_at_ms = vn(2026, 12, 2, 17, 0);
  mc_change c;
  const char *rule;
  mc_action_args in = {.action = MC_ACT_RESCHEDULE, .now_ms = vn(2026, 12, 3, 9, 0),
                       .new_due_ms = vn(2026, 12, 8, 17, 0)};
  CHECK_EQ(mc_wf_decide(&cal, &d, "444", &a, &in, &c, &rule), 0);
  CHECK_EQ(c.due_after_ms, in.new_due_ms);
  CHECK_EQ(c.set_rescheduled, 1);
  d.rescheduled = 1;
  CHECK_EQ(mc_wf_decide(&cal, &d, "444", &a, &in, &c, &rule), MC_EBADSTATE);
  d.rescheduled = 0;
  in.new_due_ms = vn(2026, 12, 1, 17, 0); /* earlier than the current appointment */
  CHECK_EQ(mc_wf_decide(&cal, &d, "444", &a, &in, &c, &rule), MC_EINVAL);
  /* W5: at most 5 years ahead, whatever the request says (from a Tuesday
   * 09:00 the limit is Friday 2031-12-05 09:00, a working day in hours) */
  in.now_ms = vn(2026, 12, 1, 9, 0);
  in.new_due_ms = in.now_ms + MC_LIM_RESCHEDULE_AHEAD_MS;
  CHECK_EQ(mc_wf_decide(&cal, &d, "444", &a, &in, &c, &rule), 0);
  in.new_due_ms = in.now_ms + MC_LIM_RESCHEDULE_AHEAD_MS + 1;
  CHECK_EQ(mc_wf_decide(&cal, &d, "444", &a, &in, &c, &rule), MC_EINVAL);
  CHECK(rule != NULL && strstr(rule, "code") == NULL);
  in.new_due_ms = 253402300800000LL; /* 10000-01-01 */
  CHECK_EQ(mc_wf_decide(&cal, &d, "444", &a, &in, &c, &rule), MC_EINVAL);
  d.status = MC_ST_RETURNED;
  in = (mc_action_args){.action = MC_ACT_RATE, .now_ms = vn(2026, 12, 3, 9, 0), .rating = 3};
  CHECK_EQ(mc_wf_decide(&cal, &d, "444", &a, &in, &c, &rule), 0);
  in.rating = 4;
  CHECK_EQ(mc_wf_decide(&cal, &d, "444", &a, &in, &c, &rule), MC_EINVAL);
  in.rating = 2;
  d.rating = 3;
  CHECK_EQ(mc_wf_decide(&cal, &d, "444", &a, &in, &c, &rule), MC_EBADSTATE);
  CHECK(strcmp(mc_action_name(MC_ACT_SEND_BACK), "send_back") == 0);
  CHECK(mc_action_name(99) == NULL);
}

/* HelloReply.units: commune = itself + its centre; centre = itself and
 * everything under it; admin = all. */
static void test_units_visible(void) {
  mc_unit u[4] = {
      {.code = "444", .role = MC_ROLE_DISTRICT},
      {.code = "18499", .parent = "444", .role = MC_ROLE_COMMUNE},
      {.code = "18502", .parent = "444", .role = MC_ROLE_COMMUNE},
      {.code = "999", .role = MC_ROLE_DISTRICT}, /* another centre */
  };
  const mc_unit *out[4];
  mc_actor a = peer("18499", MC_ROLE_COMMUNE), d = peer("444", MC_ROLE_DISTRICT);
  mc_actor admin = peer("admin", MC_ROLE_ADMIN), stranger = peer("1", MC_ROLE_COMMUNE);
  CHECK_EQ(mc_wf_units_visible(u, 4, &a, out, 4), 2);
  CHECK(out[0] == &u[0] && out[1] == &u[1]);
  CHECK_EQ(mc_wf_units_visible(u, 4, &d, out, 4), 3);
  CHECK(out[0] == &u[0] && out[1] == &u[1] && out[2] == &u[2]);
  CHECK_EQ(mc_wf_units_visible(u, 4, &admin, out, 4), 4);
  CHECK_EQ(mc_wf_units_visible(u, 4, &admin, out, 2), 2); /* bounded by cap */
  CHECK_EQ(mc_wf_units_visible(u, 4, &stranger, out, 4), 0);
}

/* W4, W5: what reaches a handler from Hello and actions. */
/* RegisterRequest and HoursRequest bounds (issue 14). */
static void test_register_hours_values(void) {
  Motcua__RegisterRequest r = MOTCUA__REGISTER_REQUEST__INIT;
  mc_register_query q;
  const char *field = NULL;
  r.from = "2026-12-01";
  r.to = "2026-12-31";
  CHECK_EQ(mc_val_register(&r, &q, &field), 0);
  CHECK(q.to_day - q.from_day == 30 && q.limit == MC_VAL_REGISTER_PAGE && q.after_no == 0);
  r.cursor = "2026:417";
  r.limit = 200;
  CHECK_EQ(mc_val_register(&r, &q, &field), 0);
  CHECK(q.after_year == 2026 && q.after_no == 417 && q.limit == 200);
  r.limit = 201;
  CHECK_EQ(mc_val_register(&r, &q, &field), MC_EINVAL);
  CHECK(strcmp(field, "limit") == 0);
  r.limit = 0;
  const char *bad_cursors[] = {"2026", "2026:", "26:1", "2026:0", "2026:1x", "2026:-1",
                               "2026:1234567890", "x026:1"};
  for (size_t i = 0; i < sizeof bad_cursors / sizeof bad_cursors[0]; i++) {
    r.cursor = (char *)bad_cursors[i];
    CHECK_EQ(mc_val_register(&r, &q, &field), MC_EINVAL);
    CHECK(strcmp(field, "cursor") == 0);
  }
  r.cursor = "";
  r.to = "2026-11-30"; /* before from */
  CHECK_EQ(mc_val_register(&r, &q, &field), MC_EINVAL);
  r.from = "2025-11-30";
  r.to = "2026-12-01"; /* 367 days (both count): one too many */
  CHECK_EQ(mc_val_register(&r, &q, &field), MC_EINVAL);
  r.from = "2025-12-01"; /* 366 */
  CHECK_EQ(mc_val_register(&r, &q, &field), 0);
  r.from = "2026-02-30";
  CHECK_EQ(mc_val_register(&r, &q, &field), MC_EINVAL);
  CHECK(strcmp(field, "from") == 0);

  Motcua__HoursRequest h = MOTCUA__HOURS_REQUEST__INIT;
  Motcua__OfficeHours o[5], *op[5];
  mc_work_hours rows[MC_HOURS_SCHEDULES];
  char unit[MC_UNIT_CODE_MAX];
  size_t n;
  for (int i = 0; i < 5; i++) {
    motcua__office_hours__init(&o[i]);
    o[i].valid_from = i == 0 ? "10-15" : "04-15";
    o[i].am_start = "07:30";
    o[i].am_end = "11:30";
    o[i].pm_start = "13:30";
    o[i].pm_end = "17:00";
    op[i] = &o[i];
  }
  h.op = MOTCUA__HOURS_REQUEST__OP__SET;
  h.unit_code = "18499";
  h.n_hours = 2;
  h.hours = op;
  CHECK_EQ(mc_val_hours(&h, unit, rows, &n, &field), 0);
  CHECK(n == 2 && rows[0].valid_from == 415 && rows[1].valid_from == 1015); /* sorted */
  CHECK(rows[0].am_start == 450 && rows[0].pm_end == 1020 && strcmp(unit, "18499") == 0);
  o[0].valid_from = "04-15"; /* the same day twice */
  CHECK_EQ(mc_val_hours(&h, unit, rows, &n, &field), MC_EINVAL);
  o[0].valid_from = "02-30";
  CHECK_EQ(mc_val_hours(&h, unit, rows, &n, &field), MC_EINVAL);
  CHECK(strcmp(field, "valid_from") == 0);
  o[0].valid_from = "02-29";
  o[0].am_end = "13:45"; /* past the afternoon's start */
  CHECK_EQ(mc_val_hours(&h, unit, rows, &n, &field), MC_EINVAL);
  CHECK(strcmp(field, "hours order") == 0);
  o[0].am_end = "24:00";
  CHECK_EQ(mc_val_hours(&h, unit, rows, &n, &field), MC_EINVAL);
  o[0].am_end = "11:30";
  o[0].name = "Mùa hè\nx";
  CHECK_EQ(mc_val_hours(&h, unit, rows, &n, &field), MC_EINVAL);
  o[0].name = "";
  h.n_hours = 5;
  CHECK_EQ(mc_val_hours(&h, unit, rows, &n, &field), MC_EINVAL);
  h.n_hours = 0; /* none: back to the default */
  CHECK_EQ(mc_val_hours(&h, unit, rows, &n, &field), 0);
  CHECK(n == 0);
  h.unit_code = "18'99";
  CHECK_EQ(mc_val_hours(&h, unit, rows, &n, &field), MC_EINVAL);
  h.unit_code = "";
  h.op = MOTCUA__HOURS_REQUEST__OP__LIST;
  h.n_hours = 1;
  CHECK_EQ(mc_val_hours(&h, unit, rows, &n, &field), MC_EINVAL);
  h.n_hours = 0;
  CHECK_EQ(mc_val_hours(&h, unit, rows, &n, &field), 0);
  CHECK(unit[0] == '\0');
  h.op = 7;
  CHECK_EQ(mc_val_hours(&h, unit, rows, &n, &field), MC_EINVAL);
}

static void test_peer_values(void) {
  char v[33], line[MC_PERSON_NAME_MAX];
  CHECK_EQ(mc_val_client_version(v, sizeof v, "motcua-cli 1.4.2"), 0);
  CHECK(strcmp(v, "motcua-cli 1.4.2") == 0);
  CHECK_EQ(mc_val_client_version(v, sizeof v, NULL), 0);
  CHECK(v[0] == '\0');
  CHECK_EQ(mc_val_client_version(v, sizeof v, "evil\x1b[2J"), MC_EINVAL);
  CHECK_EQ(mc_val_client_version(v, sizeof v, "bell\x07"), MC_EINVAL);
  CHECK_EQ(mc_val_client_version(v, sizeof v, "del\x7f"), MC_EINVAL);
  CHECK_EQ(mc_val_client_version(v, sizeof v, "phi\xc3\xaan b\xe1\xba\xa3n"), MC_EINVAL);
  CHECK_EQ(mc_val_client_version(v, sizeof v, "0123456789012345678901234567890123"), MC_EINVAL);
  CHECK_EQ(mc_val_client_version(v, 4, "12345"), MC_EINVAL);
  CHECK_EQ(mc_val_line(line, sizeof line, "Nguy\xe1\xbb\x85n V\xc4\x83n B\xc3\xacnh", 1), 0);
  CHECK_EQ(mc_val_line(line, sizeof line, "Nguy\xe1\xbb\x85n\nV\xc4\x83n", 1), MC_EINVAL);
  CHECK_EQ(mc_val_line(line, sizeof line, "Nguy\xe1\xbb\x85n \xe2\x80\xaeV\xc4\x83n", 1), MC_EINVAL);
  CHECK_EQ(mc_val_line(line, sizeof line, "", 1), MC_EINVAL);
  CHECK_EQ(mc_val_line(line, sizeof line, "", 0), 0);

  /* reschedule's date: after 1970, not after 2100-01-01 */
  Motcua__ActionRequest q = MOTCUA__ACTION_REQUEST__INIT;
  mc_action_fields f;
  const char *field = NULL;
  q.idempotency_key = "key-12345678";
  q.code = "H30.44.01-261203-0001";
  q.action = MOTCUA__ACTION__ACTION_RESCHEDULE;
  q.reason = "H\xe1\xba\xb9n l\xe1\xba\xa1i";
  q.new_due_ms = MC_LIM_TIME_MAX_MS;
  CHECK_EQ(mc_val_action(&q, &f, &field), 0);
  q.new_due_ms = MC_LIM_TIME_MAX_MS + 1;
  CHECK_EQ(mc_val_action(&q, &f, &field), MC_EINVAL);
  CHECK(field != NULL && strcmp(field, "new_due") == 0);
  q.new_due_ms = -4102444800000LL;
  CHECK_EQ(mc_val_action(&q, &f, &field), MC_EINVAL);
  q.new_due_ms = 9223372036854775807LL;
  CHECK_EQ(mc_val_action(&q, &f, &field), MC_EINVAL);
  q.new_due_ms = MC_LIM_TIME_MAX_MS;
  q.officer = "C\xc3\xa1n b\xe1\xbb\x99\nrole=admin"; /* a forged log field */
  CHECK_EQ(mc_val_action(&q, &f, &field), MC_EINVAL);
  CHECK(strcmp(field, "officer") == 0);
}

/* P1: the canonical text differs whenever a field the peer chose differs,
 * and cannot be confused by moving bytes between fields. */
static void test_fingerprint_canon(void) {
  mc_receive_fields a, b;
  memset(&a, 0, sizeof a);
  snprintf(a.applicant.name, sizeof a.applicant.name, "L\xc3\xaa V\xc4\x83n M\xe1\xbb\x99t");
  snprintf(a.applicant.id_number, sizeof a.applicant.id_number, "042190001234");
  snprintf(a.procedure_code, sizeof a.procedure_code, "1.000894");
  a.channel = MC_CH_DIRECT;
  b = a;
  char ca[MC_VAL_CANON_MAX], cb[MC_VAL_CANON_MAX];
  CHECK(mc_val_receive_canon(&a, ca, sizeof ca) > 0);
  CHECK(mc_val_receive_canon(&b, cb, sizeof cb) > 0);
  CHECK(strcmp(ca, cb) == 0);
  snprintf(b.applicant.name, sizeof b.applicant.name, "Tr\xe1\xba\xa7n Th\xe1\xbb\x8b Hai");
  mc_val_receive_canon(&b, cb, sizeof cb);
  CHECK(strcmp(ca, cb) != 0);
  b = a;
  b.channel = MC_CH_POSTAL;
  mc_val_receive_canon(&b, cb, sizeof cb);
  CHECK(strcmp(ca, cb) != 0);
  /* "ab" + "" vs "a" + "b": length prefixes keep them apart */
  mc_receive_fields x = a, y = a;
  snprintf(x.applicant.phone, sizeof x.applicant.phone, "12");
  snprintf(x.officer, sizeof x.officer, "%s", "");
  snprintf(y.applicant.phone, sizeof y.applicant.phone, "1");
  snprintf(y.officer, sizeof y.officer, "2");
  mc_val_receive_canon(&x, ca, sizeof ca);
  mc_val_receive_canon(&y, cb, sizeof cb);
  CHECK(strcmp(ca, cb) != 0);
  CHECK_EQ(mc_val_receive_canon(&a, ca, 10), MC_ETOOBIG);
  /* the largest request fits */
  mc_action_fields f;
  memset(&f, 'x', sizeof f);
  f.code[sizeof f.code - 1] = f.officer[sizeof f.officer - 1] = '\0';
  f.detail[sizeof f.detail - 1] = f.to_officer[sizeof f.to_officer - 1] = '\0';
  f.department[sizeof f.department - 1] = f.collected_by[sizeof f.collected_by - 1] = '\0';
  f.action = MC_ACT_ASSIGN;
  f.amount = f.new_due_ms = -9223372036854775807LL;
  CHECK(mc_val_action_canon(&f, ca, sizeof ca) > 0);
  mc_action_fields g = f;
  g.rating = f.rating + 1;
  mc_val_action_canon(&g, cb, sizeof cb);
  CHECK(strcmp(ca, cb) != 0);
}

/* Issue 15: the officer roles of the table. With the unit role and the
 * status right, an officer without the row's role is refused with
 * rule.officer_role (forbidden); one with it passes. */
static void test_officer_roles(void) {
  static const struct {
    int k, status, action;
    unsigned ok, no;
  } cells[] = {
      {K_OWN_C, 2, MC_ACT_ACCEPT, MC_OFF_RECEIVING, MC_OFF_LEADER},
      {K_OWN_C, 4, MC_ACT_PROPOSE, MC_OFF_PROCESSING, MC_OFF_RECEIVING},
      {K_OWN_C, 4, MC_ACT_RESULT, MC_OFF_LEADER, MC_OFF_PROCESSING},
      {K_OWN_C, 2, MC_ACT_SUPPLEMENT_REQUEST, MC_OFF_RECEIVING, MC_OFF_PROCESSING},
      {K_OWN_C, 4, MC_ACT_SUPPLEMENT_REQUEST, MC_OFF_PROCESSING, MC_OFF_RECEIVING},
      {K_OWN_C, 4, MC_ACT_FEE_REQUEST, MC_OFF_PROCESSING, MC_OFF_LEADER},
      {K_OWN_C, 4, MC_ACT_STOP, MC_OFF_LEADER, MC_OFF_RECEIVING},
      {K_OWN_C, 4, MC_ACT_RESCHEDULE, MC_OFF_LEADER, MC_OFF_PROCESSING},
      {K_OWN_C, 9, MC_ACT_RETURN, MC_OFF_RECEIVING, MC_OFF_LEADER},
      {K_INTAKE, 2, MC_ACT_FORWARD, MC_OFF_RECEIVING, MC_OFF_UNIT_ADMIN},
      {K_UP_CENTRE, 2, MC_ACT_ACCEPT, MC_OFF_RECEIVING, MC_OFF_PROCESSING},
      {K_UP_CENTRE, 4, MC_ACT_ASSIGN, MC_OFF_LEADER, MC_OFF_PROCESSING},
      {K_UP_CENTRE, 2, MC_ACT_REFUSE, MC_OFF_LEADER, MC_OFF_RECEIVING},
      {K_UP_CENTRE, 9, MC_ACT_SEND_BACK, MC_OFF_RECEIVING, MC_OFF_LEADER},
  };
  for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
    mc_dossier d;
    mc_actor who;
    mc_change c;
    const char *rule = NULL;
    place(cells[i].k, cells[i].status, &d, &who);
    who.officer_roles = cells[i].ok;
    CHECK_EQ(decide(&d, &who, cells[i].action, &c, &rule), 0);
    who.officer_roles = cells[i].no;
    CHECK_EQ(decide(&d, &who, cells[i].action, &c, &rule), MC_EFORBIDDEN);
    CHECK(rule != NULL && strncmp(rule, "rule.officer_role:", 18) == 0 && strlen(rule) < 128);
    who.officer_roles = 0;
    CHECK_EQ(decide(&d, &who, cells[i].action, &c, &rule), MC_EFORBIDDEN);
  }
  /* the status rule still comes first: a leader's result at status 2 */
  mc_dossier d;
  mc_actor who;
  mc_change c;
  const char *rule = NULL;
  place(K_OWN_C, 2, &d, &who);
  who.officer_roles = MC_OFF_RECEIVING;
  CHECK_EQ(decide(&d, &who, MC_ACT_RESULT, &c, &rule), MC_EBADSTATE);
  /* requests that are not transitions */
  CHECK_EQ(mc_wf_officer_may(MC_OP_RECEIVE, MC_OFF_RECEIVING, &rule), 0);
  CHECK_EQ(mc_wf_officer_may(MC_OP_RECEIVE, MC_OFF_LEADER, &rule), MC_EFORBIDDEN);
  CHECK_EQ(mc_wf_officer_may(MC_OP_UPLOAD_RESULT, MC_OFF_PROCESSING, &rule), 0);
  CHECK_EQ(mc_wf_officer_may(MC_OP_UPLOAD_RESULT, MC_OFF_RECEIVING, &rule), MC_EFORBIDDEN);
  CHECK_EQ(mc_wf_officer_may(MC_OP_CALENDAR, MC_OFF_UNIT_ADMIN, &rule), 0);
  CHECK_EQ(mc_wf_officer_may(MC_OP_CALENDAR, MC_OFF_ALL_ROLES & ~MC_OFF_UNIT_ADMIN, &rule),
           MC_EFORBIDDEN);
}

/* ---- the actions an officer may take now (DossierReply.actions) ---------- */

/* mc_wf_actions_now offers exactly what mc_wf_decide then allows with
 * valid arguments, in every cell (place x status x officer roles x the
 * once-only flags): one table, asked two ways. */
static void test_actions_now_match_decide(void) {
  static const unsigned roles[] = {0, MC_OFF_RECEIVING, MC_OFF_PROCESSING, MC_OFF_LEADER,
                                   MC_OFF_UNIT_ADMIN, MC_OFF_ALL_ROLES};
  size_t offered = 0;
  for (int k = 0; k < K__N; k++)
    for (int st = 1; st <= 10; st++)
      for (size_t r = 0; r < sizeof roles / sizeof roles[0]; r++)
        for (int once = 0; once < 2; once++) {
          mc_dossier d;
          mc_actor who;
          place(k, st, &d, &who);
          who.officer_roles = roles[r];
          d.rescheduled = d.rating = once ? 1 : 0;
          int acts[MC_ACT_MAX];
          size_t n = mc_wf_actions_now(&d, "444", &who, acts, MC_ACT_MAX);
          unsigned got = 0, want = 0;
          for (size_t i = 0; i < n; i++) got |= 1u << acts[i];
          for (size_t i = 1; i < n; i++) CHECK(acts[i - 1] < acts[i]);
          for (int a = 1; a <= MC_ACT_MAX; a++) {
            mc_change c;
            const char *rule = NULL;
            if (decide(&d, &who, a, &c, &rule) == 0) want |= 1u << a;
          }
          if (got != want)
            fprintf(stderr, "place %d status %d roles %#x once %d: got %#x want %#x\n", k, st,
                    roles[r], once, got, want);
          CHECK_EQ(got, want);
          if (roles[r] == 0) CHECK_EQ(n, 0);
          offered += n;
        }
  CHECK(offered > 100); /* the loops reached the table */
}

static size_t names_now(int k, int status, unsigned roles, const char *parent,
                        const char **out) {
  mc_dossier d;
  mc_actor who;
  place(k, status, &d, &who);
  who.officer_roles = roles;
  int acts[MC_ACT_MAX];
  size_t n = mc_wf_actions_now(&d, parent, &who, acts, MC_ACT_MAX);
  for (size_t i = 0; i < n; i++) out[i] = mc_action_command(acts[i]);
  return n;
}

/* Cells written from docs/WORKFLOW.md, as the desk shows them. */
static void test_actions_now_cells(void) {
  const char *a[MC_ACT_MAX];
  /* a commune's receiving officer, its fresh district-level dossier */
  CHECK_EQ(names_now(K_INTAKE, 2, MC_OFF_RECEIVING, "444", a), 4);
  CHECK_STREQ(a[0], "supplement-request");
  CHECK_STREQ(a[1], "refuse");
  CHECK_STREQ(a[2], "withdraw");
  CHECK_STREQ(a[3], "forward");
  /* no unit above: nothing to forward to */
  CHECK_EQ(names_now(K_INTAKE, 2, MC_OFF_RECEIVING, "", a), 3);
  /* the centre's leader at status 4: sign (result), assign, stop, reschedule */
  CHECK_EQ(names_now(K_UP_CENTRE, 4, MC_OFF_LEADER, "", a), 4);
  CHECK_STREQ(a[0], "assign");
  CHECK_STREQ(a[1], "result");
  CHECK_STREQ(a[2], "stop");
  CHECK_STREQ(a[3], "reschedule");
  /* its processing officer proposes the result */
  CHECK_EQ(names_now(K_UP_CENTRE, 4, MC_OFF_PROCESSING, "", a), 3);
  CHECK_STREQ(a[2], "propose");
  /* sent back: the commune returns; the centre has nothing left */
  CHECK_EQ(names_now(K_BACK_RECV, 9, MC_OFF_ALL_ROLES, "444", a), 1);
  CHECK_STREQ(a[0], "return");
  CHECK_EQ(names_now(K_BACK_CENTRE, 9, MC_OFF_ALL_ROLES, "", a), 0);
  CHECK_EQ(names_now(K_OTHER, 2, MC_OFF_ALL_ROLES, "444", a), 0);
  /* a short out array is filled, never overrun */
  mc_dossier d;
  mc_actor who;
  place(K_OWN_C, 4, &d, &who);
  int one[1];
  CHECK_EQ(mc_wf_actions_now(&d, "444", &who, one, 1), 1);
  CHECK_STREQ(mc_action_command(MC_ACT_SEND_BACK), "send-back");
  CHECK_STREQ(mc_action_command(MC_ACT_FEE_PAID), "fee-paid");
  CHECK(mc_action_command(0) == NULL && mc_action_command(MC_ACT_MAX + 1) == NULL);
}

/* SummaryReply's horizons on the working-day calendar. */
static void test_due_soon_horizon(void) {
  mc_calendar c = cal_plain();
  /* Friday 10:00: Friday and Monday -> Monday's close */
  CHECK_EQ(mc_wf_due_soon_until(&c, vn(2026, 11, 27, 10, 0), 2), vn(2026, 11, 30, 17, 0));
  /* Friday 18:00 (after hours) still counts Friday */
  CHECK_EQ(mc_wf_due_soon_until(&c, vn(2026, 11, 27, 18, 0), 2), vn(2026, 11, 30, 17, 0));
  /* Sunday: Monday and Tuesday */
  CHECK_EQ(mc_wf_due_soon_until(&c, vn(2026, 11, 29, 10, 0), 2), vn(2026, 12, 1, 17, 0));
  /* a Monday holiday pushes it on */
  int32_t h[] = {vday(2026, 11, 30)};
  c.holidays = h;
  c.nholidays = 1;
  CHECK_EQ(mc_wf_due_soon_until(&c, vn(2026, 11, 27, 10, 0), 2), vn(2026, 12, 1, 17, 0));
  CHECK_EQ(mc_wf_due_soon_until(&c, vn(2026, 11, 27, 10, 0), 0), vn(2026, 11, 27, 10, 0));
  int64_t from, to;
  mc_wf_local_day_span(&c, vn(2026, 11, 27, 23, 59), &from, &to);
  CHECK_EQ(from, vn(2026, 11, 27, 0, 0));
  CHECK_EQ(to, vn(2026, 11, 28, 0, 0));
}

/* ListRequest: every filter bounded, the bad one named. */
static void test_list_values(void) {
  Motcua__ListRequest q = MOTCUA__LIST_REQUEST__INIT;
  mc_list_fields f;
  const char *field = NULL;
  CHECK_EQ(mc_val_list(&q, 1000, &f, &field), 0);
  CHECK(f.limit == 100 && f.offset == 0 && f.sort == MC_SORT_RECEIVED && f.desc == 1);
  q.limit = 5000;
  q.offset = MC_LIM_LIST_OFFSET;
  q.sort = "due";
  q.procedure = "1.001193";
  q.sector = "Hộ tịch";
  q.holder_unit = "444";
  q.received_from_ms = vn(2026, 12, 1, 0, 0);
  q.received_to_ms = vn(2026, 12, 2, 0, 0);
  CHECK_EQ(mc_val_list(&q, 1000, &f, &field), 0);
  CHECK(f.limit == 1000 && f.offset == MC_LIM_LIST_OFFSET && f.sort == MC_SORT_DUE && !f.desc);
  CHECK_STREQ(f.sector, "Hộ tịch");
  CHECK_STREQ(f.holder_unit, "444");
  static const struct {
    const char *sort, *proc, *sector, *holder;
    uint32_t offset;
    int64_t rf, rt, df, dt;
    const char *field;
  } bad[] = {
      {"name", "", "", "", 0, 0, 0, 0, 0, "sort"},
      {"--due", "", "", "", 0, 0, 0, 0, 0, "sort"},
      {"", "", "", "", MC_LIM_LIST_OFFSET + 1, 0, 0, 0, 0, "offset"},
      {"", "a b", "", "", 0, 0, 0, 0, 0, "procedure"},
      {"", "", "a\nb", "", 0, 0, 0, 0, 0, "sector"},
      {"", "", "", "4-4", 0, 0, 0, 0, 0, "holder_unit"},
      {"", "", "", "4444444444444444", 0, 0, 0, 0, 0, "holder_unit"},
      {"", "", "", "", 0, 2, 1, 0, 0, "received_to"},
      {"", "", "", "", 0, 5, 5, 0, 0, "received_to"},
      {"", "", "", "", 0, -1, 0, 0, 0, "received_from"},
      {"", "", "", "", 0, 0, MC_LIM_TIME_MAX_MS + 1, 0, 0, "received_to"},
      {"", "", "", "", 0, 0, 0, MC_LIM_TIME_MAX_MS + 1, 0, "due_from"},
      {"", "", "", "", 0, 0, 0, 9, 3, "due_to"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    Motcua__ListRequest b = MOTCUA__LIST_REQUEST__INIT;
    b.sort = (char *)bad[i].sort;
    b.procedure = (char *)bad[i].proc;
    b.sector = (char *)bad[i].sector;
    b.holder_unit = (char *)bad[i].holder;
    b.offset = bad[i].offset;
    b.received_from_ms = bad[i].rf;
    b.received_to_ms = bad[i].rt;
    b.due_from_ms = bad[i].df;
    b.due_to_ms = bad[i].dt;
    field = NULL;
    CHECK_EQ(mc_val_list(&b, 1000, &f, &field), MC_EINVAL);
    CHECK(field != NULL && strcmp(field, bad[i].field) == 0);
  }
}

int main(void) {
  test_peer_values();
  test_register_hours_values();
  test_fingerprint_canon();
  test_working_days();
  test_holidays();
  test_hours_days_months();
  test_dates();
  test_codes();
  test_rules();
  test_applicant();
  test_utf8();
  test_transition_table();
  test_officer_roles();
  test_who_and_moves();
  test_clock();
  test_once_only();
  test_units_visible();
  test_actions_now_match_decide();
  test_actions_now_cells();
  test_due_soon_horizon();
  test_list_values();
  return check_result();
}
