/* File transfers over an mc_client (docs/PROTOCOL.md "Files").
 *
 * Upload: hash the file, UploadBegin answers what the server already holds
 * (deduplicated: done at once) or the committed offset, so rerunning the
 * same command resumes without client-side state; chunks (each with its
 * own SHA-256) go out with a window of MC_TRANSFER_WINDOW in flight;
 * UploadAck frames advance the committed offset; a refused chunk makes the
 * client ask again (UploadBegin is a sync point) and continue from the
 * committed offset; UploadFinish returns the stored file.
 *
 * Download (B1): into DIR/<dossier code>/NAME.part (folder 0700, file 0600,
 * created exclusively, never through a symbolic link), continuing from its
 * current size when it is our own regular file; the whole file's SHA-256 is
 * checked before NAME.part is fsynced and linked to NAME (a mismatch
 * removes it). NAME is the server's name under proto/file_name.h with the
 * extension of the validated type. An existing NAME is never replaced: the
 * same bytes count as downloaded, other bytes fail with result.exists.
 *
 * MOTCUA_RATE_LIMIT=BYTES_PER_S in the environment caps upload speed (to
 * share a thin commune link; tests use it to interrupt uploads). */
#ifndef MC_TRANSFER_H
#define MC_TRANSFER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "motcua_client.h"

#define MC_TRANSFER_WINDOW 8   /* chunks in flight */
#define MC_TRANSFER_CHUNK (256u << 10)

typedef struct mc_transfer_progress {
  const char *name;
  uint64_t done, total;   /* bytes */
  uint64_t resumed_from;  /* where this run started */
  uint64_t elapsed_ms;    /* since this run started */
  int finished;
} mc_transfer_progress;

typedef void (*mc_transfer_progress_cb)(const mc_transfer_progress *p, void *ud);

typedef struct mc_transfer_result {
  char name[256];
  char path[1024];        /* download: the file written */
  char sha256[65];
  char mime[32];
  char kind[8];
  uint64_t size;
  uint64_t resumed_from;  /* 0 for a fresh transfer */
  int deduplicated;       /* upload: the server already held the file */
  uint64_t elapsed_ms;
  char detail[128];       /* refusal detail ("file type", "checksum", ...) */
  int refused;            /* 1: the server refused (vs transport failure) */
  int local;              /* 1: reading or writing the local file failed */
  int exists;             /* 1: download: path exists with other bytes (kept) */
  mc_client_error error;  /* the failure of the call or the link, if any */
} mc_transfer_result;

/* SHA-256 of a file as 64 hex digits; its size. */
int mc_transfer_sha256_file(const char *path, char hex[65], uint64_t *size);

int mc_transfer_upload(mc_client *c, const char *code, const char *path, const char *kind,
                       mc_transfer_progress_cb cb, void *ud, mc_transfer_result *out);

/* FilesRequest: *reply is a FilesReply envelope (mc_envelope_free). */
int mc_transfer_list(mc_client *c, const char *code, Motcua__Envelope **reply,
                     mc_client_error *err);

int mc_transfer_download(mc_client *c, const char *code, const Motcua__FileInfo *fi,
                         const char *dir, mc_transfer_progress_cb cb, void *ud,
                         mc_transfer_result *out);

/* {name, size, sha256, resumed_from, mime, kind, deduplicated, path,
 * elapsed_ms, mib_per_s}: a finished transfer. */
json_t *mc_transfer_result_json(const mc_transfer_result *r);
/* {name, size, sha256, mime, kind, added_by_unit, added_at}: a stored file. */
json_t *mc_transfer_file_json(const Motcua__FileInfo *f);

#endif
