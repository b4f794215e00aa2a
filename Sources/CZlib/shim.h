#ifndef AUDITTOP_CZLIB_SHIM_H
#define AUDITTOP_CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 is a macro; this is it as a function. windowBits 15 + 32: gzip or zlib,
// detected from the header.
static inline int audittop_inflate_init(z_stream *s) { return inflateInit2(s, 15 + 32); }
#endif
