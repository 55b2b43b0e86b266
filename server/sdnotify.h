/* systemd readiness notification (sd_notify protocol) without libsystemd:
 * one datagram to $NOTIFY_SOCKET. A no-op when not run by systemd. */
#ifndef MC_SDNOTIFY_H
#define MC_SDNOTIFY_H

/* state: e.g. "READY=1", "STOPPING=1", "RELOADING=1". Returns 0, or a
 * negative mc_err if the socket is set but the message could not be sent. */
int mc_sd_notify(const char *state);

#endif
