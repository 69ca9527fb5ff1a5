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

/// What the task is cloned with: the launch and the pipe on which init lets it exec.
struct corral_task_args {
    const struct corral_child_args *child;
    int release_read_fd;
    int release_write_fd;
};

/// Entry of the task: a copy of init's memory (not shared: init scrubs its own meanwhile).
static int task_main(void *arg) {
    const struct corral_task_args *args = arg;
    struct corral_launch_error error = {0, {0}};
    close(args->release_write_fd);
    corral_exec_task(args->child->config, args->release_read_fd, &error);
    report_and_exit(args->child->error_write_fd, &error);
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
    int release[2];
    if (pipe2(release, O_CLOEXEC) != 0) {
        corral_fail(&error, "pipe2(release)", NULL);
        report_and_exit(args->error_write_fd, &error);
    }
    // The task gets its own copy of this memory (clone without CLONE_VM: page tables are
    // copied, pages only on write) and waits on `release` before its exec, while init drops
    // to the task's privileges and unmaps its own copy. Not glibc's fork(): it takes locks
    // another thread of the parent process may have held at clone().
    void *stack = mmap(NULL, CORRAL_TASK_STACK_BYTES, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        corral_fail(&error, "mmap(task stack)", NULL);
        report_and_exit(args->error_write_fd, &error);
    }
    struct corral_task_args task_args = {args, release[0], release[1]};
    pid_t task = clone(task_main, (char *)stack + CORRAL_TASK_STACK_BYTES, SIGCHLD, &task_args);
    if (task < 0) {
        corral_fail(&error, "clone(task)", NULL);
        report_and_exit(args->error_write_fd, &error);
    }
    munmap(stack, CORRAL_TASK_STACK_BYTES);
    // The error pipe now belongs to the task; init keeps only the release pipe's write end.
    int keep = release[1];
    if (keep > 0) {
        syscall(SYS_close_range, 0U, (unsigned int)keep - 1, 0U);
    }
    syscall(SYS_close_range, (unsigned int)keep + 1, ~0U, 0U);
    corral_become_init(args->config, task, args->stack, args->stack_size, keep);
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
