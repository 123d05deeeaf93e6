import CLAPACK
import CScalingSupport

/// Small, safe wrappers over LAPACK's least-squares drivers.
///
/// Every solve in ScalingLaws goes through these, except the few-unknown normal equations of the
/// solver's hot loops (`SmallSymmetricSystem`, which hands ill-conditioned systems back to these). Inputs are copied (LAPACK overwrites its arguments); failures come back as
/// ``LinearAlgebraError`` values, never traps.
///
/// No non-finite value ever reaches LAPACK: every entry point checks its operands first and throws
/// ``LinearAlgebraError/nonFinite(_:)``. Should LAPACK still reject an argument, ScalingLaws' own `XERBLA`
/// (target `CScalingSupport`) records the report instead of stopping the process, and the call throws
/// ``LinearAlgebraError/lapack(_:_:)``, even when the report came from a nested routine whose caller
/// ignored it.
public enum LeastSquares {
    /// Result of an SVD-based least-squares solve.
    public struct Solution: Sendable, Equatable {
        /// Minimum-norm least-squares solution x of min ‖A x − b‖₂.
        public var x: [Double]
        /// Effective rank: singular values above `rcond · s_max`.
        public var rank: Int
        /// Singular values of A, largest first.
        public var singularValues: [Double]
        /// Condition number s_max / s_min (infinite when A is rank deficient).
        public var conditionNumber: Double {
            guard let first = singularValues.first, let last = singularValues.last, last > 0 else {
                return .infinity
            }
            return first / last
        }
    }

    /// Solves min ‖A x − b‖₂ for a full-column-rank `A` (rows ≥ columns) by QR factorisation (`dgels`).
    ///
    /// `dgels` does not detect rank deficiency; use it only where the system is known to have full rank
    /// (for example a Levenberg–Marquardt step whose damping rows make it so). Otherwise use ``solveSVD(_:_:rcond:)``.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` or ``LinearAlgebraError/singular(_:)``
    ///   when LAPACK reports an exactly zero diagonal element of R.
    public static func solveQR(_ a: Matrix, _ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        guard a.rows == b.count else {
            throw .dimensionMismatch("A has \(a.rows) rows but b has \(b.count) entries")
        }
        guard a.rows >= a.columns, a.columns > 0 else {
            throw .dimensionMismatch("QR least squares needs rows ≥ columns > 0, got \(a.rows)×\(a.columns)")
        }
        try checkOperands(a, b, routine: "dgels")
        var m = Int32(a.rows), n = Int32(a.columns), nrhs: Int32 = 1
        var lda = m, ldb = m
        var aa = a.storage
        var bb = b
        var info: Int32 = 0
        var trans = UInt8(ascii: "N")
        // Documented optimal size: min(M,N) + max(min(M,N), NRHS) * NB, with block size NB ≤ 64.
        let mn = min(a.rows, a.columns)
        var lwork = Int32(max(1, mn + max(mn, 1) * 64))
        var work = [Double](repeating: 0, count: Int(lwork))
        withUnsafeMutablePointer(to: &trans) { tp in
            tp.withMemoryRebound(to: CChar.self, capacity: 1) { t in
                dgels_(t, &m, &n, &nrhs, &aa, &lda, &bb, &ldb, &work, &lwork, &info, 1)
            }
        }
        try checkReport("dgels", info)
        if info > 0 { throw .singular("the matrix is rank deficient (dgels: R(\(info),\(info)) = 0)") }
        return Array(bb[0..<a.columns])
    }

    /// Solves min ‖A x − b‖₂ by the singular value decomposition (`dgelsd`), returning the minimum-norm
    /// solution, the effective rank and the singular values.
    ///
    /// - Parameters:
    ///   - a: the m × n design matrix A.
    ///   - b: the right-hand side, m values.
    ///   - rcond: singular values below `rcond · s_max` are treated as zero. A negative value means
    ///     machine precision.
    public static func solveSVD(_ a: Matrix, _ b: [Double], rcond: Double = 1e-12) throws(LinearAlgebraError) -> Solution {
        guard a.rows == b.count else {
            throw .dimensionMismatch("A has \(a.rows) rows but b has \(b.count) entries")
        }
        guard a.rows > 0, a.columns > 0 else {
            throw .dimensionMismatch("least squares needs a non-empty matrix, got \(a.rows)×\(a.columns)")
        }
        try checkOperands(a, b, routine: "dgelsd")
        var m = Int32(a.rows), n = Int32(a.columns), nrhs: Int32 = 1
        var lda = m
        var ldb = Int32(max(a.rows, a.columns))
        var aa = a.storage
        var bb = b + [Double](repeating: 0, count: max(0, a.columns - a.rows))
        var s = [Double](repeating: 0, count: min(a.rows, a.columns))
        var rc = rcond
        var rank: Int32 = 0
        var info: Int32 = 0
        // Workspace query.
        var lwork: Int32 = -1
        var wq = [Double](repeating: 0, count: 1)
        var iwq = [Int32](repeating: 0, count: 1)
        dgelsd_(&m, &n, &nrhs, &aa, &lda, &bb, &ldb, &s, &rc, &rank, &wq, &lwork, &iwq, &info)
        try checkReport("dgelsd", info)
        if info != 0 { throw .lapack("dgelsd", Int(info)) }
        lwork = Int32(wq[0].rounded(.up))
        var work = [Double](repeating: 0, count: Int(max(lwork, 1)))
        var iwork = [Int32](repeating: 0, count: Int(max(iwq[0], 1)))
        dgelsd_(&m, &n, &nrhs, &aa, &lda, &bb, &ldb, &s, &rc, &rank, &work, &lwork, &iwork, &info)
        try checkReport("dgelsd", info)
        if info > 0 { throw .notConverged("the SVD did not converge (dgelsd info \(info))") }
        return Solution(x: Array(bb[0..<a.columns]), rank: Int(rank), singularValues: s)
    }

    /// Thin singular value decomposition A = U·diag(s)·Vᵀ (`dgesdd`).
    ///
    /// Returns U (rows × k), s (k) and Vᵀ (k × columns) with k = min(rows, columns).
    public static func svd(_ a: Matrix) throws(LinearAlgebraError) -> (u: Matrix, s: [Double], vt: Matrix) {
        guard a.rows > 0, a.columns > 0 else {
            throw .dimensionMismatch("SVD needs a non-empty matrix, got \(a.rows)×\(a.columns)")
        }
        try checkOperands(a, [], routine: "dgesdd")
        let k = min(a.rows, a.columns)
        var m = Int32(a.rows), n = Int32(a.columns)
        var lda = m
        var aa = a.storage
        var s = [Double](repeating: 0, count: k)
        var u = Matrix(rows: a.rows, columns: k)
        var vt = Matrix(rows: k, columns: a.columns)
        var ldu = m, ldvt = Int32(k)
        var info: Int32 = 0
        var jobz = UInt8(ascii: "S")
        var iwork = [Int32](repeating: 0, count: 8 * k)
        var lwork: Int32 = -1
        var wq = [Double](repeating: 0, count: 1)
        withUnsafeMutablePointer(to: &jobz) { jp in
            jp.withMemoryRebound(to: CChar.self, capacity: 1) { j in
                dgesdd_(j, &m, &n, &aa, &lda, &s, &u.storage, &ldu, &vt.storage, &ldvt, &wq, &lwork, &iwork, &info, 1)
            }
        }
        try checkReport("dgesdd", info)
        if info != 0 { throw .lapack("dgesdd", Int(info)) }
        lwork = Int32(wq[0].rounded(.up))
        var work = [Double](repeating: 0, count: Int(max(lwork, 1)))
        withUnsafeMutablePointer(to: &jobz) { jp in
            jp.withMemoryRebound(to: CChar.self, capacity: 1) { j in
                dgesdd_(j, &m, &n, &aa, &lda, &s, &u.storage, &ldu, &vt.storage, &ldvt, &work, &lwork, &iwork, &info, 1)
            }
        }
        try checkReport("dgesdd", info)
        if info > 0 { throw .notConverged("the SVD did not converge (dgesdd info \(info))") }
        guard s.allSatisfy(\.isFinite) else { throw .nonFinite("dgesdd returned non-finite singular values") }
        return (u, s, vt)
    }

    /// Refuses operands LAPACK cannot take: non-finite entries (a NaN makes DLASCL reject its scale
    /// factor) and dimensions beyond LAPACK's 32-bit integers.
    static func checkOperands(_ a: Matrix, _ b: [Double], routine: String) throws(LinearAlgebraError) {
        let limit = Int(Int32.max)
        guard a.rows <= limit, a.columns <= limit, a.rows.multipliedReportingOverflow(by: a.columns).overflow == false,
              a.rows * a.columns <= limit else {
            throw .dimensionMismatch("\(a.rows)×\(a.columns) is beyond LAPACK's 32-bit sizes")
        }
        if let k = a.storage.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinite("\(routine): matrix entry (\(k % max(a.rows, 1) + 1), \(k / max(a.rows, 1) + 1)) is \(a.storage[k])")
        }
        if let k = b.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinite("\(routine): right-hand side entry \(k + 1) is \(b[k])")
        }
        _ = takeReport()   // a stale report from a direct call elsewhere must not be charged to this one
    }

    /// Throws when `XERBLA` recorded an illegal-argument report during the call just made (including one
    /// from a nested routine whose caller went on), or when the routine itself returned INFO < 0.
    static func checkReport(_ routine: String, _ info: Int32) throws(LinearAlgebraError) {
        if let report = takeReport() {
            throw .lapack("\(routine) (\(report.routine))", report.parameter)
        }
        if info < 0 { throw .lapack(routine, Int(info)) }
    }

    /// The first illegal-argument report LAPACK made on this thread since the last call, if any (cleared).
    public static func takeReport() -> (routine: String, parameter: Int)? {
        var buffer = [CChar](repeating: 0, count: 32)
        let parameter = buffer.withUnsafeMutableBufferPointer { scaling_lapack_take_report($0.baseAddress, $0.count) }
        guard parameter > 0 else { return nil }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (name.isEmpty ? "?" : name, Int(parameter))
    }

    /// True when LAPACK's calls to `XERBLA` in this process are bound to ScalingLaws' own handler (which
    /// returns) rather than reference LAPACK's (which stops the process with exit status 0).
    public static var illegalArgumentHandlerIsInstalled: Bool {
        scaling_lapack_resolved_xerbla() == scaling_lapack_own_xerbla()
    }
}

/// Failures of the linear-algebra layer.
public enum LinearAlgebraError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The operands' shapes do not fit together.
    case dimensionMismatch(String)
    /// The system is singular where full rank was required.
    case singular(String)
    /// An iterative LAPACK routine did not converge.
    case notConverged(String)
    /// LAPACK rejected an argument (negative INFO, or a report to `XERBLA`): a bug in the caller, reported
    /// rather than trapped. The number is the (positive or negative) position of the argument.
    case lapack(String, Int)
    /// An operand holds a NaN or an infinity; LAPACK is not called.
    case nonFinite(String)

    /// The error as one line.
    public var description: String {
        switch self {
        case .dimensionMismatch(let m): return "linear algebra: dimension mismatch: \(m)"
        case .singular(let m): return "linear algebra: singular system: \(m)"
        case .notConverged(let m): return "linear algebra: \(m)"
        case .lapack(let routine, let info): return "linear algebra: LAPACK \(routine) rejected argument \(abs(info)) as illegal"
        case .nonFinite(let m): return "linear algebra: non-finite value (NaN or infinity) in the system: \(m)"
        }
    }
}
