/* Human renderings of protocol messages on a terminal (print.c): the only
 * part of the dossier rendering that is the CLI's own. Dates in the
 * library's current zone (render.h). */
#ifndef MC_CLI_PRINT_H
#define MC_CLI_PRINT_H

#include <stdio.h>

#include "render.h"

void cli_print_dossier(FILE *f, const Motcua__Dossier *d, int lang);
void cli_print_dossier_line(FILE *f, const Motcua__Dossier *d, int lang);
void cli_print_procedure(FILE *f, const Motcua__Procedure *p, int lang);
/* Progress log as a table in local time, one step per row (officer and
 * detail on an indented second line). */
void cli_print_history(FILE *f, const Motcua__HistoryReply *h, int lang);
void cli_print_event(FILE *f, const Motcua__DossierEvent *e, int lang);
void cli_print_holiday(FILE *f, const Motcua__Holiday *h, int lang);

#endif
