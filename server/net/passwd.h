/* Passwords and session tokens (issue 15), blocking and thread-safe: the
 * server runs them on the libuv threadpool (auth.c), the one-shot
 * --officers-import on its own threads. Argon2id through Debian's
 * libargon2 (the reference implementation); parameters in the settings
 * ([officers] argon2_memory_kib, argon2_iterations; parallelism 1).
 * Nothing here logs; callers never log a password or a token. */
#ifndef MC_PASSWD_H
#define MC_PASSWD_H

#include <stddef.h>
#include <stdint.h>

#define MC_PASSWD_ENCODED_MAX 192 /* "$argon2id$v=19$m=...,t=...,p=1$<salt>$<hash>" */
#define MC_PASSWD_SALT 16
#define MC_PASSWD_HASH 32
#define MC_TOKEN_BYTES 32
#define MC_TOKEN_TEXT 44 /* base64url of 32 bytes without padding (43) + NUL */

typedef struct mc_argon2 {
  uint32_t m_kib; /* memory, KiB */
  uint32_t t;     /* passes */
} mc_argon2;

/* Hash pw with a fresh random salt into out (encoded form). 0, or
 * MC_EINTERNAL (no randomness, libargon2 failure), MC_ENOMEM. */
int mc_passwd_hash(const mc_argon2 *p, const char *pw, char out[MC_PASSWD_ENCODED_MAX]);
/* 0 when pw matches the encoded hash, MC_EBADLOGIN when it does not (or the
 * hash is malformed). */
int mc_passwd_verify(const char *encoded, const char *pw);
/* The same work as a verify against a hash of these parameters, for logins
 * that do not exist or may not log in here: always MC_EBADLOGIN. */
int mc_passwd_dummy(const mc_argon2 *p, const char *pw);

/* A new session token: 32 random bytes as base64url (43 characters), and
 * its SHA-256 (what the database keeps). 0 or MC_EINTERNAL. */
int mc_token_new(char token[MC_TOKEN_TEXT], uint8_t hash[32]);
/* SHA-256 of a token as received; 0, or MC_ELOGIN when it is not 43
 * base64url characters. */
int mc_token_hash(const char *token, uint8_t hash[32]);

/* A generated password (temporary passwords, local deployments): n
 * characters (12..64) from an alphabet without look-alikes. 0 or
 * MC_EINTERNAL. */
int mc_passwd_generate(char *out, size_t n);

#endif
