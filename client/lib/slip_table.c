/* Form 05: the process-control table, one row per hand-over step (giver,
 * receiver, time, early/on time/late against the step's own deadline,
 * notes). Rows never split; the header row repeats on each new page. */
#include <stdio.h>
#include <string.h>

#include "slip_internal.h"

#define NCOL 5

typedef struct row {
  char cell[SLIP_TABLE_MAXCOL][SLIP_CELL_MAX];
} row;

static const float col_frac[NCOL] = {0.22f, 0.22f, 0.17f, 0.18f, 0.21f};
static const slip_table steps_spec = {NCOL, col_frac, 9.0f};

static const struct {
  const char *action, *vi, *en;
} actions[] = {
    {"receive", "Tiếp nhận hồ sơ", "Received"},
    {"forward", "Chuyển liên thông", "Forwarded"},
    {"accept", "Nhận xử lý", "Accepted for processing"},
    {"assign", "Phân công xử lý", "Assigned"},
    {"propose", "Trình ký", "Proposed for signature"},
    {"result", "Có kết quả giải quyết", "Result ready"},
    {"send_back", "Chuyển trả kết quả", "Sent back"},
    {"supplement_request", "Yêu cầu bổ sung hồ sơ", "Supplement requested"},
    {"supplement", "Đã bổ sung hồ sơ", "Supplemented"},
    {"fee_request", "Yêu cầu nộp phí, lệ phí", "Fees requested"},
    {"fee_paid", "Đã nộp phí, lệ phí", "Fees paid"},
    {"refuse", "Từ chối giải quyết", "Refused"},
    {"stop", "Dừng xử lý", "Stopped"},
    {"withdraw", "Rút hồ sơ", "Withdrawn"},
    {"reschedule", "Hẹn lại ngày trả kết quả", "New appointment"},
    {"return", "Trả kết quả", "Result returned"},
    {"rate", "Đánh giá mức độ hài lòng", "Rated"},
};

static void action_label(const slip_ctx *c, const char *action, char *out, size_t n) {
  size_t i;
  for (i = 0; i < sizeof actions / sizeof actions[0]; i++)
    if (action != NULL && strcmp(action, actions[i].action) == 0) {
      snprintf(out, n, "%s", c->en ? actions[i].en : actions[i].vi);
      return;
    }
  slip__clean(out, n, action, 0);
}

static const char *result_label(const slip_ctx *c, const char *result) {
  if (result == NULL) return "";
  if (strcmp(result, "early") == 0) return c->L->res_early;
  if (strcmp(result, "on_time") == 0) return c->L->res_on_time;
  if (strcmp(result, "late") == 0) return c->L->res_late;
  return "";
}

static void unit_cell(char *out, size_t n, const char *name, const char *fallback) {
  slip__clean(out, n > 200 ? 200 : n, name, 0);
  if (out[0] == '\0') snprintf(out, n, "%s", fallback);
}

static void note_cell(const slip_ctx *c, const mc_slip_step *st, char *out, size_t n) {
  char act[96], officer[128], detail[320];
  action_label(c, st->action, act, sizeof act);
  slip__clean(officer, sizeof officer, st->officer, 0);
  slip__clean(detail, sizeof detail, st->detail, 1);
  slip__join(out, n, act, officer[0] ? " - " : "", officer, detail[0] ? ": " : "", detail,
             (char *)NULL);
}

static void build_row(const slip_ctx *c, const mc_slip_step *st, row *r) {
  char due[64];
  int receive = st->action != NULL && strcmp(st->action, "receive") == 0;
  unit_cell(r->cell[0], SLIP_CELL_MAX, st->from_unit_name, receive ? c->L->citizen : "-");
  unit_cell(r->cell[1], SLIP_CELL_MAX, st->to_unit_name, "-");
  slip__fmt_time(c, r->cell[2], SLIP_CELL_MAX, st->at_ms, SLIP_T_SHORT);
  slip__join(r->cell[3], SLIP_CELL_MAX, result_label(c, st->result), (char *)NULL);
  if (st->step_due_ms > 0) {
    slip__fmt_time(c, due, sizeof due, st->step_due_ms, SLIP_T_SHORT);
    slip__join(r->cell[3], SLIP_CELL_MAX, result_label(c, st->result),
               r->cell[3][0] ? "\n(" : "(", c->L->step_due, ": ", due, ")", (char *)NULL);
  }
  note_cell(c, st, r->cell[4], SLIP_CELL_MAX);
  if (st->to_unit_name != NULL && st->to_unit_name[0] != '\0') {  /* a hand-over */
    char unit[SLIP_CELL_MAX];   /* slip__join's pieces may not overlap out */
    memcpy(unit, r->cell[0], sizeof unit);
    slip__join(r->cell[0], SLIP_CELL_MAX, unit, "\n", c->L->sig_give, (char *)NULL);
    memcpy(unit, r->cell[1], sizeof unit);
    slip__join(r->cell[1], SLIP_CELL_MAX, unit, "\n", c->L->sig_take, (char *)NULL);
  }
}

#define CELL_PAD 3.0f

static void columns(const slip_ctx *c, const slip_table *t, float *x, float *w) {
  float total = c->right - c->left, at = c->left;
  int i;
  for (i = 0; i < t->ncol; i++) {
    x[i] = at;
    w[i] = total * t->frac[i];
    at += w[i];
  }
}

float slip__table_height(const slip_ctx *c, const slip_table *t,
                         char (*cell)[SLIP_CELL_MAX], HPDF_Font f) {
  float x[SLIP_TABLE_MAXCOL], w[SLIP_TABLE_MAXCOL];
  int i, lines, max = 1;
  columns(c, t, x, w);
  for (i = 0; i < t->ncol; i++) {
    lines = slip__count_lines(f, t->size, cell[i], w[i] - 2.0f * CELL_PAD);
    if (lines > max) max = lines;
  }
  return (float)max * (t->size + 2.0f) + 2.0f * CELL_PAD + 2.0f;
}

void slip__table_row(slip_ctx *c, const slip_table *t, char (*cell)[SLIP_CELL_MAX],
                     HPDF_Font f, int header) {
  float x[SLIP_TABLE_MAXCOL], w[SLIP_TABLE_MAXCOL], h, base;
  int i;
  columns(c, t, x, w);
  h = slip__table_height(c, t, cell, f);
  if (header) {
    HPDF_Page_SetGrayFill(c->page, 0.88f);
    HPDF_Page_Rectangle(c->page, c->left, c->y - h, c->right - c->left, h);
    HPDF_Page_Fill(c->page);
    HPDF_Page_SetGrayFill(c->page, 0.0f);
  }
  base = c->y - CELL_PAD - t->size;
  for (i = 0; i < t->ncol; i++) {
    slip__block(c, f, t->size, x[i] + CELL_PAD, w[i] - 2.0f * CELL_PAD, base, t->size + 2.0f,
                cell[i], header ? SLIP_CENTER : SLIP_LEFT);
    slip__rect(c, x[i], c->y - h, w[i], h);
  }
  c->y -= h;
}

static void header_row(slip_ctx *c, row *r) {
  int i;
  for (i = 0; i < NCOL; i++) snprintf(r->cell[i], SLIP_CELL_MAX, "%s", c->L->col[i]);
  slip__table_row(c, &steps_spec, r->cell, c->bold, 1);
}

void slip__steps_table(slip_ctx *c) {
  row r;
  size_t i, n = c->d->nsteps > SLIP_MAX_STEPS ? SLIP_MAX_STEPS : c->d->nsteps;
  char more[160], num[32];
  header_row(c, &r);
  for (i = 0; i < n && c->rc == 0; i++) {
    build_row(c, &c->d->steps[i], &r);
    if (c->y - slip__table_height(c, &steps_spec, r.cell, c->reg) < c->bottom) {
      slip__new_page(c);
      header_row(c, &r);
      build_row(c, &c->d->steps[i], &r);
    }
    slip__table_row(c, &steps_spec, r.cell, c->reg, 0);
  }
  if (c->d->nsteps > n) {
    snprintf(num, sizeof num, "%zu", c->d->nsteps - n);
    slip__join(more, sizeof more, c->L->more_pre, num, c->L->more_post, (char *)NULL);
    c->y -= 6.0f;
    slip__para(c, c->ital, 10.0f, 0.0f, more);
  }
}
