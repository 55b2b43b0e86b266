/* The desk's JSON API requests (docs/DESK.md): method + path + query
 * arguments + body -> one validated request. Pure: no I/O, no clock, no
 * session; every string bounded, every number ranged, every value checked
 * with client/lib/fields.c's rules before anything is sent. Fuzzed by
 * fuzz/fuzz_desk_api.c. */
#ifndef MC_DESK_REQ_H
#define MC_DESK_REQ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain.h"
#include "messages.h"

#define DESK_JSON_MAX (64u << 10)   /* a JSON body */
#define DESK_UPLOAD_MAX (100u << 20) /* a file: the server's default max_file_bytes */
#define DESK_QUERY_MAX 32            /* query arguments kept */
#define DESK_LIST_MAX 100            /* rows of one page */
#define DESK_XLSX_MAX 10000          /* rows of one spreadsheet */
#define DESK_PASSWORD_MAX 256
#define MC_LIM_FILE_NAME_BUF 256     /* proto/file_name.h MC_LIM_FILE_NAME + 1 */

enum desk_method { DESK_GET, DESK_HEAD, DESK_POST, DESK_PUT, DESK_DELETE, DESK_OTHER };

enum desk_route {
  DESK_R_NONE,
  DESK_R_STATIC,     /* /, /app.js, /app.css, /favicon.svg */
  DESK_R_STATE,
  DESK_R_TEXTS,
  DESK_R_LOGIN,
  DESK_R_LOGOUT,
  DESK_R_PASSWD,
  DESK_R_LANG,
  DESK_R_SUMMARY,
  DESK_R_EVENTS,
  DESK_R_PROCEDURES,
  DESK_R_RECEIVE,
  DESK_R_LIST,
  DESK_R_LIST_XLSX,
  DESK_R_SHOW,
  DESK_R_FORWARD,
  DESK_R_ACTION,
  DESK_R_UPLOAD,
  DESK_R_FILE,
  DESK_R_SLIP,
  DESK_R_CANDIDATES,
  DESK_R_OUTBOX,
  DESK_R_REPORT,
};

typedef struct desk_kv {
  const char *key, *value;
} desk_kv;

typedef struct desk_comp {
  unsigned ordinal, count;
  int form; /* Motcua__ComponentForm */
} desk_comp;

/* The list filters (GET /api/dossiers[.xlsx]); "" / 0 = not filtered. */
typedef struct desk_filter {
  unsigned status, offset, limit;
  char procedure[MC_LIM_PROC_CODE + 1];
  char sector[MC_LIM_SECTOR + 1];
  char holder[MC_LIM_UNIT_CODE + 1];
  char sort[16];
  char q[MC_LIM_SEARCH + 1];
  char received_from[11], received_to[11], due_from[11], due_to[11]; /* YYYY-MM-DD */
  int overdue, mine, awaiting_signature;
  unsigned due_within_days;
  char after[MC_LIM_CURSOR + 1]; /* the page after this cursor (reply's "next"; issue 19) */
} desk_filter;

typedef struct desk_req {
  enum desk_route route;
  int method;
  int mutating;    /* POST/PUT/DELETE: CSRF and Origin checked */
  int needs_login; /* an officer session is required */
  char path_file[32]; /* static: "index.html", "app.js", ... */
  char code[MC_LIM_DOSSIER_CODE + 1]; /* the dossier of the path, upper-cased */
  char file[MC_LIM_FILE_NAME_BUF];    /* file name (download, upload) */
  char kind[8];                       /* upload: "scan" | "result" */
  char form[3];                       /* slip: "01".."05" */
  char lang[3];                       /* texts ?lang=, POST /api/lang */
  uint64_t after;                     /* events ?after= */
  char q[MC_LIM_SEARCH + 1];          /* procedures ?q= */
  desk_filter filter;
  char from[11], to[11]; /* report: YYYY-MM-DD */
  int by;                /* report: mc_report_by_parse */
  /* body (POST): strings point into body, which desk_req_free releases */
  json_t *body;
  const char *login, *password, *old_password, *new_password, *idem;
  /* receive */
  const char *procedure, *name, *id_number, *phone, *address, *email, *note;
  int channel;
  unsigned sets;
  desk_comp comps[MC_LIM_COMPONENTS];
  size_t ncomps;
  /* action */
  int action; /* Motcua__Action */
  const char *reason, *to_officer, *department, *collected_by;
  int64_t amount;
  const char *new_due; /* checked with mc_fields_parse_due; sent in the server's zone */
  unsigned rating;
} desk_req;

/* Why a request was refused: HTTP status, error code, catalogue text and
 * the field it names ("" if none). */
typedef struct desk_req_error {
  int status;
  const char *code;
  enum mc_msg msg;
  char field[64];
} desk_req_error;

int desk_method_parse(const char *m);

/* Route and validate. body (len bytes, not NUL-terminated) is read only for
 * POST routes that take JSON (NULL: route, method and query only, as the
 * desk checks a request before its body arrives); PUT uploads stream their
 * body elsewhere.
 * 0, or -1 with e filled; r must be desk_req_free'd either way. */
int desk_req_parse(int method, const char *path, const desk_kv *q, size_t nq, const char *body,
                   size_t len, desk_req *r, desk_req_error *e);
void desk_req_free(desk_req *r);

/* Split a raw query string "a=b&c=%20d" in place (percent and '+'
 * decoded) into at most max pairs; returns how many. */
size_t desk_query_split(char *raw, desk_kv *out, size_t max);

/* The type of an upload from its first bytes: "application/pdf",
 * "image/jpeg", "image/png", "image/tiff", or NULL (refused). */
const char *desk_upload_type(const unsigned char *p, size_t n);

/* A date "YYYY-MM-DD" as ms at 00:00 of that day at offset_min from UTC. */
int64_t desk_day_start_ms(const char iso[11], int offset_min);

#endif
