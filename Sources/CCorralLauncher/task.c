// The task's side of the launch: stdio, rlimits, credentials, capabilities, exec.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/limits.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/// Docker's default capability set.
static const int corral_default_caps[] = {
    CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FSETID,     CAP_FOWNER, CAP_MKNOD,
    CAP_NET_RAW, CAP_SETGID,      CAP_SETUID,     CAP_SETFCAP, CAP_SETPCAP,
    CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE,
};

static int is_default_cap(int cap) {
    for (size_t i = 0; i < sizeof(corral_default_caps) / sizeof(corral_default_caps[0]); i++) {
        if (corral_default_caps[i] == cap) {
            return 1;
        }
    }
    return 0;
}

/// dup2 that retries on EINTR and opens /dev/null for a negative source.
static int install_fd(int source, int target, struct corral_launch_error *error) {
    int fd = source;
    if (fd < 0) {
        fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            return corral_fail(error, "open(", "/dev/null");
        }
    }
    if (fd == target) {
        // Same number: dup2 would be a no-op and leave close-on-exec set.
        return fcntl(fd, F_SETFD, 0) == 0 ? 0 : corral_fail(error, "fcntl(F_SETFD stdio)", NULL);
    }
    int rc;
    do {
        rc = dup2(fd, target);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        return corral_fail(error, "dup2(stdio)", NULL);
    }
    return 0;
}

/// Drops the bounding set and sets effective/permitted/inheritable to the default set (for the
/// init of a non-root task: to none, what the task keeps across its exec).
int corral_drop_privileges(const struct corral_launch_config *config, int for_init, struct corral_launch_error *error) {
    for (int cap = 0; cap <= config->cap_last_cap; cap++) {
        if (!is_default_cap(cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
            return corral_fail(error, "prctl(PR_CAPBSET_DROP)", NULL);
        }
    }
    if (config->uid != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
        return corral_fail(error, "prctl(PR_SET_KEEPCAPS)", NULL);
    }
    // Raw system calls: glibc's wrappers would try to broadcast the change to the
    // threads of the parent process, which do not exist in this copy of it.
    if (syscall(SYS_setgroups, config->group_count, config->groups) != 0) {
        return corral_fail(error, "setgroups", NULL);
    }
    if (syscall(SYS_setresgid, config->gid, config->gid, config->gid) != 0) {
        return corral_fail(error, "setresgid", NULL);
    }
    if (syscall(SYS_setresuid, config->uid, config->uid, config->uid) != 0) {
        return corral_fail(error, "setresuid", NULL);
    }
    unsigned long long mask = 0;
    for (size_t i = 0; i < sizeof(corral_default_caps) / sizeof(corral_default_caps[0]); i++) {
        mask |= 1ULL << corral_default_caps[i];
    }
    if (for_init && config->uid != 0) {
        mask = 0;
    }
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    for (int i = 0; i < 2; i++) {
        data[i].effective = (unsigned int)(mask >> (32 * i));
        data[i].permitted = data[i].effective;
        data[i].inheritable = data[i].effective;
    }
    if (syscall(SYS_capset, &header, data) != 0) {
        return corral_fail(error, "capset", NULL);
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
        return corral_fail(error, "prctl(PR_CAP_AMBIENT_CLEAR_ALL)", NULL);
    }
    return 0;
}

/// Resets every signal disposition and unblocks every signal before exec.
static void reset_signals(void) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        sigaction(sig, &action, NULL);  // fails harmlessly for SIGKILL, SIGSTOP
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/// execve, searching `path_env` when the program has no slash.
static void exec_program(const struct corral_launch_config *config, struct corral_launch_error *error) {
    const char *program = config->argv[0];
    if (strchr(program, '/') != NULL) {
        execve(program, config->argv, config->envp);
        corral_fail(error, "execve(", program);
        return;
    }
    const char *search = config->path_env ? config->path_env : "/usr/sbin:/usr/bin:/sbin:/bin";
    char candidate[PATH_MAX];
    int last_errno = ENOENT;
    size_t name_len = strlen(program);
    while (*search != '\0') {
        const char *end = strchr(search, ':');
        size_t dir_len = end ? (size_t)(end - search) : strlen(search);
        if (dir_len + 1 + name_len + 1 <= sizeof(candidate)) {
            memcpy(candidate, search, dir_len);
            candidate[dir_len] = '/';
            memcpy(candidate + dir_len + 1, program, name_len + 1);
            execve(candidate, config->argv, config->envp);
            if (errno != ENOENT && errno != ENOTDIR) {
                last_errno = errno;
            }
        }
        search += dir_len + (end ? 1 : 0);
    }
    errno = last_errno;
    corral_fail(error, "execve(", program);
}

void corral_exec_task(const struct corral_launch_config *config, struct corral_launch_error *error) {
    if (setsid() < 0) {
        corral_fail(error, "setsid", NULL);
        return;
    }
    if (install_fd(config->stdin_fd, 0, error) != 0 || install_fd(config->stdout_fd, 1, error) != 0 ||
        install_fd(config->stderr_fd, 2, error) != 0) {
        return;
    }
    // Everything else the parent process had open must not reach the task.
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        corral_fail(error, "close_range(CLOEXEC)", NULL);
        return;
    }
    for (size_t i = 0; i < config->rlimit_count; i++) {
        struct rlimit limit = {config->rlimits[i].soft, config->rlimits[i].hard};
        if (setrlimit(config->rlimits[i].resource, &limit) != 0) {
            corral_fail(error, "setrlimit", NULL);
            return;
        }
    }
    const char *workdir = config->workdir ? config->workdir : "/";
    if (chdir(workdir) != 0) {
        corral_fail(error, "chdir(", workdir);
        return;
    }
    if (corral_drop_privileges(config, 0, error) != 0) {
        return;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        corral_fail(error, "prctl(PR_SET_NO_NEW_PRIVS)", NULL);
        return;
    }
    reset_signals();
    // Last: the filter allows execve but not what set-up needed (mount, setns, ...).
    if (!config->seccomp_unconfined && corral_apply_seccomp(error) != 0) {
        return;
    }
    exec_program(config, error);
}
