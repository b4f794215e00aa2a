#include "audit_scan.h"

/* The validating skip over one JSON value: the same grammar, nesting and string checks as
 * JSONCursor.skipValueReference in Swift, with the same outcome for every input (the tests
 * and the decoder fuzz target compare the two), without a call or a throw per value.
 * Open containers are one bit each (1 = object) in a fixed stack. */

#define SKIP_STACK_WORDS (AUDIT_SKIP_MAX_LEVELS / 64)

static inline int is_space(unsigned char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

static inline int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static inline int bad_byte(unsigned char c) { return c == 0 ? AUDIT_SKIP_NUL : AUDIT_SKIP_INVALID; }

static inline int string_outcome(int r) {
    switch (r) {
    case AUDIT_STRING_TRUNCATED: return AUDIT_SKIP_TRUNCATED;
    case AUDIT_STRING_BAD_UTF8: return AUDIT_SKIP_BAD_UTF8;
    case AUDIT_STRING_NUL: return AUDIT_SKIP_NUL;
    default: return AUDIT_SKIP_INVALID;
    }
}

/* p[*i] is the opening quote. */
static inline int skip_string(const unsigned char *p, size_t n, size_t *i) {
    size_t length = 0;
    int escaped = 0;
    size_t start = *i + 1;
    int r = audit_scan_json_string_inline(p + start, n - start, &length, &escaped);
    if (r != AUDIT_STRING_OK) {
        return string_outcome(r);
    }
    *i = start + length + 1;
    return AUDIT_SKIP_OK;
}

static inline int skip_digits(const unsigned char *p, size_t n, size_t *i) {
    size_t k = *i;
    if (k >= n) {
        return AUDIT_SKIP_TRUNCATED;
    }
    if (!is_digit(p[k])) {
        return AUDIT_SKIP_INVALID;
    }
    while (k < n && is_digit(p[k])) {
        k++;
    }
    *i = k;
    return AUDIT_SKIP_OK;
}

static int skip_number(const unsigned char *p, size_t n, size_t *i) {
    size_t k = *i;
    if (p[k] == '-') {
        k++;
    }
    if (k >= n) {
        return AUDIT_SKIP_TRUNCATED;
    }
    if (p[k] == '0') {
        k++;
    } else if (p[k] >= '1' && p[k] <= '9') {
        while (k < n && is_digit(p[k])) {
            k++;
        }
    } else {
        return AUDIT_SKIP_INVALID;
    }
    int r;
    if (k < n && p[k] == '.') {
        k++;
        if ((r = skip_digits(p, n, &k)) != AUDIT_SKIP_OK) {
            return r;
        }
    }
    if (k < n && (p[k] == 'e' || p[k] == 'E')) {
        k++;
        if (k < n && (p[k] == '+' || p[k] == '-')) {
            k++;
        }
        if ((r = skip_digits(p, n, &k)) != AUDIT_SKIP_OK) {
            return r;
        }
    }
    *i = k;
    return AUDIT_SKIP_OK;
}

static int skip_literal(const unsigned char *p, size_t n, size_t *i) {
    const char *word = p[*i] == 't' ? "true" : p[*i] == 'f' ? "false" : "null";
    size_t k = 0;
    for (; word[k] != 0; k++) {
        if (*i + k >= n) {
            return AUDIT_SKIP_TRUNCATED;
        }
        if (p[*i + k] != (unsigned char)word[k]) {
            return AUDIT_SKIP_INVALID;
        }
    }
    *i += k;
    return AUDIT_SKIP_OK;
}

/* Skips whitespace; returns the next byte's offset, or n. */
static inline size_t skip_space(const unsigned char *p, size_t n, size_t i) {
    while (i < n && is_space(p[i])) {
        i++;
    }
    return i;
}

int audit_skip_json_value(const unsigned char *p, size_t n, size_t start, int depth, int max_depth, size_t *end) {
    uint64_t stack[SKIP_STACK_WORDS];
    int open = 0; /* containers open inside the value */
    size_t i = start;
    int r;
    if (max_depth - depth > AUDIT_SKIP_MAX_LEVELS) {
        return AUDIT_SKIP_UNSUPPORTED;
    }

value:
    i = skip_space(p, n, i);
    if (i >= n) {
        return AUDIT_SKIP_TRUNCATED;
    }
    switch (p[i]) {
    case '"':
        if ((r = skip_string(p, n, &i)) != AUDIT_SKIP_OK) {
            return r;
        }
        goto after_value;
    case '{':
    case '[': {
        int object = p[i] == '{';
        if (depth + open >= max_depth) {
            return AUDIT_SKIP_TOO_DEEP;
        }
        i = skip_space(p, n, i + 1);
        if (i >= n) {
            return AUDIT_SKIP_TRUNCATED;
        }
        if (p[i] == (object ? '}' : ']')) {
            i++;
            goto after_value;
        }
        uint64_t bit = (uint64_t)1 << (open & 63);
        if (object) {
            stack[open >> 6] |= bit;
        } else {
            stack[open >> 6] &= ~bit;
        }
        open++;
        if (object) {
            goto member;
        }
        goto value;
    }
    case 't':
    case 'f':
    case 'n':
        if ((r = skip_literal(p, n, &i)) != AUDIT_SKIP_OK) {
            return r;
        }
        goto after_value;
    case '-':
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
        if ((r = skip_number(p, n, &i)) != AUDIT_SKIP_OK) {
            return r;
        }
        goto after_value;
    default:
        return bad_byte(p[i]);
    }

member:
    /* A key, its colon, then the value. */
    i = skip_space(p, n, i);
    if (i >= n) {
        return AUDIT_SKIP_TRUNCATED;
    }
    if (p[i] != '"') {
        return bad_byte(p[i]);
    }
    if ((r = skip_string(p, n, &i)) != AUDIT_SKIP_OK) {
        return r;
    }
    i = skip_space(p, n, i);
    if (i >= n) {
        return AUDIT_SKIP_TRUNCATED;
    }
    if (p[i] != ':') {
        return bad_byte(p[i]);
    }
    i++;
    goto value;

after_value:
    while (open > 0) {
        i = skip_space(p, n, i);
        if (i >= n) {
            return AUDIT_SKIP_TRUNCATED;
        }
        unsigned char c = p[i++];
        int object = (stack[(open - 1) >> 6] >> ((open - 1) & 63)) & 1;
        if (c == ',') {
            if (object) {
                goto member;
            }
            goto value;
        }
        if (c != (object ? '}' : ']')) {
            return bad_byte(c);
        }
        open--;
    }
    *end = i;
    return AUDIT_SKIP_OK;
}
