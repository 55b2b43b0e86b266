/* Content store for scans and result documents.
 *
 * Pure helpers (no I/O): magic-byte detection, content-addressed paths,
 * field and chunk checks. They are what tests/files exercises.
 *
 * The shell: an upload's bytes go to DATA/tmp/<upload id> with libuv's fs
 * API (uv_fs_write at the chunk's offset, uv_fs_fdatasync once per batch:
 * group commit — whatever was written while the previous fsync ran is
 * covered by the next one), so the loop never waits on the disk. The
 * committed offset advances only after the fsync returns. Finishing runs on
 * the threadpool: re-read and hash the whole file, compare with the
 * announced SHA-256, fsync, rename to DATA/ab/cd/<sha256>, fsync the
 * directories. Nothing under DATA/ab/.. is ever partial.
 *
 * Ownership: an mc_upload_io belongs to its owner (handlers_files.c); every
 * callback fires from the loop; mc_upload_io_close frees it once no I/O is
 * pending (the owner must not touch it afterwards). */
#ifndef MC_FILES_H
#define MC_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define MC_SHA256_HEX 65        /* 64 hex digits + NUL */
#define MC_UPLOAD_ID_HEX 33     /* 32 hex digits + NUL */
#define MC_FILE_NAME_MAX 256    /* bytes incl. NUL */
#define MC_CHUNK_MIN (16u << 10)
#define MC_CHUNK_MAX (512u << 10) /* chunk + envelope fit the 1 MiB frame cap */
#define MC_PATH_MAX 1024

/* ---- pure helpers ------------------------------------------------------- */

/* MIME type from the first bytes (PDF, JPEG, PNG, TIFF), NULL otherwise. */
const char *mc_files_magic(const uint8_t *p, size_t n);
/* W6: the whole structure of the type the magic bytes name, read by its own
 * library (validate.c): PDF by qpdf (xref, trailer, page tree; no HTML or
 * script markers in the first KiB), JPEG/PNG/TIFF fully decoded with
 * dimensions bounded first (decompression bombs), no more than 1 KiB after
 * a JPEG's or PNG's end. The MIME type, or NULL with *detail "file type"
 * (no known magic) or "file structure". Pure over the buffer; thread-safe. */
#define MC_IMAGE_MAX_SIDE 20000u
#define MC_IMAGE_MAX_PIXELS 200000000u
const char *mc_files_validate(const uint8_t *p, size_t n, const char **detail);
/* 64 lowercase hex digits. */
int mc_files_sha_hex_ok(const char *s);
/* 32 lowercase hex digits. */
int mc_files_upload_id_ok(const char *s);
/* "scan" or "result". */
int mc_files_kind_ok(const char *s);
/* File names: proto/file_name.h (mc_dom_file_name), shared with clients. */
/* DATA/ab/cd/<sha256>; MC_EINVAL for a bad sha, MC_ETOOBIG if cap is short. */
int mc_files_path(char *out, size_t cap, const char *data_dir, const char *sha);
/* DATA/ab/cd (dir_level 2) or DATA/ab (dir_level 1). */
int mc_files_dir(char *out, size_t cap, const char *data_dir, const char *sha, int level);
/* DATA/tmp/<upload id>. */
int mc_files_tmp_path(char *out, size_t cap, const char *data_dir, const char *id);
/* Chunk size for a proposal: 0 -> dflt; else clamped to [MIN, MAX]. */
uint32_t mc_files_chunk_size(uint32_t proposed, uint32_t dflt);

/* A chunk as it arrived, checked against the upload's state. */
typedef struct mc_chunk_in {
  uint64_t offset;
  const uint8_t *data;
  size_t len;
  const uint8_t *sha; /* SHA-256 of data as sent */
  size_t sha_len;
} mc_chunk_in;

/* 0, or MC_EINVAL with *detail "offset" (not the next expected byte),
 * "length" (empty, over chunk_max or past size), "checksum". Also checks
 * the magic bytes of the chunk at offset 0 ("file type"). Pure. */
int mc_files_check_chunk(const mc_chunk_in *c, uint64_t expected, uint64_t size,
                         uint32_t chunk_max, const char **detail);

/* SHA-256 of data as raw bytes (32) or lowercase hex (65). */
void mc_files_sha256(const uint8_t *data, size_t len, uint8_t out[32]);
void mc_files_hex(const uint8_t *raw, size_t n, char *out);
/* 32 random lowercase hex digits. */
int mc_files_new_id(char out[MC_UPLOAD_ID_HEX]);

/* ---- the uv_fs shell ---------------------------------------------------- */

/* Create DATA and DATA/tmp (blocking; at start-up only). */
int mc_files_prepare(const char *data_dir, char *err, size_t errlen);

typedef struct mc_upload_io mc_upload_io;

typedef struct mc_upload_io_cbs {
  /* The file is open; committed may have been lowered to what the file
   * really holds. err != 0: the open failed (close the io). */
  void (*opened_cb)(mc_upload_io *io, int err, uint64_t committed);
  /* Bytes up to committed are durably on disk (after an fsync). err != 0:
   * a write or fsync failed; the upload is unusable. */
  void (*committed_cb)(mc_upload_io *io, int err, uint64_t committed);
} mc_upload_io_cbs;

/* Open (create) DATA/tmp/<id>; committed is what storage recorded. */
int mc_upload_io_open(uv_loop_t *loop, const char *data_dir, const char *id,
                      uint64_t committed, const mc_upload_io_cbs *cbs, void *data,
                      mc_upload_io **out);
void *mc_upload_io_data(const mc_upload_io *io);
/* Queue data (copied) for writing at offset; the fsync follows by itself. */
int mc_upload_io_write(mc_upload_io *io, uint64_t offset, const uint8_t *data, size_t len);
/* No write or fsync pending. */
int mc_upload_io_idle(const mc_upload_io *io);
/* Bytes queued for writing and not yet committed. */
uint64_t mc_upload_io_pending(const mc_upload_io *io);

/* Finish on the threadpool: hash DATA/tmp/<id> over [0, size), compare with
 * sha; detect the MIME type; fsync; rename to DATA/ab/cd/<sha>; fsync the
 * directories. cb(err): 0, MC_EINVAL (detail "sha256", "file type" or "file structure": the
 * temporary file was removed), MC_EIO. The io must be idle. */
typedef void (*mc_upload_io_final_cb)(mc_upload_io *io, int err, const char *mime,
                                      const char *detail);
int mc_upload_io_finalize(mc_upload_io *io, const char *sha, uint64_t size,
                          mc_upload_io_final_cb cb);

/* Close the file (and remove it when unlink); frees io when no I/O is
 * pending. No callback fires afterwards. */
void mc_upload_io_close(mc_upload_io *io, int unlink_file);

/* Remove DATA/tmp/<id> or a content file (fire and forget, threadpool). */
void mc_files_unlink_tmp(uv_loop_t *loop, const char *data_dir, const char *id);
void mc_files_unlink_content(uv_loop_t *loop, const char *data_dir, const char *sha);

/* ---- reading (downloads) ------------------------------------------------ */

typedef struct mc_file_reader mc_file_reader;
/* cb(err, data, n): one read of at most chunk bytes at the given offset. */
typedef void (*mc_file_read_cb)(mc_file_reader *r, int err, const uint8_t *data, size_t n);
int mc_file_reader_open(uv_loop_t *loop, const char *data_dir, const char *sha, size_t chunk,
                        void *data, void (*opened_cb)(mc_file_reader *r, int err, uint64_t size),
                        mc_file_reader **out);
void *mc_file_reader_data(const mc_file_reader *r);
int mc_file_reader_read(mc_file_reader *r, uint64_t offset, mc_file_read_cb cb);
/* Frees once the pending read (if any) completes; no callback afterwards. */
void mc_file_reader_close(mc_file_reader *r);

#endif
