// libbrotli's encoder (HTTPCompression's `br` coding, trait Brotli) and decoder (its tests).
#include <brotli/encode.h>
#include <brotli/decode.h>
