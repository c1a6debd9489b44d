#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t pipe_fd = -1;

static void on_routed_signal(int sig) {
    int saved = errno;
    unsigned char byte = (unsigned char)sig;
    if (pipe_fd >= 0) {
        ssize_t ignored = write(pipe_fd, &byte, 1);
        (void)ignored;
    }
    errno = saved;
}

static const int routed_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGWINCH, SIGTSTP};

static int route(int sig) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_routed_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; /* no SA_RESTART: poll() must wake up */
    return sigaction(sig, &action, NULL);
}

int ts_route_signals_to_pipe(int write_fd) {
    pipe_fd = write_fd;
    for (size_t i = 0; i < sizeof routed_signals / sizeof routed_signals[0]; i++) {
        if (route(routed_signals[i]) != 0) return -1;
    }
    return 0;
}

void ts_raise_default(int sig) {
    signal(sig, SIG_DFL);
    raise(sig);
    /* Execution continues here after SIGCONT. */
    route(sig);
}
