#ifndef SYNTOP_CMICROHTTPD_SHIM_H
#define SYNTOP_CMICROHTTPD_SHIM_H
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/select.h>
#include <microhttpd.h>

/* MHD_start_daemon and MHD_get_daemon_info are variadic, which Swift cannot call: these fix
   the options syntop uses. No thread of libmicrohttpd's own: its epoll descriptor goes into
   syntop's poll loop (external polling), and MHD_run does the work when it is ready. */
static inline struct MHD_Daemon *syntop_mhd_start(const struct sockaddr *address, int ipv6,
                                                   MHD_AccessHandlerCallback handler, void *context,
                                                   unsigned int connections, unsigned int per_address,
                                                   size_t memory, unsigned int timeout_seconds) {
    unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0);
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, context,
                            MHD_OPTION_SOCK_ADDR, address,
                            MHD_OPTION_CONNECTION_LIMIT, connections,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
                            MHD_OPTION_END);
}
static inline int syntop_mhd_epoll_fd(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
    return info ? info->epoll_fd : -1;
}
static inline int syntop_mhd_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? (int)info->port : -1;
}
#endif
