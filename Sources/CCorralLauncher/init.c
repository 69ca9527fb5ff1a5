// PID 1 of the container: forks the task, forwards signals to it, reaps every child.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

/// Reads the release byte; 0 when the parent let us go.
static int wait_for_release(int fd) {
    char byte;
    ssize_t n;
    do {
        n = read(fd, &byte, 1);
    } while (n < 0 && errno == EINTR);
    return n == 1 ? 0 : -1;
}

/// Moves the calling thread (the child's only one) into each of `paths` (cgroup v1
/// `tasks` files). Returns 0, or -1 with `error` filled.
static int join_cgroups(char *const *paths, struct corral_launch_error *error) {
    for (char *const *path = paths; path && *path; path++) {
        int fd = open(*path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            return corral_fail(error, "open(cgroup", *path);
        }
        ssize_t n;
        do {
            n = write(fd, "0", 1);
        } while (n < 0 && errno == EINTR);
        if (n != 1) {
            corral_fail(error, "write(cgroup", *path);
            close(fd);
            return -1;
        }
        close(fd);
    }
    return 0;
}

/// Sends `error` to the parent over the error pipe and exits.
static void report_and_exit(int fd, const struct corral_launch_error *error) __attribute__((noreturn));
static void report_and_exit(int fd, const struct corral_launch_error *error) {
    const char *bytes = (const char *)error;
    size_t left = sizeof(*error);
    while (left > 0) {
        ssize_t n = write(fd, bytes, left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        bytes += n;
        left -= (size_t)n;
    }
    _exit(127);
}

/// Stack of the task between its clone and its execve.
#define CORRAL_TASK_STACK_BYTES (256 * 1024)

/// Entry of the task: on init's memory, init suspended, until its execve (vfork-style).
static int task_main(void *arg) {
    const struct corral_child_args *child = arg;
    struct corral_launch_error error = {0, {0}};
    corral_exec_task(child->config, &error);
    report_and_exit(child->error_write_fd, &error);
}

int corral_child_main(void *arg) {
    const struct corral_child_args *args = arg;
    struct corral_launch_error error = {0, {0}};
    // Nothing in this copy of the parent's memory may be read from inside (see pid1.c).
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    close(args->sync_write_fd);
    close(args->error_read_fd);
    if (wait_for_release(args->sync_read_fd) != 0) {
        _exit(127);
    }
    close(args->sync_read_fd);
    if (join_cgroups(args->config->cgroup_tasks, &error) != 0) {
        report_and_exit(args->error_write_fd, &error);
    }
    // Named before the task exists, so the task never sees PID 1 under the parent's name.
    prctl(PR_SET_NAME, "corral-init", 0, 0, 0);
    if (corral_setup_namespaces(args->config, &error) != 0) {
        report_and_exit(args->error_write_fd, &error);
    }
    if (args->config->userns_fd >= 0 && corral_enter_userns(args->config->userns_fd, &error) != 0) {
        report_and_exit(args->error_write_fd, &error);
    }
    // Block every signal before forking, so none is lost: PID 1 ignores signals
    // it has no handler for unless they are blocked and collected.
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    // The task runs on this memory, init suspended, until its execve (CLONE_VM | CLONE_VFORK, as
    // posix_spawn does): no page tables are copied. Not glibc's vfork(): the task needs a stack
    // of its own. Init stays undumpable meanwhile and after, until it has dropped to the task's
    // privileges and unmapped its memory (corral_become_init).
    void *stack = mmap(NULL, CORRAL_TASK_STACK_BYTES, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        corral_fail(&error, "mmap(task stack)", NULL);
        report_and_exit(args->error_write_fd, &error);
    }
    pid_t task = clone(task_main, (char *)stack + CORRAL_TASK_STACK_BYTES, CLONE_VM | CLONE_VFORK | SIGCHLD,
                       (void *)args);
    if (task < 0) {
        corral_fail(&error, "clone(task)", NULL);
        report_and_exit(args->error_write_fd, &error);
    }
    // The task has exec'd (or died): its stack and the error pipe are no longer init's business.
    munmap(stack, CORRAL_TASK_STACK_BYTES);
    syscall(SYS_close_range, 0U, ~0U, 0U);
    corral_become_init(args->config, task, args->stack, args->stack_size);
}

void corral_init_loop(pid_t task) {
    sigset_t wanted;
    sigfillset(&wanted);
    sigdelset(&wanted, SIGKILL);
    sigdelset(&wanted, SIGSTOP);
    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(&wanted, &info);
        if (sig < 0) {
            continue;
        }
        if (sig != SIGCHLD) {
            kill(task, sig);
            continue;
        }
        for (;;) {
            int status = 0;
            pid_t pid = waitpid(-1, &status, WNOHANG);
            if (pid <= 0) {
                break;
            }
            if (pid == task) {
                // The container ends with its task; the kernel kills the rest.
                _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
            }
        }
    }
}
