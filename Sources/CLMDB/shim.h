#ifndef CORRAL_CLMDB_SHIM_H
#define CORRAL_CLMDB_SHIM_H
#include <lmdb.h>
#endif
