/// A scaling law: a model function f(x; θ) with declared parameters, derivatives and start grid.
///
/// The solver knows nothing about any particular law. A law declares
/// - its ``parameters`` (names as in the formula, which must stay positive, which enter linearly),
/// - the ``variables`` it reads from each run (`params`, `tokens`, `flops` or any numeric CSV column),
/// - its value and its Jacobian ∂f/∂θ,
/// - for variable projection, the ``basis(_:_:into:)`` functions multiplying its linear parameters:
///   f(x; θ) = Σₖ θ_{linear[k]} · φₖ(x; θ_nonlinear),
/// - the grid of values of its nonlinear parameters that the start search sweeps.
///
/// Adding a law is one file conforming to this protocol plus one line in ``LawCatalog``.
public protocol ScalingLaw: Sendable {
    /// The catalogue name, e.g. `chinchilla`.
    var name: String { get }
    /// The formula in plain text, e.g. `L = E + A/N^alpha + B/D^beta`.
    var formula: String { get }
    /// The parameters, in the order of every parameter vector.
    var parameters: [LawParameter] { get }
    /// The run variables the law reads, in the order of ``Inputs/columns``.
    var variables: [String] { get }
    /// Fills `f` (length `x.count`) with f(xᵢ; θ).
    func evaluate(_ theta: [Double], _ x: Inputs, into f: inout [Double])
    /// Fills `jacobian` (`x.count × parameters.count`) with ∂f(xᵢ; θ)/∂θⱼ.
    func jacobian(_ theta: [Double], _ x: Inputs, into jacobian: inout Matrix)
    /// Fills `f` with f(xᵢ; θ) and `jacobian` with ∂f(xᵢ; θ)/∂θⱼ in one pass, as ``evaluate(_:_:into:)`` and
    /// ``jacobian(_:_:into:)`` would, to the bit. `jacobian` has `x.count` rows and at least
    /// `parameters.count` columns; only the first `parameters.count` are written. Default: the two calls.
    /// A law whose derivatives reuse the terms of its value (a power law's x^(−α)) implements it and sets
    /// ``evaluatesJacobianWithValue``.
    func evaluate(_ theta: [Double], _ x: Inputs, into f: inout [Double], jacobian: inout Matrix)
    /// Whether ``evaluate(_:_:into:jacobian:)`` costs little more than ``evaluate(_:_:into:)`` alone. When
    /// true, the solver evaluates the Jacobian with every trial point's residuals and, if it accepts the
    /// point, needs no second pass over the runs. Default false.
    var evaluatesJacobianWithValue: Bool { get }
    /// Fills `basis` (`x.count × linearCount`) with φₖ(xᵢ; θ) for the linear parameters, in parameter order;
    /// only the nonlinear entries of `theta` are read.
    func basis(_ theta: [Double], _ x: Inputs, into basis: inout Matrix)
    /// Fills `column` (length `x.count`) with φₖ(xᵢ; θ), the basis function of the k-th linear parameter
    /// (column k of ``basis(_:_:into:)``). Default: computes the whole basis and copies column k; laws that
    /// declare a ``basisStructure`` compute the one column.
    func basisColumn(_ k: Int, _ theta: [Double], _ x: Inputs, into column: inout [Double])
    /// Which nonlinear parameters each basis function reads, and whether f has a part that no linear
    /// parameter multiplies. The start search uses it to compute each distinct basis column once for the
    /// whole grid instead of once per grid point. Default nil: undeclared (every column may read every
    /// parameter, and f may have such a part).
    var basisStructure: BasisStructure? { get }
    /// Values of the nonlinear parameters (in parameter order) for the start search to sweep.
    func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]]
    /// Complete parameter vectors to try as starts besides the grid (e.g. a closed-form fit of a
    /// linearised model). Linear entries are re-solved by the start search.
    func initialGuesses(_ x: Inputs, response y: [Double]) -> [[Double]]
    /// Settings that together with ``name`` rebuild this law from a saved fit (e.g. `x = flops`).
    var configuration: [String: String] { get }
    /// Quantities computed from the parameters that users read off a fit, e.g. Chinchilla's
    /// compute-optimal exponents (none by default).
    func derivedQuantities(_ theta: [Double]) -> [DerivedQuantity]
    /// The objective to use when the user names none (nil: the loss-law default, Huber on log residuals).
    var defaultObjective: Objective? { get }
}

/// A number computed from a law's parameters, e.g. Chinchilla's compute-optimal exponent a = β/(α+β).
public struct DerivedQuantity: Sendable, Hashable {
    /// The quantity's name, e.g. `a`.
    public var name: String
    /// Its value at the parameters given.
    public var value: Double
    /// One-line meaning.
    public var summary: String

    /// A derived quantity `name` with its value and meaning.
    public init(_ name: String, _ value: Double, summary: String) {
        self.name = name
        self.value = value
        self.summary = summary
    }
}

/// How the basis functions of a law's linear parameters depend on its nonlinear ones
/// (see ``ScalingLaw/basisStructure``).
///
/// For Chinchilla's L = E + A·N^(−α) + B·D^(−β) the basis is (1, N^(−α), D^(−β)): the columns read no
/// parameter, α and β respectively, and no part of L is free of E, A and B. On a 16 × 16 grid over (α, β)
/// the start search then computes 1 + 16 + 16 columns instead of 3 × 256.
public struct BasisStructure: Sendable, Hashable {
    /// For each basis column (the linear parameters in parameter order), the indices of the parameters
    /// whose values it reads. Grid points that agree on them share the column.
    public var columnParameters: [[Int]]
    /// Whether f(x; θ) has a part that no linear parameter multiplies, i.e. f ≠ Σₖ θ_{linear[k]}·φₖ.
    /// When false the start search skips evaluating f with the linear parameters at zero.
    public var hasOffset: Bool

    /// A structure whose column k reads the parameters `columnParameters[k]`.
    public init(columnParameters: [[Int]], hasOffset: Bool) {
        self.columnParameters = columnParameters
        self.hasOffset = hasOffset
    }
}

extension ScalingLaw {
    public var basisStructure: BasisStructure? { nil }

    public func evaluate(_ theta: [Double], _ x: Inputs, into f: inout [Double], jacobian: inout Matrix) {
        evaluate(theta, x, into: &f)
        self.jacobian(theta, x, into: &jacobian)
    }

    public var evaluatesJacobianWithValue: Bool { false }

    public func basisColumn(_ k: Int, _ theta: [Double], _ x: Inputs, into column: inout [Double]) {
        let linearCount = parameters.reduce(0) { $0 + ($1.isLinear ? 1 : 0) }
        var b = Matrix(rows: x.count, columns: linearCount)
        basis(theta, x, into: &b)
        for i in 0..<x.count { column[i] = b[i, k] }
    }

    public var defaultObjective: Objective? { nil }
    public func initialGuesses(_ x: Inputs, response y: [Double]) -> [[Double]] { [] }
    public var configuration: [String: String] { [:] }

    /// Parameter names in order.
    public var parameterNames: [String] { parameters.map(\.name) }

    /// Index of the parameter called `name`, if any.
    public func parameterIndex(_ name: String) -> Int? {
        parameters.firstIndex { $0.name == name }
    }

    /// f(x; θ) at every point of `x`.
    public func evaluate(_ theta: [Double], _ x: Inputs) -> [Double] {
        var f = [Double](repeating: 0, count: x.count)
        evaluate(theta, x, into: &f)
        return f
    }
}

/// One parameter of a law.
public struct LawParameter: Sendable, Hashable {
    /// The name as in the formula (`E`, `A`, `alpha`, …).
    public var name: String
    /// Whether the parameter must stay positive; the solver then optimises ln θ.
    public var isPositive: Bool
    /// Whether f is linear in this parameter given the others (used by variable projection).
    public var isLinear: Bool
    /// One-line meaning, for help and reports.
    public var summary: String
    /// Whether the start search may solve the parameter as ln θ from a start where it is positive, though
    /// it need not stay positive: a hint for parameters that usually are (a formula's scales and
    /// exponents). The fit's last polish is in θ itself, so the optimum is the unconstrained one; only
    /// the path to it changes. Ignored for ``isPositive`` parameters and for parameters with bounds.
    public var searchesLogScale: Bool

    /// A parameter `name`: whether it must be positive (optimised as ln θ), whether it enters the law
    /// linearly (solved by variable projection), what it means, and whether the start search may solve it
    /// as ln θ where its start is positive (``searchesLogScale``).
    public init(_ name: String, positive: Bool, linear: Bool, summary: String, searchesLogScale: Bool = false) {
        self.name = name
        self.isPositive = positive
        self.isLinear = linear
        self.summary = summary
        self.searchesLogScale = searchesLogScale
    }
}

/// The values of a law's variables at a set of points, column by column.
public struct Inputs: Sendable {
    /// Number of points.
    public let count: Int
    /// One column per law variable.
    public let columns: [[Double]]
    /// ln of each column (NaN where a value is not positive), precomputed for power laws.
    public let logColumns: [[Double]]

    /// The inputs from the law's variables, one column per variable, one value per run.
    public init(columns: [[Double]]) {
        self.columns = columns
        self.count = columns.first?.count ?? 0
        self.logColumns = columns.map { $0.map { $0 > 0 ? Foundation.log($0) : .nan } }
    }

    private init(count: Int, columns: [[Double]], logColumns: [[Double]]) {
        self.count = count
        self.columns = columns
        self.logColumns = logColumns
    }

    /// The points in `range` (their logarithms copied, not recomputed: the same bits as the whole).
    func rows(_ range: Range<Int>) -> Inputs {
        Inputs(count: range.count, columns: columns.map { Array($0[range]) }, logColumns: logColumns.map { Array($0[range]) })
    }
}

import Foundation
