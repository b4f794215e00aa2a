#include "terminal_guard.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved_termios;
static int have_termios = 0;
static char reset_bytes[256];
static size_t reset_length = 0;
static volatile sig_atomic_t quit_signal = 0;

static const int quit_signals[] = {SIGINT, SIGTERM, SIGHUP};
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
static struct sigaction previous_quit[3];
static struct sigaction previous_crash[6];

static void on_quit(int sig) { quit_signal = sig; }

static void on_crash(int sig) {
    if (reset_length > 0) {
        ssize_t ignored = write(STDOUT_FILENO, reset_bytes, reset_length);
        (void)ignored;
    }
    if (have_termios) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
    }
    for (int k = 0; k < 6; k++) {
        if (crash_signals[k] == sig) {
            sigaction(sig, &previous_crash[k], NULL);
        }
    }
    // Hand over to the previous handler (Swift's backtracer prints its report). Should it
    // return, as it may for a signal sent by kill rather than a fault, end with the
    // default action so the process never runs on with a reset terminal.
    raise(sig);
    signal(sig, SIG_DFL);
    raise(sig);
    _exit(128 + sig);
}

void audittop_guard_install(const char *reset, size_t length) {
    have_termios = tcgetattr(STDIN_FILENO, &saved_termios) == 0;
    reset_length = length < sizeof reset_bytes ? length : sizeof reset_bytes;
    memcpy(reset_bytes, reset, reset_length);
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
    crash_action.sa_handler = on_crash;
    sigemptyset(&crash_action.sa_mask);
    crash_action.sa_flags = SA_NODEFER;
    for (int k = 0; k < 6; k++) {
        sigaction(crash_signals[k], &crash_action, &previous_crash[k]);
    }
}

void audittop_guard_uninstall(void) {
    for (int k = 0; k < 3; k++) {
        sigaction(quit_signals[k], &previous_quit[k], NULL);
    }
    for (int k = 0; k < 6; k++) {
        sigaction(crash_signals[k], &previous_crash[k], NULL);
    }
}

int audittop_guard_quit_signal(void) { return quit_signal; }
