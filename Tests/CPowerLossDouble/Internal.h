// Declarations shared by Journal.c and Interpose.c; hidden from the library's exports.
#ifndef CORRAL_POWER_LOSS_INTERNAL_H
#define CORRAL_POWER_LOSS_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define HIDDEN __attribute__((visibility("hidden")))

enum { max_tracked_fds = 4096, max_mappings = 64 };

/// A descriptor of a watched file.
struct tracked_fd {
    char *path;      // absolute; NULL when the descriptor is not watched
    int synchronous; // opened with O_SYNC or O_DSYNC
    int shadow;      // a read-only descriptor of the same file, to read the bytes a write replaces
};

struct mapping {
    char *address;
    size_t length;
    char *path;
};

HIDDEN extern int (*real_open)(const char *, int, ...);
HIDDEN extern int (*real_open64)(const char *, int, ...);
HIDDEN extern int (*real_openat)(int, const char *, int, ...);
HIDDEN extern int (*real_openat64)(int, const char *, int, ...);
HIDDEN extern int (*real_close)(int);
HIDDEN extern ssize_t (*real_write)(int, const void *, size_t);
HIDDEN extern ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
HIDDEN extern ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
HIDDEN extern ssize_t (*real_writev)(int, const struct iovec *, int);
HIDDEN extern ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
HIDDEN extern ssize_t (*real_pwritev64)(int, const struct iovec *, int, off_t);
HIDDEN extern int (*real_ftruncate)(int, off_t);
HIDDEN extern int (*real_ftruncate64)(int, off_t);
HIDDEN extern int (*real_fsync)(int);
HIDDEN extern int (*real_fdatasync)(int);
HIDDEN extern int (*real_msync)(void *, size_t, int);
HIDDEN extern void *(*real_mmap)(void *, size_t, int, int, int, off_t);
HIDDEN extern void *(*real_mmap64)(void *, size_t, int, int, int, off_t);
HIDDEN extern int (*real_munmap)(void *, size_t);

/// Guards the descriptor table, the mappings and the journal.
HIDDEN extern pthread_mutex_t lock;
HIDDEN extern struct mapping mappings[max_mappings];

/// Resolves the real functions and reads the environment, once.
HIDDEN void ensure_initialized(void);
/// The watched descriptor `fd`, or NULL.
HIDDEN struct tracked_fd *lookup(int fd);
/// Appends one record to the journal in a single write.
HIDDEN void record(char kind, const char *path, uint64_t offset, uint64_t size_before, uint64_t size_after,
                   const void *old_bytes, uint64_t old_length, const void *new_bytes, uint64_t new_length);
HIDDEN void record_unmodeled(const char *path, const char *what);
HIDDEN uint64_t file_size(int fd);
/// The bytes in [offset, offset + length) below `size`, malloc'd; their count in *old_length.
HIDDEN char *read_old(struct tracked_fd *t, uint64_t offset, uint64_t length, uint64_t size, uint64_t *old_length);
/// Starts watching `fd` when it names a file under the watched directory.
HIDDEN void track(int fd, int flags);
HIDDEN void untrack(int fd);
/// The mode argument of open/openat, present only with O_CREAT or O_TMPFILE.
HIDDEN mode_t mode_argument(int flags, va_list arguments);

#endif
