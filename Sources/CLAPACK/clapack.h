// Hand-written prototypes for the reference LAPACK routines ScalingLaws calls.
//
// Debian's liblapack-dev ships the Fortran library without a C header, so the few routines used are
// declared here with the gfortran calling convention:
//   * every argument is passed by pointer;
//   * INTEGER is a 32-bit int (the LP64 build Debian ships);
//   * each CHARACTER argument adds one hidden trailing `size_t` length argument;
//   * arrays are column-major.
// Inputs that LAPACK does not modify are declared `const`.
#ifndef SCALINGLAWS_CLAPACK_H
#define SCALINGLAWS_CLAPACK_H

#include <stddef.h>

/// DGELS: minimum-norm / least-squares solution of A x = b by QR (or LQ) factorisation, full rank assumed.
/// https://www.netlib.org/lapack/explore-html/ (dgels)
void dgels_(const char *trans, const int *m, const int *n, const int *nrhs,
            double *a, const int *lda, double *b, const int *ldb,
            double *work, const int *lwork, int *info, size_t trans_len);

/// DGELSD: minimum-norm least-squares solution by SVD (divide and conquer); reports the effective rank
/// for singular values above rcond * s_max.
void dgelsd_(const int *m, const int *n, const int *nrhs,
             double *a, const int *lda, double *b, const int *ldb,
             double *s, const double *rcond, int *rank,
             double *work, const int *lwork, int *iwork, int *info);

/// DGESDD: singular value decomposition A = U S V^T (divide and conquer).
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda,
             double *s, double *u, const int *ldu, double *vt, const int *ldvt,
             double *work, const int *lwork, int *iwork, int *info, size_t jobz_len);

/// DGEQRF: QR factorisation A = Q R; R is returned in the upper triangle of A.
void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau,
             double *work, const int *lwork, int *info);

#endif
