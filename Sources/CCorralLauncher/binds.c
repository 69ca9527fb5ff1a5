// Bind mounts: sources opened first (O_PATH), targets made without following symlinks.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/// Creates rootfs + `target` component by component without following a symlink
/// (an image must not redirect a bind mount); the last component becomes a directory,
/// or an empty file when `file` is non-zero.
static int make_target(const char *rootfs, const char *target, int file, struct corral_launch_error *error) {
    char path[PATH_MAX];
    if (corral_join(path, sizeof(path), rootfs, target) != 0) {
        return corral_fail(error, "path(", target);
    }
    size_t start = strlen(rootfs);
    for (size_t i = start + 1;; i++) {
        char saved = path[i];
        if (saved != '/' && saved != '\0') {
            continue;
        }
        path[i] = '\0';
        struct stat info;
        if (lstat(path, &info) == 0) {
            if (S_ISLNK(info.st_mode)) {
                errno = ELOOP;
                return corral_fail(error, "bind target (symlink) ", path);
            }
        } else if (errno != ENOENT) {
            return corral_fail(error, "lstat(", path);
        } else if (saved == '\0' && file) {
            int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
            if (fd < 0) {
                return corral_fail(error, "create(", path);
            }
            close(fd);
        } else if (mkdir(path, 0755) != 0) {
            return corral_fail(error, "mkdir(", path);
        }
        path[i] = saved;
        if (saved == '\0') {
            return 0;
        }
    }
}

/// Opens every bind source (O_PATH), so a source stays reachable once a hidden directory
/// covers it. Returns 0, or -1 with `error` filled and nothing left open.
int corral_open_bind_sources(const struct corral_launch_config *config, int *fds, struct corral_launch_error *error) {
    for (size_t i = 0; i < config->mount_count; i++) {
        fds[i] = open(config->mounts[i].source, O_PATH | O_CLOEXEC);
        if (fds[i] < 0) {
            corral_fail(error, "open(bind source ", config->mounts[i].source);
            while (i > 0) close(fds[--i]);
            return -1;
        }
    }
    return 0;
}

/// Bind-mounts the mount `m` from its opened source `fd` under `rootfs` ("" for the host root).
static int bind_mount(const struct corral_launch_config *config, const struct corral_bind_mount *m, int fd,
                      const char *rootfs, int create, struct corral_launch_error *error) {
    struct stat source;
    if (fstat(fd, &source) != 0) {
        return corral_fail(error, "stat(bind source ", m->source);
    }
    int file = !S_ISDIR(source.st_mode);
    if (create && make_target(rootfs, m->target, file, error) != 0) {
        return -1;
    }
    // On the host root: a target inside a hidden directory is made in its empty tmpfs.
    const char *hidden = create ? NULL : corral_hidden_path_of(config->hidden_paths, m->target);
    if (hidden != NULL && m->target[strlen(hidden)] != '\0' &&
        make_target(hidden, m->target + strlen(hidden), file, error) != 0) {
        return -1;
    }
    char target[PATH_MAX];
    char from[32] = "/proc/self/fd/";
    char digits[12];
    int length = 0;
    for (unsigned int value = (unsigned int)fd; length == 0 || value > 0; value /= 10) {
        digits[length++] = (char)('0' + value % 10);
    }
    size_t at = strlen(from);
    while (length > 0) from[at++] = digits[--length];
    from[at] = '\0';
    if (corral_join(target, sizeof(target), rootfs, m->target) != 0) {
        return corral_fail(error, "path(", m->target);
    }
    if (mount(from, target, NULL, MS_BIND | MS_REC, NULL) != 0) {
        return corral_fail(error, "mount(bind ", target);
    }
    if (m->read_only && mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) != 0) {
        return corral_fail(error, "mount(remount ro ", target);
    }
    return 0;
}

/// Bind-mounts every configured mount, opened in `fds` (which it closes), under `rootfs`.
int corral_bind_mounts(const struct corral_launch_config *config, int *fds, const char *rootfs, int create,
                       struct corral_launch_error *error) {
    int result = 0;
    for (size_t i = 0; i < config->mount_count; i++) {
        if (result == 0) {
            result = bind_mount(config, &config->mounts[i], fds[i], rootfs, create, error);
        }
        close(fds[i]);
    }
    return result;
}

