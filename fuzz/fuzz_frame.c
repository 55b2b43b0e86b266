/* libFuzzer target: the frame codec over arbitrary bytes. Every input is
 * consumed frame by frame exactly as mc_link does; nothing may crash,
 * leak, or read past the buffer, and a decoded envelope must re-encode;
 * a payload that does not unpack has its request id peeked as mc_link does. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "frame.h"

#define CAP 65536 /* small cap so oversize paths are reached */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t off = 0;
  while (off < size) {
    Motcua__Envelope *env = NULL;
    size_t used = 0;
    int rc = mc_frame_decode(data + off, size - off, CAP, &used, &env);
    if (rc == MC_EINVAL) mc_envelope_free(env); /* a NUL in a text field */
    if (rc == MC_EINVAL) {
      off += used;
      continue;
    }
    if (rc == MC_EPROTO) { /* as mc_link answers a payload that does not unpack */
      mc_frame f;
      uint64_t id;
      if (mc_frame_parse(data + off, size - off, CAP, &f) == MC_OK &&
          mc_frame_peek_request_id(f.payload, f.payload_len, &id) == 0 && id != 0)
        abort();
    }
    if (rc != MC_OK) break;
    if (used == 0 || used > size - off) abort(); /* the codec's contract */
    uint8_t *out = NULL;
    size_t out_len = 0;
    if (mc_frame_encode(env, CAP, &out, &out_len) == MC_OK) free(out);
    mc_envelope_free(env);
    off += used;
  }
  return 0;
}
