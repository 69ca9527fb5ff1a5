// User namespaces: one made with a subordinate ID range, and image layers idmapped into it.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

/// Writes `text` to /proc/`pid`/`file`. Returns 0, or -1 with errno set.
static int write_proc(pid_t pid, const char *file, const char *text) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

int corral_userns_open(uid_t host_uid, gid_t host_gid, unsigned int size, int *fd_out) {
    int hold[2];
    if (pipe2(hold, O_CLOEXEC) != 0) return -1;
    // A holder in a new user namespace (a raw clone, as fork without the C library's locks):
    // it only waits for the pipe to close.
    long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) {
        char byte;
        close(hold[1]);
        while (read(hold[0], &byte, 1) < 0 && errno == EINTR) {
        }
        _exit(0);
    }
    int saved = errno;
    close(hold[0]);
    if (pid < 0) {
        close(hold[1]);
        errno = saved;
        return -1;
    }
    char uid_map[64];
    char gid_map[64];
    snprintf(uid_map, sizeof(uid_map), "0 %u %u\n", (unsigned)host_uid, size);
    snprintf(gid_map, sizeof(gid_map), "0 %u %u\n", (unsigned)host_gid, size);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
    int result = -1;
    if (write_proc((pid_t)pid, "uid_map", uid_map) == 0 && write_proc((pid_t)pid, "gid_map", gid_map) == 0) {
        *fd_out = open(path, O_RDONLY | O_CLOEXEC);
        result = *fd_out < 0 ? -1 : 0;
    }
    saved = errno;
    close(hold[1]);
    while (waitpid((pid_t)pid, NULL, 0) < 0 && errno == EINTR) {
    }
    errno = saved;
    return result;
}

int corral_idmap_in_place(const char *path, int userns_fd, struct corral_launch_error *error) {
    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (tree < 0) {
        return corral_fail(error, "open_tree(idmap ", path);
    }
    struct mount_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = (unsigned long long)userns_fd;
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) != 0) {
        corral_fail(error, "mount_setattr(idmap ", path);
        close(tree);
        return -1;
    }
    if (syscall(SYS_move_mount, tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
        corral_fail(error, "move_mount(idmap ", path);
        close(tree);
        return -1;
    }
    close(tree);
    return 0;
}

int corral_enter_userns(int userns_fd, struct corral_launch_error *error) {
    if (setns(userns_fd, CLONE_NEWUSER) != 0) {
        return corral_fail(error, "setns(user namespace)", NULL);
    }
    // Root of the namespace (the range's first host ID); raw calls, as in task.c.
    if (syscall(SYS_setresgid, 0, 0, 0) != 0 || syscall(SYS_setresuid, 0, 0, 0) != 0) {
        return corral_fail(error, "setresuid(0 in the user namespace)", NULL);
    }
    return 0;
}
