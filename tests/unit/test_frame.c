/* Unit tests for the frame codec (proto/frame.h) and the error mapping
 * (proto/error.h). Pure functions over bytes: no I/O. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "error.h"
#include "frame.h"

/* Build a Ping envelope with the given request id / timestamp. */
static void make_ping(Motcua__Envelope *env, Motcua__Ping *ping, uint64_t id,
                      int64_t ms) {
  motcua__envelope__init(env);
  motcua__ping__init(ping);
  ping->sent_ms = ms;
  env->request_id = id;
  env->body_case = MOTCUA__ENVELOPE__BODY_PING;
  env->ping = ping;
}

static void test_roundtrip(void) {
  Motcua__Envelope env;
  Motcua__ReceiveRequest rr;
  Motcua__Applicant ap;
  motcua__envelope__init(&env);
  motcua__receive_request__init(&rr);
  motcua__applicant__init(&ap);
  ap.name = "Nguyễn Văn An";
  ap.id_number = "042090001234";
  ap.phone = "0912345678";
  rr.idempotency_key = "k-1";
  rr.procedure_code = "1.001234";
  rr.applicant = &ap;
  rr.channel = MOTCUA__CHANNEL__CHANNEL_POSTAL;
  env.request_id = 0x1122334455667788ull;
  env.body_case = MOTCUA__ENVELOPE__BODY_RECEIVE;
  env.receive = &rr;

  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_EQ(mc_frame_encode(&env, MC_FRAME_MAX_DEFAULT, &buf, &len), MC_OK);
  CHECK_FATAL(buf != NULL && len > MC_FRAME_HEADER);
  size_t n = motcua__envelope__get_packed_size(&env);
  CHECK_EQ(len, n + MC_FRAME_HEADER);
  /* header is big-endian payload length */
  CHECK_EQ(((size_t)buf[0] << 24 | (size_t)buf[1] << 16 | (size_t)buf[2] << 8 | buf[3]), n);

  mc_frame f;
  memset(&f, 0, sizeof f);
  CHECK_EQ(mc_frame_parse(buf, len, MC_FRAME_MAX_DEFAULT, &f), MC_OK);
  CHECK(f.payload == buf + MC_FRAME_HEADER);
  CHECK_EQ(f.payload_len, n);
  CHECK_EQ(f.consumed, len);

  Motcua__Envelope *out = NULL;
  size_t used = 0;
  CHECK_EQ(mc_frame_decode(buf, len, MC_FRAME_MAX_DEFAULT, &used, &out), MC_OK);
  CHECK_FATAL(out != NULL);
  CHECK_EQ(used, len);
  CHECK(out->request_id == 0x1122334455667788ull);
  CHECK_EQ(out->body_case, MOTCUA__ENVELOPE__BODY_RECEIVE);
  if (out->body_case == MOTCUA__ENVELOPE__BODY_RECEIVE && out->receive != NULL) {
    CHECK_STREQ(out->receive->idempotency_key, "k-1");
    CHECK_STREQ(out->receive->procedure_code, "1.001234");
    CHECK_EQ(out->receive->channel, MOTCUA__CHANNEL__CHANNEL_POSTAL);
    CHECK(out->receive->applicant != NULL);
    if (out->receive->applicant) {
      CHECK_STREQ(out->receive->applicant->name, "Nguyễn Văn An");
      CHECK_STREQ(out->receive->applicant->id_number, "042090001234");
      CHECK_STREQ(out->receive->applicant->phone, "0912345678");
    }
  }
  CHECK_STREQ(mc_body_name(out->body_case), "receive");
  mc_envelope_free(out);
  mc_envelope_free(NULL); /* must be a no-op */
  free(buf);
}

/* Every prefix of a frame is NEEDMORE; the full frame decodes; feeding the
 * bytes split at every boundary into an accumulating buffer yields exactly
 * one envelope. */
static void test_split_every_boundary(void) {
  Motcua__Envelope env;
  Motcua__Ping ping;
  make_ping(&env, &ping, 42, 1700000000123);
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_FATAL(mc_frame_encode(&env, MC_FRAME_MAX_DEFAULT, &buf, &len) == MC_OK);
  for (size_t cut = 0; cut <= len; cut++) {
    /* first read gives buf[0..cut), second gives the rest */
    uint8_t acc[256];
    size_t have = 0;
    int got = 0;
    const uint8_t *parts[2] = {buf, buf + cut};
    size_t plen[2] = {cut, len - cut};
    for (int p = 0; p < 2; p++) {
      memcpy(acc + have, parts[p], plen[p]);
      have += plen[p];
      Motcua__Envelope *out = NULL;
      size_t used = 0;
      int rc = mc_frame_decode(acc, have, MC_FRAME_MAX_DEFAULT, &used, &out);
      if (have == 0 && got == 1) {
        CHECK_EQ(rc, MC_ENEEDMORE);
      } else if (have < len) {
        CHECK_EQ(rc, MC_ENEEDMORE);
        CHECK(out == NULL);
      } else {
        CHECK_EQ(rc, MC_OK);
        CHECK_EQ(used, len);
        if (rc == MC_OK && out) {
          have = 0; /* consumed */
          CHECK(out->request_id == 42);
          CHECK_EQ(out->body_case, MOTCUA__ENVELOPE__BODY_PING);
          CHECK(out->ping && out->ping->sent_ms == 1700000000123);
          got++;
          mc_envelope_free(out);
        }
      }
    }
    CHECK_EQ(got, 1);
  }
  free(buf);
}

static void test_many_in_one_buffer(void) {
  enum { N = 500 };
  uint8_t *all = NULL;
  size_t total = 0;
  for (int i = 0; i < N; i++) {
    Motcua__Envelope env;
    Motcua__Ping ping;
    make_ping(&env, &ping, (uint64_t)i + 1, i * 1000);
    uint8_t *b;
    size_t l;
    CHECK_FATAL(mc_frame_encode(&env, MC_FRAME_MAX_DEFAULT, &b, &l) == MC_OK);
    all = realloc(all, total + l);
    memcpy(all + total, b, l);
    total += l;
    free(b);
  }
  size_t off = 0;
  int count = 0;
  while (off < total) {
    Motcua__Envelope *out = NULL;
    size_t used = 0;
    int rc = mc_frame_decode(all + off, total - off, MC_FRAME_MAX_DEFAULT, &used, &out);
    CHECK_EQ(rc, MC_OK);
    if (rc != MC_OK) break;
    CHECK(used > MC_FRAME_HEADER);
    CHECK(out->request_id == (uint64_t)count + 1);
    CHECK(out->ping && out->ping->sent_ms == count * 1000);
    mc_envelope_free(out);
    off += used;
    count++;
  }
  CHECK_EQ(count, N);
  CHECK_EQ(off, total);
  /* nothing left: NEEDMORE on empty input */
  mc_frame f;
  CHECK_EQ(mc_frame_parse(all + total, 0, MC_FRAME_MAX_DEFAULT, &f), MC_ENEEDMORE);
  free(all);
}

static void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static void test_header_rules(void) {
  uint8_t h[8] = {0};
  mc_frame f;
  Motcua__Envelope *out = NULL;
  size_t used = 0;

  /* zero length is illegal, even with more bytes following */
  put_be32(h, 0);
  CHECK_EQ(mc_frame_parse(h, 4, MC_FRAME_MAX_DEFAULT, &f), MC_EPROTO);
  CHECK_EQ(mc_frame_parse(h, 8, MC_FRAME_MAX_DEFAULT, &f), MC_EPROTO);
  CHECK_EQ(mc_frame_decode(h, 8, MC_FRAME_MAX_DEFAULT, &used, &out), MC_EPROTO);

  /* over the cap: reported from the header alone */
  put_be32(h, 1001);
  CHECK_EQ(mc_frame_parse(h, 4, 1000, &f), MC_ETOOBIG);
  CHECK_EQ(mc_frame_decode(h, 4, 1000, &used, &out), MC_ETOOBIG);
  put_be32(h, 0x7fffffffu);
  CHECK_EQ(mc_frame_parse(h, 4, MC_FRAME_MAX_DEFAULT, &f), MC_ETOOBIG);
  put_be32(h, 0xffffffffu);
  CHECK_EQ(mc_frame_parse(h, 4, MC_FRAME_MAX_DEFAULT, &f), MC_ETOOBIG);
  put_be32(h, MC_FRAME_MAX_DEFAULT + 1);
  CHECK_EQ(mc_frame_parse(h, 4, MC_FRAME_MAX_DEFAULT, &f), MC_ETOOBIG);

  /* exactly the cap: fine, needs the payload */
  put_be32(h, 1000);
  CHECK_EQ(mc_frame_parse(h, 4, 1000, &f), MC_ENEEDMORE);
  uint8_t *big = calloc(1, 4 + 1000);
  put_be32(big, 1000);
  CHECK_EQ(mc_frame_parse(big, 4 + 999, 1000, &f), MC_ENEEDMORE);
  CHECK_EQ(mc_frame_parse(big, 4 + 1000, 1000, &f), MC_OK);
  CHECK_EQ(f.payload_len, 1000);
  CHECK_EQ(f.consumed, 1004);
  free(big);

  /* header only / partial header */
  put_be32(h, 5);
  for (size_t l = 0; l < 4; l++)
    CHECK_EQ(mc_frame_parse(h, l, MC_FRAME_MAX_DEFAULT, &f), MC_ENEEDMORE);
  CHECK_EQ(mc_frame_parse(h, 4, MC_FRAME_MAX_DEFAULT, &f), MC_ENEEDMORE);
  CHECK_EQ(mc_frame_decode(h, 4, MC_FRAME_MAX_DEFAULT, &used, &out), MC_ENEEDMORE);
  CHECK(out == NULL);
}

/* An Envelope with only request_id set (no oneof body) is a protocol error. */
static void test_no_body(void) {
  Motcua__Envelope env;
  motcua__envelope__init(&env);
  env.request_id = 7;
  uint8_t *buf = NULL;
  size_t len = 0;
  /* encoding itself is allowed to succeed or refuse; decoding must refuse */
  int rc = mc_frame_encode(&env, MC_FRAME_MAX_DEFAULT, &buf, &len);
  if (rc == MC_OK) {
    Motcua__Envelope *out = NULL;
    size_t used = 0;
    CHECK_EQ(mc_frame_decode(buf, len, MC_FRAME_MAX_DEFAULT, &used, &out), MC_EPROTO);
    CHECK(out == NULL);
    free(buf);
  }
  /* hand-built: header + field 1 varint 7, no body */
  uint8_t raw[6] = {0, 0, 0, 2, 0x08, 0x07};
  Motcua__Envelope *out = NULL;
  size_t used = 0;
  CHECK_EQ(mc_frame_decode(raw, sizeof raw, MC_FRAME_MAX_DEFAULT, &used, &out), MC_EPROTO);
  CHECK(out == NULL);
  /* an unknown field only: still no body */
  uint8_t raw2[7] = {0, 0, 0, 3, 0xf8, 0x07, 0x01}; /* field 127 varint 1 */
  CHECK_EQ(mc_frame_decode(raw2, sizeof raw2, MC_FRAME_MAX_DEFAULT, &used, &out), MC_EPROTO);
  CHECK(out == NULL);
  /* an invalid wire type / truncated varint */
  uint8_t raw3[6] = {0, 0, 0, 2, 0x08, 0xff};
  CHECK_EQ(mc_frame_decode(raw3, sizeof raw3, MC_FRAME_MAX_DEFAULT, &used, &out), MC_EPROTO);
  CHECK(out == NULL);
}

/* xorshift64*: deterministic across platforms */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

static void test_garbage(void) {
  enum { ROUNDS = 5000 };
  int ok = 0, proto = 0, other = 0;
  uint8_t buf[4 + 300];
  for (int i = 0; i < ROUNDS; i++) {
    size_t n = 1 + rng() % 300;
    put_be32(buf, (uint32_t)n);
    for (size_t j = 0; j < n; j++) buf[4 + j] = (uint8_t)rng();
    /* bias some rounds towards plausible envelopes: a body tag first */
    if (i % 3 == 0 && n >= 2) {
      static const uint8_t tags[] = {0x12, 0x1a, 0x22, 0x2a, 0x32, 0x3a,
                                     0x52, 0x5a, 0x62, 0x6a, 0x72, 0x7a,
                                     0x82, 0x8a};
      buf[4] = tags[rng() % sizeof tags];
      buf[5] = (uint8_t)(rng() % (n - 1));
    }
    Motcua__Envelope *out = NULL;
    size_t used = 0;
    int rc = mc_frame_decode(buf, 4 + n, 1000, &used, &out);
    if (rc == MC_OK) {
      ok++;
      CHECK(out != NULL);
      CHECK(out && out->body_case != MOTCUA__ENVELOPE__BODY__NOT_SET);
      CHECK_EQ(used, 4 + n);
      if (out) (void)mc_body_name(out->body_case);
      mc_envelope_free(out);
    } else if (rc == MC_EPROTO) {
      proto++;
      CHECK(out == NULL);
    } else if (rc == MC_EINVAL) { /* a NUL in a text field: envelope kept */
      CHECK(out != NULL);
      mc_envelope_free(out);
    } else {
      other++;
      fprintf(stderr, "garbage round %d: unexpected rc %d\n", i, rc);
    }
  }
  /* mutations of a valid frame: flip 1..4 random payload bytes */
  Motcua__Envelope env;
  Motcua__ReceiveRequest rr;
  Motcua__Applicant ap;
  motcua__envelope__init(&env);
  motcua__receive_request__init(&rr);
  motcua__applicant__init(&ap);
  ap.name = "Trần Thị Bình";
  ap.id_number = "042190009876";
  ap.phone = "0987654321";
  rr.idempotency_key = "0123456789abcdef";
  rr.procedure_code = "2.000123.000.00.00.H15";
  rr.applicant = &ap;
  rr.channel = MOTCUA__CHANNEL__CHANNEL_DIRECT;
  rr.officer = "officer";
  env.request_id = 99;
  env.body_case = MOTCUA__ENVELOPE__BODY_RECEIVE;
  env.receive = &rr;
  uint8_t *valid = NULL;
  size_t vlen = 0;
  CHECK_FATAL(mc_frame_encode(&env, 1000, &valid, &vlen) == MC_OK);
  int mok = 0, mproto = 0;
  for (int i = 0; i < ROUNDS; i++) {
    uint8_t m[512];
    memcpy(m, valid, vlen);
    int flips = 1 + (int)(rng() % 4);
    for (int f = 0; f < flips; f++)
      m[MC_FRAME_HEADER + rng() % (vlen - MC_FRAME_HEADER)] ^= (uint8_t)(1 + rng() % 255);
    Motcua__Envelope *out = NULL;
    size_t used = 0;
    int rc = mc_frame_decode(m, vlen, 1000, &used, &out);
    if (rc == MC_OK) {
      mok++;
      CHECK(out != NULL && out->body_case != MOTCUA__ENVELOPE__BODY__NOT_SET);
      mc_envelope_free(out);
    } else if (rc == MC_EPROTO) {
      mproto++;
      CHECK(out == NULL);
    } else if (rc == MC_EINVAL) { /* a flipped byte became a NUL in a text field */
      CHECK(out != NULL);
      mc_envelope_free(out);
    } else {
      other++;
      fprintf(stderr, "mutation round %d: unexpected rc %d\n", i, rc);
    }
  }
  free(valid);
  fprintf(stderr, "mutations: %d decoded, %d refused\n", mok, mproto);
  CHECK_EQ(other, 0);
  CHECK(proto > 0); /* random bytes must be refused at least sometimes */
  CHECK(mproto > 0 && mok > 0);
  fprintf(stderr, "garbage: %d decoded, %d refused\n", ok, proto);
}

static void test_encode_cap(void) {
  Motcua__Envelope env;
  Motcua__Error e;
  motcua__envelope__init(&env);
  motcua__error__init(&e);
  char *msg = malloc(5001);
  memset(msg, 'x', 5000);
  msg[5000] = 0;
  e.code = MOTCUA__ERROR_CODE__ERR_INVALID;
  e.message = msg;
  env.body_case = MOTCUA__ENVELOPE__BODY_ERROR;
  env.error = &e;
  size_t n = motcua__envelope__get_packed_size(&env);
  uint8_t *buf = (uint8_t *)0x1;
  size_t len = 12345;
  CHECK_EQ(mc_frame_encode(&env, n - 1, &buf, &len), MC_ETOOBIG);
  CHECK_EQ(mc_frame_encode(&env, 100, &buf, &len), MC_ETOOBIG);
  buf = NULL;
  CHECK_EQ(mc_frame_encode(&env, n, &buf, &len), MC_OK); /* exactly the cap */
  CHECK_EQ(len, n + 4);
  Motcua__Envelope *out = NULL;
  size_t used = 0;
  Motcua__Envelope *none = NULL;
  CHECK_EQ(mc_frame_decode(buf, len, n - 1, &used, &none), MC_ETOOBIG);
  CHECK(none == NULL);
  CHECK_EQ(mc_frame_decode(buf, len, n, &used, &out), MC_OK);
  if (out) {
    CHECK_EQ(out->body_case, MOTCUA__ENVELOPE__BODY_ERROR);
    CHECK(out->error && strlen(out->error->message) == 5000);
    mc_envelope_free(out);
  }
  free(buf);
  free(msg);
}

/* Payloads of 16 MiB and more use every header byte. */
static void test_header_bytes(void) {
  size_t size = (16u << 20) + 0x030201; /* header 01 03 02 01 */
  Motcua__Envelope env;
  Motcua__Error e;
  motcua__envelope__init(&env);
  motcua__error__init(&e);
  char *msg = malloc(size);
  CHECK_FATAL(msg != NULL);
  size_t L = size - 16;
  for (int iter = 0; iter < 10; iter++) {
    memset(msg, 'y', L);
    msg[L] = 0;
    e.message = msg;
    env.body_case = MOTCUA__ENVELOPE__BODY_ERROR;
    env.error = &e;
    size_t got = motcua__envelope__get_packed_size(&env);
    if (got == size) break;
    L = got > size ? L - (got - size) : L + (size - got);
  }
  CHECK_FATAL(motcua__envelope__get_packed_size(&env) == size);
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_EQ(mc_frame_encode(&env, 32u << 20, &buf, &len), MC_OK);
  if (buf != NULL) {
    CHECK_EQ(len, size + 4);
    CHECK_EQ(buf[0], 0x01);
    CHECK_EQ(buf[1], 0x03);
    CHECK_EQ(buf[2], 0x02);
    CHECK_EQ(buf[3], 0x01);
    mc_frame f;
    CHECK_EQ(mc_frame_parse(buf, len, 32u << 20, &f), MC_OK);
    CHECK_EQ(f.payload_len, size);
    CHECK_EQ(mc_frame_parse(buf, len, MC_FRAME_MAX_DEFAULT, &f), MC_ETOOBIG);
  }
  free(buf);
  free(msg);
}

static void test_errors(void) {
  static const struct {
    int err;
    Motcua__ErrorCode wire;
    const char *name;
  } tab[] = {
      {MC_EINTERNAL, MOTCUA__ERROR_CODE__ERR_INTERNAL, "internal"},
      {MC_ENOMEM, MOTCUA__ERROR_CODE__ERR_NOMEM, NULL},
      {MC_EPROTO, MOTCUA__ERROR_CODE__ERR_PROTOCOL, "protocol"},
      {MC_EVERSION, MOTCUA__ERROR_CODE__ERR_VERSION, "version"},
      {MC_ETOOBIG, MOTCUA__ERROR_CODE__ERR_TOO_BIG, NULL},
      {MC_EINVAL, MOTCUA__ERROR_CODE__ERR_INVALID, "invalid"},
      {MC_EUNAUTH, MOTCUA__ERROR_CODE__ERR_UNAUTHENTICATED, NULL},
      {MC_EFORBIDDEN, MOTCUA__ERROR_CODE__ERR_FORBIDDEN, "forbidden"},
      {MC_ENOTFOUND, MOTCUA__ERROR_CODE__ERR_NOT_FOUND, "not_found"},
      {MC_ECONFLICT, MOTCUA__ERROR_CODE__ERR_CONFLICT, "conflict"},
      {MC_EUNAVAIL, MOTCUA__ERROR_CODE__ERR_UNAVAILABLE, NULL},
      {MC_ETIMEOUT, MOTCUA__ERROR_CODE__ERR_TIMEOUT, "timeout"},
      {MC_EBUSY, MOTCUA__ERROR_CODE__ERR_BUSY, "busy"},
      {MC_EWRONGLEVEL, MOTCUA__ERROR_CODE__ERR_WRONG_LEVEL, "wrong_level"},
      {MC_EBADSTATE, MOTCUA__ERROR_CODE__ERR_BAD_STATE, "bad_state"},
      {MC_EIO, MOTCUA__ERROR_CODE__ERR_IO, NULL},
      {MC_ETLS, MOTCUA__ERROR_CODE__ERR_TLS, "tls"},
      {MC_ECLOSED, MOTCUA__ERROR_CODE__ERR_CLOSED, NULL},
      {MC_ECONFIG, MOTCUA__ERROR_CODE__ERR_CONFIG, NULL},
      {MC_EREVOKED, MOTCUA__ERROR_CODE__ERR_CERT_REVOKED, "cert_revoked"},
      {MC_ELOGIN, MOTCUA__ERROR_CODE__ERR_LOGIN_REQUIRED, "login_required"},
      {MC_EBADLOGIN, MOTCUA__ERROR_CODE__ERR_BAD_LOGIN, "bad_login"},
      {MC_ELOCKED, MOTCUA__ERROR_CODE__ERR_LOCKED, "locked"},
      {MC_EPWCHANGE, MOTCUA__ERROR_CODE__ERR_PASSWORD_CHANGE_REQUIRED, "password_change_required"},
      {MC_EWEAKPW, MOTCUA__ERROR_CODE__ERR_WEAK_PASSWORD, "weak_password"},
      {MC_EREPLYBIG, MOTCUA__ERROR_CODE__ERR_REPLY_TOO_LARGE, "reply_too_large"},
  };
  size_t ntab = sizeof tab / sizeof tab[0];
  CHECK_EQ(ntab, MC_ERR_WIRE_MAX);
  for (size_t i = 0; i < ntab; i++) {
    CHECK_EQ(mc_err_to_wire(tab[i].err), tab[i].wire);
    CHECK_EQ(mc_err_from_wire(tab[i].wire), tab[i].err);
    CHECK_EQ(mc_err_from_wire(mc_err_to_wire(tab[i].err)), tab[i].err);
    const char *nm = mc_errname(tab[i].err);
    CHECK(nm != NULL && nm[0] != '\0' && strcmp(nm, "unknown") != 0);
    if (tab[i].name) CHECK_STREQ(nm, tab[i].name);
    /* names are unique */
    for (size_t j = 0; j < i; j++)
      CHECK(nm == NULL || strcmp(nm, mc_errname(tab[j].err)) != 0);
    const char *s = mc_strerror(tab[i].err);
    CHECK(s != NULL && s[0] != '\0');
  }
  CHECK_EQ(mc_err_to_wire(MC_OK), MOTCUA__ERROR_CODE__ERR_NONE);
  /* an unmappable failure must never look like success on the wire */
  CHECK(mc_err_to_wire(-12345) != MOTCUA__ERROR_CODE__ERR_NONE);
  CHECK(mc_err_to_wire(MC_ENEEDMORE) != MOTCUA__ERROR_CODE__ERR_NONE);
  /* an unknown or NONE wire code must never decode to success */
  CHECK(mc_err_from_wire((Motcua__ErrorCode)999) < 0);
  CHECK(mc_err_from_wire((Motcua__ErrorCode)-3) < 0);
  for (int e = -300; e <= 300; e++) {
    CHECK(mc_strerror(e) != NULL);
    CHECK(mc_errname(e) != NULL);
  }
  CHECK(mc_strerror(MC_ENEEDMORE) != NULL);
  CHECK(mc_strerror(-2147483647 - 1) != NULL);
  CHECK(mc_errname(-2147483647 - 1) != NULL);
  CHECK_STREQ(mc_body_name(MOTCUA__ENVELOPE__BODY_PING), "ping");
  CHECK(mc_body_name(MOTCUA__ENVELOPE__BODY__NOT_SET) != NULL);
  CHECK(mc_body_name((Motcua__Envelope__BodyCase)999) != NULL);
}

/* W4: a NUL inside a string field (at any depth) is reported, with the
 * envelope still handed out so its request id answers the refusal. */
static int decode_payload(const uint8_t *payload, size_t n, Motcua__Envelope **out) {
  uint8_t buf[64];
  size_t used = 0;
  put_be32(buf, (uint32_t)n);
  memcpy(buf + 4, payload, n);
  *out = NULL;
  return mc_frame_decode(buf, n + 4, MC_FRAME_MAX_DEFAULT, &used, out);
}

static void test_text_nul(void) {
  Motcua__Envelope *out;
  /* request_id 5, receive { idempotency_key "ab\0c" } */
  const uint8_t key_nul[] = {0x08, 0x05, 0x62, 0x06, 0x0a, 0x04, 'a', 'b', 0, 'c'};
  CHECK_EQ(decode_payload(key_nul, sizeof key_nul, &out), MC_EINVAL);
  CHECK_FATAL(out != NULL);
  CHECK(out->request_id == 5);
  mc_envelope_free(out);
  /* receive { applicant { name "A\0B" } }: nested one level */
  const uint8_t name_nul[] = {0x08, 0x07, 0x62, 0x07, 0x1a, 0x05, 0x0a, 0x03, 'A', 0, 'B'};
  CHECK_EQ(decode_payload(name_nul, sizeof name_nul, &out), MC_EINVAL);
  CHECK(out != NULL && out->request_id == 7);
  mc_envelope_free(out);
  /* the same without the NUL: accepted */
  const uint8_t name_ok[] = {0x08, 0x07, 0x62, 0x07, 0x1a, 0x05, 0x0a, 0x03, 'A', ' ', 'B'};
  CHECK_EQ(decode_payload(name_ok, sizeof name_ok, &out), MC_OK);
  CHECK(out != NULL && strcmp(out->receive->applicant->name, "A B") == 0);
  mc_envelope_free(out);
  /* the pure walk: a ping's varint holding a 0 byte is no text */
  const uint8_t ping[] = {0x08, 0x01, 0x2a, 0x02, 0x08, 0x00};
  CHECK_EQ(mc_frame_text_nul(&motcua__envelope__descriptor, ping, sizeof ping, 0), 0);
  CHECK_EQ(mc_frame_text_nul(&motcua__envelope__descriptor, key_nul, 3, 0), 0); /* cut */
}


/* The request id of a payload whose body does not unpack (P4). */
static void test_peek_request_id(void) {
  uint64_t id = 99;
  /* id 77, then ReceiveRequest (field 12) whose inner field claims 127 bytes */
  const uint8_t bad_body[] = {0x08, 77, 0x62, 0x05, 0x0a, 0x7f, 'a', 'b', 'c'};
  CHECK(motcua__envelope__unpack(NULL, sizeof bad_body, bad_body) == NULL);
  CHECK_EQ(mc_frame_peek_request_id(bad_body, sizeof bad_body, &id), 1);
  CHECK_EQ(id, 77);
  /* a multi-byte id after another field; the last field 1 wins */
  const uint8_t later[] = {0x62, 0x00, 0x08, 0x96, 0x01, 0x08, 0xac, 0x02};
  CHECK_EQ(mc_frame_peek_request_id(later, sizeof later, &id), 1);
  CHECK_EQ(id, 300);
  /* the outer length overruns: the id before it is still read */
  const uint8_t cut[] = {0x08, 0x05, 0x62, 0x7f, 0x01};
  CHECK_EQ(mc_frame_peek_request_id(cut, sizeof cut, &id), 1);
  CHECK_EQ(id, 5);
  /* the id after an unreadable field is not trusted */
  const uint8_t after_bad[] = {0x62, 0x7f, 0x08, 0x05};
  CHECK_EQ(mc_frame_peek_request_id(after_bad, sizeof after_bad, &id), 0);
  CHECK_EQ(id, 0);
  /* no id, an unfinished varint, wire types 1 and 5 skipped, group refused */
  const uint8_t none[] = {0x62, 0x00};
  CHECK_EQ(mc_frame_peek_request_id(none, sizeof none, &id), 0);
  const uint8_t open_varint[] = {0x08, 0xff, 0xff};
  CHECK_EQ(mc_frame_peek_request_id(open_varint, sizeof open_varint, &id), 0);
  const uint8_t fixed[] = {0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1d, 1, 2, 3, 4, 0x08, 0x07};
  CHECK_EQ(mc_frame_peek_request_id(fixed, sizeof fixed, &id), 1);
  CHECK_EQ(id, 7);
  const uint8_t group[] = {0x0b, 0x08, 0x07};
  CHECK_EQ(mc_frame_peek_request_id(group, sizeof group, &id), 0);
  const uint8_t eleven[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  CHECK_EQ(mc_frame_peek_request_id(eleven, sizeof eleven, &id), 0);
  CHECK_EQ(mc_frame_peek_request_id(NULL, 0, &id), 0);
  /* a whole envelope: the same id protobuf-c reads */
  Motcua__Ping ping;
  Motcua__Envelope e;
  make_ping(&e, &ping, 0x1122334455667788ull, 5);
  uint8_t buf[64];
  size_t n = motcua__envelope__pack(&e, buf);
  CHECK_EQ(mc_frame_peek_request_id(buf, n, &id), 1);
  CHECK(id == 0x1122334455667788ull);
}


int main(void) {
  RUN_TEST(test_text_nul);
  RUN_TEST(test_peek_request_id);
  RUN_TEST(test_roundtrip);
  RUN_TEST(test_split_every_boundary);
  RUN_TEST(test_many_in_one_buffer);
  RUN_TEST(test_header_rules);
  RUN_TEST(test_no_body);
  RUN_TEST(test_garbage);
  RUN_TEST(test_encode_cap);
  RUN_TEST(test_header_bytes);
  RUN_TEST(test_errors);
  return check_result();
}
