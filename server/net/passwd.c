#include "passwd.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "error.h"

int mc_passwd_hash(const mc_argon2 *p, const char *pw, char out[MC_PASSWD_ENCODED_MAX]) {
  uint8_t salt[MC_PASSWD_SALT];
  if (RAND_bytes(salt, sizeof salt) != 1) return MC_EINTERNAL;
  int rc = argon2id_hash_encoded(p->t, p->m_kib, 1, pw, strlen(pw), salt, sizeof salt,
                                 MC_PASSWD_HASH, out, MC_PASSWD_ENCODED_MAX);
  if (rc == ARGON2_MEMORY_ALLOCATION_ERROR) return MC_ENOMEM;
  return rc == ARGON2_OK ? 0 : MC_EINTERNAL;
}

int mc_passwd_verify(const char *encoded, const char *pw) {
  if (strncmp(encoded, "$argon2id$", 10) != 0) return MC_EBADLOGIN;
  return argon2id_verify(encoded, pw, strlen(pw)) == ARGON2_OK ? 0 : MC_EBADLOGIN;
}

int mc_passwd_dummy(const mc_argon2 *p, const char *pw) {
  static const uint8_t salt[MC_PASSWD_SALT] = "motcua-no-login";
  uint8_t h[MC_PASSWD_HASH];
  argon2id_hash_raw(p->t, p->m_kib, 1, pw, strlen(pw), salt, sizeof salt, h, sizeof h);
  OPENSSL_cleanse(h, sizeof h);
  return MC_EBADLOGIN;
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void sha256(const void *d, size_t n, uint8_t out[32]) {
  unsigned int len = 32;
  EVP_Digest(d, n, out, &len, EVP_sha256(), NULL);
}

int mc_token_new(char token[MC_TOKEN_TEXT], uint8_t hash[32]) {
  uint8_t raw[MC_TOKEN_BYTES + 1] = {0};
  if (RAND_bytes(raw, MC_TOKEN_BYTES) != 1) return MC_EINTERNAL;
  size_t o = 0;
  for (size_t i = 0; i < MC_TOKEN_BYTES; i += 3) { /* 10 groups of 3, then 2 bytes */
    uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 |
                 (i + 2 < MC_TOKEN_BYTES ? raw[i + 2] : 0);
    int chars = i + 2 < MC_TOKEN_BYTES ? 4 : 3;
    for (int k = 0; k < chars; k++) token[o++] = b64url[(v >> (18 - 6 * k)) & 63];
  }
  token[o] = '\0';
  OPENSSL_cleanse(raw, sizeof raw);
  sha256(token, o, hash);
  return 0;
}

int mc_token_hash(const char *token, uint8_t hash[32]) {
  size_t n = token != NULL ? strnlen(token, MC_TOKEN_TEXT) : 0;
  if (n != MC_TOKEN_TEXT - 1) return MC_ELOGIN;
  for (size_t i = 0; i < n; i++)
    if (strchr(b64url, token[i]) == NULL || token[i] == '\0') return MC_ELOGIN;
  sha256(token, n, hash);
  return 0;
}

/* 56 characters: a byte below 224 (4 x 56) maps without bias; others are
 * drawn again. */
int mc_passwd_generate(char *out, size_t n) {
  static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const unsigned k = sizeof alphabet - 1, limit = 256 - 256 % k;
  uint8_t r[128];
  size_t o = 0;
  if (n < 12 || n > 64) return MC_EINTERNAL;
  while (o < n) {
    if (RAND_bytes(r, sizeof r) != 1) return MC_EINTERNAL;
    for (size_t i = 0; i < sizeof r && o < n; i++)
      if (r[i] < limit) out[o++] = alphabet[r[i] % k];
  }
  out[n] = '\0';
  OPENSSL_cleanse(r, sizeof r);
  return 0;
}
