#include "convert.h"

#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "workflow.h"

/* protobuf-c takes char *, but never writes through it when packing. */
#define S(x) ((char *)(x))

/* The intake, when the store loaded it (show). */
static void pb_intake(mc_pb_dossier *out, const mc_intake *in) {
  if (in->sets <= 0) return;
  out->d.applicant_address = S(in->address);
  out->d.applicant_email = S(in->email);
  out->d.sets = (uint32_t)in->sets;
  out->d.missing_reason = S(in->missing_reason);
  size_t n = in->ncomponents < MC_LIM_COMPONENTS ? in->ncomponents : MC_LIM_COMPONENTS;
  for (size_t i = 0; i < n; i++) {
    motcua__received_component__init(&out->rc[i]);
    out->rc[i].ordinal = (uint32_t)in->components[i].ordinal;
    out->rc[i].count = (uint32_t)in->components[i].count;
    out->rc[i].form = (Motcua__ComponentForm)in->components[i].form;
    out->rcp[i] = &out->rc[i];
  }
  out->d.n_components_received = n;
  out->d.components_received = n > 0 ? out->rcp : NULL;
}

void mc_pb_from_dossier(mc_pb_dossier *out, const mc_dossier *in, int64_t now_ms) {
  motcua__dossier__init(&out->d);
  motcua__applicant__init(&out->a);
  out->a.name = S(in->applicant.name);
  out->a.id_number = S(in->applicant.id_number);
  out->a.phone = S(in->applicant.phone);
  out->d.code = S(in->code);
  out->d.status = (uint32_t)in->status;
  out->d.unit_code = S(in->unit_code);
  out->d.unit_name = S(in->unit_name);
  out->d.procedure_code = S(in->procedure_code);
  out->d.procedure_name = S(in->procedure_name);
  out->d.level = (Motcua__Level)in->level;
  out->d.applicant = &out->a;
  out->d.channel = (Motcua__Channel)in->channel;
  out->d.received_at_ms = in->received_at_ms;
  out->d.due_at_ms = in->due_at_ms;
  out->d.holder_unit = S(in->holder_unit);
  out->d.forwarded_to = S(in->forwarded_to);
  out->d.forwarded_at_ms = in->forwarded_at_ms;
  out->d.overdue = mc_wf_overdue(in, now_ms) != 0;
  out->d.assigned_officer = S(in->assigned_officer);
  out->d.assigned_login = S(in->assigned_login);
  out->d.awaiting_signature = in->awaiting_signature != 0;
  out->d.department = S(in->department);
  out->d.rating = (uint32_t)in->rating;
  out->d.supplement_count = (uint32_t)in->supplement_count;
  out->d.rescheduled = in->rescheduled != 0;
  out->d.finished_at_ms = in->finished_at_ms;
  out->d.paused_at_ms = in->paused_at_ms;
  out->d.returned_at_ms = in->returned_at_ms;
  out->d.collected_by = S(in->collected_by);
  out->d.fee_amount = in->fee_amount;
  pb_intake(out, &in->intake);
}

static void pb_from_component(Motcua__ProcedureComponent *out, const mc_component *in) {
  motcua__procedure_component__init(out);
  out->ordinal = (uint32_t)in->ordinal;
  out->name = S(in->name);
  out->form = (Motcua__ComponentForm)in->form;
  out->count = (uint32_t)in->count;
  out->required = in->required != 0;
  out->verified = in->verified != 0;
  out->note = S(in->note);
}

void mc_pb_from_procedure(mc_pb_procedure *pb, const mc_procedure *in) {
  Motcua__Procedure *out = &pb->p;
  motcua__procedure__init(out);
  out->code = S(in->code);
  out->name = S(in->name);
  out->level = (Motcua__Level)in->level;
  out->sector = S(in->sector);
  out->limit_value = (uint32_t)in->limit_value;
  out->limit_unit = (Motcua__LimitUnit)in->limit_unit;
  out->limit_text = S(in->limit_text);
  out->verified = in->verified != 0;
  out->note = S(in->note);
  out->fee = S(in->fee);
  out->sets = (uint32_t)in->sets;
  out->source = S(in->source);
  size_t n = in->ncomponents < MC_LIM_COMPONENTS ? in->ncomponents : MC_LIM_COMPONENTS;
  for (size_t i = 0; i < n; i++) {
    pb_from_component(&pb->c[i], &in->components[i]);
    pb->cp[i] = &pb->c[i];
  }
  out->n_components = n;
  out->components = n > 0 ? pb->cp : NULL;
}

void mc_pb_from_step(Motcua__ProgressStep *out, const mc_step *in) {
  motcua__progress_step__init(out);
  out->at_ms = in->at_ms;
  out->unit_code = S(in->unit_code);
  out->officer = S(in->officer);
  out->officer_login = S(in->officer_login);
  out->officer_verified = in->officer_login[0] != '\0';
  out->officer_title = S(in->officer_title);
  out->role = (Motcua__Role)in->role;
  out->action = S(in->action);
  out->status_before = (uint32_t)in->status_before;
  out->status_after = (uint32_t)in->status_after;
  out->from_unit = S(in->from_unit);
  out->to_unit = S(in->to_unit);
  out->step_due_ms = in->step_due_ms;
  out->result = S(in->result);
  out->detail = S(in->detail);
}

void mc_pb_from_event(mc_pb_event *out, const mc_event *in, int64_t now_ms) {
  motcua__dossier_event__init(&out->e);
  mc_pb_from_dossier(&out->d, &in->dossier, now_ms);
  out->e.kind = S(in->kind);
  out->e.dossier = &out->d.d;
  out->e.at_ms = in->at_ms;
  out->e.from_unit = S(in->from_unit);
  out->e.detail = S(in->detail);
  out->e.event_id = in->id;
}

void mc_pb_from_calday(Motcua__Holiday *out, const mc_calday *in) {
  motcua__holiday__init(out);
  out->date = S(in->date);
  out->kind = in->workday ? "workday" : "holiday";
  out->name = S(in->name);
}

void mc_actor_from_peer(mc_actor *a, const mc_peer_id *p) {
  memset(a, 0, sizeof *a);
  if (strnlen(p->unit, sizeof a->unit) >= sizeof a->unit) return; /* no unit: sees nothing */
  memcpy(a->unit, p->unit, strlen(p->unit) + 1);
  a->role = p->role;
}

void mc_pb_from_unit(Motcua__UnitInfo *out, const mc_unit *u, const char *province) {
  motcua__unit_info__init(out);
  out->code = S(u->code);
  out->name = S(u->name);
  out->agency_id = S(u->agency_id);
  out->parent = S(u->parent);
  out->role = (Motcua__Role)u->role;
  out->province = S(province);
}

void mc_pb_from_officer(Motcua__Officer *out, Motcua__OfficerRole roles[4],
                        const mc_officer *in) {
  motcua__officer__init(out);
  out->login = (char *)in->login;
  out->full_name = (char *)in->full_name;
  out->title = (char *)in->title;
  out->unit_code = (char *)(in->unit[0] ? in->unit : "admin");
  size_t n = 0;
  for (int r = 1; r <= 4; r++)
    if (in->roles & (1u << r)) roles[n++] = (Motcua__OfficerRole)r;
  out->n_roles = n;
  out->roles = roles;
  out->disabled = in->disabled != 0;
  out->must_change_password = in->must_change != 0;
  out->created_at_ms = in->created_ms;
  out->last_login_ms = in->last_login_ms;
  out->locked_until_ms = in->locked_until_ms;
}
