// The journal and the table of watched descriptors of the power-loss double (see
// include/CPowerLossDouble.h); Interpose.c holds the interposed calls.
#define _GNU_SOURCE
#include "CPowerLossDouble.h"
#include "Internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

// MARK: - Real functions

HIDDEN int (*real_open)(const char *, int, ...);
HIDDEN int (*real_open64)(const char *, int, ...);
HIDDEN int (*real_openat)(int, const char *, int, ...);
HIDDEN int (*real_openat64)(int, const char *, int, ...);
HIDDEN int (*real_close)(int);
HIDDEN ssize_t (*real_write)(int, const void *, size_t);
HIDDEN ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
HIDDEN ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
HIDDEN ssize_t (*real_writev)(int, const struct iovec *, int);
HIDDEN ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
HIDDEN ssize_t (*real_pwritev64)(int, const struct iovec *, int, off_t);
HIDDEN int (*real_ftruncate)(int, off_t);
HIDDEN int (*real_ftruncate64)(int, off_t);
HIDDEN int (*real_fsync)(int);
HIDDEN int (*real_fdatasync)(int);
HIDDEN int (*real_msync)(void *, size_t, int);
HIDDEN void *(*real_mmap)(void *, size_t, int, int, int, off_t);
HIDDEN void *(*real_mmap64)(void *, size_t, int, int, int, off_t);
HIDDEN int (*real_munmap)(void *, size_t);

static void resolve(void) {
    real_open = dlsym(RTLD_NEXT, "open");
    real_open64 = dlsym(RTLD_NEXT, "open64");
    real_openat = dlsym(RTLD_NEXT, "openat");
    real_openat64 = dlsym(RTLD_NEXT, "openat64");
    real_close = dlsym(RTLD_NEXT, "close");
    real_write = dlsym(RTLD_NEXT, "write");
    real_pwrite = dlsym(RTLD_NEXT, "pwrite");
    real_pwrite64 = dlsym(RTLD_NEXT, "pwrite64");
    real_writev = dlsym(RTLD_NEXT, "writev");
    real_pwritev = dlsym(RTLD_NEXT, "pwritev");
    real_pwritev64 = dlsym(RTLD_NEXT, "pwritev64");
    real_ftruncate = dlsym(RTLD_NEXT, "ftruncate");
    real_ftruncate64 = dlsym(RTLD_NEXT, "ftruncate64");
    real_fsync = dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
    real_msync = dlsym(RTLD_NEXT, "msync");
    real_mmap = dlsym(RTLD_NEXT, "mmap");
    real_mmap64 = dlsym(RTLD_NEXT, "mmap64");
    real_munmap = dlsym(RTLD_NEXT, "munmap");
}

// MARK: - State

HIDDEN pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct tracked_fd tracked[max_tracked_fds];
HIDDEN struct mapping mappings[max_mappings];
static char watched[PATH_MAX];
static size_t watched_length;
static int journal = -1;

static void initialize(void) {
    resolve();
    const char *dir = getenv("CORRAL_POWER_LOSS_DIR");
    const char *journal_path = getenv("CORRAL_POWER_LOSS_JOURNAL");
    if (dir == NULL || journal_path == NULL) return;
    if (realpath(dir, watched) == NULL) {
        fprintf(stderr, "CPowerLossDouble: CORRAL_POWER_LOSS_DIR %s: %s\n", dir, strerror(errno));
        abort();
    }
    watched_length = strlen(watched);
    journal = real_open(journal_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (journal < 0) {
        fprintf(stderr, "CPowerLossDouble: CORRAL_POWER_LOSS_JOURNAL %s: %s\n", journal_path, strerror(errno));
        abort();
    }
}

HIDDEN void ensure_initialized(void) { pthread_once(&once, initialize); }

HIDDEN struct tracked_fd *lookup(int fd) {
    if (journal < 0 || fd < 0 || fd >= max_tracked_fds || tracked[fd].path == NULL) return NULL;
    return &tracked[fd];
}

// MARK: - Journal

static void append_all(const void *bytes, size_t count) {
    const char *cursor = bytes;
    while (count > 0) {
        ssize_t written = real_write(journal, cursor, count);
        if (written < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "CPowerLossDouble: journal write failed: %s\n", strerror(errno));
            abort();
        }
        cursor += written;
        count -= (size_t)written;
    }
}

/// Appends one record in a single write, so a kill leaves at most a torn last record.
HIDDEN void record(char kind, const char *path, uint64_t offset, uint64_t size_before, uint64_t size_after,
                   const void *old_bytes, uint64_t old_length, const void *new_bytes, uint64_t new_length) {
    uint32_t path_length = (uint32_t)strlen(path);
    size_t total = 1 + 4 + path_length + 8 * 5 + old_length + new_length;
    char *buffer = malloc(total);
    if (buffer == NULL) abort();
    char *p = buffer;
    *p++ = kind;
    memcpy(p, &path_length, 4), p += 4;
    memcpy(p, path, path_length), p += path_length;
    memcpy(p, &offset, 8), p += 8;
    memcpy(p, &size_before, 8), p += 8;
    memcpy(p, &size_after, 8), p += 8;
    memcpy(p, &old_length, 8), p += 8;
    if (old_length > 0) memcpy(p, old_bytes, old_length), p += old_length;
    memcpy(p, &new_length, 8), p += 8;
    if (new_length > 0) memcpy(p, new_bytes, new_length), p += new_length;
    append_all(buffer, total);
    free(buffer);
}

HIDDEN void record_unmodeled(const char *path, const char *what) {
    record(corral_power_loss_unmodeled, path, 0, 0, 0, NULL, 0, what, strlen(what));
}

HIDDEN uint64_t file_size(int fd) {
    struct stat info;
    if (fstat(fd, &info) != 0) return 0;
    return (uint64_t)info.st_size;
}

/// The bytes in [offset, offset + length) that exist now (the part below the file size).
HIDDEN char *read_old(struct tracked_fd *t, uint64_t offset, uint64_t length, uint64_t size, uint64_t *old_length) {
    *old_length = offset >= size ? 0 : (size - offset < length ? size - offset : length);
    char *old = malloc(*old_length + 1);
    if (old == NULL) abort();
    uint64_t done = 0;
    while (done < *old_length) {
        ssize_t got = pread(t->shadow, old + done, *old_length - done, (off_t)(offset + done));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            record_unmodeled(t->path, "could not read the bytes a write replaces");
            *old_length = done;
            break;
        }
        done += (uint64_t)got;
    }
    return old;
}

// MARK: - Tracking descriptors

HIDDEN void track(int fd, int flags) {
    if (journal < 0 || fd < 0) return;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link, path, sizeof path - 1);
    if (length < 0) return;
    path[length] = 0;
    if ((size_t)length <= watched_length || strncmp(path, watched, watched_length) != 0 || path[watched_length] != '/') {
        return;
    }
    if (fd >= max_tracked_fds) {
        record_unmodeled(path, "descriptor number too large to track");
        return;
    }
    if (flags & O_TRUNC) record_unmodeled(path, "open with O_TRUNC");
    tracked[fd].path = strdup(path);
    tracked[fd].synchronous = (flags & (O_SYNC | O_DSYNC)) != 0;
    tracked[fd].shadow = real_open(link, O_RDONLY | O_CLOEXEC);
}

HIDDEN void untrack(int fd) {
    if (fd < 0 || fd >= max_tracked_fds || tracked[fd].path == NULL) return;
    free(tracked[fd].path);
    tracked[fd].path = NULL;
    if (tracked[fd].shadow >= 0) real_close(tracked[fd].shadow);
    tracked[fd].shadow = -1;
}

HIDDEN mode_t mode_argument(int flags, va_list arguments) {
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(arguments, int) : 0;
}
