/* The one error enum of motcua. Every fallible function returns 0 or a
 * negative mc_err. Values mirror motcua.ErrorCode on the wire (code = -err);
 * mc_err_to_wire()/mc_err_from_wire() in proto/ are the only mapping. */
#ifndef MC_ERROR_H
#define MC_ERROR_H

typedef enum mc_err {
  MC_OK = 0,
  MC_EINTERNAL = -1,
  MC_ENOMEM = -2,
  MC_EPROTO = -3,      /* malformed or out-of-order message */
  MC_EVERSION = -4,    /* incompatible protocol version */
  MC_ETOOBIG = -5,     /* frame or field over its cap */
  MC_EINVAL = -6,      /* a request field is invalid */
  MC_EUNAUTH = -7,     /* no or unusable certificate identity */
  MC_EFORBIDDEN = -8,  /* caller's unit/role may not do this */
  MC_ENOTFOUND = -9,
  MC_ECONFLICT = -10,  /* idempotency key reused for another request */
  MC_EUNAVAIL = -11,   /* database or service unavailable: try again */
  MC_ETIMEOUT = -12,
  MC_EBUSY = -13,      /* a limit was reached (rate, in flight, links...) */
  MC_EWRONGLEVEL = -14,/* e.g. forwarding a commune-level dossier */
  MC_EBADSTATE = -15,  /* action not allowed in the dossier's status */
  MC_EIO = -16,
  MC_ETLS = -17,
  MC_ECLOSED = -18,
  MC_ECONFIG = -19,
  MC_EREVOKED = -20,   /* our certificate is revoked (TLS alert or Goodbye): see IT */
  MC_ELOGIN = -21,     /* no officer logged in, or the session ended/expired */
  MC_EBADLOGIN = -22,  /* wrong login or password (never says which) */
  MC_ELOCKED = -23,    /* the login is temporarily locked after failures */
  MC_EPWCHANGE = -24,  /* the password must be changed before anything else */
  MC_EWEAKPW = -25,    /* new password refused by the policy (detail: rule) */
  MC_EREPLYBIG = -26,  /* the answer would exceed the frame cap (issue 19) */
  MC_ENEEDMORE = -100  /* codec only: not an error, feed more bytes */
} mc_err;

#define MC_ERR_WIRE_MAX 26

/* Short English description; never NULL. */
const char *mc_strerror(int err);
/* Stable identifier such as "not_found", used in JSON output. */
const char *mc_errname(int err);

#endif
