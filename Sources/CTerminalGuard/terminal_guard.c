#include "terminal_guard.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved_termios;
static int termios_fd = -1;
static char reset_bytes[512];
static size_t reset_length = 0;
static char crash_note[1024];
static size_t crash_note_length = 0;
static volatile sig_atomic_t quit_signal = 0;
static volatile sig_atomic_t crashing = 0;

static const int quit_signals[] = {SIGINT, SIGTERM, SIGHUP};
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
static const char *const crash_names[] = {"SIGSEGV", "SIGBUS", "SIGILL", "SIGTRAP", "SIGABRT", "SIGFPE"};
static struct sigaction previous_quit[3];
static struct sigaction previous_crash[6];
static int installed = 0;

static void on_quit(int sig) { quit_signal = sig; }

static void write_all(int fd, const char *bytes, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, bytes, length);
        if (n <= 0) { return; }
        bytes += n;
        length -= (size_t)n;
    }
}

static void write_text(int fd, const char *text) { write_all(fd, text, strlen(text)); }

/// The terminal first, then the note, then the previous handler (Swift's backtracer, which
/// the environment set up as non-interactive), then death by the signal's default action.
static void on_crash(int sig, siginfo_t *info, void *context) {
    int k = 0;
    while (k < 6 && crash_signals[k] != sig) { k++; }
    // Only the first crash restores and speaks; another thread crashing meanwhile, or a
    // fault inside the backtracer's hand-over, goes straight on.
    if (!crashing) {
        crashing = 1;
        if (reset_length > 0) { write_all(STDOUT_FILENO, reset_bytes, reset_length); }
        if (termios_fd >= 0) { tcsetattr(termios_fd, TCSANOW, &saved_termios); }
        if (crash_note_length > 0 && k < 6) {
            write_text(STDERR_FILENO, "audittop crashed (");
            write_text(STDERR_FILENO, crash_names[k]);
            write_text(STDERR_FILENO, "); ");
            write_all(STDERR_FILENO, crash_note, crash_note_length);
        }
    }
    if (k < 6) {
        struct sigaction previous = previous_crash[k];
        sigaction(sig, &previous, NULL);
        // Called directly with the fault's own context, so the backtrace starts where the
        // fault happened rather than in this handler.
        if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction != NULL) {
            previous.sa_sigaction(sig, info, context);
        } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler != NULL) {
            previous.sa_handler(sig);
        }
    }
    // The previous handler returned (it does, after a backtrace): end now with the default
    // action, so the process never runs on, and its status says which signal killed it.
    signal(sig, SIG_DFL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, sig);
    pthread_sigmask(SIG_UNBLOCK, &only, NULL);
    raise(sig);
    _exit(128 + sig);
}

void audittop_guard_save_terminal(int fd) {
    termios_fd = tcgetattr(fd, &saved_termios) == 0 ? fd : -1;
}

void audittop_guard_crash_note(const char *note, size_t length) {
    crash_note_length = length < sizeof crash_note ? length : sizeof crash_note;
    memcpy(crash_note, note, crash_note_length);
}

void audittop_guard_install(const char *reset, size_t length) {
    reset_length = length < sizeof reset_bytes ? length : sizeof reset_bytes;
    memcpy(reset_bytes, reset, reset_length);
    if (installed) { return; }
    installed = 1;
    // A parent may have left these blocked (a test runner, some supervisors): unblock them,
    // or a stop request would wait forever.
    sigset_t unblock;
    sigemptyset(&unblock);
    for (int k = 0; k < 3; k++) {
        sigaddset(&unblock, quit_signals[k]);
    }
    pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
    struct sigaction quit_action;
    memset(&quit_action, 0, sizeof quit_action);
    quit_action.sa_handler = on_quit;
    sigemptyset(&quit_action.sa_mask);
    for (int k = 0; k < 3; k++) {
        sigaction(quit_signals[k], &quit_action, &previous_quit[k]);
    }
    struct sigaction crash_action;
    memset(&crash_action, 0, sizeof crash_action);
    crash_action.sa_sigaction = on_crash;
    sigemptyset(&crash_action.sa_mask);
    // On the alternate stack the Swift runtime sets up, so a stack overflow is caught too.
    crash_action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    for (int k = 0; k < 6; k++) {
        sigaction(crash_signals[k], &crash_action, &previous_crash[k]);
    }
}

void audittop_guard_uninstall(void) {
    if (!installed) { return; }
    installed = 0;
    for (int k = 0; k < 3; k++) {
        sigaction(quit_signals[k], &previous_quit[k], NULL);
    }
    for (int k = 0; k < 6; k++) {
        sigaction(crash_signals[k], &previous_crash[k], NULL);
    }
    termios_fd = -1;
    reset_length = 0;
}

int audittop_guard_quit_signal(void) { return quit_signal; }
