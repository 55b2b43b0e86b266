/* The session layer's entry point: accept a connection and give it the
 * link callbacks that decode, check (state, role, rate) and dispatch each
 * message to its handler (dispatch.c holds the table). */
#ifndef MC_DISPATCH_H
#define MC_DISPATCH_H

#include "server.h"

/* Accept one pending connection (the server's accept hook). */
void mc_session_accept(mc_server *srv);

#endif
