#ifndef AUDITTOP_TERMINAL_GUARD_H
#define AUDITTOP_TERMINAL_GUARD_H

#include <stddef.h>

/// Saves the terminal settings of `fd` as they are now: call it before the screen changes
/// them, so a crash puts back the shell's settings (echo, line editing, output newlines).
void audittop_guard_save_terminal(int fd);

/// A note written to stderr after a crash has restored the terminal, after
/// "audittop crashed (SIGSEGV); " (say where the backtrace goes). Empty: no note.
void audittop_guard_crash_note(const char *note, size_t length);

/// Remembers `reset` (the escape sequences that turn off the mouse and keypad modes, leave
/// the alternate screen, reset attributes and show the cursor) and installs the handlers,
/// once. From then on: SIGINT, SIGTERM and SIGHUP are unblocked on the calling thread and
/// only set the quit flag; a crash signal (SEGV, BUS, ILL, TRAP, ABRT, FPE) writes `reset`
/// to stdout, restores the saved settings, writes the crash note, calls the previous handler
/// (Swift's backtracer) with the fault's context, then ends the process by the signal.
void audittop_guard_install(const char *reset, size_t length);

/// Restores the previous handlers and forgets the reset (after a clean shutdown).
void audittop_guard_uninstall(void);

/// The quit signal received (SIGINT, SIGTERM, SIGHUP), or 0.
int audittop_guard_quit_signal(void);

/// For the crash tests only: faults for real with `sig` (SIGSEGV by a write through a null
/// pointer, SIGBUS by touching a mapped page past a file's end, SIGFPE by an integer division
/// by zero, SIGILL and SIGTRAP by their instructions, SIGABRT by abort()). Returns only for
/// another signal.
void audittop_guard_crash_for_test(int sig);

#endif
