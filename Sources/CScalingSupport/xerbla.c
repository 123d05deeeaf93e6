#define _GNU_SOURCE
#include "scaling_support.h"

#include <dlfcn.h>
#include <string.h>

// Per thread, so that fits running in parallel do not see each other's reports.
static _Thread_local int report_parameter = 0;
static _Thread_local char report_routine[32];

void xerbla_(const char *srname, const int *info, size_t srname_len) {
    if (report_parameter != 0) return;  // keep the first report: later ones follow from it
    size_t n = srname_len < sizeof report_routine - 1 ? srname_len : sizeof report_routine - 1;
    if (srname == NULL) n = 0;
    while (n > 0 && (srname[n - 1] == ' ' || srname[n - 1] == '\0')) n--;  // Fortran pads with blanks
    if (n > 0) memcpy(report_routine, srname, n);
    report_routine[n] = '\0';
    int parameter = info != NULL ? *info : 0;
    report_parameter = parameter > 0 ? parameter : (parameter < 0 ? -parameter : -1);
    if (report_parameter == 0) report_parameter = -1;
}

int scaling_lapack_take_report(char *routine, size_t capacity) {
    int parameter = report_parameter;
    if (parameter == 0) return 0;
    if (routine != NULL && capacity > 0) {
        strncpy(routine, report_routine, capacity - 1);
        routine[capacity - 1] = '\0';
    }
    report_parameter = 0;
    report_routine[0] = '\0';
    return parameter < 0 ? 1 : parameter;
}

const void *scaling_lapack_resolved_xerbla(void) {
    // RTLD_DEFAULT searches the executable first, then the libraries in load order: the definition LAPACK's
    // PLT entry binds to.
    return dlsym(RTLD_DEFAULT, "xerbla_");
}

const void *scaling_lapack_own_xerbla(void) {
    return (const void *)&xerbla_;
}
