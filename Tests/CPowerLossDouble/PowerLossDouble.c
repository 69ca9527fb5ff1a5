// An LD_PRELOAD test double: journals writes and syncs to files under one directory, so a
// test can undo the writes a power loss may lose. See include/CPowerLossDouble.h.
#define _GNU_SOURCE
#include "CPowerLossDouble.h"

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

static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real_close)(int);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static ssize_t (*real_pwritev64)(int, const struct iovec *, int, off_t);
static int (*real_ftruncate)(int, off_t);
static int (*real_ftruncate64)(int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_msync)(void *, size_t, int);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static void *(*real_mmap64)(void *, size_t, int, int, int, off_t);
static int (*real_munmap)(void *, size_t);

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

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct tracked_fd tracked[max_tracked_fds];
static struct mapping mappings[max_mappings];
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

static void ensure_initialized(void) { pthread_once(&once, initialize); }

static struct tracked_fd *lookup(int fd) {
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
static void record(char kind, const char *path, uint64_t offset, uint64_t size_before, uint64_t size_after,
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

static void record_unmodeled(const char *path, const char *what) {
    record(corral_power_loss_unmodeled, path, 0, 0, 0, NULL, 0, what, strlen(what));
}

static uint64_t file_size(int fd) {
    struct stat info;
    if (fstat(fd, &info) != 0) return 0;
    return (uint64_t)info.st_size;
}

/// The bytes in [offset, offset + length) that exist now (the part below the file size).
static char *read_old(struct tracked_fd *t, uint64_t offset, uint64_t length, uint64_t size, uint64_t *old_length) {
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

static void track(int fd, int flags) {
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

static void untrack(int fd) {
    if (fd < 0 || fd >= max_tracked_fds || tracked[fd].path == NULL) return;
    free(tracked[fd].path);
    tracked[fd].path = NULL;
    if (tracked[fd].shadow >= 0) real_close(tracked[fd].shadow);
    tracked[fd].shadow = -1;
}

static mode_t mode_argument(int flags, va_list arguments) {
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(arguments, int) : 0;
}

int open(const char *path, int flags, ...) {
    ensure_initialized();
    va_list arguments;
    va_start(arguments, flags);
    mode_t mode = mode_argument(flags, arguments);
    va_end(arguments);
    pthread_mutex_lock(&lock);
    int fd = real_open(path, flags, mode);
    int saved = errno;
    track(fd, flags);
    pthread_mutex_unlock(&lock);
    errno = saved;
    return fd;
}

int open64(const char *path, int flags, ...) {
    ensure_initialized();
    va_list arguments;
    va_start(arguments, flags);
    mode_t mode = mode_argument(flags, arguments);
    va_end(arguments);
    pthread_mutex_lock(&lock);
    int fd = real_open64(path, flags, mode);
    int saved = errno;
    track(fd, flags);
    pthread_mutex_unlock(&lock);
    errno = saved;
    return fd;
}

int openat(int dirfd, const char *path, int flags, ...) {
    ensure_initialized();
    va_list arguments;
    va_start(arguments, flags);
    mode_t mode = mode_argument(flags, arguments);
    va_end(arguments);
    pthread_mutex_lock(&lock);
    int fd = real_openat(dirfd, path, flags, mode);
    int saved = errno;
    track(fd, flags);
    pthread_mutex_unlock(&lock);
    errno = saved;
    return fd;
}

int openat64(int dirfd, const char *path, int flags, ...) {
    ensure_initialized();
    va_list arguments;
    va_start(arguments, flags);
    mode_t mode = mode_argument(flags, arguments);
    va_end(arguments);
    pthread_mutex_lock(&lock);
    int fd = real_openat64(dirfd, path, flags, mode);
    int saved = errno;
    track(fd, flags);
    pthread_mutex_unlock(&lock);
    errno = saved;
    return fd;
}

int close(int fd) {
    ensure_initialized();
    pthread_mutex_lock(&lock);
    untrack(fd);
    int result = real_close(fd);
    int saved = errno;
    pthread_mutex_unlock(&lock);
    errno = saved;
    return result;
}

// MARK: - Writes

/// Writes through `perform` and journals what it replaced. `offset` < 0 means the current
/// file offset (or the end, for O_APPEND).
static ssize_t journaled_write(int fd, const struct iovec *iov, int count, off_t offset,
                               ssize_t (*perform)(int, const struct iovec *, int, off_t)) {
    pthread_mutex_lock(&lock);
    struct tracked_fd *t = lookup(fd);
    if (t == NULL) {
        pthread_mutex_unlock(&lock);
        return perform(fd, iov, count, offset);
    }
    uint64_t size = file_size(fd);
    uint64_t at = offset >= 0 ? (uint64_t)offset : (uint64_t)lseek(fd, 0, SEEK_CUR);
    if (offset < 0 && (fcntl(fd, F_GETFL) & O_APPEND)) at = size;
    uint64_t length = 0;
    for (int i = 0; i < count; i++) length += iov[i].iov_len;
    uint64_t old_length = 0;
    char *old = read_old(t, at, length, size, &old_length);
    ssize_t written = perform(fd, iov, count, offset);
    int saved = errno;
    if (written > 0) {
        char *data = malloc((size_t)written);
        if (data == NULL) abort();
        size_t copied = 0;
        for (int i = 0; i < count && copied < (size_t)written; i++) {
            size_t part = iov[i].iov_len < (size_t)written - copied ? iov[i].iov_len : (size_t)written - copied;
            memcpy(data + copied, iov[i].iov_base, part);
            copied += part;
        }
        if (old_length > (uint64_t)written) old_length = (uint64_t)written;
        char kind = t->synchronous ? corral_power_loss_durable_write : corral_power_loss_write;
        record(kind, t->path, at, size, file_size(fd), old, old_length, data, (uint64_t)written);
        free(data);
    }
    free(old);
    pthread_mutex_unlock(&lock);
    errno = saved;
    return written;
}

static ssize_t perform_write(int fd, const struct iovec *iov, int count, off_t offset) {
    (void)offset;
    return count == 1 ? real_write(fd, iov[0].iov_base, iov[0].iov_len) : real_writev(fd, iov, count);
}

static ssize_t perform_pwrite(int fd, const struct iovec *iov, int count, off_t offset) {
    (void)count;
    return real_pwrite(fd, iov[0].iov_base, iov[0].iov_len, offset);
}

static ssize_t perform_pwrite64(int fd, const struct iovec *iov, int count, off_t offset) {
    (void)count;
    return real_pwrite64(fd, iov[0].iov_base, iov[0].iov_len, offset);
}

static ssize_t perform_writev(int fd, const struct iovec *iov, int count, off_t offset) {
    (void)offset;
    return real_writev(fd, iov, count);
}

static ssize_t perform_pwritev(int fd, const struct iovec *iov, int count, off_t offset) {
    return real_pwritev(fd, iov, count, offset);
}

static ssize_t perform_pwritev64(int fd, const struct iovec *iov, int count, off_t offset) {
    return real_pwritev64(fd, iov, count, offset);
}

ssize_t write(int fd, const void *buffer, size_t count) {
    ensure_initialized();
    struct iovec one = {(void *)buffer, count};
    return journaled_write(fd, &one, 1, -1, perform_write);
}

ssize_t pwrite(int fd, const void *buffer, size_t count, off_t offset) {
    ensure_initialized();
    struct iovec one = {(void *)buffer, count};
    return journaled_write(fd, &one, 1, offset, perform_pwrite);
}

ssize_t pwrite64(int fd, const void *buffer, size_t count, off_t offset) {
    ensure_initialized();
    struct iovec one = {(void *)buffer, count};
    return journaled_write(fd, &one, 1, offset, perform_pwrite64);
}

ssize_t writev(int fd, const struct iovec *iov, int count) {
    ensure_initialized();
    return journaled_write(fd, iov, count, -1, perform_writev);
}

ssize_t pwritev(int fd, const struct iovec *iov, int count, off_t offset) {
    ensure_initialized();
    return journaled_write(fd, iov, count, offset, perform_pwritev);
}

ssize_t pwritev64(int fd, const struct iovec *iov, int count, off_t offset) {
    ensure_initialized();
    return journaled_write(fd, iov, count, offset, perform_pwritev64);
}

static int journaled_truncate(int fd, off_t length, int (*perform)(int, off_t)) {
    pthread_mutex_lock(&lock);
    struct tracked_fd *t = lookup(fd);
    if (t == NULL) {
        pthread_mutex_unlock(&lock);
        return perform(fd, length);
    }
    uint64_t size = file_size(fd);
    uint64_t old_length = 0;
    // A shrink loses the tail: keep it so the truncation can be undone.
    char *old = read_old(t, (uint64_t)length, size > (uint64_t)length ? size - (uint64_t)length : 0, size, &old_length);
    int result = perform(fd, length);
    int saved = errno;
    if (result == 0) {
        record(corral_power_loss_truncate, t->path, (uint64_t)length, size, (uint64_t)length, old, old_length, NULL, 0);
    }
    free(old);
    pthread_mutex_unlock(&lock);
    errno = saved;
    return result;
}

int ftruncate(int fd, off_t length) {
    ensure_initialized();
    return journaled_truncate(fd, length, real_ftruncate);
}

int ftruncate64(int fd, off_t length) {
    ensure_initialized();
    return journaled_truncate(fd, length, real_ftruncate64);
}

// MARK: - Syncs

static int journaled_sync(int fd, int (*perform)(int)) {
    int result = perform(fd);
    int saved = errno;
    if (result == 0) {
        pthread_mutex_lock(&lock);
        struct tracked_fd *t = lookup(fd);
        if (t != NULL) record(corral_power_loss_sync, t->path, 0, 0, 0, NULL, 0, NULL, 0);
        pthread_mutex_unlock(&lock);
    }
    errno = saved;
    return result;
}

int fsync(int fd) {
    ensure_initialized();
    return journaled_sync(fd, real_fsync);
}

int fdatasync(int fd) {
    ensure_initialized();
    return journaled_sync(fd, real_fdatasync);
}

// MARK: - Mappings

static void *journaled_mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset,
                            void *(*perform)(void *, size_t, int, int, int, off_t)) {
    void *result = perform(address, length, protection, flags, fd, offset);
    if (result == MAP_FAILED) return result;
    int saved = errno;
    pthread_mutex_lock(&lock);
    struct tracked_fd *t = lookup(fd);
    if (t != NULL) {
        int slot = -1;
        for (int i = 0; i < max_mappings && slot < 0; i++) {
            if (mappings[i].address == NULL) slot = i;
        }
        if (slot < 0) {
            record_unmodeled(t->path, "too many mappings to track");
        } else {
            mappings[slot] = (struct mapping){result, length, strdup(t->path)};
        }
        if ((protection & PROT_WRITE) && (flags & MAP_SHARED)) {
            record(corral_power_loss_mapping, t->path, 0, 0, 0, NULL, 0, NULL, 0);
        }
    }
    pthread_mutex_unlock(&lock);
    errno = saved;
    return result;
}

void *mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset) {
    ensure_initialized();
    return journaled_mmap(address, length, protection, flags, fd, offset, real_mmap);
}

void *mmap64(void *address, size_t length, int protection, int flags, int fd, off_t offset) {
    ensure_initialized();
    return journaled_mmap(address, length, protection, flags, fd, offset, real_mmap64);
}

int munmap(void *address, size_t length) {
    ensure_initialized();
    pthread_mutex_lock(&lock);
    for (int i = 0; i < max_mappings; i++) {
        if (mappings[i].address == address) {
            free(mappings[i].path);
            mappings[i] = (struct mapping){NULL, 0, NULL};
        }
    }
    int result = real_munmap(address, length);
    int saved = errno;
    pthread_mutex_unlock(&lock);
    errno = saved;
    return result;
}

int msync(void *address, size_t length, int flags) {
    ensure_initialized();
    int result = real_msync(address, length, flags);
    int saved = errno;
    if (result == 0 && (flags & MS_SYNC)) {
        pthread_mutex_lock(&lock);
        for (int i = 0; i < max_mappings; i++) {
            char *start = mappings[i].address;
            if (start != NULL && (char *)address >= start && (char *)address < start + mappings[i].length) {
                record(corral_power_loss_sync, mappings[i].path, 0, 0, 0, NULL, 0, NULL, 0);
            }
        }
        pthread_mutex_unlock(&lock);
    }
    errno = saved;
    return result;
}
