// Process helpers the Swift side cannot do safely: detached spawn, pidfds, subreaper.
#define _GNU_SOURCE
#include <errno.h>
#include <sys/vfs.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "corral_launcher.h"

/* Waits for the intermediate child of a double fork; -1 (errno ECHILD) unless it exited 0. */
static int reap_intermediate(pid_t child) {
    int status = 0;
    pid_t reaped;
    do {
        reaped = waitpid(child, &status, 0);
    } while (reaped < 0 && errno == EINTR);
    if (reaped < 0) {
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = ECHILD;
        return -1;
    }
    return 0;
}

/// Child side of corral_spawn_detached: only async-signal-safe calls.
static void become_detached(const char *path, char *const *argv, char *const *envp, int keep_fd) {
    if (setsid() < 0) {
        _exit(126);
    }
    long grandchild = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (grandchild != 0) {
        _exit(grandchild < 0 ? 126 : 0);
    }
    if (keep_fd == 3 && fcntl(3, F_SETFD, 0) != 0) {
        _exit(126);
    }
    if (keep_fd >= 0 && keep_fd != 3 && dup2(keep_fd, 3) < 0) {
        _exit(126);
    }
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) {
        _exit(126);
    }
    dup2(null_fd, 0);
    dup2(null_fd, 1);
    dup2(null_fd, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    syscall(SYS_close_range, keep_fd >= 0 ? 4U : 3U, ~0U, 0U);
    execve(path, argv, envp);
    _exit(127);
}

int corral_spawn_detached(const char *path, char *const *argv, char *const *envp, int keep_fd) {
    long child = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (child < 0) {
        return -1;
    }
    if (child == 0) {
        become_detached(path, argv, envp, keep_fd);
    }
    return reap_intermediate((pid_t)child) < 0 ? -1 : 0;
}

int corral_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

int corral_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int corral_pidfd_send_signal(int pidfd, int sig) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int corral_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int corral_spawn_actions_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

long corral_filesystem_type(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -1;
    return (long)info.f_type;
}

int corral_fork_detached(void) {
    // One fork, not a double fork: the caller ignores SIGCHLD, so the kernel reaps the copy
    // when it ends and no intermediate child is needed to re-parent it (a second copy of the
    // address space made and torn down per container).
    if (signal(SIGCHLD, SIG_IGN) == SIG_ERR) {
        return -1;
    }
    pid_t child = fork();
    if (child < 0) {
        return -1;
    }
    if (child == 0) {
        // The copy waits for its own children: it must not inherit the ignored SIGCHLD.
        if (signal(SIGCHLD, SIG_DFL) == SIG_ERR || setsid() < 0) {
            _exit(126);
        }
        return 0;
    }
    return 1;
}

int corral_seqpacket_pair(int fds[2]) { return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds); }

ssize_t corral_send_with_fd(int socket, const void *bytes, size_t length, int fd) {
    struct iovec vector = {.iov_base = (void *)bytes, .iov_len = length};
    union {
        char buffer[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr message = {.msg_iov = &vector, .msg_iovlen = 1};
    message.msg_control = control.buffer;
    message.msg_controllen = sizeof(control.buffer);
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &fd, sizeof(int));
    ssize_t sent;
    do {
        sent = sendmsg(socket, &message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent;
}

ssize_t corral_receive_with_fd(int socket, void *bytes, size_t capacity, int *fd) {
    *fd = -1;
    struct iovec vector = {.iov_base = bytes, .iov_len = capacity};
    union {
        char buffer[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr message = {.msg_iov = &vector, .msg_iovlen = 1};
    message.msg_control = control.buffer;
    message.msg_controllen = sizeof(control.buffer);
    ssize_t received;
    do {
        received = recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
    } while (received < 0 && errno == EINTR);
    if (received < 0) {
        return -1;
    }
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
            memcpy(fd, CMSG_DATA(header), sizeof(int));
        }
    }
    return received;
}
