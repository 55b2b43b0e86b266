/* The storage interface (files.h): each call goes to the operations of the
 * store the handle or the store belongs to. */
#include "files.h"

#include <stddef.h>

#include "error.h"

void mc_file_store_free(mc_file_store *st) {
  if (st != NULL) st->ops->free(st);
}

int mc_upload_io_open(mc_file_store *st, const char *id, uint64_t committed,
                      const mc_upload_io_cbs *cbs, void *data, mc_upload_io **out) {
  if (!mc_files_upload_id_ok(id)) return MC_EINVAL;
  return st->ops->upload_open(st, id, committed, cbs, data, out);
}

void *mc_upload_io_data(const mc_upload_io *io) { return io->data; }

int mc_upload_io_write(mc_upload_io *io, uint64_t offset, const uint8_t *data, size_t len) {
  return io->store->ops->upload_write(io, offset, data, len);
}

int mc_upload_io_idle(const mc_upload_io *io) { return io->store->ops->upload_idle(io); }

uint64_t mc_upload_io_pending(const mc_upload_io *io) {
  return io->store->ops->upload_pending(io);
}

int mc_upload_io_finalize(mc_upload_io *io, const char *sha, uint64_t size,
                          mc_upload_io_final_cb cb) {
  if (!mc_files_sha_hex_ok(sha)) return MC_EINVAL;
  return io->store->ops->upload_finalize(io, sha, size, cb);
}

void mc_upload_io_close(mc_upload_io *io, int remove_tmp) {
  if (io != NULL) io->store->ops->upload_close(io, remove_tmp);
}

void mc_files_remove_tmp(mc_file_store *st, const char *id) {
  if (mc_files_upload_id_ok(id)) st->ops->remove_tmp(st, id);
}

void mc_files_remove(mc_file_store *st, const char *sha) {
  if (mc_files_sha_hex_ok(sha)) st->ops->remove(st, sha);
}

int mc_file_reader_open(mc_file_store *st, const char *sha, size_t chunk, void *data,
                        mc_file_opened_cb opened_cb, mc_file_reader **out) {
  if (!mc_files_sha_hex_ok(sha)) return MC_EINVAL;
  if (chunk == 0) return MC_EINVAL;
  return st->ops->reader_open(st, sha, chunk, data, opened_cb, out);
}

void *mc_file_reader_data(const mc_file_reader *r) { return r->data; }

int mc_file_reader_read(mc_file_reader *r, uint64_t offset, mc_file_read_cb cb) {
  return r->store->ops->reader_read(r, offset, cb);
}

void mc_file_reader_close(mc_file_reader *r) {
  if (r != NULL) r->store->ops->reader_close(r);
}
