import CLAPACK

/// The triangular factor R of a tall matrix A = Q R given block of rows by block of rows (a "TSQR"
/// reduction, Demmel et al. 2012, "Communication-optimal parallel and sequential QR and LU
/// factorizations"): each block is stacked under the R so far and factored again by LAPACK's `dgeqrf`, so
/// the memory is that of one block, not of A.
///
/// R is unique up to the signs of its rows, and RᵀR = AᵀA: the singular values and right singular vectors
/// of R are those of A, and for A = [J | b] the top of R's last column is Qᵀb, so min ‖J x − b‖ is
/// min ‖R₁₁ x − c‖ with R₁₁ and c from R — what the solver needs from A without holding it.
struct BlockQR {
    /// Columns of A.
    let columns: Int
    /// R (columns × columns, column-major, zero below the diagonal).
    private(set) var r: [Double]
    private var stacked = [Double]()
    private var tau: [Double]
    private var work = [Double]()

    /// An empty accumulation (R = 0) for a matrix of `columns` columns.
    init(columns: Int) {
        self.columns = columns
        r = [Double](repeating: 0, count: columns * columns)
        tau = [Double](repeating: 0, count: columns)
    }

    /// Adds the rows of `block` (`rows` × ``columns``, column-major, leading dimension `rows`).
    mutating func add(_ block: UnsafePointer<Double>, rows m: Int) throws(LinearAlgebraError) {
        guard m > 0 else { return }
        let q = columns, ld = q + m
        if stacked.count < ld * q { stacked = [Double](repeating: 0, count: ld * q) }
        for j in 0..<q {
            for i in 0..<q { stacked[i + j * ld] = i <= j ? r[i + j * q] : 0 }
            for i in 0..<m { stacked[q + i + j * ld] = block[i + j * m] }
        }
        if stacked[0..<(ld * q)].contains(where: { !$0.isFinite }) {
            throw .nonFinite("a block of the matrix to factor has a non-finite entry")
        }
        var mm = Int32(ld), nn = Int32(q), lda = Int32(ld), info: Int32 = 0
        if work.isEmpty {
            var query = [0.0], lwork: Int32 = -1
            dgeqrf_(&mm, &nn, &stacked, &lda, &tau, &query, &lwork, &info)
            work = [Double](repeating: 0, count: max(Int(query[0].rounded(.up)), q, 1))
        }
        var lwork = Int32(work.count)
        dgeqrf_(&mm, &nn, &stacked, &lda, &tau, &work, &lwork, &info)
        if info != 0 { throw .lapack("dgeqrf", Int(info)) }
        for j in 0..<q {
            for i in 0..<q { r[i + j * q] = i <= j ? stacked[i + j * ld] : 0 }
        }
    }

    /// R as a matrix.
    var matrix: Matrix {
        var m = Matrix(rows: columns, columns: columns)
        m.storage = r
        return m
    }
}
