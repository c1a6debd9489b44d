#ifndef SYNTOP_TERMSUPPORT_H
#define SYNTOP_TERMSUPPORT_H
#include <stdint.h>

/* Restores the terminal (endwin) before a crash signal reaches the previous handler (the Swift
   runtime's backtracer), and at exit(). Safe to call more than once. */
void ts_install_crash_guard(void);

/* Whether curses owns the terminal; the crash guard and exit handler call endwin only then. */
void ts_set_curses_active(int active);

/* The size of the terminal on fd, from TIOCGWINSZ. Returns 0, or -1 when fd is not a terminal. */
int ts_terminal_size(int fd, int *rows, int *cols);

#endif
