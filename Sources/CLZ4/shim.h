#ifndef AUDITTOP_CLZ4_SHIM_H
#define AUDITTOP_CLZ4_SHIM_H
#include <lz4.h>
#endif
