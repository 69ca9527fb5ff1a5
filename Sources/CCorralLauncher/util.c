// Small async-signal-safe helpers used by the child side.
#include <errno.h>
#include <string.h>

#include "internal.h"

int corral_join(char *out, size_t cap, const char *a, const char *b) {
    size_t la = strlen(a);
    size_t lb = strlen(b);
    if (la + lb + 1 > cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(out, a, la);
    memcpy(out + la, b, lb);
    out[la + lb] = '\0';
    return 0;
}

int corral_fail(struct corral_launch_error *error, const char *stage, const char *detail) {
    int saved = errno;
    size_t cap = sizeof(error->stage);
    size_t used = 0;
    // "mount(overlay" + " " + path + ")", but "execve(" + path + ")".
    size_t stage_len = strlen(stage);
    int opened = stage_len > 0 && stage[stage_len - 1] == '(';
    const char *parts[4] = {stage, detail && !opened ? " " : "", detail ? detail : "", detail ? ")" : ""};
    for (int i = 0; i < 4; i++) {
        size_t len = strlen(parts[i]);
        if (used + len >= cap) {
            len = cap - used - 1;
        }
        memcpy(error->stage + used, parts[i], len);
        used += len;
    }
    error->stage[used] = '\0';
    error->error_number = saved;
    return -1;
}
