/* Content store for scans and result documents.
 *
 * Pure helpers (no I/O): magic-byte detection, content-addressed paths,
 * field and chunk checks. They are what tests/files exercises.
 *
 * The storage interface (mc_file_store, below) and its shared-directory
 * implementation (files.c): an upload's bytes go to DATA/tmp/<upload id> with libuv's fs
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

/* ---- the storage interface ------------------------------------------------
 * What the server does with file contents, as a table of operations, so
 * that a store other than a shared directory (an S3-compatible object
 * store, docs/SCALE.md) can be put behind the same calls:
 *   the temporary area  upload_open / write (durable up to "committed")
 *                       / close (remove_tmp drops an expired one);
 *   put                 upload_finalize: verify (SHA-256, type, structure)
 *                       and publish the object under its SHA-256 at once —
 *                       a reader never sees a partial object;
 *   open, stat, read    reader_open (the size) and reader_read (a range);
 *   remove              remove (an object no row refers to any more).
 * Every callback fires from the loop. The handles (mc_upload_io,
 * mc_file_reader) begin with the public part below; an implementation
 * allocates its own larger struct with that part first.
 * The one implementation today is the shared directory (files.c,
 * mc_file_store_dir): DATA/tmp/<upload id> and DATA/ab/cd/<sha256>. */

typedef struct mc_file_store mc_file_store;
typedef struct mc_upload_io mc_upload_io;
typedef struct mc_file_reader mc_file_reader;

typedef struct mc_upload_io_cbs {
  /* The temporary object is open; committed may have been lowered to what
   * it really holds. err != 0: the open failed (close the io). */
  void (*opened_cb)(mc_upload_io *io, int err, uint64_t committed);
  /* Bytes up to committed are durable (after an fsync). err != 0: a write
   * or fsync failed; the upload is unusable. */
  void (*committed_cb)(mc_upload_io *io, int err, uint64_t committed);
} mc_upload_io_cbs;

/* Finish: cb(err): 0, MC_EINVAL (detail "sha256", "file type" or "file
 * structure": the temporary object was removed), MC_EIO. */
typedef void (*mc_upload_io_final_cb)(mc_upload_io *io, int err, const char *mime,
                                      const char *detail);
/* cb(err, data, n): one read of at most chunk bytes at the given offset. */
typedef void (*mc_file_read_cb)(mc_file_reader *r, int err, const uint8_t *data, size_t n);
typedef void (*mc_file_opened_cb)(mc_file_reader *r, int err, uint64_t size);

typedef struct mc_file_store_ops {
  const char *name; /* "dir" */
  int (*upload_open)(mc_file_store *st, const char *id, uint64_t committed,
                     const mc_upload_io_cbs *cbs, void *data, mc_upload_io **out);
  int (*upload_write)(mc_upload_io *io, uint64_t offset, const uint8_t *data, size_t len);
  int (*upload_idle)(const mc_upload_io *io);
  uint64_t (*upload_pending)(const mc_upload_io *io);
  int (*upload_finalize)(mc_upload_io *io, const char *sha, uint64_t size,
                         mc_upload_io_final_cb cb);
  void (*upload_close)(mc_upload_io *io, int remove);
  void (*remove_tmp)(mc_file_store *st, const char *id);
  void (*remove)(mc_file_store *st, const char *sha);
  int (*reader_open)(mc_file_store *st, const char *sha, size_t chunk, void *data,
                     mc_file_opened_cb opened_cb, mc_file_reader **out);
  int (*reader_read)(mc_file_reader *r, uint64_t offset, mc_file_read_cb cb);
  void (*reader_close)(mc_file_reader *r);
  void (*free)(mc_file_store *st);
} mc_file_store_ops;

struct mc_file_store {
  const mc_file_store_ops *ops;
  uv_loop_t *loop;
  void *impl; /* the implementation's state */
};

/* The public head of the handles. */
struct mc_upload_io {
  mc_file_store *store;
  void *data;
};
struct mc_file_reader {
  mc_file_store *store;
  void *data;
};

/* The shared-directory store: creates DATA and DATA/tmp (blocking; at
 * start-up only). 0, MC_ECONFIG (err says why) or MC_ENOMEM. */
int mc_file_store_dir(mc_file_store **out, uv_loop_t *loop, const char *data_dir, char *err,
                      size_t errlen);
/* NULL is ignored. No handle may be open. */
void mc_file_store_free(mc_file_store *st);

/* ---- uploads (through the store's operations) ----------------------------
 * Ownership: an mc_upload_io belongs to its owner (handlers_files.c);
 * mc_upload_io_close frees it once no I/O is pending (the owner must not
 * touch it afterwards). */

/* Open (create) the temporary object of upload id; committed is what
 * storage recorded. */
int mc_upload_io_open(mc_file_store *st, const char *id, uint64_t committed,
                      const mc_upload_io_cbs *cbs, void *data, mc_upload_io **out);
void *mc_upload_io_data(const mc_upload_io *io);
/* Queue data (copied) for writing at offset; the fsync follows by itself. */
int mc_upload_io_write(mc_upload_io *io, uint64_t offset, const uint8_t *data, size_t len);
/* No write or fsync pending. */
int mc_upload_io_idle(const mc_upload_io *io);
/* Bytes queued for writing and not yet committed. */
uint64_t mc_upload_io_pending(const mc_upload_io *io);
/* Verify [0, size) against sha, detect and validate the type, publish the
 * object under sha. The io must be idle. */
int mc_upload_io_finalize(mc_upload_io *io, const char *sha, uint64_t size,
                          mc_upload_io_final_cb cb);
/* Close (and remove the temporary object when remove_tmp); frees io when
 * no I/O is pending. No callback fires afterwards. */
void mc_upload_io_close(mc_upload_io *io, int remove_tmp);

/* Remove an upload's temporary object or a finished object (fire and
 * forget). */
void mc_files_remove_tmp(mc_file_store *st, const char *id);
void mc_files_remove(mc_file_store *st, const char *sha);

/* ---- reading (downloads) ------------------------------------------------ */

int mc_file_reader_open(mc_file_store *st, const char *sha, size_t chunk, void *data,
                        mc_file_opened_cb opened_cb, mc_file_reader **out);
void *mc_file_reader_data(const mc_file_reader *r);
int mc_file_reader_read(mc_file_reader *r, uint64_t offset, mc_file_read_cb cb);
/* Frees once the pending read (if any) completes; no callback afterwards. */
void mc_file_reader_close(mc_file_reader *r);

#endif
