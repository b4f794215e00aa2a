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

/* Appends the n hex digits at p to *word; returns 0 when one is not a hex digit. */
static inline int hex_run(const unsigned char *p, int n, uint64_t *word) {
    uint64_t w = *word;
    int bad = 0;
    for (int k = 0; k < n; k++) {
        int v = hex_digit[p[k]];
        bad |= (v == 0);
        w = (w << 4) | (uint64_t)((v - 1) & 0xF);
    }
    *word = w;
    return !bad;
}

int audit_parse_uuid(const unsigned char *p, uint64_t *high, uint64_t *low) {
    if (p[8] != '-' || p[13] != '-' || p[18] != '-' || p[23] != '-') {
        return 0;
    }
    uint64_t h = 0, l = 0;
    int ok = hex_run(p, 8, &h) & hex_run(p + 9, 4, &h) & hex_run(p + 14, 4, &h)
        & hex_run(p + 19, 4, &l) & hex_run(p + 24, 12, &l);
    if (!ok) {
        return 0;
    }
    *high = h;
    *low = l;
    return 1;
}

#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

void *audit_alloc_table(size_t bytes) {
#if defined(__linux__)
    /* Fresh anonymous pages read as zero and cost nothing until touched. */
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        return NULL;
    }
#if defined(MADV_HUGEPAGE)
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
#else
    void *p = calloc(1, bytes);
    return p;
#endif
}

void audit_free_table(void *p, size_t bytes) {
#if defined(__linux__)
    munmap(p, bytes);
#else
    (void)bytes;
    free(p);
#endif
}

static int utf8_sequence(const unsigned char *p, size_t n, size_t *i) {
    unsigned char c = p[*i];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
    } else if (c == 0xE0) {
        need = 2; lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        need = 2;
    } else if (c == 0xED) {
        need = 2; hi = 0x9F;
    } else if (c == 0xF0) {
        need = 3; lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
        need = 3;
    } else if (c == 0xF4) {
        need = 3; hi = 0x8F;
    } else {
        return AUDIT_STRING_BAD_UTF8;
    }
    if (*i + need >= n) {
        return AUDIT_STRING_TRUNCATED;
    }
    size_t k = *i + 1;
    for (size_t left = need; left > 0; left--, k++) {
        if (p[k] < lo || p[k] > hi) {
            return AUDIT_STRING_BAD_UTF8;
        }
        lo = 0x80; hi = 0xBF;
    }
    *i = k;
    return AUDIT_STRING_OK;
}

int audit_scan_json_string(const unsigned char *p, size_t n, size_t *length, int *escaped) {
    size_t i = 0;
    *escaped = 0;
    for (;;) {
        i += audit_scan_string(p + i, n - i);
        if (i >= n) {
            return AUDIT_STRING_TRUNCATED;
        }
        unsigned char c = p[i];
        if (c == '"') {
            *length = i;
            return AUDIT_STRING_OK;
        }
        if (c == '\\') {
            *escaped = 1;
            if (i + 1 >= n) {
                return AUDIT_STRING_TRUNCATED;
            }
            switch (p[i + 1]) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                i += 2;
                break;
            case 'u':
                if (i + 6 > n) {
                    return AUDIT_STRING_TRUNCATED;
                }
                for (size_t k = i + 2; k < i + 6; k++) {
                    if (hex_digit[p[k]] == 0) {
                        return AUDIT_STRING_INVALID;
                    }
                }
                i += 6;
                break;
            case 0:
                return AUDIT_STRING_NUL;
            default:
                return AUDIT_STRING_INVALID;
            }
        } else if (c < 0x20) {
            return c == 0 ? AUDIT_STRING_NUL : AUDIT_STRING_INVALID;
        } else {
            int r = utf8_sequence(p, n, &i);
            if (r != AUDIT_STRING_OK) {
                return r;
            }
        }
    }
}
