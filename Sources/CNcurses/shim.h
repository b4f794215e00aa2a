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
static inline int nc_has_cursor_addressing(void) { return tigetstr("cup") != NULL && tigetstr("cup") != (char *)-1; }

#endif
