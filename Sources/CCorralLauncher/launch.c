// The parent's side of a launch: clone into namespaces, release, wait for exec.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/// Stack of the clone child; it only runs the setup code in this library.
/// Room for the init's copy of /proc/self/maps (see pid1.c); pages are only used when touched.
#define CORRAL_CHILD_STACK_BYTES (1024 * 1024)

static void close_quietly(int *fd) {
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

int corral_launch_start(const struct corral_launch_config *config, struct corral_launch_handle *handle,
                        struct corral_launch_error *error) {
    handle->pid = -1;
    handle->sync_fd = -1;
    handle->error_fd = -1;
    int sync_pipe[2];
    int error_pipe[2];
    if (pipe2(sync_pipe, O_CLOEXEC) != 0) {
        return corral_fail(error, "pipe2(sync)", NULL);
    }
    if (pipe2(error_pipe, O_CLOEXEC) != 0) {
        corral_fail(error, "pipe2(error)", NULL);
        close(sync_pipe[0]);
        close(sync_pipe[1]);
        return -1;
    }
    void *stack = mmap(NULL, CORRAL_CHILD_STACK_BYTES, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        corral_fail(error, "mmap(clone stack)", NULL);
        close(sync_pipe[0]);
        close(sync_pipe[1]);
        close(error_pipe[0]);
        close(error_pipe[1]);
        return -1;
    }
    struct corral_child_args args = {config,       sync_pipe[0], sync_pipe[1], error_pipe[0], error_pipe[1],
                                     stack,        CORRAL_CHILD_STACK_BYTES};
    corral_locate_init_code();
    int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
    if (config->new_network) {
        flags |= CLONE_NEWNET;
    }
    // No CLONE_VM: the child runs on its own copy of this address space, so the
    // parent may unmap the stack and free the config as soon as clone returns.
    pid_t pid = clone(corral_child_main, (char *)stack + CORRAL_CHILD_STACK_BYTES, flags, &args);
    int saved = errno;
    munmap(stack, CORRAL_CHILD_STACK_BYTES);
    close(sync_pipe[0]);
    close(error_pipe[1]);
    if (pid < 0) {
        close(sync_pipe[1]);
        close(error_pipe[0]);
        errno = saved;
        return corral_fail(error, "clone(namespaces)", NULL);
    }
    handle->pid = pid;
    handle->sync_fd = sync_pipe[1];
    handle->error_fd = error_pipe[0];
    return 0;
}

void corral_launch_abort(struct corral_launch_handle *handle) {
    close_quietly(&handle->sync_fd);
    close_quietly(&handle->error_fd);
}

int corral_launch_release(struct corral_launch_handle *handle, struct corral_launch_error *error) {
    char byte = 1;
    ssize_t n;
    do {
        n = write(handle->sync_fd, &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) {
        corral_fail(error, "write(sync pipe)", NULL);
        close_quietly(&handle->sync_fd);
        close_quietly(&handle->error_fd);
        return -1;
    }
    close_quietly(&handle->sync_fd);
    struct corral_launch_error received;
    size_t got = 0;
    for (;;) {
        n = read(handle->error_fd, (char *)&received + got, sizeof(received) - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            corral_fail(error, "read(error pipe)", NULL);
            close_quietly(&handle->error_fd);
            return -1;
        }
        if (n == 0 || (got += (size_t)n) == sizeof(received)) {
            break;
        }
    }
    close_quietly(&handle->error_fd);
    if (got == 0) {
        return 0;  // EOF: the task exec'd.
    }
    if (got == sizeof(received)) {
        received.stage[sizeof(received.stage) - 1] = '\0';
        *error = received;
    } else {
        error->error_number = EPROTO;
        strcpy(error->stage, "read(error pipe: short report)");
    }
    return -1;
}
