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
    /// The clone child's stack (the init keeps only it and its code, see corral_become_init).
    void *stack;
    size_t stack_size;
};

/// Entry point of the clone child (PID 1 of the container). Never returns.
int corral_child_main(void *arg);

/// Prepares mounts, hostname and network of the new namespaces (in PID 1).
/// Returns 0, or -1 with `error` filled.
int corral_setup_namespaces(const struct corral_launch_config *config, struct corral_launch_error *error);

/// Becomes the task: stdio, rlimits, credentials, capabilities, seccomp, then exec. Returns only
/// on failure, with `error` filled.
void corral_exec_task(const struct corral_launch_config *config, struct corral_launch_error *error);

/// Takes the task's uid, gids and capabilities (`for_init`: the capabilities the task holds
/// after its exec, none for a non-root task, since the init does not exec). Returns 0, or -1
/// with `error` filled.
int corral_drop_privileges(const struct corral_launch_config *config, int for_init, struct corral_launch_error *error);

/// PID 1 once the task has exec'd: drops to the task's privileges, unmaps all but its code and
/// `stack`, becomes dumpable, and runs the init loop on raw system calls. Never returns.
void corral_become_init(const struct corral_launch_config *config, pid_t task, void *stack, size_t stack_size)
    __attribute__((noreturn));

/// Runs PID 1's loop: forwards signals to `task`, reaps every child, and exits
/// with the task's status when it exits. Never returns.
void corral_init_loop(pid_t task) __attribute__((noreturn));

/// Finds (once) the loaded segment holding the init's code; the launching process calls it
/// before cloning, so the init need not read /proc/self/maps.
void corral_locate_init_code(void);

/// Opens every bind source of `config` into `fds` (O_PATH), so a source stays reachable once a
/// hidden directory covers it. Returns 0, or -1 with `error` filled and nothing left open.
int corral_open_bind_sources(const struct corral_launch_config *config, int *fds, struct corral_launch_error *error);

/// Bind-mounts every mount of `config` from its opened source in `fds` (all closed here) under
/// `rootfs` ("" for the host root), creating targets when `create` (or under a hidden path).
/// Returns 0, or -1 with `error` filled.
int corral_bind_mounts(const struct corral_launch_config *config, int *fds, const char *rootfs, int create,
                       struct corral_launch_error *error);

/// Applies Docker's masked and read-only paths under `rootfs` ("" for the host root, after
/// /proc, /dev and /sys are mounted). Returns 0, or -1 with `error` filled.
int corral_mask_paths(const char *rootfs, struct corral_launch_error *error);

/// Remounts the (pivoted) root read-only. Returns 0, or -1 with `error` filled.
int corral_read_only_root(struct corral_launch_error *error);

/// Mounts an empty tmpfs over each of `paths` (NULL-terminated, may be NULL), still writable
/// so bind mount targets can be made in it. Returns 0, or -1 with `error` filled.
int corral_hide_paths(char *const *paths, struct corral_launch_error *error);

/// Remounts the tmpfs over each of `paths` read-only. Returns 0, or -1 with `error` filled.
int corral_seal_hidden_paths(char *const *paths, struct corral_launch_error *error);

/// The entry of `paths` that `target` is (under), or NULL.
const char *corral_hidden_path_of(char *const *paths, const char *target);

/// Installs Docker's default seccomp profile (x86_64) on the calling thread; needs
/// no_new_privs. Returns 0, or -1 with `error` filled.
int corral_apply_seccomp(struct corral_launch_error *error);

/// Mounts an idmapped clone of `path` (mapped through the user namespace `userns_fd`) over
/// `path` itself, in this mount namespace. Returns 0, or -1 with `error` filled.
int corral_idmap_in_place(const char *path, int userns_fd, struct corral_launch_error *error);

/// Joins the user namespace `userns_fd` and becomes its root. Returns 0, or -1 with `error`.
int corral_enter_userns(int userns_fd, struct corral_launch_error *error);

/// Fills `error` with `stage` + optional `detail` and the current errno; returns -1.
int corral_fail(struct corral_launch_error *error, const char *stage, const char *detail);

/// Concatenates `a` and `b` into `out` (capacity `cap`). Returns 0, or -1 if too long.
int corral_join(char *out, size_t cap, const char *a, const char *b);

#endif
