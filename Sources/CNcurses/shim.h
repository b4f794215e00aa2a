#ifndef AUDITTOP_CNCURSES_SHIM_H
#define AUDITTOP_CNCURSES_SHIM_H

#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <langinfo.h>
#include <stdio.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// Macros and globals Swift cannot import directly, as functions.
static inline WINDOW *nc_stdscr(void) { return stdscr; }
static inline int nc_colors(void) { return COLORS; }
static inline int nc_color_pairs(void) { return COLOR_PAIRS; }
static inline int nc_lines(void) { return LINES; }
static inline int nc_cols(void) { return COLS; }
static inline attr_t nc_a_bold(void) { return A_BOLD; }
static inline attr_t nc_a_reverse(void) { return A_REVERSE; }
static inline attr_t nc_a_dim(void) { return A_DIM; }
static inline attr_t nc_a_underline(void) { return A_UNDERLINE; }
static inline attr_t nc_a_normal(void) { return A_NORMAL; }
static inline SCREEN *nc_newterm(const char *term) { return newterm(term, stdout, stdin); }
static inline SCREEN *nc_newterm_input(const char *term, FILE *in) { return newterm(term, stdout, in); }
/// A colour pair from any colour values: indexes, or 24-bit values on a direct-colour terminal.
static inline int nc_init_pair(int pair, int fg, int bg) { return init_extended_pair(pair, fg, bg); }
static inline int nc_has_cursor_addressing(void) { return tigetstr("cup") != NULL && tigetstr("cup") != (char *)-1; }


// Mouse: clicks and the wheel, as flags Swift can test.
static inline void nc_enable_mouse(void) { mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL); mouseinterval(0); }
/// Reads the pending mouse event: 1 click, 2 wheel up, 3 wheel down, 0 other; x and y set.
static inline int nc_mouse_event(int *x, int *y) {
    MEVENT e;
    if (getmouse(&e) != OK) { return 0; }
    *x = e.x; *y = e.y;
    if (e.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) { return 1; }
    if (e.bstate & BUTTON4_PRESSED) { return 2; }
    if (e.bstate & BUTTON5_PRESSED) { return 3; }
    return 0;
}
#endif
