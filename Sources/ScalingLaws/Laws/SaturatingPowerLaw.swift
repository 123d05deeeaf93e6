import Foundation

/// Power law with an irreducible term, y = E + A · x^(−α).
///
/// The form OpenAI used to forecast GPT-4's final loss from runs with 1,000–10,000× less compute
/// (OpenAI 2023, "GPT-4 Technical Report", arXiv:2303.08774, §3.1: L(C) = a·C^b + c), and the
/// one-variable reduction of Hoffmann et al. 2022. E is the irreducible loss (entropy of the data),
/// A and α the reducible part. E and A enter linearly and are solved by least squares for each α in
/// the start search (variable projection).
public struct SaturatingPowerLaw: ScalingLaw {
    /// The variable x: `params`, `tokens`, `flops` or a CSV column name.
    public var x: String

    /// The saturating power law L = E + A·x^(−α) in the run variable `x`.
    public init(x: String = Variable.flops) { self.x = x }

    public var name: String { "saturating" }
    public var formula: String { "L = E + A * \(Variable.symbol(x))^-alpha" }
    public var variables: [String] { [x] }
    public var configuration: [String: String] { ["x": x] }
    public var parameters: [LawParameter] {
        [
            LawParameter("E", positive: true, linear: true, summary: "irreducible loss as x grows without bound"),
            LawParameter("A", positive: true, linear: true, summary: "scale of the reducible loss"),
            LawParameter("alpha", positive: true, linear: false, summary: "exponent of the reducible loss"),
        ]
    }

    public func evaluate(_ t: [Double], _ x: Inputs, into f: inout [Double]) {
        let lx = x.logColumns[0]
        for i in 0..<x.count { f[i] = t[0] + t[1] * exp(-t[2] * lx[i]) }
    }

    public func jacobian(_ t: [Double], _ x: Inputs, into j: inout Matrix) {
        let lx = x.logColumns[0]
        for i in 0..<x.count {
            let p = exp(-t[2] * lx[i])
            j[i, 0] = 1
            j[i, 1] = p
            j[i, 2] = -t[1] * lx[i] * p
        }
    }

    /// The value and the Jacobian from the same x^−α (the same bits as the two calls).
    public func evaluate(_ t: [Double], _ x: Inputs, into f: inout [Double], jacobian j: inout Matrix) {
        let lx = x.logColumns[0]
        for i in 0..<x.count {
            let p = exp(-t[2] * lx[i])
            f[i] = t[0] + t[1] * p
            j[i, 0] = 1
            j[i, 1] = p
            j[i, 2] = -t[1] * lx[i] * p
        }
    }

    public var evaluatesJacobianWithValue: Bool { true }

    public func basis(_ t: [Double], _ x: Inputs, into b: inout Matrix) {
        let lx = x.logColumns[0]
        for i in 0..<x.count {
            b[i, 0] = 1
            b[i, 1] = exp(-t[2] * lx[i])
        }
    }

    /// E's column is 1 and A's reads α; no part of L is free of E and A.
    public var basisStructure: BasisStructure? { BasisStructure(columnParameters: [[], [2]], hasOffset: false) }

    public func basisColumn(_ k: Int, _ t: [Double], _ x: Inputs, into c: inout [Double]) {
        if k == 0 { for i in 0..<x.count { c[i] = 1 }; return }
        let lx = x.logColumns[0]
        for i in 0..<x.count { c[i] = exp(-t[2] * lx[i]) }
    }

    public func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] {
        geometricGrid(0.005, 3.0, count: 80).map { [0, 0, $0] }
    }
}
