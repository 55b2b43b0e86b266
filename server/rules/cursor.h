/* Keyset cursors (issue 19): where the next page of a list, a search or
 * the inbox starts. The server writes the last row's sort key and id into
 * an opaque text (ListReply.next, InboxReply.next); the peer hands it back
 * in `after`, so it is peer input: mc_cursor_decode bounds every part.
 * Pure (no I/O): fuzzed through mc_val_list / mc_val_search.
 *
 * Text: "L<sort><a|d>.<id>.<key>" (list), "S.<id>.<key>" (search, newest
 * first), "I.<id>" (inbox). <sort> is enum mc_dom_sort_key's digit; <id>
 * 1..INT64_MAX in decimal; <key> by sort: received/due the time in
 * microseconds since 1970 (decimal, possibly negative; "n" = no due date),
 * status 1..10, code its bytes in lowercase hex. */
#ifndef MC_CURSOR_H
#define MC_CURSOR_H

#include <stdint.h>

#include "domain.h"

#define MC_CURSOR_MAX (MC_LIM_CURSOR + 1) /* bytes of a cursor text, NUL included */

enum mc_cursor_kind { MC_CURSOR_LIST = 'L', MC_CURSOR_SEARCH = 'S', MC_CURSOR_INBOX = 'I' };

typedef struct mc_cursor {
  int kind;           /* enum mc_cursor_kind; 0 = none (first page) */
  int sort, desc;     /* list: enum mc_dom_sort_key, 1 = descending */
  int64_t id;         /* the last row's id */
  int key_null;       /* due sort: the last row had no due date */
  int64_t key_i;      /* received, due: microseconds; status */
  char key_s[MC_LIM_DOSSIER_CODE + 1]; /* code */
} mc_cursor;

/* Writes c's text into out. 0, or MC_EINVAL (a part out of bounds). */
int mc_cursor_encode(const mc_cursor *c, char out[MC_CURSOR_MAX]);
/* Reads s ("" or NULL: c->kind = 0) into c. 0, or MC_EINVAL for any text
 * mc_cursor_encode cannot have written. */
int mc_cursor_decode(const char *s, mc_cursor *c);
/* The key of c as the store binds it (decimal, "" for a null due date, or
 * the code). */
void mc_cursor_key_text(const mc_cursor *c, char out[MC_LIM_DOSSIER_CODE + 1]);
/* Sets c's key from the store's text of the sort column (decimal
 * microseconds or status, "" = null, or the code). 0 or MC_EINVAL. */
int mc_cursor_set_key(mc_cursor *c, const char *text, int is_null);

#endif
