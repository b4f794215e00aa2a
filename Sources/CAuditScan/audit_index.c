#include "audit_scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The offset of the first quote or backslash in p[i..n), or n. */
static inline size_t quote_or_slash(const unsigned char *p, size_t n, size_t i) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i slash = _mm_set1_epi8('\\');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)));
        if (mask != 0) {
            return i + (size_t)__builtin_ctz((unsigned)mask);
        }
    }
#endif
    for (; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\') {
            return i;
        }
    }
    return n;
}

long audit_index_json_containers(const unsigned char *p, size_t n, size_t start, size_t *opens, size_t *closes,
                                 size_t capacity) {
    long slots[AUDIT_INDEX_MAX_LEVELS];
    int depth = 0;
    size_t count = 0;
    for (size_t i = start; i < n; i++) {
        unsigned char c = p[i];
        switch (c) {
        case '"': {
            size_t k = i + 1;
            for (;;) {
                k = quote_or_slash(p, n, k);
                if (k >= n) {
                    return -1;
                }
                if (p[k] == '"') {
                    break;
                }
                k += 2; /* a backslash and the byte it escapes */
            }
            i = k;
            if (depth == 0) {
                return 0;
            }
            break;
        }
        case '{':
        case '[':
            if (depth == AUDIT_INDEX_MAX_LEVELS) {
                return -1;
            }
            if (count < capacity) {
                opens[count] = i;
                closes[count] = 0;
                slots[depth] = (long)count;
                count++;
            } else {
                slots[depth] = -1;
            }
            depth++;
            break;
        case '}':
        case ']':
            if (depth == 0) {
                return -1;
            }
            depth--;
            if (slots[depth] >= 0) {
                closes[slots[depth]] = i + 1;
            }
            if (depth == 0) {
                return (long)count;
            }
            break;
        case ' ':
        case '\n':
        case '\r':
        case '\t':
            break;
        default:
            if (depth == 0) {
                return 0; /* a number or literal: no containers */
            }
            break;
        }
    }
    return -1;
}
