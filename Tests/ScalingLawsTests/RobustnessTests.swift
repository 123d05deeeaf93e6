import CLAPACK
import Foundation
import Testing
@testable import ScalingLaws

/// ScalingLaws' own XERBLA: an illegal argument reaching LAPACK must come back as an error, never end the
/// process (reference LAPACK's XERBLA stops it with exit status 0, which would end this test binary
/// "successfully" half-way through).
@Suite("LAPACK illegal-argument reports")
struct LAPACKReportTests {
    @Test("The dynamic linker binds LAPACK's XERBLA calls to ScalingLaws' handler in the test binary")
    func handlerIsInterposed() {
        #expect(LeastSquares.illegalArgumentHandlerIsInstalled)
    }

    @Test("dgels with a negative M returns INFO = -2 and the report is recorded, the process goes on")
    func negativeDimension() {
        _ = LeastSquares.takeReport()
        var m: Int32 = -1, n: Int32 = 1, nrhs: Int32 = 1, lda: Int32 = 1, ldb: Int32 = 1, lwork: Int32 = 64, info: Int32 = 0
        var a = [1.0], b = [1.0], work = [Double](repeating: 0, count: 64)
        var trans = CChar(UInt8(ascii: "N"))
        dgels_(&trans, &m, &n, &nrhs, &a, &lda, &b, &ldb, &work, &lwork, &info, 1)
        #expect(info == -2)
        let report = LeastSquares.takeReport()
        #expect(report?.routine == "DGELS")
        #expect(report?.parameter == 2)
        #expect(LeastSquares.takeReport() == nil, "a report is taken once")
    }

    @Test("A NaN handed to dgelsd directly: the nested DLASCL report is recorded instead of stopping the process")
    func nestedReportFromNaN() {
        _ = LeastSquares.takeReport()
        var m: Int32 = 3, n: Int32 = 2, nrhs: Int32 = 1, lda: Int32 = 3, ldb: Int32 = 3, rank: Int32 = 0, info: Int32 = 0
        var a = [1.0, .nan, 3.0, 4.0, 5.0, 6.0], b = [1.0, 2.0, 3.0], s = [0.0, 0.0], rcond = -1.0
        var lwork: Int32 = 4096
        var work = [Double](repeating: 0, count: 4096), iwork = [Int32](repeating: 0, count: 512)
        dgelsd_(&m, &n, &nrhs, &a, &lda, &b, &ldb, &s, &rcond, &rank, &work, &lwork, &iwork, &info)
        let report = LeastSquares.takeReport()
        #expect(report != nil, "info \(info)")
        #expect(report?.routine == "DLASCL")
        #expect(report?.parameter == 4)
    }

    @Test("The wrappers refuse non-finite operands before LAPACK sees them", arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteOperands(bad: Double) {
        let a = Matrix(columns: [[1, 2, 3], [1, bad, 9]])
        #expect(throws: LinearAlgebraError.self) { try LeastSquares.solveSVD(a, [1, 2, 3]) }
        #expect(throws: LinearAlgebraError.self) { try LeastSquares.solveQR(a, [1, 2, 3]) }
        #expect(throws: LinearAlgebraError.self) { try LeastSquares.svd(a) }
        let good = Matrix(columns: [[1, 2, 3], [1, 4, 9]])
        #expect(throws: LinearAlgebraError.self) { try LeastSquares.solveSVD(good, [1, bad, 3]) }
        do {
            _ = try LeastSquares.solveSVD(a, [1, 2, 3])
        } catch {
            #expect(error.description.contains("non-finite"))
            #expect(error.description.contains("(2, 2)"))
        }
        #expect(LeastSquares.takeReport() == nil)
    }
}

@Suite("Asymptotic covariance: the smoothed ψ′ in O(n log n)")
struct SmoothedSlopeTests {
    /// The former implementation, which recomputed the median of r once per residual (O(n² log n)).
    static func quadraticPsiPrimes(_ r: [Double], loss: RobustLoss) -> [Double] {
        guard case .huber(let delta) = loss, r.count > 1 else { return r.map(loss.psiPrime) }
        let sd = Quantiles.standardDeviation(r)
        let mad = 1.4826 * Quantiles.median(r.map { abs($0 - Quantiles.median(r)) })
        let spread = min(sd, mad > 0 ? mad : sd)
        let h = 0.9 * spread * pow(Double(r.count), -0.2)
        guard h > 0, h.isFinite else { return r.map(loss.psiPrime) }
        return r.map { Quantiles.normalCDF((delta - $0) / h) - Quantiles.normalCDF((-delta - $0) / h) }
    }

    @Test("Identical to the former quadratic computation", arguments: [2, 3, 10, 101, 400])
    func matchesFormer(n: Int) {
        var rng = SplitMix(seed: UInt64(n))
        let r = (0..<n).map { _ in (rng.unit() - 0.5) * 0.02 + (rng.unit() < 0.1 ? 0.05 : 0) }
        for loss in [RobustLoss.huber(delta: 1e-3), .huber(delta: 0.01), .squared] {
            let new = FitResult.psiPrimes(r, loss: loss)
            let old = Self.quadraticPsiPrimes(r, loss: loss)
            #expect(new.count == old.count)
            for (a, b) in zip(new, old) { #expect(abs(a - b) <= 1e-10) }
        }
    }
}

/// The library's seeded generator (SplitMix64) with the uniform draw the test above uses.
struct SplitMix {
    var generator: SeededGenerator
    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }
    mutating func next() -> UInt64 { generator.next() }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

@Suite("Many runs: the subsampled start search reaches the full data's optimum")
struct ManyRunsTests {
    @Test("20,000 runs: the fit equals a polish from the truth on every run")
    func subsampledSearch() throws {
        var rng = SplitMix(seed: 20_000)
        let runs = (0..<20_000).map { _ -> Run in
            let n = pow(10, 7 + 3 * rng.unit()), d = pow(10, 9 + 3 * rng.unit())
            let noise = 1 + 0.02 * (rng.unit() - 0.5)
            return Run(params: n, tokens: d, loss: (1.69 + 406.4 * pow(n, -0.34) + 410.7 * pow(d, -0.28)) * noise)
        }
        let law = ChinchillaLaw()
        let fit = try law.fit(runs)
        #expect(fit.runs == 20_000)
        #expect(fit.residuals.count == 20_000)
        var options = FitOptions()
        options.start = [1.69, 406.4, 410.7, 0.34, 0.28]
        let reference = try law.fit(runs, options: options)
        #expect(try #require(fit.objectiveValue) <= (try #require(reference.objectiveValue)) * (1 + 1e-9))
        for (a, b) in zip(fit.parameters, reference.parameters) {
            #expect(abs(a - b) <= 1e-4 * abs(b), "\(fit.parameters) vs \(reference.parameters)")
        }
    }
}
