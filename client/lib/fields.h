/* Checks of the values a clerk types, before anything is sent: the rules
 * are proto/domain.h's (the server enforces the same ones); this module
 * maps each fault to the field's own message and parses dates, spans and
 * amounts. Pure: no I/O. */
#ifndef MC_FIELDS_H
#define MC_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "domain.h"
#include "messages.h"

/* Limits are proto/domain.h's MC_LIM_*; the one a holiday's name has no
 * shared constant yet (the server's calendar keeps 127 bytes). */
#define MC_FIELDS_HOLIDAY_NAME_MAX 127

/* Each returns MSG_NONE when valid, else the message explaining why. */
enum mc_msg mc_fields_check_name(const char *s);
enum mc_msg mc_fields_check_citizen_id(const char *s);
enum mc_msg mc_fields_check_phone(const char *s); /* "" allowed (optional) */
enum mc_msg mc_fields_check_procedure(const char *s);
enum mc_msg mc_fields_check_dossier_code(const char *s);
enum mc_msg mc_fields_check_officer(const char *s);
/* The same, "" allowed: since officer accounts (issue 15) the server
 * records the logged-in officer, and the free-text name is optional. */
enum mc_msg mc_fields_check_officer_opt(const char *s);
/* Reason or note: 1..MC_LIM_TEXT bytes of UTF-8, no control characters except
 * newline, not only blanks. */
enum mc_msg mc_fields_check_reason(const char *s);
enum mc_msg mc_fields_check_note(const char *s);
/* Names of people and departments (one line, no controls). */
enum mc_msg mc_fields_check_assignee(const char *s);  /* <= MC_LIM_OFFICER */
enum mc_msg mc_fields_check_department(const char *s);
enum mc_msg mc_fields_check_collector(const char *s); /* <= MC_LIM_PERSON_NAME */
enum mc_msg mc_fields_check_holiday_name(const char *s);
enum mc_msg mc_fields_check_search(const char *s);
/* Parse a decimal in [lo, hi]: 0, or MC_EINVAL. */
int mc_fields_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out);
/* A component handed in: "N[:COUNT[:FORM]]", N 1..MC_LIM_COMPONENTS, COUNT
 * 1..MC_LIM_COMPONENT_COUNT (default 1), FORM original|copy|certified|
 * original_or_copy|present_only (default 0: as published). MC_EINVAL else. */
int mc_fields_parse_component(const char *s, unsigned *ordinal, unsigned *count, int *form);
/* Whole VND amount in 1..MC_LIM_AMOUNT: 0, or MC_EINVAL. */
int mc_fields_parse_amount(const char *s, int64_t *vnd);
/* A real calendar date (years 2000..2100), typed "YYYY-MM-DD" (ISO) or
 * "DD/MM/YYYY" (the form clerks use, as every output prints it): 0, or
 * MC_EINVAL. The one date parser of the client. */
int mc_fields_parse_date(const char *s, int *year, int *month, int *day);
/* The same date as "YYYY-MM-DD" (what the protocol carries): 0 or MC_EINVAL. */
int mc_fields_iso_date(const char *s, char out[11]);
/* Appointment: a date as above (17:00 local), or the date and "HH:MM"
 * after a space ("YYYY-MM-DDTHH:MM" too), local time at offset_min; ms
 * since the epoch; 0 or MC_EINVAL. */
int mc_fields_parse_due(const char *s, int offset_min, int64_t *ms);
/* Span "2d" / "36h" / "90m" (1 .. 366 days) in ms: 0, or MC_EINVAL. */
int mc_fields_parse_span(const char *s, int64_t *ms);

#endif
