/// The container launcher: the only code that runs between clone() and execve().
///
/// Nothing in Swift is safe after fork in a multi-threaded process, so the whole
/// child side lives here, in C, and uses only async-signal-safe system calls on
/// memory prepared by the parent before clone().
#ifndef CORRAL_LAUNCHER_H
#define CORRAL_LAUNCHER_H

#include <spawn.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One resource limit applied to the task with setrlimit().
struct corral_rlimit {
    int resource;
    unsigned long long soft;
    unsigned long long hard;
};

/// A host path bind-mounted into the container (MS_BIND | MS_REC).
struct corral_bind_mount {
    /// Absolute host path.
    const char *source;
    /// Absolute path in the container. With an overlay rootfs it is created, refusing
    /// symlinks on the way; on the host rootfs it must exist.
    const char *target;
    /// Non-zero: remounted read-only.
    int read_only;
};

/// Everything the child needs, prepared by the parent. Strings are NUL-terminated;
/// arrays of strings are NULL-terminated. The parent may free all of it once
/// corral_launch_start() returns: the child runs on a copy of the address space.
struct corral_launch_config {
    /// argv[0] is the program; searched in `path_env` when it has no slash.
    char *const *argv;
    char *const *envp;
    /// Value of PATH used to find argv[0] (may be NULL: "/usr/sbin:/usr/bin:/sbin:/bin").
    const char *path_env;
    /// Working directory inside the container (NULL: "/").
    const char *workdir;
    /// Hostname of the new UTS namespace (NULL: leave as is).
    const char *hostname;
    /// Mount point of the overlay rootfs; NULL runs on the host root filesystem.
    const char *rootfs;
    /// overlayfs options "lowerdir=…,upperdir=…,workdir=…" (with rootfs).
    const char *overlay_options;
    /// Non-zero: a new network namespace with loopback brought up (the parent may add more
    /// links to it between corral_launch_start and corral_launch_release).
    int new_network;
    /// Non-zero: the host pid of a process (a task group's executor init) whose network, IPC
    /// and UTS namespaces the container joins instead of its own (then `new_network` is 0
    /// and `hostname` is not set: the hostname is that namespace's).
    pid_t join_pid;
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    size_t group_count;
    const struct corral_rlimit *rlimits;
    size_t rlimit_count;
    /// Bind mounts, applied in order after /proc, /dev and /sys.
    const struct corral_bind_mount *mounts;
    size_t mount_count;
    /// File descriptors that become the task's 0, 1 and 2 (-1: /dev/null).
    int stdin_fd;
    int stdout_fd;
    int stderr_fd;
    /// Highest capability number of the running kernel (/proc/sys/kernel/cap_last_cap).
    int cap_last_cap;
    /// The `tasks` files of the container's cgroups (v1), NULL-terminated (may be NULL).
    /// The child moves itself in by writing "0" to each before anything else: moving the
    /// calling thread skips the kernel's global threadgroup lock that a write of a pid to
    /// `cgroup.procs` takes (an RCU grace period, 10-15 ms per launch here). The child has
    /// one thread, so that moves the whole process, and everything it forks inherits it.
    char *const *cgroup_tasks;
    /// Non-zero: the root filesystem is mounted read-only (its /proc, /dev, /sys and bind
    /// mounts keep their own flags), as Docker's `--read-only`.
    int read_only_rootfs;
    /// Non-zero: no seccomp filter (Docker's `seccomp=unconfined`); zero: Docker's default
    /// profile is installed right before exec.
    int seccomp_unconfined;
    /// Host directories a task on the host root filesystem must not see, NULL-terminated (may
    /// be NULL): each gets an empty tmpfs, read-only once the bind mounts whose targets lie in
    /// it are made (their mount points are created there). Unused with `rootfs`.
    char *const *hidden_paths;
    /// A user namespace (from corral_userns_open) the init joins once everything is mounted,
    /// or -1: root in the container is then the range's first host ID. With it, each of
    /// `idmap_paths` (NULL-terminated: the image layers) is idmapped through it before the
    /// overlay is mounted.
    int userns_fd;
    char *const *idmap_paths;
};

/// A child created by corral_launch_start() and waiting to be released.
struct corral_launch_handle {
    /// Host pid of the container's init (PID 1 inside the container).
    pid_t pid;
    /// Write end of the sync pipe (-1 once used).
    int sync_fd;
    /// Read end of the close-on-exec error pipe (-1 once used).
    int error_fd;
};

/// A failure: the stage that failed and its errno.
struct corral_launch_error {
    int error_number;
    char stage[512];
};

/// Clones the container's init into new namespaces; it blocks until released.
/// Returns 0, or -1 with `error` filled.
int corral_launch_start(const struct corral_launch_config *config,
                        struct corral_launch_handle *handle,
                        struct corral_launch_error *error);

/// Lets the child go on (it then joins its cgroups, sets up and execs) and waits until
/// the task has exec'd (EOF on the error pipe). Returns 0, or -1 with `error`
/// filled (the child has then exited; reap it with waitpid).
int corral_launch_release(struct corral_launch_handle *handle, struct corral_launch_error *error);

/// Lets the child go without releasing it: it exits with status 127 before it sets anything
/// up (reap it with waitpid). For a launch whose parent-side set-up failed.
void corral_launch_abort(struct corral_launch_handle *handle);

/// Starts `path` fully detached (fork, setsid, fork, exec), with `keep_fd` (if >= 0)
/// as its fd 3 and /dev/null as 0, 1 and 2. Returns 0, or -1 with errno set.
int corral_spawn_detached(const char *path, char *const *argv, char *const *envp, int keep_fd);

/// Forks a detached copy of the calling process (fork, setsid), without exec: for a process
/// whose other threads are idle. The caller's SIGCHLD is set to ignored, so the kernel reaps
/// the copies (they are re-parented once the caller ends); the copy gets SIGCHLD back to its
/// default. Returns 0 in the copy (its own session), 1 in the caller, or -1 with errno set.
int corral_fork_detached(void);

/// Makes a user namespace mapping IDs 0..size-1 to host_uid.. and host_gid.. (a short-lived
/// holder process is made and reaped). Returns 0 with `*fd_out` (close-on-exec) referring to
/// it, or -1 with errno set.
int corral_userns_open(uid_t host_uid, gid_t host_gid, unsigned int size, int *fd_out);

/// socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC). Returns 0, or -1 with errno set.
int corral_seqpacket_pair(int fds[2]);

/// Sends one message of `length` bytes with `fd` attached (SCM_RIGHTS), without SIGPIPE.
/// Returns the bytes sent, or -1 with errno set.
ssize_t corral_send_with_fd(int socket, const void *bytes, size_t length, int fd);

/// Receives one message into `bytes` (at most `capacity`) and the fd attached to it, if any
/// (`*fd` is -1 otherwise; it is close-on-exec). Returns the length (0 at end of stream), or
/// -1 with errno set.
ssize_t corral_receive_with_fd(int socket, void *bytes, size_t capacity, int *fd);

/// pipe2(fds, O_CLOEXEC). Returns 0, or -1 with errno set.
int corral_pipe_cloexec(int fds[2]);

/// Adds to `actions` the closing, in the child, of every descriptor from `lowest` up
/// (posix_spawn_file_actions_addclosefrom_np). Returns 0 or an error number.
int corral_spawn_actions_close_from(posix_spawn_file_actions_t *actions, int lowest);

/// prctl(PR_SET_CHILD_SUBREAPER, 1). Returns 0, or -1 with errno set.
int corral_set_child_subreaper(void);

/// pidfd_open(pid, 0). Returns the fd, or -1 with errno set.
int corral_pidfd_open(pid_t pid);

/// pidfd_send_signal(pidfd, sig, NULL, 0). Returns 0, or -1 with errno set.
int corral_pidfd_send_signal(int pidfd, int sig);

/// statfs(path)'s f_type (the filesystem's magic number). Returns it, or -1 with errno set.
long corral_filesystem_type(const char *path);

#ifdef __cplusplus
}
#endif

#endif
