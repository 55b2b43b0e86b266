/* Reports (issue 17, docs/REPORTS.md): pure rules over the counts the
 * database returns. Which units a caller's report covers, the period's
 * dates, the identities the counts must satisfy, and the Decision 766
 * figures with their formulas, numerators and denominators. No I/O. */
#ifndef MC_REPORT_H
#define MC_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* The counts of one row, in the column order of SQL mc_report (018) after
 * its three leading columns; MC_RC_HANDLED is derived (mc_report_derive). */
enum mc_rc {
  MC_RC_CARRIED, MC_RC_RECV_DIRECT, MC_RC_RECV_ONLINE, MC_RC_RECV_POSTAL,
  MC_RC_EARLY, MC_RC_ON_TIME, MC_RC_LATE, MC_RC_PENDING_WITHIN, MC_RC_PENDING_OVERDUE,
  MC_RC_RETURNED, MC_RC_WITHDRAWN, MC_RC_REFUSED, MC_RC_STOPPED, MC_RC_SUPPLEMENT,
  MC_RC_ENDED_IN_TIME, MC_RC_WITH_SCANS, MC_RC_UNSATISFIED, MC_RC_RESOLVE_SECONDS,
  MC_RC_SQL_COUNT, /* columns the SQL returns */
  MC_RC_HANDLED = MC_RC_SQL_COUNT,
  MC_RC__COUNT
};

/* The row's count names (the wire's ReportRow field names), by mc_rc. */
const char *mc_report_count_name(int rc);

enum mc_report_by { MC_REPORT_UNIT, MC_REPORT_SECTOR, MC_REPORT_PROCEDURE, MC_REPORT_CHANNEL };
/* "unit", "sector", "procedure", "channel"; NULL if out of range. */
const char *mc_report_by_name(int by);

#define MC_REPORT_KEY_MAX 64
#define MC_REPORT_NAME_MAX 512
#define MC_REPORT_MAX_DAYS 3660 /* a period of at most ten years */

typedef struct mc_report_row {
  char key[MC_REPORT_KEY_MAX];
  char name[MC_REPORT_NAME_MAX];
  int total;
  int64_t c[MC_RC__COUNT];
} mc_report_row;

/* Derived counts (handled). */
void mc_report_derive(mc_report_row *r);

/* 0 when received + carried over = every way a dossier left or stayed in
 * the period, in every row and the total, and the rows add up to the total
 * in every count; else MC_EINTERNAL with *why naming the count. */
int mc_report_check(const mc_report_row *rows, size_t n, const mc_report_row *total,
                    const char **why);

enum mc_rf {
  MC_RF_ON_TIME, MC_RF_OVERDUE, MC_RF_UNSATISFIED, MC_RF_SATISFACTION, MC_RF_AVG_DAYS,
  MC_RF_ONLINE, MC_RF_DIRECT, MC_RF_POSTAL, MC_RF_DIGITISED, MC_RF__COUNT
};

typedef struct mc_report_figure {
  const char *name;    /* static */
  const char *formula; /* static, over the count names */
  int64_t num, den;    /* den 0: undefined, value 0 */
  double value;
} mc_report_figure;

/* The figures of a row (derived counts first). */
void mc_report_figures(const mc_report_row *r, mc_report_figure out[MC_RF__COUNT]);

/* "YYYY-MM-DD" (a real date, years 2000..2199) -> days since 1970-01-01;
 * 0 or MC_EINVAL. */
int mc_report_parse_date(const char *s, int32_t *day);

/* The resolving units a caller's report covers, in catalogue order: a
 * commune itself; a centre itself and every unit whose parent it is;
 * admin every unit. only: one code ("" or NULL = all of them), which must
 * be among them (else MC_EFORBIDDEN). Fills out[0..cap) with pointers
 * into all; *n how many. */
int mc_report_scope(const mc_unit *all, size_t nall, const mc_actor *who, const char *only,
                    const mc_unit **out, size_t cap, size_t *n);

#endif
