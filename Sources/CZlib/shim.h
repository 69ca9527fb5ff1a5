#ifndef CORRAL_CZLIB_SHIM_H
#define CORRAL_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2 is a macro; wrap it so Swift can call it. windowBits 15+32 accepts gzip and zlib.
static inline int corral_inflate_init(z_streamp stream) {
    return inflateInit2(stream, 15 + 32);
}

/// The same for a raw deflate stream (no header), as in a zip archive's members.
static inline int corral_inflate_init_raw(z_streamp stream) {
    return inflateInit2(stream, -15);
}

/// deflateInit2 is a macro; wrap it for a gzip (windowBits 15+16) stream at the given level.
static inline int corral_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
#endif
