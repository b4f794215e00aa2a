#ifndef AUDIT_SCAN_H
#define AUDIT_SCAN_H

#include <stddef.h>

/// Returns the offset of the first byte in p[0..n) that ends the plain run of a JSON
/// string: a quote, a backslash, a control byte (< 0x20) or a non-ASCII byte (>= 0x80).
/// Returns n when there is none. Sixteen bytes a step with SSE2, byte by byte elsewhere.
size_t audit_scan_string(const unsigned char *p, size_t n);

#endif

#ifndef AUDIT_SCAN_UUID
#define AUDIT_SCAN_UUID
#include <stdint.h>
/// Parses a 36-character UUID (8-4-4-4-12 hex digits) into two 64-bit halves.
/// Returns 1 on success, 0 when p is not a UUID.
int audit_parse_uuid(const unsigned char *p, uint64_t *high, uint64_t *low);
#endif

/// Asks the CPU to bring the cache line at p in ahead of a lookup.
static inline void audit_prefetch(const void *p) { __builtin_prefetch(p, 1, 3); }

/// Allocates `bytes` of zeroed memory (fresh anonymous pages, resident only once touched)
/// and asks the kernel to back it with huge pages: fewer TLB misses for large random-access
/// tables. Free with audit_free_table.
void *audit_alloc_table(size_t bytes);
/// Frees memory from audit_alloc_table.
void audit_free_table(void *p, size_t bytes);

/// Outcomes of audit_scan_json_string.
enum {
    AUDIT_STRING_OK = 0,
    AUDIT_STRING_TRUNCATED = 1,
    AUDIT_STRING_INVALID = 2,
    AUDIT_STRING_BAD_UTF8 = 3,
    AUDIT_STRING_NUL = 4,
};

/// Scans a JSON string's contents: p points just after the opening quote, n bytes follow.
/// On AUDIT_STRING_OK, *length is the number of content bytes (p[*length] is the closing
/// quote) and *escaped says whether a backslash escape occurred. Validates escapes
/// (including \uXXXX digits), rejects control bytes, and checks UTF-8 (RFC 3629).
int audit_scan_json_string(const unsigned char *p, size_t n, size_t *length, int *escaped);

/// audit_scan_json_string, with the common case inline in the caller: a string of plain
/// ASCII that closes within 64 bytes is found with at most four 16-byte steps and no call.
/// Anything else (an escape, a control or non-ASCII byte, a longer string) goes on in
/// audit_scan_json_string from the start.
static inline int audit_scan_json_string_inline(const unsigned char *p, size_t n, size_t *length, int *escaped) {
#if defined(__SSE2__) && defined(__clang__)
    typedef char audit_v16 __attribute__((vector_size(16), aligned(1)));
    const audit_v16 quote = {'"','"','"','"','"','"','"','"','"','"','"','"','"','"','"','"'};
    const audit_v16 slash = {'\\','\\','\\','\\','\\','\\','\\','\\','\\','\\','\\','\\','\\','\\','\\','\\'};
    const audit_v16 space = {32,32,32,32,32,32,32,32,32,32,32,32,32,32,32,32};
    for (size_t i = 0; i < 64 && i + 16 <= n; i += 16) {
        audit_v16 v = *(const audit_v16 *)(p + i);
        audit_v16 hit = (v == quote) | (v == slash) | (v < space);
        int mask = __builtin_ia32_pmovmskb128(hit);
        if (mask != 0) {
            size_t at = i + (size_t)__builtin_ctz((unsigned)mask);
            if (p[at] == '"') {
                *length = at;
                *escaped = 0;
                return AUDIT_STRING_OK;
            }
            break;
        }
    }
#endif
    return audit_scan_json_string(p, n, length, escaped);
}

/// Outcomes of audit_skip_json_value.
enum {
    AUDIT_SKIP_OK = 0,
    AUDIT_SKIP_TRUNCATED = 1,
    AUDIT_SKIP_INVALID = 2,
    AUDIT_SKIP_BAD_UTF8 = 3,
    AUDIT_SKIP_NUL = 4,
    AUDIT_SKIP_TOO_DEEP = 5,
    /// max_depth - depth is more than AUDIT_SKIP_MAX_LEVELS: skip it some other way.
    AUDIT_SKIP_UNSUPPORTED = 6,
};

/// How many levels of nesting audit_skip_json_value can hold open.
#define AUDIT_SKIP_MAX_LEVELS 4096

/// Skips the JSON value starting at p[start] (after optional whitespace), validating its
/// grammar, strings (as audit_scan_json_string does) and nesting: a container at nesting
/// level `depth` or deeper than `max_depth - 1` is AUDIT_SKIP_TOO_DEEP. On AUDIT_SKIP_OK,
/// *end is the offset just past the value.
int audit_skip_json_value(const unsigned char *p, size_t n, size_t start, int depth, int max_depth, size_t *end);

#ifndef AUDIT_SCAN_INDEX
#define AUDIT_SCAN_INDEX
/// How deep audit_index_json_containers follows nesting.
#define AUDIT_INDEX_MAX_LEVELS 512

/// Finds every object and array inside the JSON value at p[start] (after optional
/// whitespace), which the caller has already validated: only brackets, quotes and
/// backslashes are looked at. In pre-order, opens[k] is the k-th container's opening
/// bracket and closes[k] one past its closing bracket; containers past `capacity` are not
/// recorded. Returns how many were recorded (0 for a string, number or literal), or -1 when
/// the value does not close within n or nests deeper than AUDIT_INDEX_MAX_LEVELS.
long audit_index_json_containers(const unsigned char *p, size_t n, size_t start, size_t *opens, size_t *closes,
                                 size_t capacity);
#endif
