// Docker's masked and read-only paths, the read-only root, and hidden host directories.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "internal.h"

/// Docker's masked paths: /dev/null over files, an empty read-only tmpfs over directories.
static const char *const corral_masked_paths[] = {
    "/proc/asound",      "/proc/acpi",       "/proc/kcore",      "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/proc/scsi",        "/sys/firmware",    "/sys/devices/virtual/powercap",
};

/// Docker's read-only paths: bound onto themselves and remounted read-only.
static const char *const corral_read_only_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/// Masks rootfs + `path` (absent paths are skipped: not every kernel has them).
static int mask_path(const char *rootfs, const char *path, struct corral_launch_error *error) {
    char target[PATH_MAX];
    char null_device[PATH_MAX];
    if (corral_join(target, sizeof(target), rootfs, path) != 0 ||
        corral_join(null_device, sizeof(null_device), rootfs, "/dev/null") != 0) {
        return corral_fail(error, "path(", path);
    }
    struct stat info;
    if (stat(target, &info) != 0) {
        return errno == ENOENT ? 0 : corral_fail(error, "stat(masked path ", target);
    }
    if (S_ISDIR(info.st_mode)) {
        if (mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0555") != 0) {
            return corral_fail(error, "mount(tmpfs over masked ", target);
        }
    } else if (mount(null_device, target, NULL, MS_BIND, NULL) != 0) {
        return corral_fail(error, "mount(/dev/null over masked ", target);
    }
    return 0;
}

/// Makes rootfs + `path` read-only (absent paths are skipped).
static int read_only_path(const char *rootfs, const char *path, struct corral_launch_error *error) {
    char target[PATH_MAX];
    if (corral_join(target, sizeof(target), rootfs, path) != 0) {
        return corral_fail(error, "path(", path);
    }
    if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) != 0) {
        return errno == ENOENT ? 0 : corral_fail(error, "mount(bind read-only path ", target);
    }
    // Keeps /proc's own flags: a remount may not drop them.
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    if (mount(NULL, target, NULL, flags, NULL) != 0) {
        return corral_fail(error, "mount(remount ro ", target);
    }
    return 0;
}

int corral_mask_paths(const char *rootfs, struct corral_launch_error *error) {
    for (size_t i = 0; i < COUNT(corral_masked_paths); i++) {
        if (mask_path(rootfs, corral_masked_paths[i], error) != 0) {
            return -1;
        }
    }
    for (size_t i = 0; i < COUNT(corral_read_only_paths); i++) {
        if (read_only_path(rootfs, corral_read_only_paths[i], error) != 0) {
            return -1;
        }
    }
    return 0;
}

int corral_read_only_root(struct corral_launch_error *error) {
    // The root mount only: /proc, /dev, /sys and bind mounts keep their own flags.
    if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) != 0) {
        return corral_fail(error, "mount(remount ro ", "/");
    }
    return 0;
}

int corral_hide_paths(char *const *paths, struct corral_launch_error *error) {
    for (char *const *path = paths; path && *path; path++) {
        if (mount("tmpfs", *path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,mode=0755") != 0) {
            return corral_fail(error, "mount(tmpfs over hidden ", *path);
        }
    }
    return 0;
}

int corral_seal_hidden_paths(char *const *paths, struct corral_launch_error *error) {
    for (char *const *path = paths; path && *path; path++) {
        if (mount(NULL, *path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
            return corral_fail(error, "mount(remount ro hidden ", *path);
        }
    }
    return 0;
}

const char *corral_hidden_path_of(char *const *paths, const char *target) {
    for (char *const *path = paths; path && *path; path++) {
        size_t length = strlen(*path);
        if (strncmp(target, *path, length) == 0 && (target[length] == '/' || target[length] == '\0')) {
            return *path;
        }
    }
    return NULL;
}
