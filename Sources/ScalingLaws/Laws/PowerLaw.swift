import Foundation

/// Pure power law y = A · x^(−α).
///
/// Kaplan et al. 2020 ("Scaling Laws for Neural Language Models", arXiv:2001.08361, eqs. 1.1–1.3)
/// write L(N) = (N_c/N)^α_N, L(D) = (D_c/D)^α_D, L(C) = (C_c/C)^α_C; here A = x_c^α.
/// In log–log space the law is linear, ln y = ln A − α ln x, so ``initialGuesses(_:response:)`` solves it
/// exactly by linear least squares (LAPACK `dgelsd`); with the log-space squared-error objective that is
/// the fit, and for other objectives it is the start the solver polishes.
public struct PowerLaw: ScalingLaw {
    /// The variable x: `params`, `tokens`, `flops` or a CSV column name.
    public var x: String

    /// The power law L = A·x^(−α) in the run variable `x` (Kaplan et al. 2020).
    public init(x: String = Variable.flops) { self.x = x }

    public var name: String { "power" }
    public var formula: String { "L = A * \(Variable.symbol(x))^-alpha" }
    public var variables: [String] { [x] }
    public var configuration: [String: String] { ["x": x] }
    public var parameters: [LawParameter] {
        [
            LawParameter("A", positive: true, linear: true, summary: "scale: the value at x = 1"),
            LawParameter("alpha", positive: false, linear: false, summary: "exponent: y falls as x^-alpha"),
        ]
    }

    public func evaluate(_ t: [Double], _ x: Inputs, into f: inout [Double]) {
        let lx = x.logColumns[0]
        for i in 0..<x.count { f[i] = t[0] * exp(-t[1] * lx[i]) }
    }

    public func jacobian(_ t: [Double], _ x: Inputs, into j: inout Matrix) {
        let lx = x.logColumns[0]
        for i in 0..<x.count {
            let p = exp(-t[1] * lx[i])
            j[i, 0] = p
            j[i, 1] = -t[0] * lx[i] * p
        }
    }

    /// The value and the Jacobian from the same x^−α (the same bits as the two calls).
    public func evaluate(_ t: [Double], _ x: Inputs, into f: inout [Double], jacobian j: inout Matrix) {
        let lx = x.logColumns[0]
        for i in 0..<x.count {
            let p = exp(-t[1] * lx[i])
            f[i] = t[0] * p
            j[i, 0] = p
            j[i, 1] = -t[0] * lx[i] * p
        }
    }

    public var evaluatesJacobianWithValue: Bool { true }

    public func basis(_ t: [Double], _ x: Inputs, into b: inout Matrix) {
        let lx = x.logColumns[0]
        for i in 0..<x.count { b[i, 0] = exp(-t[1] * lx[i]) }
    }

    /// A's column reads α; no part of y is free of A.
    public var basisStructure: BasisStructure? { BasisStructure(columnParameters: [[1]], hasOffset: false) }

    public func basisColumn(_ k: Int, _ t: [Double], _ x: Inputs, into c: inout [Double]) {
        let lx = x.logColumns[0]
        for i in 0..<x.count { c[i] = exp(-t[1] * lx[i]) }
    }

    public func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] {
        stride(from: -1.0, through: 2.0, by: 0.05).map { [0, $0] }
    }

    /// The log–log least-squares fit ln y = ln A − α ln x (``PowerLawFit``).
    public func initialGuesses(_ x: Inputs, response y: [Double]) -> [[Double]] {
        guard let fit = try? PowerLawFit.fit(x: x.columns[0], y: y, what: "x") else { return [] }
        return [[fit.coefficient, -fit.exponent]]
    }
}
