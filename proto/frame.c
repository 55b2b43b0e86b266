#include "frame.h"

#include <stdlib.h>
#include <string.h>

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

int mc_frame_parse(const uint8_t *buf, size_t len, size_t max_payload,
                   mc_frame *frame) {
  if (len < MC_FRAME_HEADER) return MC_ENEEDMORE;
  uint32_t n = be32(buf);
  if (n == 0) return MC_EPROTO;
  if (n > max_payload) return MC_ETOOBIG;
  if (len - MC_FRAME_HEADER < n) return MC_ENEEDMORE;
  frame->payload = buf + MC_FRAME_HEADER;
  frame->payload_len = n;
  frame->consumed = MC_FRAME_HEADER + (size_t)n;
  return MC_OK;
}

/* ---- text fields with a NUL byte ---------------------------------------
 * protobuf-c copies a string field's bytes and ends them with a NUL, so a
 * NUL inside the field silently cuts the string short ("A\0; DROP" reads
 * as "A"). The decoded message cannot tell, so the wire bytes are walked
 * again with the same descriptors: every length-delimited field whose
 * descriptor says string is searched for a 0 byte, every embedded message
 * is walked in turn (depth-bounded). Runs only on payloads protobuf-c
 * already unpacked, so the structure is known to be well formed. */

#define NUL_WALK_DEPTH 16

static int wire_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
  *v = 0;
  for (int shift = 0; shift < 64 && *p < end; shift += 7) {
    uint8_t b = *(*p)++;
    *v |= (uint64_t)(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return 1;
  }
  return 0;
}

/* Skip a fixed-width field; 0 if it runs past end. */
static int wire_skip(const uint8_t **p, const uint8_t *end, size_t n) {
  if ((size_t)(end - *p) < n) return 0;
  *p += n;
  return 1;
}

static int walk_len_field(const ProtobufCMessageDescriptor *d, uint32_t tag, const uint8_t *p,
                          size_t len, int depth);

int mc_frame_text_nul(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n,
                      int depth) {
  const uint8_t *end = p + n;
  uint64_t key, v;
  while (p < end) {
    if (!wire_varint(&p, end, &key)) return 0;
    switch (key & 7) {
    case 0: if (!wire_varint(&p, end, &v)) return 0; break;
    case 1: if (!wire_skip(&p, end, 8)) return 0; break;
    case 5: if (!wire_skip(&p, end, 4)) return 0; break;
    case 2:
      if (!wire_varint(&p, end, &v) || v > (uint64_t)(end - p)) return 0;
      if (walk_len_field(d, (uint32_t)(key >> 3), p, (size_t)v, depth)) return 1;
      p += v;
      break;
    default: return 0; /* groups: not in our schema, protobuf-c refuses them */
    }
  }
  return 0;
}

static int walk_len_field(const ProtobufCMessageDescriptor *d, uint32_t tag, const uint8_t *p,
                          size_t len, int depth) {
  const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(d, tag);
  if (f == NULL) return 0; /* unknown field: never read */
  if (f->type == PROTOBUF_C_TYPE_STRING) return memchr(p, 0, len) != NULL;
  if (f->type == PROTOBUF_C_TYPE_MESSAGE && depth < NUL_WALK_DEPTH)
    return mc_frame_text_nul(f->descriptor, p, len, depth + 1);
  return 0;
}

int mc_frame_decode(const uint8_t *buf, size_t len, size_t max_payload,
                    size_t *consumed, Motcua__Envelope **out) {
  mc_frame f;
  int rc = mc_frame_parse(buf, len, max_payload, &f);
  if (rc != MC_OK) return rc;
  *consumed = f.consumed;
  Motcua__Envelope *env = motcua__envelope__unpack(NULL, f.payload_len, f.payload);
  if (env == NULL) return MC_EPROTO;
  if (env->body_case == MOTCUA__ENVELOPE__BODY__NOT_SET) {
    motcua__envelope__free_unpacked(env, NULL);
    return MC_EPROTO;
  }
  *out = env;
  return mc_frame_text_nul(&motcua__envelope__descriptor, f.payload, f.payload_len, 0)
             ? MC_EINVAL
             : MC_OK;
}

int mc_frame_encode(const Motcua__Envelope *env, size_t max_payload,
                    uint8_t **out, size_t *out_len) {
  size_t n = motcua__envelope__get_packed_size(env);
  if (n > max_payload || n > UINT32_MAX) return MC_ETOOBIG;
  uint8_t *b = malloc(MC_FRAME_HEADER + n);
  if (b == NULL) return MC_ENOMEM;
  b[0] = (uint8_t)(n >> 24);
  b[1] = (uint8_t)(n >> 16);
  b[2] = (uint8_t)(n >> 8);
  b[3] = (uint8_t)n;
  motcua__envelope__pack(env, b + MC_FRAME_HEADER);
  *out = b;
  *out_len = MC_FRAME_HEADER + n;
  return MC_OK;
}

void mc_envelope_free(Motcua__Envelope *env) {
  if (env != NULL) motcua__envelope__free_unpacked(env, NULL);
}

/* A base-128 varint at p[0..len): bytes used (0 if cut short or over 10). */
static size_t read_varint(const uint8_t *p, size_t len, uint64_t *v) {
  uint64_t x = 0;
  for (size_t i = 0; i < len && i < 10; i++) {
    x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
    if ((p[i] & 0x80) == 0) {
      *v = x;
      return i + 1;
    }
  }
  return 0;
}

/* Bytes a field's value takes after its tag (wire types 0, 1, 2, 5), or
 * 0 if it cannot be skipped; *value is the varint of type 0. */
static size_t field_size(int wire, const uint8_t *p, size_t len, uint64_t *value) {
  uint64_t n = 0;
  size_t used;
  switch (wire) {
  case 0: return read_varint(p, len, value);
  case 1: return len >= 8 ? 8 : 0;
  case 5: return len >= 4 ? 4 : 0;
  case 2:
    used = read_varint(p, len, &n);
    return used != 0 && n <= len - used ? used + (size_t)n : 0;
  default: return 0;
  }
}

int mc_frame_peek_request_id(const uint8_t *payload, size_t len, uint64_t *id) {
  size_t off = 0;
  int found = 0;
  *id = 0;
  while (off < len) {
    uint64_t tag = 0, value = 0;
    size_t used = read_varint(payload + off, len - off, &tag);
    if (used == 0) break;
    off += used;
    size_t size = field_size((int)(tag & 7), payload + off, len - off, &value);
    if (size == 0) break;
    off += size;
    if (tag == (1u << 3 | 0)) {
      *id = value;
      found = 1;
    }
  }
  return found;
}

Motcua__ErrorCode mc_err_to_wire(int err) {
  if (err >= 0) return MOTCUA__ERROR_CODE__ERR_NONE;
  if (-err > MC_ERR_WIRE_MAX) return MOTCUA__ERROR_CODE__ERR_INTERNAL;
  return (Motcua__ErrorCode)(-err);
}

int mc_err_from_wire(Motcua__ErrorCode code) {
  if ((int)code <= 0 || (int)code > MC_ERR_WIRE_MAX) return MC_EINTERNAL;
  return -(int)code;
}

const char *mc_body_name(Motcua__Envelope__BodyCase c) {
  const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(
      &motcua__envelope__descriptor, (unsigned)c);
  return f != NULL && c != MOTCUA__ENVELOPE__BODY__NOT_SET ? f->name : "none";
}
