/* Official slips as PDF (forms of the 2018 one-stop guidance circular):
 * 01 receipt and appointment, 02 supplement request, 03 refusal,
 * 04 apology and new appointment, 05 process control slip. Pure rendering:
 * the caller fetches the dossier and its history; this module only lays
 * them out (libharu, an embedded Unicode TTF, a QR code by libqrencode). */
#ifndef MC_SLIP_H
#define MC_SLIP_H

#include <stddef.h>
#include <stdint.h>

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

typedef struct mc_slip_data {
  const char *province;        /* "TỈNH HÀ TĨNH" style header line, may be "" */
  const char *unit_name;       /* receiving unit, e.g. "Xã Điền Mỹ" */
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
  int utc_offset_min;          /* 420 */
  const mc_slip_step *steps;   /* 05 */
  size_t nsteps;
  int64_t issued_at_ms;        /* date printed under the national motto;
                                  0 = received_at_ms (set it to "now" for
                                  02, 03, 04) */
} mc_slip_data;

/* Write form ("01".."05") to path. lang "vi" (default) or "en" for the
 * labels (the legal form is Vietnamese; English is a courtesy copy).
 * font_path: a TTF with Vietnamese glyphs; NULL = search the usual Debian
 * locations (fonts-dejavu-core: DejaVu Serif, else DejaVu Sans); the bold
 * and italic faces are looked up next to it ("X-Bold.ttf", "X-Italic.ttf"
 * or "X-Oblique.ttf"), else the regular face is used. The file is written
 * to path.<pid>.tmp then renamed, so path never holds a partial PDF; "-"
 * writes to stdout. All strings of d are copied, cleaned (controls,
 * invalid UTF-8) and truncated with "…" when absurdly long; the caller
 * keeps ownership of d. Returns 0 or a negative mc_err: MC_EINVAL (bad
 * form, lang, code, offset), MC_ECONFIG (font missing or unusable), MC_EIO
 * (cannot write path), MC_ENOMEM, MC_EINTERNAL; err (may be NULL) gets an
 * English message. */
int mc_slip_write(const mc_slip_data *d, const char *form, const char *lang,
                  const char *font_path, const char *path, char *err, size_t errlen);

#endif
