#ifndef SYNTOP_CNCURSESW_SHIM_H
#define SYNTOP_CNCURSESW_SHIM_H
/* SwiftPM drops pkg-config's -D flags, so the wide-character API must be asked for here. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <wchar.h>
#include <langinfo.h>
#include <ncursesw/curses.h>

/* Globals and function-like macros do not import into Swift 6. */
static inline WINDOW *sh_stdscr(void) { return stdscr; }
static inline int sh_colors(void) { return COLORS; }
static inline int sh_color_pairs(void) { return COLOR_PAIRS; }

static const attr_t SH_A_NORMAL = A_NORMAL;
static const attr_t SH_A_BOLD = A_BOLD;
static const attr_t SH_A_DIM = A_DIM;
static const attr_t SH_A_UNDERLINE = A_UNDERLINE;
static const attr_t SH_A_REVERSE = A_REVERSE;

static const mmask_t SH_ALL_MOUSE_EVENTS = ALL_MOUSE_EVENTS;
static const mmask_t SH_BUTTON1_PRESSED = BUTTON1_PRESSED;
static const mmask_t SH_BUTTON1_CLICKED = BUTTON1_CLICKED;
static const mmask_t SH_BUTTON1_RELEASED = BUTTON1_RELEASED;
static const mmask_t SH_BUTTON4_PRESSED = BUTTON4_PRESSED;
static const mmask_t SH_BUTTON5_PRESSED = BUTTON5_PRESSED;

static inline int sh_key_f(int n) { return KEY_F(n); }
#endif
