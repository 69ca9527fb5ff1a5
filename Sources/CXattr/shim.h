#ifndef CORRAL_CXATTR_SHIM_H
#define CORRAL_CXATTR_SHIM_H
/* Glibc's Swift module does not export <sys/xattr.h>; the image store needs lsetxattr/lgetxattr. */
#include <sys/xattr.h>
#endif
