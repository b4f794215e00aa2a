#ifndef AUDITTOP_TERMINAL_GUARD_H
#define AUDITTOP_TERMINAL_GUARD_H

#include <stddef.h>

/// Saves the terminal settings of fd 0 and remembers `reset` (the escape sequences that
/// leave the alternate screen, reset attributes and show the cursor). From then on:
/// SIGINT, SIGTERM and SIGHUP are unblocked on the calling thread and only set the quit flag; a crash signal (SEGV, BUS, ILL, TRAP,
/// ABRT, FPE) writes `reset`, restores the settings and hands over to the previous handler.
void audittop_guard_install(const char *reset, size_t length);

/// Restores the previous handlers (after a clean shutdown).
void audittop_guard_uninstall(void);

/// The quit signal received (SIGINT, SIGTERM, SIGHUP), or 0.
int audittop_guard_quit_signal(void);

#endif
