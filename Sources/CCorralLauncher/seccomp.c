// Docker's default seccomp profile for x86_64, as a classic BPF filter built without libseccomp.
//
// Taken from moby's profiles/seccomp/default.json (defaultAction SCMP_ACT_ERRNO, errno EPERM),
// resolved for a task with Docker's default capabilities: the CAP_SYS_ADMIN, CAP_SYS_BOOT,
// CAP_SYS_MODULE, ... groups are left out, chroot (CAP_SYS_CHROOT) and ptrace and
// process_vm_* (kernel >= 4.8) are in, and clone, clone3, socket and personality get the
// profile's argument rules. Simplified: only the x86_64 ABI is allowed; the i386 and x32 ABIs
// (which the profile allows with their own numbers) get EPERM for every call.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/// The calls allowed whatever their arguments (the profile's unconditional list on x86_64).
static const int corral_allowed_syscalls[] = {
    __NR_accept, __NR_accept4, __NR_access, __NR_adjtimex, __NR_alarm, __NR_bind, __NR_brk,
    __NR_capget, __NR_capset, __NR_chdir, __NR_chmod, __NR_chown, __NR_clock_adjtime,
    __NR_clock_getres, __NR_clock_gettime, __NR_clock_nanosleep, __NR_close, __NR_close_range,
    __NR_connect, __NR_copy_file_range, __NR_creat, __NR_dup, __NR_dup2, __NR_dup3, __NR_epoll_create,
    __NR_epoll_create1, __NR_epoll_ctl, __NR_epoll_ctl_old, __NR_epoll_pwait, __NR_epoll_pwait2,
    __NR_epoll_wait, __NR_epoll_wait_old, __NR_eventfd, __NR_eventfd2, __NR_execve, __NR_execveat,
    __NR_exit, __NR_exit_group, __NR_faccessat, __NR_faccessat2, __NR_fadvise64, __NR_fallocate,
    __NR_fanotify_mark, __NR_fchdir, __NR_fchmod, __NR_fchmodat, __NR_fchown, __NR_fchownat,
    __NR_fcntl, __NR_fdatasync, __NR_fgetxattr, __NR_flistxattr, __NR_flock, __NR_fork,
    __NR_fremovexattr, __NR_fsetxattr, __NR_fstat, __NR_fstatfs, __NR_fsync, __NR_ftruncate,
    __NR_futex, __NR_futex_waitv, __NR_futimesat, __NR_getcpu, __NR_getcwd, __NR_getdents,
    __NR_getdents64, __NR_getegid, __NR_geteuid, __NR_getgid, __NR_getgroups, __NR_getitimer,
    __NR_getpeername, __NR_getpgid, __NR_getpgrp, __NR_getpid, __NR_getppid, __NR_getpriority,
    __NR_getrandom, __NR_getresgid, __NR_getresuid, __NR_getrlimit, __NR_get_robust_list,
    __NR_getrusage, __NR_getsid, __NR_getsockname, __NR_getsockopt, __NR_get_thread_area, __NR_gettid,
    __NR_gettimeofday, __NR_getuid, __NR_getxattr, __NR_inotify_add_watch, __NR_inotify_init,
    __NR_inotify_init1, __NR_inotify_rm_watch, __NR_io_cancel, __NR_ioctl, __NR_io_destroy,
    __NR_io_getevents, __NR_io_pgetevents, __NR_ioprio_get, __NR_ioprio_set, __NR_io_setup,
    __NR_io_submit, __NR_io_uring_enter, __NR_io_uring_register, __NR_io_uring_setup, __NR_kill,
    __NR_landlock_add_rule, __NR_landlock_create_ruleset, __NR_landlock_restrict_self, __NR_lchown,
    __NR_lgetxattr, __NR_link, __NR_linkat, __NR_listen, __NR_listxattr, __NR_llistxattr,
    __NR_lremovexattr, __NR_lseek, __NR_lsetxattr, __NR_lstat, __NR_madvise, __NR_membarrier,
    __NR_memfd_create, __NR_memfd_secret, __NR_mincore, __NR_mkdir, __NR_mkdirat, __NR_mknod,
    __NR_mknodat, __NR_mlock, __NR_mlock2, __NR_mlockall, __NR_mmap, __NR_mprotect, __NR_mq_getsetattr,
    __NR_mq_notify, __NR_mq_open, __NR_mq_timedreceive, __NR_mq_timedsend, __NR_mq_unlink, __NR_mremap,
    __NR_msgctl, __NR_msgget, __NR_msgrcv, __NR_msgsnd, __NR_msync, __NR_munlock, __NR_munlockall,
    __NR_munmap, __NR_name_to_handle_at, __NR_nanosleep, __NR_newfstatat, __NR_open, __NR_openat,
    __NR_openat2, __NR_pause, __NR_pidfd_open, __NR_pidfd_send_signal, __NR_pipe, __NR_pipe2,
    __NR_pkey_alloc, __NR_pkey_free, __NR_pkey_mprotect, __NR_poll, __NR_ppoll, __NR_prctl,
    __NR_pread64, __NR_preadv, __NR_preadv2, __NR_prlimit64, __NR_process_mrelease, __NR_pselect6,
    __NR_pwrite64, __NR_pwritev, __NR_pwritev2, __NR_read, __NR_readahead, __NR_readlink,
    __NR_readlinkat, __NR_readv, __NR_recvfrom, __NR_recvmmsg, __NR_recvmsg, __NR_remap_file_pages,
    __NR_removexattr, __NR_rename, __NR_renameat, __NR_renameat2, __NR_restart_syscall, __NR_rmdir,
    __NR_rseq, __NR_rt_sigaction, __NR_rt_sigpending, __NR_rt_sigprocmask, __NR_rt_sigqueueinfo,
    __NR_rt_sigreturn, __NR_rt_sigsuspend, __NR_rt_sigtimedwait, __NR_rt_tgsigqueueinfo,
    __NR_sched_getaffinity, __NR_sched_getattr, __NR_sched_getparam, __NR_sched_get_priority_max,
    __NR_sched_get_priority_min, __NR_sched_getscheduler, __NR_sched_rr_get_interval,
    __NR_sched_setaffinity, __NR_sched_setattr, __NR_sched_setparam, __NR_sched_setscheduler,
    __NR_sched_yield, __NR_seccomp, __NR_select, __NR_semctl, __NR_semget, __NR_semop, __NR_semtimedop,
    __NR_sendfile, __NR_sendmmsg, __NR_sendmsg, __NR_sendto, __NR_setfsgid, __NR_setfsuid, __NR_setgid,
    __NR_setgroups, __NR_setitimer, __NR_setpgid, __NR_setpriority, __NR_setregid, __NR_setresgid,
    __NR_setresuid, __NR_setreuid, __NR_setrlimit, __NR_set_robust_list, __NR_setsid, __NR_setsockopt,
    __NR_set_thread_area, __NR_set_tid_address, __NR_setuid, __NR_setxattr, __NR_shmat, __NR_shmctl,
    __NR_shmdt, __NR_shmget, __NR_shutdown, __NR_sigaltstack, __NR_signalfd, __NR_signalfd4,
    __NR_socketpair, __NR_splice, __NR_stat, __NR_statfs, __NR_statx, __NR_symlink, __NR_symlinkat,
    __NR_sync, __NR_sync_file_range, __NR_syncfs, __NR_sysinfo, __NR_tee, __NR_tgkill, __NR_time,
    __NR_timer_create, __NR_timer_delete, __NR_timer_getoverrun, __NR_timer_gettime,
    __NR_timer_settime, __NR_timerfd_create, __NR_timerfd_gettime, __NR_timerfd_settime, __NR_times,
    __NR_tkill, __NR_truncate, __NR_umask, __NR_uname, __NR_unlink, __NR_unlinkat, __NR_utime,
    __NR_utimensat, __NR_utimes, __NR_vfork, __NR_vmsplice, __NR_wait4, __NR_waitid, __NR_write,
    __NR_writev, __NR_process_vm_readv, __NR_process_vm_writev, __NR_ptrace, __NR_arch_prctl,
    __NR_modify_ldt, __NR_chroot,};

#define ALLOWED_COUNT (sizeof(corral_allowed_syscalls) / sizeof(corral_allowed_syscalls[0]))
/// Room for the program: a prefix, the argument rules, and four instructions per range.
#define PROGRAM_CAPACITY (64 + 4 * ALLOWED_COUNT)
/// Namespace flags clone may not use without CAP_SYS_ADMIN (the profile's mask 0x7E020000).
#define CLONE_NAMESPACE_FLAGS 0x7E020000U
/// AF_VSOCK, the one socket family the profile refuses.
#define FAMILY_VSOCK 40U

#define ARG0_LOW (offsetof(struct seccomp_data, args[0]))
#define ARG0_HIGH (offsetof(struct seccomp_data, args[0]) + 4)
#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))

/// A program under construction: instructions appended in order.
struct program {
    struct sock_filter code[PROGRAM_CAPACITY];
    unsigned short length;
};

static void emit(struct program *p, unsigned short op, unsigned char jt, unsigned char jf, unsigned int k) {
    struct sock_filter instruction = {op, jt, jf, k};
    p->code[p->length++] = instruction;
}

static void emit_load(struct program *p, unsigned int offset) { emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offset); }
static void emit_return(struct program *p, unsigned int value) { emit(p, BPF_RET | BPF_K, 0, 0, value); }

/// The allowed numbers in ascending order (insertion sort: no allocation in the child).
static void sorted_syscalls(int *out) {
    for (size_t i = 0; i < ALLOWED_COUNT; i++) {
        int value = corral_allowed_syscalls[i];
        size_t j = i;
        while (j > 0 && out[j - 1] > value) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = value;
    }
}

/// The argument rules; each block starts with the number in A and ends in returns.
static void emit_argument_rules(struct program *p) {
    // clone: allowed unless it asks for a new namespace.
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 4, __NR_clone);
    emit_load(p, ARG0_LOW);
    emit(p, BPF_JMP | BPF_JSET | BPF_K, 0, 1, CLONE_NAMESPACE_FLAGS);
    emit_return(p, RET_ERRNO(EPERM));
    emit_return(p, SECCOMP_RET_ALLOW);
    // clone3: ENOSYS, so that C libraries fall back to clone, whose flags can be checked.
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, __NR_clone3);
    emit_return(p, RET_ERRNO(ENOSYS));
    // socket: any family but AF_VSOCK (compared as 64 bits, as libseccomp does).
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 6, __NR_socket);
    emit_load(p, ARG0_HIGH);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 0);
    emit_load(p, ARG0_LOW);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, FAMILY_VSOCK);
    emit_return(p, RET_ERRNO(EPERM));
    emit_return(p, SECCOMP_RET_ALLOW);
    // personality: only PER_LINUX, UNAME26, PER_LINUX32, their union, and the 0xffffffff query.
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 10, __NR_personality);
    emit_load(p, ARG0_HIGH);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 6, 0);
    emit_load(p, ARG0_LOW);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 0x0);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 4, 0, 0x8);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 0x20000);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 0x20008);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0xffffffffU);
    emit_return(p, RET_ERRNO(EPERM));
    emit_return(p, SECCOMP_RET_ALLOW);
}

/// The allow list as ranges of consecutive numbers, scanned in ascending order: a number
/// below the next range's start is in none of them.
static void emit_ranges(struct program *p) {
    int sorted[ALLOWED_COUNT];
    sorted_syscalls(sorted);
    size_t i = 0;
    while (i < ALLOWED_COUNT) {
        size_t end = i;
        while (end + 1 < ALLOWED_COUNT && sorted[end + 1] <= sorted[end] + 1) {
            end++;
        }
        emit(p, BPF_JMP | BPF_JGT | BPF_K, 3, 0, (unsigned int)sorted[end]);
        emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, (unsigned int)sorted[i]);
        emit_return(p, SECCOMP_RET_ALLOW);
        emit_return(p, RET_ERRNO(EPERM));
        i = end + 1;
    }
    emit_return(p, RET_ERRNO(EPERM));
}

int corral_apply_seccomp(struct corral_launch_error *error) {
    struct program p;
    p.length = 0;
    emit_load(&p, offsetof(struct seccomp_data, arch));
    emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
    emit_return(&p, RET_ERRNO(EPERM));
    emit_load(&p, offsetof(struct seccomp_data, nr));
    // The x32 ABI sets bit 30 of the number.
    emit(&p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, 0x40000000U);
    emit_return(&p, RET_ERRNO(EPERM));
    emit_argument_rules(&p);
    emit_ranges(&p);
    struct sock_fprog program = {p.length, p.code};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
        return corral_fail(error, "seccomp(SECCOMP_SET_MODE_FILTER)", NULL);
    }
    return 0;
}
