// The interposed calls of the power-loss double (see include/CPowerLossDouble.h): each
// passes through, and for a watched file also journals what it changed.
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

// MARK: - Opening and closing

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
