#ifndef SYNTOP_SIGNALS_H
#define SYNTOP_SIGNALS_H

/* Routes SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGWINCH and SIGTSTP to one byte each on write_fd
   (the signal number). Installed without SA_RESTART so poll() returns EINTR at once.
   Returns 0, or -1 with errno set. */
int ts_route_signals_to_pipe(int write_fd);

/* Puts back the default action for sig, raises it, and routes it to the pipe again once
   the process continues. Used for SIGTSTP after the console has left curses mode. */
void ts_raise_default(int sig);

#endif
