#include "audit_scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline int is_special(unsigned char c) {
    return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

size_t audit_scan_string(const unsigned char *p, size_t n) {
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i slash = _mm_set1_epi8('\\');
    /* A signed compare with 0x20 is true for 0x00-0x1F and for 0x80-0xFF (negative). */
    const __m128i space = _mm_set1_epi8(0x20);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)),
                                   _mm_cmplt_epi8(v, space));
        int mask = _mm_movemask_epi8(hit);
        if (mask != 0) {
            return i + (size_t)__builtin_ctz((unsigned)mask);
        }
    }
#endif
    for (; i < n; i++) {
        if (is_special(p[i])) {
            return i;
        }
    }
    return n;
}

static const signed char hex_digit[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
    ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

int audit_parse_uuid(const unsigned char *p, uint64_t *high, uint64_t *low) {
    if (p[8] != '-' || p[13] != '-' || p[18] != '-' || p[23] != '-') {
        return 0;
    }
    uint64_t words[2] = {0, 0};
    int nibble = 0;
    for (int k = 0; k < 36; k++) {
        if (k == 8 || k == 13 || k == 18 || k == 23) {
            continue;
        }
        int v = hex_digit[p[k]];
        if (v == 0) {
            return 0;
        }
        words[nibble >> 4] = (words[nibble >> 4] << 4) | (uint64_t)(v - 1);
        nibble++;
    }
    *high = words[0];
    *low = words[1];
    return 1;
}

#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

void *audit_alloc_table(size_t bytes) {
    void *p = NULL;
    if (posix_memalign(&p, 2u << 20, bytes) != 0) {
        return NULL;
    }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    memset(p, 0, bytes);
    return p;
}

void audit_free_table(void *p, size_t bytes) {
    (void)bytes;
    free(p);
}
