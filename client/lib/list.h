/* The desk's lists (issue 16): a list as a clerk asks for it, typed value
 * by value and checked here, then the ListRequest built from it; the
 * "today" counts and a dossier's allowed actions rendered. Shared by the
 * CLI (`motcua list`, `motcua today`, `motcua show`) and the web desk, so
 * both accept and refuse the same values with the same messages. Pure:
 * no I/O, never prints. */
#ifndef MC_LIST_H
#define MC_LIST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "domain.h"
#include "messages.h"
#include "motcua.pb-c.h"

/* What a clerk typed, checked (every field bounded); "" / 0 = not
 * filtered. Dates are local days "YYYY-MM-DD", both ends included. */
typedef struct mc_list_query {
  unsigned status;   /* 1..10 */
  unsigned limit;    /* 1..MC_LIM_LIST; 0 = the server's default (100) */
  unsigned offset;   /* 0..MC_LIM_LIST_OFFSET */
  int overdue, mine, awaiting_signature;
  int64_t due_within_ms;
  char sort[16];     /* mc_dom_list_sort's names; "" = newest first */
  char procedure[MC_LIM_PROC_CODE + 1];
  char sector[MC_LIM_SECTOR + 1];
  char holder[MC_LIM_UNIT_CODE + 1];
  char received_from[11], received_to[11], due_from[11], due_to[11];
  char after[MC_LIM_CURSOR + 1]; /* ListReply.next of the previous page; "" = first */
} mc_list_query;

/* One option by its name, with or without the CLI's leading "--" (the
 * desk's parameter names are the same): "status", "limit", "offset", "sort", "after", "procedure", "sector",
 * "holder", "received-from", "received-to", "due-from", "due-to",
 * "due-within"; dates DD/MM/YYYY or YYYY-MM-DD (mc_fields_parse_date).
 * MSG_NONE, or the message saying why value is refused
 * (MSG_ERR_UNKNOWN_OPTION for an unknown name). */
enum mc_msg mc_list_query_set(mc_list_query *q, const char *name, const char *value);
/* 1 if name is one of the options above. */
int mc_list_query_knows(const char *name);
/* The i-th option name as the CLI spells it ("--status"; 0..), NULL past
 * the last: a front-end's parser walks them. Static strings. */
const char *mc_list_query_option(size_t i);
/* Rules across fields: "mine" with "awaiting signature", a range whose
 * start is after its end. MSG_NONE or the message. */
enum mc_msg mc_list_query_check(const mc_list_query *q);
/* A page cursor as a front-end takes it (opaque: 1..MC_LIM_CURSOR
 * printable ASCII bytes, the server checks the rest). MSG_NONE or
 * MSG_ERR_AFTER. */
enum mc_msg mc_list_check_cursor(const char *v);
/* Fill body from q (its strings point into q: keep q while body is used);
 * dates become local midnights at offset_min (the server's zone, render.h),
 * the "to" day included. MSG_NONE, or mc_list_query_check's message. */
enum mc_msg mc_list_request_build(const mc_list_query *q, int offset_min,
                                  Motcua__ListRequest *body);
/* The rows of a reply as "showing first..last of total": 1-based, first
 * = last = 0 when the page is empty. */
void mc_list_page_span(const mc_list_query *q, const Motcua__ListReply *r, unsigned *first,
                       unsigned *last);
/* {"dossiers": [...], "total": N, "total_capped": b, "offset": k, "next":
 * cursor or null, "cut": b}. */
json_t *mc_list_reply_json(const mc_list_query *q, const Motcua__ListReply *r, int lang);
/* A search's page as {"dossiers": [...], "total": N, "total_capped": b,
 * "next": cursor or null, "cut": b} (a list's without "offset"). */
json_t *mc_search_reply_json(const Motcua__ListReply *r, int lang);
/* An inbox page as {"events": [...], "next": cursor or null, "cut": b}. */
json_t *mc_inbox_reply_json(const Motcua__InboxReply *r, int lang);
/* --all: page (a reply object above, reference stolen) added to acc, the
 * first page's object: its rows (rows_key) appended, "next" and "cut"
 * taken from page (those of the last page). Returns acc, or page when acc
 * is NULL. */
json_t *mc_pages_merge_json(json_t *acc, json_t *page, const char *rows_key);
/* inbox --all: 1 if another page may follow this reply. Read with --peek:
 * it carries the next page's cursor; read without (mark_read): it was not
 * empty (the next call takes the oldest unread again, no cursor). */
int mc_inbox_more(const Motcua__InboxReply *r, int peek);
/* SummaryReply as {"to_receive": N, ..., "at": time}. */
json_t *mc_summary_json(const Motcua__SummaryReply *r);
/* DossierReply.actions as a JSON array of command names. */
json_t *mc_actions_json(const Motcua__DossierReply *r);

#endif
