/* Frame codec: a pure function over bytes. A frame is a 4-byte big-endian
 * payload length followed by that many bytes of a serialized
 * Motcua__Envelope. No allocation happens before the length is checked
 * against the cap. */
#ifndef MC_FRAME_H
#define MC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "motcua.pb-c.h"

/* Protocol version carried in Hello. Bump on any incompatible change to
 * proto/motcua.proto or to the framing (and describe it in docs/PROTOCOL.md). */
#define MC_PROTOCOL_VERSION 1
#define MC_FRAME_HEADER 4
#define MC_FRAME_MAX_DEFAULT (1u << 20) /* 1 MiB */

/* Result of looking at the start of a byte buffer. */
typedef struct mc_frame {
  const uint8_t *payload; /* points into the input buffer */
  size_t payload_len;
  size_t consumed; /* header + payload */
} mc_frame;

/* Parse one frame from buf[0..len). Returns:
 *   MC_OK          frame filled in; caller advances by frame->consumed;
 *   MC_ENEEDMORE   not enough bytes yet (nothing consumed);
 *   MC_ETOOBIG     declared length > max_payload (connection must close);
 *   MC_EPROTO      declared length is zero (an empty frame is illegal).
 * Pure: reads only buf, writes only *frame. */
int mc_frame_parse(const uint8_t *buf, size_t len, size_t max_payload,
                   mc_frame *frame);

/* Parse one frame and unpack its Envelope. On MC_OK *out is a new Envelope
 * the caller frees with mc_envelope_free(). MC_EPROTO also covers payloads
 * that do not unpack or carry no body. MC_EINVAL: the envelope unpacked
 * but a string field (at any depth) holds a NUL byte, which protobuf-c
 * would silently cut the string at; *out is set all the same (its
 * request_id answers the refusal), *consumed too, and the caller frees it. */
int mc_frame_decode(const uint8_t *buf, size_t len, size_t max_payload,
                    size_t *consumed, Motcua__Envelope **out);

/* 1 if a string field of the message of descriptor d encoded at p[0..n),
 * or of a message nested in it (up to 16 levels below depth), holds a NUL
 * byte; 0 otherwise (and for bytes that do not parse). Pure. */
int mc_frame_text_nul(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n,
                      int depth);

/* Serialize env into a new malloc'd buffer holding header + payload.
 * Returns MC_ETOOBIG if the payload would exceed max_payload. */
int mc_frame_encode(const Motcua__Envelope *env, size_t max_payload,
                    uint8_t **out, size_t *out_len);

void mc_envelope_free(Motcua__Envelope *env);

/* The request id (Envelope field 1) of a payload that may not unpack: the
 * top-level fields are walked up to the first one that cannot be read, so
 * a readable id is found even when a body inside is malformed. Returns 1
 * and *id (the last field 1 seen, as protobuf reads it), or 0 (none
 * readable; *id = 0). Pure: reads only payload[0..len). */
int mc_frame_peek_request_id(const uint8_t *payload, size_t len, uint64_t *id);

/* Map between mc_err and the wire ErrorCode (the only place it happens). */
Motcua__ErrorCode mc_err_to_wire(int err);
int mc_err_from_wire(Motcua__ErrorCode code);

/* Name of an envelope's body case, for logs ("receive", "ping", ...). */
const char *mc_body_name(Motcua__Envelope__BodyCase c);

#endif
