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
    /// Fills `basis` (`x.count × linearCount`) with φₖ(xᵢ; θ) for the linear parameters, in parameter order;
    /// only the nonlinear entries of `theta` are read.
    func basis(_ theta: [Double], _ x: Inputs, into basis: inout Matrix)
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

extension ScalingLaw {
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

    /// A parameter `name`: whether it must be positive (optimised as ln θ), whether it enters the law linearly (solved by variable projection), and what it means.
    public init(_ name: String, positive: Bool, linear: Bool, summary: String) {
        self.name = name
        self.isPositive = positive
        self.isLinear = linear
        self.summary = summary
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
}

import Foundation
