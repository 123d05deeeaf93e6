#include "scaling_support.h"

#include <errno.h>
#include <stdio.h>

int scaling_flush_stdout(void) {
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) return errno != 0 ? errno : EIO;
    return 0;
}

int scaling_write_stdout(const void *bytes, size_t count) {
    errno = 0;
    if (count == 0) return 0;
    if (fwrite(bytes, 1, count, stdout) != count) return errno != 0 ? errno : EIO;
    return 0;
}
