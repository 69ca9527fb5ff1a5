// PID 1 once the task has exec'd: the task's own credentials, and nothing of the parent's memory.
//
// The init is a copy of the launching process (clone without CLONE_VM), so its memory holds
// whatever that process held (other containers' specs and environments among it). It is
// undumpable from its start, so the task cannot look at it (/proc/1/root, /proc/1/mem, ptrace,
// as it can at PID 1 under Docker) until the init has taken the task's uid, gids, capabilities
// and seccomp filter and unmapped everything but its own code and stack; only then does it
// become dumpable (a moment after the task's exec: the task does not wait for it). From there
// on it makes raw system calls only: the C library is gone from its address space.
#define _GNU_SOURCE
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

#if !defined(__x86_64__)
#error "the scrubbed init makes raw x86_64 system calls"
#endif

#define NO_PROTECTOR __attribute__((no_stack_protector, noinline))

static inline long raw4(long number, long a, long b, long c, long d) {
    long result;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return result;
}

/// Forwards signals to `task`, reaps every child, exits with the task's status.
static NO_PROTECTOR __attribute__((noreturn)) void raw_init_loop(pid_t task) {
    // Every signal but SIGKILL (9) and SIGSTOP (19), as the kernel's 64-bit set.
    unsigned long wanted = ~0UL & ~(1UL << (SIGKILL - 1)) & ~(1UL << (SIGSTOP - 1));
    for (;;) {
        siginfo_t info;
        long sig = raw4(SYS_rt_sigtimedwait, (long)&wanted, (long)&info, 0, sizeof(wanted));
        if (sig < 0) {
            continue;
        }
        if (sig != SIGCHLD) {
            raw4(SYS_kill, task, sig, 0, 0);
            continue;
        }
        for (;;) {
            int status = 0;
            long pid = raw4(SYS_wait4, -1, (long)&status, WNOHANG, 0);
            if (pid <= 0) {
                break;
            }
            if (pid == task) {
                long code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                for (;;) raw4(SYS_exit_group, code, 0, 0, 0);
            }
        }
    }
}

/// Parses lowercase hex up to `stop`; advances `*text`.
static NO_PROTECTOR unsigned long parse_hex(const char **text, char stop) {
    unsigned long value = 0;
    for (const char *c = *text; *c != stop && *c != '\0'; c++, (*text)++) {
        value = value * 16 + (unsigned long)(*c <= '9' ? *c - '0' : *c - 'a' + 10);
    }
    if (**text == stop) (*text)++;
    return value;
}

/// The loaded segment holding the init's code, found by the launching process before it
/// clones (the init's copy of memory has it): the init then need not read /proc/self/maps,
/// nor call dl_iterate_phdr, which takes a lock another thread may have held at the clone.
static unsigned long init_code_start, init_code_end;

static int find_code_segment(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    unsigned long code = (unsigned long)data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type != PT_LOAD) continue;
        unsigned long start = info->dlpi_addr + segment->p_vaddr;
        unsigned long end = start + segment->p_memsz;
        if (code >= start && code < end) {
            init_code_start = start & ~4095UL;
            init_code_end = (end + 4095UL) & ~4095UL;
            return 1;
        }
    }
    return 0;
}

void corral_locate_init_code(void) {
    if (init_code_end == 0) {
        dl_iterate_phdr(find_code_segment, (void *)(unsigned long)&raw_init_loop);
    }
}

/// The end of user space on x86_64 (4-level page tables); [vsyscall] lies above it.
#define USER_SPACE_END 0x7ffffffff000UL

/// Unmaps everything in user space but the code mapping holding `code` (found in `maps`) and
/// the stack range, in at most three calls: one munmap per gap, whatever it holds. A mapping
/// at a time took a system call (and a TLB flush) for each of the launching process's few
/// hundred mappings, about 2 ms a launch. ([vdso] and [vvar] go too: nothing here reads the
/// clock or returns from a handler.) -1, unmapping nothing, if `code` is in no mapping listed.
static NO_PROTECTOR int scrub(const char *maps, unsigned long code, unsigned long stack_start, unsigned long stack_end) {
    unsigned long code_start = init_code_start, code_end = init_code_end;
    const char *line = maps;
    while (code_end == 0 && *line != '\0') {
        const char *at = line;
        unsigned long start = parse_hex(&at, '-');
        unsigned long end = parse_hex(&at, ' ');
        if (code >= start && code < end) {
            code_start = start;
            code_end = end;
        }
        while (*at != '\n' && *at != '\0') at++;
        line = *at == '\n' ? at + 1 : at;
    }
    if (code_end == 0) return -1;
    // The two ranges kept, lower first; the gaps around them go.
    unsigned long low_start = code_start < stack_start ? code_start : stack_start;
    unsigned long low_end = code_start < stack_start ? code_end : stack_end;
    unsigned long high_start = code_start < stack_start ? stack_start : code_start;
    unsigned long high_end = code_start < stack_start ? stack_end : code_end;
    if (low_start > 0) raw4(SYS_munmap, 0, (long)low_start, 0, 0);
    if (high_start > low_end) raw4(SYS_munmap, (long)low_end, (long)(high_start - low_end), 0, 0);
    if (USER_SPACE_END > high_end) raw4(SYS_munmap, (long)high_end, (long)(USER_SPACE_END - high_end), 0, 0);
    return 0;
}

/// Reads /proc/self/maps into `buffer`; 0, or -1 if it does not fit or cannot be read.
static int read_maps(char *buffer, size_t capacity) {
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, buffer + used, capacity - 1 - used);
        if (n <= 0) {
            close(fd);
            buffer[used] = '\0';
            return n == 0 && used < capacity - 1 ? 0 : -1;
        }
        used += (size_t)n;
        if (used == capacity - 1) {
            close(fd);
            return -1;
        }
    }
}

/// Unregisters the C library's restartable sequence: the kernel writes to it (in the thread's
/// TLS, which the scrub unmaps) and kills the process when it cannot. 0, or -1.
static int unregister_rseq(void) {
    if (__rseq_size == 0) {
        return 0;  // The C library did not register one.
    }
    char *area = (char *)__builtin_thread_pointer() + __rseq_offset;
    // The length must be the registered one: 32 for glibc's first versions, else __rseq_size.
    if (syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) == 0 ||
        syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) == 0) {
        return 0;
    }
    return -1;
}

/// Room for /proc/self/maps on init's stack (a few hundred mappings).
#define MAPS_CAPACITY (384 * 1024)

NO_PROTECTOR void corral_become_init(const struct corral_launch_config *config, pid_t task, void *stack, size_t stack_size) {
    struct corral_launch_error ignored = {0, {0}};
    char maps[MAPS_CAPACITY];
    maps[0] = '\0';
    // Any failure keeps the init privileged and undumpable: the task cannot look at it then.
    if (corral_drop_privileges(config, 1, &ignored) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        (!config->seccomp_unconfined && corral_apply_seccomp(&ignored) != 0) ||
        (init_code_end == 0 && read_maps(maps, sizeof(maps)) != 0) ||
        unregister_rseq() != 0) {
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        corral_init_loop(task);
    }
    unsigned long code = (unsigned long)&raw_init_loop;
    if (scrub(maps, code, (unsigned long)stack, (unsigned long)stack + stack_size) != 0) {
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        corral_init_loop(task);
    }
    raw4(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0);
    raw_init_loop(task);
}
