#define _GNU_SOURCE
#include "termsupport.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <ncursesw/curses.h>

static volatile sig_atomic_t curses_active = 0;

static void restore_terminal(void) {
    if (curses_active) {
        curses_active = 0;
        endwin();
    }
}

void ts_set_curses_active(int active) { curses_active = active ? 1 : 0; }

static const int crash_signals[] = {SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE};
static struct sigaction previous_actions[NSIG];

static void on_crash(int sig, siginfo_t *info, void *context) {
    (void)context;
    /* endwin is not async-signal-safe, but the process is going down anyway and a terminal
       left in raw mode with the alternate screen on is the worse outcome. */
    restore_terminal();
    sigaction(sig, &previous_actions[sig], NULL);
    /* A fault re-executes the faulting instruction and reaches the previous handler by
       itself; a signal that was sent, or one that does not re-fault, is raised again. */
    if (sig == SIGABRT || sig == SIGTRAP || info == NULL || info->si_code <= 0) {
        raise(sig);
    }
}

void ts_install_crash_guard(void) {
    static int installed = 0;
    if (installed) return;
    installed = 1;
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++) {
        int sig = crash_signals[i];
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = on_crash;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigaction(sig, &action, &previous_actions[sig]);
    }
    atexit(restore_terminal);
}

int ts_terminal_size(int fd, int *rows, int *cols) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_row == 0 || size.ws_col == 0) return -1;
    *rows = size.ws_row;
    *cols = size.ws_col;
    return 0;
}
