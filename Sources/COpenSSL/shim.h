#ifndef CORRAL_COPENSSL_SHIM_H
#define CORRAL_COPENSSL_SHIM_H
#include <openssl/evp.h>
#endif
