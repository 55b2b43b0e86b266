/* The network layer as the server object sees it: one call installs the
 * hooks (server.h) through which the server's lifecycle reaches sessions,
 * uploads and the monitor. */
#ifndef MC_NET_H
#define MC_NET_H

#include "server.h"

void mc_net_install(mc_server *srv);

#endif
