#include "terminal_guard.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

// Real faults rather than kill(2): the kernel's siginfo and context are what the handler and
// the backtracer see in a true crash. Kept in C because Swift checks these operations away.
void audittop_guard_crash_for_test(int sig) {
    switch (sig) {
    case SIGSEGV: {
        volatile int *volatile nowhere = NULL;
        *nowhere = 1;
        break;
    }
    case SIGBUS: {
        FILE *file = tmpfile();
        if (file == NULL) { break; }
        void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fileno(file), 0);
        if (page == MAP_FAILED) { break; }
        *(volatile char *)page = 1;  // the file is empty: no page behind the mapping
        break;
    }
    case SIGFPE: {
        volatile int zero = 0;
        volatile int quotient = 1 / zero;
        (void)quotient;
#if !defined(__x86_64__) && !defined(__i386__)
        raise(SIGFPE);  // integer division by zero does not trap on every CPU
#endif
        break;
    }
    case SIGILL:
#if defined(__x86_64__) || defined(__i386__)
        __asm__ volatile("ud2");
#elif defined(__aarch64__)
        __asm__ volatile(".inst 0x00000000");  // udf #0
#endif
        raise(SIGILL);
        break;
    case SIGTRAP:
#if defined(__x86_64__) || defined(__i386__)
        __asm__ volatile("int3");
#elif defined(__aarch64__)
        __asm__ volatile("brk #0xf000");
#endif
        raise(SIGTRAP);
        break;
    case SIGABRT: abort();
    default: break;
    }
}
