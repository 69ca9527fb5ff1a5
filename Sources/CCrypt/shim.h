#ifndef CORRAL_CCRYPT_SHIM_H
#define CORRAL_CCRYPT_SHIM_H
/* libxcrypt (Debian libcrypt-dev): crypt_r checks htpasswd hashes (bcrypt $2y$, sha512 $6$, ...). */
#include <crypt.h>
#endif
