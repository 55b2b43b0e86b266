/* motcua attach / files / download, and --file of receive and result. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_text.h"
#include "error.h"
#include "transfer.h"
#include "transfer_cmd.h"

/* ---- progress bar (terminal only) ----------------------------------------- */

static void progress_cb(const mc_transfer_progress *p, void *ud) {
  (void)ud;
  char done[24], total[24], rate[24];
  uint64_t moved = p->done - (p->done >= p->resumed_from ? p->resumed_from : p->done);
  double secs = p->elapsed_ms > 0 ? (double)p->elapsed_ms / 1000.0 : 0.001;
  double bps = (double)moved / secs;
  int width = 30, fill = p->total ? (int)((double)p->done * width / (double)p->total) : width;
  char bar[31];
  memset(bar, '#', (size_t)fill);
  memset(bar + fill, '.', (size_t)(width - fill));
  bar[width] = '\0';
  mc_render_format_size(p->done, done, sizeof done);
  mc_render_format_size(p->total, total, sizeof total);
  mc_render_format_size((uint64_t)bps, rate, sizeof rate);
  long eta = bps > 1 ? (long)((double)(p->total - p->done) / bps) : -1;
  fprintf(stderr, "\r%-24.24s [%s] %s / %s  %s/s  ETA %lds ", p->name, bar, done, total, rate,
          eta < 0 ? 0 : eta);
  if (p->finished) fputc('\n', stderr);
  fflush(stderr);
}

static mc_transfer_progress_cb progress_for(const cli *c) {
  return !c->json && isatty(STDERR_FILENO) ? progress_cb : NULL;
}

/* ---- results ------------------------------------------------------------ */


static void print_result(const cli *c, const mc_transfer_result *r) {
  char size[24];
  char from[24];
  mc_render_size(r->size, c->lang, size, sizeof size);
  mc_render_size(r->resumed_from, c->lang, from, sizeof from);
  printf("%s  %s  %s", r->name, size, r->sha256);
  if (r->deduplicated) printf("  (%s)", mc_msg(c->lang, MSG_FILE_DEDUP));
  else if (r->resumed_from > 0) printf("  (%s %s)", mc_msg(c->lang, MSG_FILE_RESUMED), from);
  putchar('\n');
}

/* A failed transfer: refusal (1), local file problem (2) or transport (3). */
static int transfer_error(const cli *c, int rc, const mc_transfer_result *r, const char *path) {
  if (r->refused)
    return r->detail[0] ? cli_fail_err(c, EXIT_REFUSED, rc, r->detail)
                        : cli_fail(c, EXIT_REFUSED, rc, mc_msg(c->lang, mc_msg_for_err(rc)), path);
  if (r->exists) /* B1: a download never replaces a file */
    return cli_fail(c, EXIT_USAGE, rc, mc_msg(c->lang, MSG_ERR_FILE_EXISTS),
                    r->path[0] ? r->path : path);
  if (r->local) return cli_fail(c, EXIT_USAGE, rc, mc_msg(c->lang, MSG_ERR_FILE), path);
  if (r->detail[0] != '\0') return cli_fail_err(c, EXIT_CONNECT, rc, r->detail);
  return cli_report(c, &r->error);
}

/* ---- --file options ------------------------------------------------------- */

int cli_take_files(cli *c, int *argc, char **argv) {
  int out = 0;
  for (int i = 0; i < *argc; i++) {
    const char *v = NULL;
    int r = cli_opt_value(*argc, argv, &i, "--file", &v);
    if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--file");
    if (r == 0) {
      argv[out++] = argv[i];
      continue;
    }
    if (c->nfiles >= (int)(sizeof c->files / sizeof c->files[0]))
      return cli_usage_error(c, MSG_ERR_TOO_MANY_FILES, v);
    if (access(v, R_OK) != 0) return cli_usage_error(c, MSG_ERR_FILE, v);
    c->files[c->nfiles++] = v;
  }
  *argc = out;
  return EXIT_OK_;
}

int cli_upload_files(cli *c, const char *code, const char *kind, json_t *into) {
  for (int i = 0; i < c->nfiles; i++) {
    mc_transfer_result r;
    int rc = mc_transfer_upload(c->client, code, c->files[i], kind, progress_for(c), NULL, &r);
    if (rc != MC_OK) return transfer_error(c, rc, &r, c->files[i]);
    if (into != NULL) json_array_append_new(into, mc_transfer_result_json(&r));
    else if (!c->json) print_result(c, &r);
  }
  return EXIT_OK_;
}

int cli_receive_files(cli *c, Motcua__Envelope *rep) {
  const Motcua__Dossier *d = rep->dossier_reply->dossier;
  json_t *files = json_array();
  int rc = d == NULL ? cli_fail(c, EXIT_CONNECT, MC_EPROTO, mc_msg(c->lang, MSG_ERR_UNEXPECTED_REPLY), NULL)
                     : EXIT_OK_;
  if (rc == EXIT_OK_ && !c->json) {
    printf("%s: %s\n", mc_msg(c->lang, MSG_RECEIVED_OK), d->code);
    cli_print_dossier(stdout, d, c->lang);
  }
  if (rc == EXIT_OK_) rc = cli_upload_files(c, d->code, "scan", c->json ? files : NULL);
  if (rc == EXIT_OK_ && c->json) {
    json_t *doc = mc_render_dossier_json(d, c->lang);
    json_object_set(doc, "files", files);
    rc = cli_emit_json(doc, 0) ? EXIT_CONNECT : EXIT_OK_;
  }
  json_decref(files);
  mc_envelope_free(rep);
  return rc;
}

/* ---- attach --------------------------------------------------------------- */

int cli_parse_attach(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1] == '-') return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    if (c->code == NULL) {
      c->code = argv[i];
    } else if (c->nfiles >= (int)(sizeof c->files / sizeof c->files[0])) {
      return cli_usage_error(c, MSG_ERR_TOO_MANY_FILES, argv[i]);
    } else {
      if (access(argv[i], R_OK) != 0) return cli_usage_error(c, MSG_ERR_FILE, argv[i]);
      c->files[c->nfiles++] = argv[i];
    }
  }
  if (c->code == NULL) return cli_usage_error(c, MSG_ERR_NEED_CODE, NULL);
  enum mc_msg m = cli_code_normalise(c);
  if (m != MSG_NONE) return cli_usage_error(c, m, c->code);
  return c->nfiles > 0 ? EXIT_OK_ : cli_usage_error(c, MSG_ERR_NEED_OPTION, "FILE");
}

/* --json: one compact document per line, one line per file. */
static int emit_lines(json_t *arr) {
  size_t i;
  json_t *v;
  int rc = 0;
  if (json_array_size(arr) == 0) return cli_emit_json(arr, 1) ? EXIT_CONNECT : EXIT_OK_;
  json_array_foreach(arr, i, v) rc |= cli_emit_json(json_incref(v), 1);
  json_decref(arr);
  return rc ? EXIT_CONNECT : EXIT_OK_;
}

int cli_run_attach(cli *c) {
  json_t *arr = c->json ? json_array() : NULL;
  int rc = cli_upload_files(c, c->code, "scan", arr);
  if (arr == NULL) return rc;
  if (rc != EXIT_OK_) return json_decref(arr), rc;
  return emit_lines(arr);
}

/* ---- files ---------------------------------------------------------------- */

int cli_parse_files(cli *c, int argc, char **argv) {
  if (argc < 1) return cli_usage_error(c, MSG_ERR_NEED_CODE, NULL);
  if (argc > 1) return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[1]);
  c->code = argv[0];
  enum mc_msg m = cli_code_normalise(c);
  return m == MSG_NONE ? EXIT_OK_ : cli_usage_error(c, m, c->code);
}


static void print_info(const cli *c, const Motcua__FileInfo *f) {
  char size[24], at[40] = "";
  mc_render_size(f->size, c->lang, size, sizeof size);
  mc_render_human_time(f->added_at_ms, mc_render_utc_offset(), c->lang, at, sizeof at);
  cli_text_cell(stdout, mc_msg(c->lang, mc_render_kind_msg(f->kind)), 14, " ");
  cli_text_cell(stdout, f->name, 32, " ");
  printf("%10s  ", size);
  cli_text_cell(stdout, mc_msg(c->lang, mc_render_mime_msg(f->mime)), 10, " ");
  printf("%s  %s %s\n", at, f->added_by_unit, f->sha256);
}

/* The dossier's FilesReply; exit code. */
static int list_files(cli *c, Motcua__Envelope **rep) {
  mc_client_error err = {0};
  int rc = mc_transfer_list(c->client, c->code, rep, &err);
  return rc == MC_OK ? EXIT_OK_ : cli_report(c, &err);
}

int cli_run_files(cli *c) {
  Motcua__Envelope *rep;
  int rc = list_files(c, &rep);
  if (rc != EXIT_OK_) return rc;
  const Motcua__FilesReply *r = rep->files_reply;
  if (c->json) {
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_files; i++) json_array_append_new(a, mc_transfer_file_json(r->files[i]));
    rc = cli_emit_json(a, 0) ? EXIT_CONNECT : EXIT_OK_;
  } else if (r->n_files == 0) {
    puts(mc_msg(c->lang, MSG_FILES_EMPTY));
  } else {
    for (size_t i = 0; i < r->n_files; i++) print_info(c, r->files[i]);
  }
  mc_envelope_free(rep);
  return rc;
}

/* ---- download ------------------------------------------------------------- */

int cli_parse_download(cli *c, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    const char *v = NULL;
    int r = cli_opt_value(argc, argv, &i, "--out", &v);
    if (r < 0) return cli_usage_error(c, MSG_ERR_MISSING_VALUE, "--out");
    if (r > 0) c->out_dir = v;
    else if (argv[i][0] == '-' && argv[i][1] == '-') return cli_usage_error(c, MSG_ERR_UNKNOWN_OPTION, argv[i]);
    else if (c->code != NULL) return cli_usage_error(c, MSG_ERR_EXTRA_ARG, argv[i]);
    else c->code = argv[i];
  }
  if (c->out_dir == NULL) c->out_dir = ".";
  if (c->code == NULL) return cli_usage_error(c, MSG_ERR_NEED_CODE, NULL);
  enum mc_msg m = cli_code_normalise(c);
  if (m != MSG_NONE) return cli_usage_error(c, m, c->code);
  return access(c->out_dir, W_OK) == 0 ? EXIT_OK_ : cli_usage_error(c, MSG_ERR_FILE, c->out_dir);
}

int cli_run_download(cli *c) {
  Motcua__Envelope *rep;
  int rc = list_files(c, &rep);
  if (rc != EXIT_OK_) return rc;
  const Motcua__FilesReply *r = rep->files_reply;
  json_t *arr = json_array();
  for (size_t i = 0; i < r->n_files && rc == EXIT_OK_; i++) {
    mc_transfer_result res;
    int t = mc_transfer_download(c->client, c->code, r->files[i], c->out_dir, progress_for(c),
                                 NULL, &res);
    if (t != MC_OK) rc = transfer_error(c, t, &res, r->files[i]->name);
    else if (c->json) json_array_append_new(arr, mc_transfer_result_json(&res));
    else print_result(c, &res);
  }
  mc_envelope_free(rep);
  if (rc != EXIT_OK_ || !c->json) return json_decref(arr), rc;
  return emit_lines(arr);
}
