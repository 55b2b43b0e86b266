/* Official slips as PDF (forms of the 2018 one-stop guidance circular):
 * 01 receipt and appointment, 02 supplement request, 03 refusal,
 * 04 apology and new appointment, 05 process control slip, 06 the register
 * (sổ theo dõi hồ sơ) of a unit for a period. Pure rendering:
 * the caller fetches the dossier and its history; this module only lays
 * them out (libharu, an embedded Unicode TTF, a QR code by libqrencode). */
#ifndef MC_SLIP_H
#define MC_SLIP_H

#include <stddef.h>
#include <stdint.h>

#include "motcua_client.h"

typedef struct mc_slip_step {
  int64_t at_ms;
  const char *from_unit_name;  /* giver (unit name), "" if none */
  const char *to_unit_name;    /* receiver */
  const char *officer;
  const char *action;          /* "forward", "accept", ... */
  int status_after;
  int64_t step_due_ms;
  const char *result;          /* "early" | "on_time" | "late" | "" */
  const char *detail;
} mc_slip_step;

/* One document received (form 01), a component of the procedure's file. */
typedef struct mc_slip_doc {
  const char *name;
  int kind;                    /* 1 original, 2 copy, 3 certified copy, 4 original
                                  or copy, 5 shown only (ComponentForm), 0 unknown */
  int count;                   /* 0 = not stated */
} mc_slip_doc;

/* One dossier of the register (form 06, sổ theo dõi hồ sơ). 0 times and
 * empty strings print an empty cell. */
typedef struct mc_slip_reg_row {
  const char *code;
  int64_t year_seq;            /* number in the unit's yearly register; 0 = unknown */
  const char *procedure_name;
  int sets;
  const char *applicant_name;
  const char *applicant_address;
  const char *applicant_phone;
  const char *handler;         /* unit that resolves it (cơ quan chủ trì) */
  int64_t received_at_ms, due_at_ms, forwarded_at_ms, result_at_ms, returned_at_ms;
  const char *note;
} mc_slip_reg_row;

typedef struct mc_slip_data {
  const char *province;        /* "TỈNH HÀ TĨNH" style header line, may be "" */
  const char *parent_name;     /* the unit's centre, a header line; NULL/"" none */
  const char *unit_name;       /* the issuing unit, e.g. "Xã Điền Mỹ" */
  const char *code;            /* dossier code (printed and as QR) */
  const char *procedure_code;
  const char *procedure_name;
  const char *applicant_name;
  const char *applicant_id;
  const char *applicant_phone;
  const char *officer;         /* officer issuing the slip */
  int status;
  int64_t received_at_ms;
  int64_t due_at_ms;           /* appointment (04: the new one) */
  int64_t old_due_at_ms;       /* 04: the missed appointment; 0 otherwise */
  const char *reason;          /* 02, 03, 04: reason text */
  int utc_offset_min;          /* the server's zone (render.h mc_render_utc_offset) */
  const mc_slip_step *steps;   /* 05 */
  size_t nsteps;
  /* form 01 (Circular 01/2018 form 01); empty/0 prints a dotted space */
  const char *applicant_address;
  const char *applicant_email;
  const char *time_limit;      /* the procedure's legal time limit, as text */
  int sets;                    /* number of sets (bộ) received; 0 = not stated */
  const mc_slip_doc *docs;     /* documents received; NULL/0 = dotted rows */
  size_t ndocs;
  int copy_no;                 /* which copy (liên) 1..9; 0 = not printed */
  int provisional;             /* 01 for a dossier taken while offline: code is
                                  the outbox's provisional number (TAM-...);
                                  marked provisional, no register number */
  const char *missing_reason;  /* why a required component is missing; "" none */
  int64_t year_seq;            /* number in the unit's register for the year
                                  (sổ theo dõi hồ sơ); 0 = unknown: the number
                                  is left blank, never the per-day sequence */
  /* form 06: the register of the issuing unit for a period (landscape);
   * code is then the book's name ("" = derived from the year) */
  const mc_slip_reg_row *rows;
  size_t nrows;
  int64_t period_from_ms, period_to_ms;
  int64_t issued_at_ms;        /* date printed under the national motto;
                                  0 = received_at_ms (set it to "now" for
                                  02, 03, 04) */
} mc_slip_data;

/* Fill sd (and *steps, malloc'ed, the caller frees it; NULL when the
 * history has none) from a dossier's history for form, the way every
 * front-end prints it: the letterhead from the hello's units (the unit
 * issuing it, its centre and their province; without units, the hello's
 * unit name and no province), unit names of the steps from the history
 * (else the hello's units, else the code), the reason and the missed
 * appointment of the latest relevant step, dates in the current zone; for
 * 01 the officer is the one of the log's receive step when it names one.
 * Strings point into h and info (keep them while sd is used); province,
 * when not NULL, overrides the letterhead's. MC_OK, MC_EINVAL (no dossier
 * in h) or MC_ENOMEM. */
int mc_slip_from_history(const Motcua__HistoryReply *h, const mc_client_info *info,
                         const char *form, const char *officer, const char *province,
                         int64_t now_ms, mc_slip_data *sd, mc_slip_step **steps);

/* Form 01's intake from the dossier (show and history send Dossier fields
 * 40-46) and the catalogue (procs, may be NULL): address, e-mail, sets,
 * missing reason, the yearly register number, the procedure's legal time
 * limit (limit_text) and the documents received, each named as its
 * procedure's component of that ordinal (ordinal and form when the
 * catalogue lacks it) in the form received, else the published one; at
 * most cap of them into docs, which sd then points to. Strings point into
 * d and procs. */
void mc_slip_intake(const Motcua__Dossier *d, const Motcua__ProceduresReply *procs,
                    mc_slip_data *sd, mc_slip_doc *docs, size_t cap);

/* Fill sd for a provisional form 01 from a receive still in the outbox:
 * code = the provisional number, the applicant and procedure of the stored
 * request, received at created_ms, no appointment (the server sets it),
 * the letterhead from the hello's units as above. Strings point into req
 * and info. MC_OK or MC_EINVAL (not a receive request). */
#define MC_SLIP_PROVISIONAL_PREFIX "TAM-"   /* outbox.h MC_OUTBOX_PROVISIONAL_PREFIX */
int mc_slip_from_outbox(const Motcua__Envelope *req, const char *provisional,
                        int64_t created_ms, const mc_client_info *info,
                        const char *province, mc_slip_data *sd);

/* ---- form 06: the register (sổ theo dõi hồ sơ) of a period ---- */

/* One row of form 06 from a dossier of RegisterReply: its yearly number,
 * the unit that resolves it (cơ quan chủ trì: the centre for a
 * district-level dossier, else the receiving unit; names from the hello's
 * units), the result time (finished, for a resolved dossier), and the
 * status as a note for a dossier closed without a result (refused,
 * withdrawn, stopped). Strings point into d, info and the catalogue. */
void mc_slip_register_row(const Motcua__Dossier *d, const mc_client_info *info, int lang,
                          mc_slip_reg_row *out);
/* sd for form 06 of the caller's unit: the letterhead from the hello (as
 * mc_slip_from_history), the period from_ms..to_ms (the first and the last
 * day, both printed), issued now, rows[0..n). */
void mc_slip_register_data(const mc_client_info *info, const char *province, int64_t from_ms,
                           int64_t to_ms, int64_t now_ms, const mc_slip_reg_row *rows,
                           size_t n, mc_slip_data *sd);
/* The column headings of form 06 in lang ("vi" or "en"): 13 of them. */
#define MC_SLIP_REG_COLUMNS 13
const char *mc_slip_register_column(const char *lang, int i);
/* Its title and the words of its period line ("Từ ngày", "đến ngày"). */
void mc_slip_register_labels(const char *lang, const char **title, const char **from,
                             const char **to);
/* Form 06 as a spreadsheet (.xlsx, libxlsxwriter): the letterhead, title
 * and period, then one row per dossier under the same 13 headings, dates
 * as dd/mm/yyyy hh:mm text in the server's zone. Written to path.tmp then
 * renamed. 0, MC_EINVAL, MC_EIO or MC_ENOMEM; err gets an English message. */
int mc_slip_register_xlsx(const mc_slip_data *d, const char *lang, const char *path, char *err,
                          size_t errlen);

/* Write form ("01".."06") to path. lang "vi" (default) or "en" for the
 * labels (the legal form is Vietnamese; English is a courtesy copy).
 * font_path: a TTF with Vietnamese glyphs; NULL = search the usual Debian
 * locations (fonts-dejavu-core: DejaVu Serif, else DejaVu Sans); the bold
 * and italic faces are looked up next to it ("X-Bold.ttf", "X-Italic.ttf"
 * or "X-Oblique.ttf"), else the regular face is used. The file is written
 * to path.<pid>.tmp then renamed, so path never holds a partial PDF. All strings of d are copied, cleaned (controls,
 * invalid UTF-8) and truncated with "…" when absurdly long; the caller
 * keeps ownership of d. Returns 0 or a negative mc_err: MC_EINVAL (bad
 * form, lang, code, offset), MC_ECONFIG (font missing or unusable), MC_EIO
 * (cannot write path), MC_ENOMEM, MC_EINTERNAL; err (may be NULL) gets an
 * English message. Form 01 for a refused dossier (status 3) is MC_EINVAL:
 * a refused dossier gets form 03, never a receipt with an appointment. */
int mc_slip_write(const mc_slip_data *d, const char *form, const char *lang,
                  const char *font_path, const char *path, char *err, size_t errlen);
/* The same, written to an open descriptor (a pipe, the CLI's stdout, an
 * HTTP response); fd stays open. */
int mc_slip_write_fd(const mc_slip_data *d, const char *form, const char *lang,
                     const char *font_path, int fd, char *err, size_t errlen);

#endif
