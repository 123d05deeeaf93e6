import Testing
@testable import ScalingLaws

@Suite("LAPACK least squares")
struct LinearAlgebraTests {
    @Test("QR solves an overdetermined full-rank system exactly when consistent")
    func qrConsistent() throws {
        // y = 2 + 3x at x = 0…4.
        let a = Matrix(columns: [[1, 1, 1, 1, 1], [0, 1, 2, 3, 4]])
        let x = try LeastSquares.solveQR(a, [2, 5, 8, 11, 14])
        #expect(abs(x[0] - 2) < 1e-12)
        #expect(abs(x[1] - 3) < 1e-12)
    }

    @Test("QR gives the least-squares solution of an inconsistent system")
    func qrLeastSquares() throws {
        // Fit a constant to 1, 2, 6: the mean 3.
        let x = try LeastSquares.solveQR(Matrix(columns: [[1, 1, 1]]), [1, 2, 6])
        #expect(abs(x[0] - 3) < 1e-12)
    }

    @Test("SVD reports rank deficiency and returns the minimum-norm solution")
    func svdRank() throws {
        // Two identical columns: rank 1; minimum-norm solution splits the coefficient equally.
        let a = Matrix(columns: [[1, 2, 3], [1, 2, 3]])
        let s = try LeastSquares.solveSVD(a, [2, 4, 6])
        #expect(s.rank == 1)
        #expect(abs(s.x[0] - 1) < 1e-10 && abs(s.x[1] - 1) < 1e-10)
        #expect(s.conditionNumber > 1e12)
    }

    @Test("QR refuses an exactly singular matrix instead of returning garbage")
    func qrSingular() {
        let a = Matrix(columns: [[1, 2, 3], [0, 0, 0]])
        #expect(throws: LinearAlgebraError.self) { try LeastSquares.solveQR(a, [1, 2, 3]) }
    }

    @Test("Mismatched shapes are errors, not traps")
    func mismatch() {
        #expect(throws: LinearAlgebraError.self) { try LeastSquares.solveSVD(Matrix(columns: [[1, 2]]), [1, 2, 3]) }
        #expect(throws: LinearAlgebraError.self) { try LeastSquares.solveQR(Matrix(columns: [[1], [2]]), [1]) }
    }

    @Test("SVD reconstructs the matrix")
    func svdReconstruct() throws {
        let a = Matrix(columns: [[4, 2, 0, 1], [1, 3, 1, 0], [0, 1, 5, 2]])
        let (u, s, vt) = try LeastSquares.svd(a)
        for i in 0..<a.rows {
            for j in 0..<a.columns {
                var v = 0.0
                for k in 0..<s.count { v += u[i, k] * s[k] * vt[k, j] }
                #expect(abs(v - a[i, j]) < 1e-12)
            }
        }
        #expect(s == s.sorted(by: >))
    }
}
