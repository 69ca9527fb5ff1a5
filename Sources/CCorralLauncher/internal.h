/// Private declarations shared by the launcher's C files.
#ifndef CORRAL_LAUNCHER_INTERNAL_H
#define CORRAL_LAUNCHER_INTERNAL_H

#include "corral_launcher.h"

/// What the clone child receives: the prepared config and its pipe ends.
struct corral_child_args {
    const struct corral_launch_config *config;
    int sync_read_fd;
    int sync_write_fd;
    int error_read_fd;
    int error_write_fd;
};

/// Entry point of the clone child (PID 1 of the container). Never returns.
int corral_child_main(void *arg);

/// Prepares mounts, hostname and network of the new namespaces (in PID 1).
/// Returns 0, or -1 with `error` filled.
int corral_setup_namespaces(const struct corral_launch_config *config, struct corral_launch_error *error);

/// Becomes the task: stdio, rlimits, credentials, capabilities, exec.
/// Returns only on failure, with `error` filled.
void corral_exec_task(const struct corral_launch_config *config, struct corral_launch_error *error);

/// Runs PID 1's loop: forwards signals to `task`, reaps every child, and exits
/// with the task's status when it exits. Never returns.
void corral_init_loop(pid_t task) __attribute__((noreturn));

/// Fills `error` with `stage` + optional `detail` and the current errno; returns -1.
int corral_fail(struct corral_launch_error *error, const char *stage, const char *detail);

/// Concatenates `a` and `b` into `out` (capacity `cap`). Returns 0, or -1 if too long.
int corral_join(char *out, size_t cap, const char *a, const char *b);

#endif
