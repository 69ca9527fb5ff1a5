// The container's filesystem view: overlay rootfs, /proc, /dev, /sys, pivot_root.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/limits.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"

/// A device node created in the container's /dev.
struct corral_device {
    const char *name;
    unsigned int major;
    unsigned int minor;
};

static const struct corral_device corral_devices[] = {
    {"/dev/null", 1, 3}, {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static const char *const corral_dev_links[][2] = {
    {"/proc/self/fd", "/dev/fd"},     {"/proc/self/fd/0", "/dev/stdin"},
    {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
    {"pts/ptmx", "/dev/ptmx"},
};

/// mkdir that accepts an existing directory.
static int ensure_dir(const char *path, mode_t mode) {
    if (mkdir(path, mode) == 0 || errno == EEXIST) {
        return 0;
    }
    return -1;
}

/// Mounts `type` on rootfs + `where` (creating the directory).
static int mount_in(const char *rootfs, const char *where, const char *type, unsigned long flags,
                    const char *options, struct corral_launch_error *error) {
    char target[PATH_MAX];
    if (corral_join(target, sizeof(target), rootfs, where) != 0) {
        return corral_fail(error, "path(", where);
    }
    if (ensure_dir(target, 0755) != 0) {
        return corral_fail(error, "mkdir(", target);
    }
    if (mount(type, target, type, flags, options) != 0) {
        char stage[64];
        corral_join(stage, sizeof(stage), "mount(", type);
        return corral_fail(error, stage, target);
    }
    return 0;
}

/// Populates the tmpfs /dev with device nodes, links, /dev/pts and /dev/shm.
static int populate_dev(const char *rootfs, struct corral_launch_error *error) {
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof(corral_devices) / sizeof(corral_devices[0]); i++) {
        const struct corral_device *d = &corral_devices[i];
        if (corral_join(path, sizeof(path), rootfs, d->name) != 0) {
            return corral_fail(error, "path(", d->name);
        }
        if (mknod(path, S_IFCHR | 0666, makedev(d->major, d->minor)) != 0) {
            return corral_fail(error, "mknod(", path);
        }
        // mknod honours the umask; make the mode exact.
        if (chmod(path, 0666) != 0) {
            return corral_fail(error, "chmod(", path);
        }
    }
    for (size_t i = 0; i < sizeof(corral_dev_links) / sizeof(corral_dev_links[0]); i++) {
        if (corral_join(path, sizeof(path), rootfs, corral_dev_links[i][1]) != 0) {
            return corral_fail(error, "path(", corral_dev_links[i][1]);
        }
        if (symlink(corral_dev_links[i][0], path) != 0) {
            return corral_fail(error, "symlink(", path);
        }
    }
    if (mount_in(rootfs, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620",
                 error) != 0) {
        return -1;
    }
    return mount_in(rootfs, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k",
                    error);
}

/// Mounts the overlay, the pseudo filesystems, and pivots into the new root.
static int setup_rootfs(const struct corral_launch_config *config, struct corral_launch_error *error) {
    const char *rootfs = config->rootfs;
    for (char *const *path = config->idmap_paths; config->userns_fd >= 0 && path && *path; path++) {
        if (corral_idmap_in_place(*path, config->userns_fd, error) != 0) {
            return -1;
        }
    }
    if (mount("overlay", rootfs, "overlay", 0, config->overlay_options) != 0) {
        return corral_fail(error, "mount(overlay", rootfs);
    }
    if (mount_in(rootfs, "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, error) != 0) {
        return -1;
    }
    if (mount_in(rootfs, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", error) != 0) {
        return -1;
    }
    if (populate_dev(rootfs, error) != 0) {
        return -1;
    }
    if (mount_in(rootfs, "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, error) != 0) {
        return -1;
    }
    int fds[config->mount_count + 1];
    if (corral_open_bind_sources(config, fds, error) != 0 || corral_bind_mounts(config, fds, rootfs, 1, error) != 0 ||
        corral_mask_paths(rootfs, error) != 0) {
        return -1;
    }
    if (chdir(rootfs) != 0) {
        return corral_fail(error, "chdir(", rootfs);
    }
    if (syscall(SYS_pivot_root, ".", ".") != 0) {
        return corral_fail(error, "pivot_root(", rootfs);
    }
    if (umount2(".", MNT_DETACH) != 0) {
        return corral_fail(error, "umount2(old root", ".");
    }
    if (chdir("/") != 0) {
        return corral_fail(error, "chdir(", "/");
    }
    return config->read_only_rootfs ? corral_read_only_root(error) : 0;
}

/// The host root filesystem: a fresh /proc for the new PID namespace, the hidden directories,
/// the bind mounts, the masked paths, and the read-only option.
static int setup_host_root(const struct corral_launch_config *config, struct corral_launch_error *error) {
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
        return corral_fail(error, "mount(proc", "/proc");
    }
    int fds[config->mount_count + 1];
    if (corral_open_bind_sources(config, fds, error) != 0) {
        return -1;
    }
    if (corral_hide_paths(config->hidden_paths, error) != 0) {
        for (size_t i = 0; i < config->mount_count; i++) close(fds[i]);
        return -1;
    }
    if (corral_bind_mounts(config, fds, "", 0, error) != 0 || corral_seal_hidden_paths(config->hidden_paths, error) != 0 ||
        corral_mask_paths("", error) != 0) {
        return -1;
    }
    return config->read_only_rootfs ? corral_read_only_root(error) : 0;
}

/// Brings the loopback interface of the new network namespace up.
static int loopback_up(struct corral_launch_error *error) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return corral_fail(error, "socket(loopback)", NULL);
    }
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    memcpy(request.ifr_name, "lo", 3);
    if (ioctl(fd, SIOCGIFFLAGS, &request) != 0) {
        close(fd);
        return corral_fail(error, "ioctl(SIOCGIFFLAGS lo)", NULL);
    }
    request.ifr_flags |= IFF_UP;
    if (ioctl(fd, SIOCSIFFLAGS, &request) != 0) {
        close(fd);
        return corral_fail(error, "ioctl(SIOCSIFFLAGS lo)", NULL);
    }
    close(fd);
    return 0;
}

/// Joins one namespace of `pid` (`kind` is "net", "ipc" or "uts"), through the host's /proc
/// (still mounted here: the fresh /proc comes later).
static int join_namespace(pid_t pid, const char *kind, int type, struct corral_launch_error *error) {
    char path[64];
    char digits[24];
    int length = 0;
    unsigned long value = (unsigned long)pid;
    do {
        digits[length++] = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0 && length < (int)sizeof(digits));
    size_t at = 0;
    const char *prefix = "/proc/";
    for (const char *c = prefix; *c != 0; c++) path[at++] = *c;
    while (length > 0) path[at++] = digits[--length];
    const char *middle = "/ns/";
    for (const char *c = middle; *c != 0; c++) path[at++] = *c;
    for (const char *c = kind; *c != 0 && at < sizeof(path) - 1; c++) path[at++] = *c;
    path[at] = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return corral_fail(error, "open(", path);
    }
    int joined = setns(fd, type);
    int saved = errno;
    close(fd);
    if (joined != 0) {
        errno = saved;
        return corral_fail(error, "setns(", path);
    }
    return 0;
}

int corral_setup_namespaces(const struct corral_launch_config *config, struct corral_launch_error *error) {
    if (config->join_pid > 0) {
        if (join_namespace(config->join_pid, "net", CLONE_NEWNET, error) != 0 ||
            join_namespace(config->join_pid, "ipc", CLONE_NEWIPC, error) != 0 ||
            join_namespace(config->join_pid, "uts", CLONE_NEWUTS, error) != 0) {
            return -1;
        }
    } else if (config->hostname != NULL && sethostname(config->hostname, strlen(config->hostname)) != 0) {
        return corral_fail(error, "sethostname(", config->hostname);
    }
    if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) != 0) {
        return corral_fail(error, "mount(MS_SLAVE|MS_REC", "/");
    }
    // Root in a user namespace holds no capability over the network namespace (it belongs to
    // the host's): ports below 1024 are opened to every user of this one instead.
    if (config->userns_fd >= 0 && config->new_network && config->join_pid <= 0) {
        int fd = open("/proc/sys/net/ipv4/ip_unprivileged_port_start", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1) {
            corral_fail(error, "write(", "/proc/sys/net/ipv4/ip_unprivileged_port_start");
            if (fd >= 0) close(fd);
            return -1;
        }
        close(fd);
    }
    if (config->rootfs != NULL) {
        if (setup_rootfs(config, error) != 0) {
            return -1;
        }
    } else if (setup_host_root(config, error) != 0) {
        return -1;
    }
    if (config->new_network && config->join_pid <= 0 && loopback_up(error) != 0) {
        return -1;
    }
    return 0;
}
