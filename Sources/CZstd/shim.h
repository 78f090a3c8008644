// libzstd (HTTPCompression's `zstd` coding, trait Zstd; its tests decode with it too).
#include <zstd.h>
