/* Human renderings of protocol messages for the terminal (the CLI only: a
 * web front-end renders HTML from the library's JSON). */
#include <string.h>

#include "cli_text.h"
#include "print.h"

/* ---- human ------------------------------------------------------------ */

static const char *or_dash(const char *s) { return s != NULL && s[0] ? s : "—"; }

static void print_time_field(FILE *f, int lang, enum mc_msg label, int64_t ms) {
  char buf[40];
  if (mc_render_human_time(ms, mc_render_utc_offset(), lang, buf, sizeof buf) != 0)
    snprintf(buf, sizeof buf, "%s", mc_msg(lang, MSG_NONE_YET));
  fprintf(f, "%s: %s\n", mc_msg(lang, label), buf);
}

static void print_if(FILE *f, int lang, enum mc_msg label, const char *s) {
  if (s != NULL && s[0] != '\0') fprintf(f, "%s: %s\n", mc_msg(lang, label), s);
}

static void print_time_if(FILE *f, int lang, enum mc_msg label, int64_t ms) {
  if (ms > 0) print_time_field(f, lang, label, ms);
}

/* The workflow fields, only those that are set (overdue always). */
static void print_workflow_fields(FILE *f, const Motcua__Dossier *d, int lang) {
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_OVERDUE), mc_msg(lang, d->overdue ? MSG_YES : MSG_NO));
  print_if(f, lang, MSG_F_ASSIGNED, d->assigned_officer);
  print_if(f, lang, MSG_F_DEPARTMENT, d->department);
  if (d->supplement_count > 0)
    fprintf(f, "%s: %u\n", mc_msg(lang, MSG_F_SUPPLEMENTS), d->supplement_count);
  if (d->fee_amount > 0) {
    char vnd[48];
    mc_render_format_vnd(d->fee_amount, vnd, sizeof vnd);
    fprintf(f, "%s: %s VND\n", mc_msg(lang, MSG_F_FEE), vnd);
  }
  if (d->rescheduled) fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_RESCHEDULED), mc_msg(lang, MSG_YES));
  print_time_if(f, lang, MSG_F_PAUSED, d->paused_at_ms);
  print_time_if(f, lang, MSG_F_FINISHED, d->finished_at_ms);
  print_time_if(f, lang, MSG_F_RETURNED, d->returned_at_ms);
  print_if(f, lang, MSG_F_COLLECTED_BY, d->collected_by);
  if (d->rating >= 1 && d->rating <= 3)
    fprintf(f, "%s: %u – %s\n", mc_msg(lang, MSG_F_RATING), d->rating,
            mc_msg(lang, (enum mc_msg)(MSG_RATING_1 + (int)d->rating - 1)));
}

/* The register number and the intake, from servers that send them. */
static void print_intake(FILE *f, const Motcua__Dossier *d, int lang) {
  if (d->register_no > 0)
    fprintf(f, "%s: %s %u, %s %04u\n", mc_msg(lang, MSG_F_REGISTER),
            mc_msg(lang, MSG_REGISTER_BOOK), d->register_year, mc_msg(lang, MSG_REGISTER_NO),
            d->register_no);
  if (d->applicant_address != NULL && d->applicant_address[0] != '\0')
    fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_ADDRESS), d->applicant_address);
  if (d->applicant_email != NULL && d->applicant_email[0] != '\0')
    fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_EMAIL), d->applicant_email);
  if (d->sets > 0) fprintf(f, "%s: %u %s\n", mc_msg(lang, MSG_F_SETS), d->sets,
                           mc_msg(lang, MSG_SETS_UNIT));
  if (d->n_components_received > 0) fprintf(f, "%s:", mc_msg(lang, MSG_F_RECEIVED_DOCS));
  for (size_t i = 0; i < d->n_components_received; i++) {
    const Motcua__ReceivedComponent *c = d->components_received[i];
    fprintf(f, "%s %u (%u", i ? "," : "", c->ordinal, c->count);
    if (c->form != 0) fprintf(f, ", %s", mc_msg(lang, mc_render_form_msg(c->form)));
    fputc(')', f);
  }
  if (d->n_components_received > 0) fputc('\n', f);
  if (d->missing_reason != NULL && d->missing_reason[0] != '\0')
    fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_MISSING_REASON), d->missing_reason);
}

void cli_print_dossier(FILE *f, const Motcua__Dossier *d, int lang) {
  const Motcua__Applicant *a = d->applicant;
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_CODE), or_dash(d->code));
  fprintf(f, "%s: %u – %s\n", mc_msg(lang, MSG_F_STATUS), d->status,
          mc_status_name(lang, d->status));
  fprintf(f, "%s: %s %s\n", mc_msg(lang, MSG_F_UNIT), or_dash(d->unit_code),
          d->unit_name ? d->unit_name : "");
  fprintf(f, "%s: %s %s\n", mc_msg(lang, MSG_F_PROCEDURE), or_dash(d->procedure_code),
          d->procedure_name ? d->procedure_name : "");
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_LEVEL), mc_msg(lang, mc_render_level_msg(d->level)));
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_APPLICANT), or_dash(a ? a->name : NULL));
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_ID), or_dash(a ? a->id_number : NULL));
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_PHONE), or_dash(a ? a->phone : NULL));
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_CHANNEL), mc_msg(lang, mc_render_channel_msg(d->channel)));
  print_time_field(f, lang, MSG_F_RECEIVED, d->received_at_ms);
  print_time_field(f, lang, MSG_F_DUE, d->due_at_ms);
  fprintf(f, "%s: %s\n", mc_msg(lang, MSG_F_HOLDER), or_dash(d->holder_unit));
  if (d->forwarded_at_ms > 0) {
    char buf[40];
    mc_render_human_time(d->forwarded_at_ms, mc_render_utc_offset(), lang, buf, sizeof buf);
    fprintf(f, "%s: %s → %s\n", mc_msg(lang, MSG_F_FORWARDED), buf,
            or_dash(mc_render_forwarded_to(d)));
  }
  print_workflow_fields(f, d, lang);
  print_intake(f, d, lang);
}

void cli_print_dossier_line(FILE *f, const Motcua__Dossier *d, int lang) {
  char due[40];
  if (mc_render_human_time(d->due_at_ms, mc_render_utc_offset(), lang, due, sizeof due) != 0)
    snprintf(due, sizeof due, "—");
  fprintf(f, "%s  %s  %s  %s  %s: %s\n", or_dash(d->code),
          mc_status_name(lang, d->status), or_dash(d->procedure_code),
          or_dash(d->applicant ? d->applicant->name : NULL),
          mc_msg(lang, MSG_F_DUE), due);
}

/* "1. name — original, 1 — required" (+ "[unconfirmed: note]"). */
static void print_component(FILE *f, const Motcua__ProcedureComponent *c, int lang) {
  fprintf(f, "      %u. %s — %s, %u — %s", c->ordinal, or_dash(c->name),
          mc_msg(lang, mc_render_form_msg(c->form)), c->count,
          mc_msg(lang, c->required ? MSG_REQ_REQUIRED : MSG_REQ_CASE_BY_CASE));
  if (!c->verified) fprintf(f, " [%s]", mc_msg(lang, MSG_UNVERIFIED));
  if (c->note != NULL && c->note[0] != '\0') fprintf(f, " (%s)", c->note);
  fputc('\n', f);
}

/* The published file, from servers that send it (migration 015). */
static void print_published(FILE *f, const Motcua__Procedure *p, int lang) {
  if (p->limit_text != NULL && p->limit_text[0] != '\0')
    fprintf(f, "    %s: %s\n", mc_msg(lang, MSG_F_LEGAL_LIMIT), p->limit_text);
  if (p->fee != NULL && p->fee[0] != '\0')
    fprintf(f, "    %s: %s\n", mc_msg(lang, MSG_F_FEE), p->fee);
  if (p->sets > 0) fprintf(f, "    %s: %u %s\n", mc_msg(lang, MSG_F_SETS), p->sets,
                           mc_msg(lang, MSG_SETS_UNIT));
  if (p->source != NULL && p->source[0] != '\0')
    fprintf(f, "    %s: %s\n", mc_msg(lang, MSG_F_SOURCE), p->source);
  if (!p->verified && p->sets > 0)
    fprintf(f, "    [%s] %s\n", mc_msg(lang, MSG_UNVERIFIED), p->note != NULL ? p->note : "");
  if (p->n_components > 0) fprintf(f, "    %s:\n", mc_msg(lang, MSG_F_COMPONENTS));
  for (size_t i = 0; i < p->n_components; i++) print_component(f, p->components[i], lang);
}

void cli_print_procedure(FILE *f, const Motcua__Procedure *p, int lang) {
  fprintf(f, "%s  [%s]  %s\n    %s: %s; %s: %u %s\n", or_dash(p->code),
          mc_msg(lang, mc_render_level_msg(p->level)), or_dash(p->name),
          mc_msg(lang, MSG_F_SECTOR), or_dash(p->sector), mc_msg(lang, MSG_F_LIMIT),
          p->limit_value, mc_msg(lang, mc_render_limit_unit_msg(p->limit_unit)));
  print_published(f, p, lang);
}

/* ---- history, events, holidays ----------------------------------------- */

/* s in width display columns (cut with "…" if wider), then two spaces. */
static void cell(FILE *f, const char *s, int width) { cli_text_cell(f, s, width, "  "); }

static void human_or_dash(int64_t ms, int lang, char *buf, size_t size) {
  if (mc_render_human_time(ms, mc_render_utc_offset(), lang, buf, size) != 0)
    snprintf(buf, size, "—");
}

enum { W_TIME = 16, W_ACTION = 20, W_STATUS = 7, W_RESULT = 9 };

/* A unit's catalogue name, else its code (older servers send no names). */
static const char *unit_label(const char *name, const char *code) {
  return name != NULL && name[0] != '\0' ? name : or_dash(code);
}

/* The unit column comes last: names ("Trung tâm Hành chính công huyện
 * Hương Khê") are too long for a fixed-width column. */
static void print_step(FILE *f, const Motcua__ProgressStep *s, int lang) {
  char at[40], due[40], st[32];
  human_or_dash(s->at_ms, lang, at, sizeof at);
  human_or_dash(s->step_due_ms, lang, due, sizeof due);
  if (s->status_before != 0 && s->status_before != s->status_after)
    snprintf(st, sizeof st, "%u→%u", s->status_before, s->status_after);
  else
    snprintf(st, sizeof st, "%u", s->status_after);
  cell(f, at, W_TIME);
  cell(f, mc_render_action_label(lang, s->action), W_ACTION);
  cell(f, st, W_STATUS);
  cell(f, due, W_TIME);
  cell(f, or_dash(mc_render_result_label(lang, s->result)), W_RESULT);
  if (s->from_unit && s->from_unit[0] && s->to_unit && s->to_unit[0])
    fprintf(f, "%s → %s\n", unit_label(s->from_unit_name, s->from_unit),
            unit_label(s->to_unit_name, s->to_unit));
  else
    fprintf(f, "%s\n", unit_label(s->unit_name, s->unit_code));
  if ((s->officer && s->officer[0]) || (s->detail && s->detail[0])) {
    fprintf(f, "%*s%s%s", W_TIME + 2, "", s->officer ? s->officer : "",
            s->officer && s->officer[0] && s->detail && s->detail[0] ? ": " : "");
    for (const char *p = s->detail ? s->detail : ""; *p; p++) /* keep continuation lines indented */
      if (*p == '\n') fprintf(f, "\n%*s", W_TIME + 4, "");
      else fputc(*p, f);
    fputc('\n', f);
  }
}

void cli_print_history(FILE *f, const Motcua__HistoryReply *h, int lang) {
  if (h->dossier != NULL) cli_print_dossier_line(f, h->dossier, lang);
  if (h->n_steps == 0) {
    fprintf(f, "%s\n", mc_msg(lang, MSG_HISTORY_EMPTY));
    return;
  }
  fputc('\n', f);
  cell(f, mc_msg(lang, MSG_H_TIME), W_TIME);
  cell(f, mc_msg(lang, MSG_H_ACTION), W_ACTION);
  cell(f, mc_msg(lang, MSG_H_STATUS), W_STATUS);
  cell(f, mc_msg(lang, MSG_H_STEP_DUE), W_TIME);
  cell(f, mc_msg(lang, MSG_H_RESULT), W_RESULT);
  fprintf(f, "%s\n", mc_msg(lang, MSG_H_UNIT));
  for (size_t i = 0; i < h->n_steps; i++) print_step(f, h->steps[i], lang);
  fprintf(f, "%zu %s\n", h->n_steps, mc_msg(lang, MSG_HISTORY_COUNT));
}

void cli_print_event(FILE *f, const Motcua__DossierEvent *e, int lang) {
  char at[40];
  const Motcua__Dossier *d = e->dossier;
  human_or_dash(e->at_ms, lang, at, sizeof at);
  fprintf(f, "%s  %s  %s  %s %s", at, d ? or_dash(d->code) : "—",
          mc_render_action_label(lang, e->kind), mc_msg(lang, MSG_EV_FROM), or_dash(e->from_unit));
  if (d != NULL) fprintf(f, "  [%u %s]", d->status, mc_status_name(lang, d->status));
  if (e->detail != NULL && e->detail[0] != '\0') fprintf(f, ": %s", e->detail);
  fputc('\n', f);
}

void cli_print_holiday(FILE *f, const Motcua__Holiday *h, int lang) {
  int workday = h->kind != NULL && strcmp(h->kind, "workday") == 0;
  fprintf(f, "%s  ", or_dash(h->date));
  cell(f, mc_msg(lang, workday ? MSG_HOLIDAY_KIND_WORKDAY : MSG_HOLIDAY_KIND_HOLIDAY), 18);
  fprintf(f, "%s\n", or_dash(h->name));
}
