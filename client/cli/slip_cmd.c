/* slip: an official slip (forms 01-05) of a dossier as PDF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "outbox.h"
#include "slip.h"
#include "submit.h"
#include "slip_cmd.h"

static int valid_form(const char *f) {
  return f != NULL && strlen(f) == 2 && f[0] == '0' && f[1] >= '1' && f[1] <= '5';
}

/* One option of slip at argv[*i]; exit code. */
static int slip_opt(cli *c, int argc, char **argv, int *i) {
  static const char *const names[] = {"--form", "-o", "--output", "--province"};
  const char **slots[] = {&c->form, &c->out_path, &c->out_path, &c->province};
  for (size_t k = 0; k < 4; k++) {
    const char *v = NULL;
    int r = cli_opt_value(argc, argv, i, names[k], &v);
    if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, names[k]);
    if (r > 0) return *slots[k] = v, EXIT_OK_;
  }
  return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[*i]);
}

int cli_parse_slip(cli *c, int argc, char **argv) {
  int rc;
  for (int i = 0; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1] != '\0') {
      if ((rc = slip_opt(c, argc, argv, &i)) != EXIT_OK_) return rc;
    } else if (c->code != NULL) {
      return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[i]);
    } else {
      c->code = argv[i];
    }
  }
  if ((rc = cli_check(c, cli_code_normalise(c), c->code)) != EXIT_OK_) return rc;
  if (c->form == NULL) return cli_usage_error(c, MSG_ERR_NEED_OPTION, "--form");
  if (!valid_form(c->form)) return cli_usage_error(c, MSG_ERR_FORM, c->form);
  if (c->out_path == NULL || c->out_path[0] == '\0')
    return cli_usage_error(c, MSG_ERR_NEED_OPTION, "-o");
  if (c->json && strcmp(c->out_path, "-") == 0) /* one JSON document on stdout */
    return cli_usage_error(c, MSG_ERR_EXTRA_ARG, "-o -");
  if (c->province != NULL && c->province[0] != '\0' &&
      mc_fields_check_collector(c->province) != MSG_NONE)
    return cli_usage_error(c, MSG_ERR_PROVINCE_INVALID, NULL);
  return EXIT_OK_;
}

/* Unit names known to this client without the step's own names: the
 * dossier's receiving unit and our own (HelloReply). */
static long file_size(const char *path) {
  FILE *f = fopen(path, "rb");
  long n = -1;
  if (f != NULL && fseek(f, 0, SEEK_END) == 0) n = ftell(f);
  if (f != NULL) fclose(f);
  return n;
}

static int slip_report(cli *c, const char *code) {
  if (strcmp(c->out_path, "-") == 0) return EXIT_OK_; /* the PDF went to stdout */
  long bytes = file_size(c->out_path);
  if (c->json)
    return cli_emit_json(json_pack("{s:s, s:s, s:s, s:I}", "file", c->out_path, "form", c->form,
                                   "code", code, "bytes", (json_int_t)bytes), 0)
               ? EXIT_CONNECT : EXIT_OK_;
  char size[24];
  mc_render_size(bytes > 0 ? (uint64_t)bytes : 0, c->lang, size, sizeof size);
  printf("%s %s: %s (%s %s)\n", mc_msg(c->lang, MSG_SLIP_WRITTEN), c->form, c->out_path,
         mc_msg(c->lang, MSG_SLIP_SIZE), size);
  return EXIT_OK_;
}

/* "-o -": the PDF goes to stdout (no JSON document then). */
static int write_out(cli *c, const mc_slip_data *sd, char *err, size_t errlen) {
  const char *lang = c->lang == MC_LANG_EN ? "en" : "vi";
  if (strcmp(c->out_path, "-") == 0)
    return mc_slip_write_fd(sd, c->form, lang, NULL, STDOUT_FILENO, err, errlen);
  return mc_slip_write(sd, c->form, lang, NULL, c->out_path, err, errlen);
}

/* The catalogue, for form 01's component names and legal time limit. */
static int fetch_catalogue(cli *c, Motcua__Envelope **rep) {
  Motcua__Envelope req = MOTCUA__ENVELOPE__INIT;
  Motcua__ProceduresRequest body = MOTCUA__PROCEDURES_REQUEST__INIT;
  req.body_case = MOTCUA__ENVELOPE__BODY_PROCEDURES;
  req.procedures = &body;
  return cli_call(c, &req, MOTCUA__ENVELOPE__BODY_PROCEDURES_REPLY, rep);
}

static int write_slip(cli *c, const Motcua__HistoryReply *h) {
  mc_slip_data sd;
  mc_slip_step *steps = NULL;
  mc_slip_doc docs[MC_LIM_COMPONENTS];
  Motcua__Envelope *cat = NULL;
  char err[512] = "";
  int rc, form01 = strcmp(c->form, "01") == 0;
  if (form01 && h->dossier->status == 3) /* finding 4: refused */
    return cli_fail(c, EXIT_USAGE, MC_EINVAL, mc_msg(c->lang, MSG_ERR_SLIP_REFUSED), NULL);
  if (form01 && (rc = fetch_catalogue(c, &cat)) != EXIT_OK_) return rc;
  rc = mc_slip_from_history(h, mc_client_get_info(c->client), c->form, c->officer,
                                c->province, mc_client_now_ms(), &sd, &steps);
  if (rc == MC_OK && form01)
    mc_slip_intake(h->dossier, cat != NULL ? cat->procedures_reply : NULL, &sd, docs,
                   MC_LIM_COMPONENTS);
  if (rc == MC_OK) rc = write_out(c, &sd, err, sizeof err);
  free(steps);
  mc_envelope_free(cat);
  if (rc == MC_ENOMEM) return cli_fail_err(c, EXIT_CONNECT, rc, NULL);
  if (rc != MC_OK) return cli_fail(c, EXIT_USAGE, rc, mc_msg(c->lang, MSG_ERR_SLIP), err);
  return slip_report(c, h->dossier->code);
}

/* A dossier taken while offline (TAM-...) whose receive is still in the
 * outbox: a provisional receipt from the stored request (finding 4).
 * *done = 0 when it is not such a dossier; delivered: real gets the
 * dossier's real code, whose slips then print (the provisional receipt is
 * replaced by the real one). */
static int provisional_slip(cli *c, int *done, char *real, size_t realsz) {
  mc_outbox *ob = NULL;
  mc_outbox_item it;
  mc_client_error e = {0};
  Motcua__Envelope *req = NULL;
  mc_slip_data sd;
  char err[512] = "";
  int rc;
  *done = 0;
  if (!mc_outbox_is_provisional(c->code)) return EXIT_OK_;
  if (mc_sender_outbox(c->sender, 0, &ob, &e) != MC_OK) return EXIT_OK_;
  if (mc_outbox_find_provisional(ob, c->code, &it) != MC_OK) return EXIT_OK_;
  if (it.state == MC_OUTBOX_DELIVERED && it.real_code[0] != '\0')
    snprintf(real, realsz, "%s", it.real_code);
  if (it.state != MC_OUTBOX_PENDING || strcmp(c->form, "01") != 0) return EXIT_OK_;
  *done = 1;
  if ((rc = mc_outbox_load_request(ob, it.id, &req)) == MC_OK)
    rc = mc_slip_from_outbox(req, c->code, it.created_at_ms, mc_client_get_info(c->client),
                             c->province, &sd);
  if (rc == MC_OK) rc = write_out(c, &sd, err, sizeof err);
  mc_envelope_free(req);
  if (rc != MC_OK) return cli_fail(c, EXIT_USAGE, rc, mc_msg(c->lang, MSG_ERR_SLIP), err);
  return slip_report(c, c->code);
}

int cli_run_slip(cli *c) {
  Motcua__Envelope *rep;
  char real[MC_OUTBOX_CODE_MAX] = "";
  int done, rc = provisional_slip(c, &done, real, sizeof real);
  if (done) return rc;
  if (real[0] != '\0') c->code = real;   /* used only within this call */
  rc = cli_fetch_history(c, c->code, &rep);
  if (rc != EXIT_OK_) return rc;
  if (rep->history_reply->dossier == NULL)
    rc = cli_fail(c, EXIT_CONNECT, MC_EPROTO, mc_msg(c->lang, MSG_ERR_UNEXPECTED_REPLY), NULL);
  else
    rc = write_slip(c, rep->history_reply);
  mc_envelope_free(rep);
  return rc;
}

