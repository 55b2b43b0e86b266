/* Model structs -> protobuf messages. The messages point into the model
 * structs (no copies): pack them before the model goes away. */
#ifndef MC_CONVERT_H
#define MC_CONVERT_H

#include "frame.h"
#include "model.h"
#include "tls.h"

typedef struct mc_pb_dossier {
  Motcua__Dossier d;
  Motcua__Applicant a;
  Motcua__ReceivedComponent rc[MC_LIM_COMPONENTS]; /* intake (show only) */
  Motcua__ReceivedComponent *rcp[MC_LIM_COMPONENTS];
} mc_pb_dossier;

/* An officer; roles: room for the role list, which out points into (as
 * into in). */
void mc_pb_from_officer(Motcua__Officer *out, Motcua__OfficerRole roles[4],
                        const mc_officer *in);
/* now_ms: the server clock, for the derived overdue flag. */
void mc_pb_from_dossier(mc_pb_dossier *out, const mc_dossier *in, int64_t now_ms);
/* A procedure with its components; points into in, which must outlive it. */
typedef struct mc_pb_procedure {
  Motcua__Procedure p;
  Motcua__ProcedureComponent c[MC_LIM_COMPONENTS];
  Motcua__ProcedureComponent *cp[MC_LIM_COMPONENTS];
} mc_pb_procedure;
void mc_pb_from_procedure(mc_pb_procedure *out, const mc_procedure *in);
void mc_pb_from_step(Motcua__ProgressStep *out, const mc_step *in);

typedef struct mc_pb_event {
  Motcua__DossierEvent e;
  mc_pb_dossier d;
} mc_pb_event;
void mc_pb_from_event(mc_pb_event *out, const mc_event *in, int64_t now_ms);
void mc_pb_from_calday(Motcua__Holiday *out, const mc_calday *in);

/* UnitInfo of u (points into u and province). */
void mc_pb_from_unit(Motcua__UnitInfo *out, const mc_unit *u, const char *province);

/* The rules' view of a certificate's identity. */
void mc_actor_from_peer(mc_actor *a, const mc_peer_id *p);

#endif
