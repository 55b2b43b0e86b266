/* Form 06: the register (sổ theo dõi hồ sơ) of a unit for a period, one
 * row per dossier, on landscape pages; the header row repeats on each
 * page. Numbers are the yearly register's (year_seq) when known, else the
 * row's position in this print-out. */
#include <stdio.h>
#include <string.h>

#include "slip_internal.h"

#define NCOL 13

typedef struct reg_row {
  char cell[SLIP_TABLE_MAXCOL][SLIP_CELL_MAX];
} reg_row;

static const float col_frac[NCOL] = {0.04f,  0.16f,  0.11f,  0.04f,  0.085f, 0.085f, 0.07f,
                                     0.07f,  0.07f,  0.07f,  0.07f,  0.07f,  0.06f};
static const slip_table reg_spec = {NCOL, col_frac, 7.0f};

/* "29/11/2026\n09:15": a narrow column never splits a date */
static void short_time(const slip_ctx *c, char *out, int64_t ms) {
  char *sp;
  out[0] = '\0';
  if (ms <= 0) return;
  slip__fmt_time(c, out, SLIP_CELL_MAX, ms, SLIP_T_SHORT);
  if ((sp = strchr(out, ' ')) != NULL) *sp = '\n';
}

static void build(const slip_ctx *c, const mc_slip_reg_row *r, size_t i, reg_row *o) {
  char addr[300], phone[64];
  if (r->year_seq > 0 && r->year_seq < 100000000)
    snprintf(o->cell[0], SLIP_CELL_MAX, "%04lld", (long long)r->year_seq);
  else
    snprintf(o->cell[0], SLIP_CELL_MAX, "%zu", i + 1);
  slip__clean(o->cell[1], 64, r->code, 0);
  slip__clean(o->cell[2], 400, r->procedure_name, 0);
  if (r->sets > 0 && r->sets < 1000) snprintf(o->cell[3], SLIP_CELL_MAX, "%02d", r->sets);
  else o->cell[3][0] = '\0';
  slip__clean(o->cell[4], 160, r->applicant_name, 0);
  slip__clean(addr, sizeof addr, r->applicant_address, 0);
  slip__clean(phone, sizeof phone, r->applicant_phone, 0);
  slip__join(o->cell[5], SLIP_CELL_MAX, addr, addr[0] && phone[0] ? "; " : "", phone,
             (char *)NULL);
  slip__clean(o->cell[6], 200, r->handler, 0);
  short_time(c, o->cell[7], r->received_at_ms);
  short_time(c, o->cell[8], r->due_at_ms);
  short_time(c, o->cell[9], r->forwarded_at_ms);
  short_time(c, o->cell[10], r->result_at_ms);
  short_time(c, o->cell[11], r->returned_at_ms);
  slip__clean(o->cell[12], 300, r->note, 0);
}

static void header(slip_ctx *c, reg_row *o) {
  int i;
  for (i = 0; i < NCOL; i++) snprintf(o->cell[i], SLIP_CELL_MAX, "%s", c->L->reg_col[i]);
  slip__table_row(c, &reg_spec, o->cell, c->bold, 1);
}

void slip__register(slip_ctx *c) {
  reg_row o;   /* 8 KiB */
  size_t i, n = c->d->nrows > SLIP_MAX_REG_ROWS ? SLIP_MAX_REG_ROWS : c->d->nrows;
  char more[160], num[32];
  header(c, &o);
  for (i = 0; i < n && c->rc == 0; i++) {
    build(c, &c->d->rows[i], i, &o);
    if (c->y - slip__table_height(c, &reg_spec, o.cell, c->reg) < c->bottom) {
      slip__new_page(c);
      header(c, &o);
      build(c, &c->d->rows[i], i, &o);
    }
    slip__table_row(c, &reg_spec, o.cell, c->reg, 0);
  }
  if (c->d->nrows == 0) slip__para(c, c->ital, 10.0f, 0.0f, c->L->reg_none);
  if (c->d->nrows > n) {
    snprintf(num, sizeof num, "%zu", c->d->nrows - n);
    slip__join(more, sizeof more, c->L->more_pre, num, ")", (char *)NULL);
    c->y -= 6.0f;
    slip__para(c, c->ital, 10.0f, 0.0f, more);
  }
}
