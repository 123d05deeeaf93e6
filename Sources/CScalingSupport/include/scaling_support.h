// The few things ScalingLaws needs from C.
//
// 1. ScalingLaws' own XERBLA: LAPACK's illegal-argument handler.
//
// Reference LAPACK's XERBLA prints "On entry to <routine> parameter number <n> had an illegal value" and
// executes a Fortran STOP, which ends the process with exit status 0: no result, no error, no non-zero
// exit. This target defines `xerbla_` itself. The executable (or test binary) that links it exports the
// symbol, and because liblapack.so and libblas.so call `xerbla_` through their PLT, the dynamic linker
// binds their calls to this definition rather than to the library's own. The replacement records the
// report for the calling thread and returns; the LAPACK routine then returns with INFO < 0 (or, for a
// report from a nested routine such as DLASCL, carries on), and `LeastSquares` turns the recorded report
// into a `LinearAlgebraError`.
#ifndef SCALINGLAWS_SUPPORT_H
#define SCALINGLAWS_SUPPORT_H

#include <stddef.h>

/// The replacement handler, with gfortran's calling convention for
/// `SUBROUTINE XERBLA(SRNAME, INFO)`: CHARACTER*(*) SRNAME adds a hidden trailing length argument.
void xerbla_(const char *srname, const int *info, size_t srname_len);

/// Takes the first illegal-argument report recorded on this thread since the last call, and clears it.
///
/// Returns the offending parameter number (> 0), or 0 when nothing was reported. The routine name is
/// copied into `routine` (NUL-terminated, at most `capacity - 1` characters).
int scaling_lapack_take_report(char *routine, size_t capacity);

/// The address of the `xerbla_` that LAPACK's calls are bound to in this process, as the dynamic linker
/// resolves it; compared with the address of this target's definition to check the interposition.
const void *scaling_lapack_resolved_xerbla(void);

/// The address of this target's `xerbla_`.
const void *scaling_lapack_own_xerbla(void);

/// Flushes C's `stdout` (where Swift's `print` writes) and returns 0, or the `errno` of a failed write
/// (a full disk, `> /dev/full`, a closed pipe), so the CLI can exit non-zero instead of losing its report.
/// (Swift 6 cannot name C's global `stdout` from concurrency-checked code.)
int scaling_flush_stdout(void);

/// Writes `bytes[0..<count]` to C's `stdout` (buffered with what `print` writes, so the two stay in
/// order) and returns 0, or the `errno` of a failed write.
int scaling_write_stdout(const void *bytes, size_t count);

/// Reads the whole of `bytes[0..<count]` as a decimal number with C's `strtod` in the "C" locale (the
/// reader behind Swift's `Double(String)` on Linux), for the numbers the byte-level fast path in
/// `parseQuantity` cannot round exactly (more than 19 significant digits, large exponents). Returns 1 and
/// sets `*value` when every byte was consumed, 0 otherwise.
int scaling_strtod(const unsigned char *bytes, size_t count, double *value);

#endif
