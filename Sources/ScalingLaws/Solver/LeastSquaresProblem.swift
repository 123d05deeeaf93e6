/// A nonlinear least-squares problem: minimise Σᵢ ρ(rᵢ(u)) over u ∈ ℝᵖ.
///
/// The solver knows nothing about scaling laws: it sees residuals and their Jacobian only
/// (the shape of ceres-solver's `Problem`).
public struct LeastSquaresProblem: Sendable {
    /// Number of residuals n.
    public let residualCount: Int
    /// Number of parameters p.
    public let parameterCount: Int
    /// Fills `r` (length n) with the residuals at `u`. Returns `false` where the model is undefined
    /// (a non-finite value, a logarithm of a non-positive prediction): the solver treats such a point
    /// as infinitely bad and shortens its step.
    public let residuals: @Sendable (_ u: [Double], _ r: inout [Double]) -> Bool
    /// Fills `jacobian` (n × p, column-major) with ∂rᵢ/∂uⱼ at `u`.
    public let jacobian: @Sendable (_ u: [Double], _ jacobian: inout Matrix) -> Void
    /// Per-residual weights wᵢ ≥ 0 (length n), or nil for all ones: the solver then minimises Σ wᵢ·ρ(rᵢ).
    public let weights: [Double]?
    /// Optional: fills `r` as ``residuals`` does and keeps in `kept` what ``jacobianFromKept`` needs to give
    /// the Jacobian at the same `u` without evaluating the model again (a model whose derivatives reuse the
    /// terms of its value). The solver owns `kept` (one per point it holds) and passes it back unchanged.
    public let residualsKeeping: (@Sendable (_ u: [Double], _ r: inout [Double], _ kept: inout Matrix) -> Bool)?
    /// The Jacobian at `u` from what ``residualsKeeping`` kept at the same `u`; the same values as ``jacobian``.
    public let jacobianFromKept: (@Sendable (_ u: [Double], _ kept: Matrix, _ jacobian: inout Matrix) -> Void)?
    /// Optional: fills `jacobian` (`rows.count` × p, column-major) with ∂rᵢ/∂uⱼ for the residuals i in
    /// `rows`, the same values as the rows of ``jacobian``. With it, a problem of more than
    /// ``SolverOptions/jacobianRowLimit`` residuals is solved without ever holding its n × p Jacobian: the
    /// solver forms what it needs block of rows by block of rows.
    public let jacobianRows: (@Sendable (_ u: [Double], _ rows: Range<Int>, _ jacobian: inout Matrix) -> Void)?

    /// A problem with `residualCount` residuals in `parameterCount` parameters, given by its residual and Jacobian functions.
    public init(
        residualCount: Int,
        parameterCount: Int,
        weights: [Double]? = nil,
        residuals: @escaping @Sendable (_ u: [Double], _ r: inout [Double]) -> Bool,
        jacobian: @escaping @Sendable (_ u: [Double], _ jacobian: inout Matrix) -> Void,
        jacobianRows: (@Sendable (_ u: [Double], _ rows: Range<Int>, _ jacobian: inout Matrix) -> Void)? = nil
    ) {
        self.init(residualCount: residualCount, parameterCount: parameterCount, weights: weights, residuals: residuals,
                  jacobian: jacobian, keeping: nil, fromKept: nil, jacobianRows: jacobianRows)
    }

    /// A problem whose residual evaluation can also keep what the Jacobian at the same point needs:
    /// the solver then calls `residualsKeeping` at every trial point and `jacobianFromKept` at the points it
    /// accepts. `residuals` and `jacobian` remain for callers that need one of them alone.
    public init(
        residualCount: Int,
        parameterCount: Int,
        weights: [Double]? = nil,
        residuals: @escaping @Sendable (_ u: [Double], _ r: inout [Double]) -> Bool,
        jacobian: @escaping @Sendable (_ u: [Double], _ jacobian: inout Matrix) -> Void,
        residualsKeeping: @escaping @Sendable (_ u: [Double], _ r: inout [Double], _ kept: inout Matrix) -> Bool,
        jacobianFromKept: @escaping @Sendable (_ u: [Double], _ kept: Matrix, _ jacobian: inout Matrix) -> Void,
        jacobianRows: (@Sendable (_ u: [Double], _ rows: Range<Int>, _ jacobian: inout Matrix) -> Void)? = nil
    ) {
        self.init(residualCount: residualCount, parameterCount: parameterCount, weights: weights, residuals: residuals,
                  jacobian: jacobian, keeping: residualsKeeping, fromKept: jacobianFromKept, jacobianRows: jacobianRows)
    }

    /// Every field; the public initialisers above delegate here.
    private init(
        residualCount: Int, parameterCount: Int, weights: [Double]?,
        residuals: @escaping @Sendable (_ u: [Double], _ r: inout [Double]) -> Bool,
        jacobian: @escaping @Sendable (_ u: [Double], _ jacobian: inout Matrix) -> Void,
        keeping: (@Sendable (_ u: [Double], _ r: inout [Double], _ kept: inout Matrix) -> Bool)?,
        fromKept: (@Sendable (_ u: [Double], _ kept: Matrix, _ jacobian: inout Matrix) -> Void)?,
        jacobianRows: (@Sendable (_ u: [Double], _ rows: Range<Int>, _ jacobian: inout Matrix) -> Void)?
    ) {
        self.residualCount = residualCount
        self.parameterCount = parameterCount
        self.weights = weights
        self.residuals = residuals
        self.jacobian = jacobian
        self.residualsKeeping = keeping
        self.jacobianFromKept = fromKept
        self.jacobianRows = jacobianRows
    }
}

/// Solver settings (the shape of ceres-solver's `Solver::Options`).
public struct SolverOptions: Sendable, Hashable {
    /// The robust loss ρ.
    public var loss: RobustLoss = .squared
    /// Maximum number of accepted-or-rejected outer iterations.
    public var maxIterations: Int = 1000
    /// Stop when an accepted step lowers the cost by less than `functionTolerance · cost`.
    public var functionTolerance: Double = 1e-12
    /// Stop when ‖∇cost‖∞ ≤ `gradientTolerance`.
    public var gradientTolerance: Double = 1e-14
    /// Stop when an accepted step has ‖Δu‖₂ ≤ `parameterTolerance · (‖u‖₂ + parameterTolerance)`.
    public var parameterTolerance: Double = 1e-12
    /// Initial Levenberg–Marquardt damping λ, relative to the scaled Gauss–Newton matrix.
    public var initialDamping: Double = 1e-4
    /// How the small linear systems of each step (and of the fit's start search) are solved.
    public var linearSolves: LinearSolves = .normalEquations
    /// Residuals beyond which a problem that gives its Jacobian by rows (``LeastSquaresProblem/jacobianRows``)
    /// is solved in blocks of ``LevenbergMarquardt/blockRows`` rows: JᵀWJ, the gradient and (for a QR
    /// step) the triangular factor of W^½J are accumulated block by block, so the solver's memory is a few
    /// vectors of n values instead of several n × p matrices, and ``SolverResult/jacobian`` is left empty.
    /// The optimum is the same; the last bits of the path may differ.
    public var jacobianRowLimit: Int = LevenbergMarquardt.defaultJacobianRowLimit

    /// The default tolerances and iteration limit.
    public init() {}
}

/// How the solver's small linear systems are solved.
public enum LinearSolves: String, Sendable, Hashable, Codable, CaseIterable {
    /// The p × p normal equations by Cholesky where their condition number is at most 1e10
    /// (`SmallSymmetricSystem`), LAPACK on the rectangular problem where it is not. The default: at a
    /// handful of unknowns LAPACK's fixed costs dominate the arithmetic.
    case normalEquations = "normal_equations"
    /// Every system by LAPACK on the rectangular problem: QR (`dgels`) for Levenberg–Marquardt steps, SVD
    /// (`dgelsd`) for variable projection. The reference the default is tested against.
    case lapack
}

/// Why the solver stopped (compare scipy's `least_squares` status codes).
public enum Termination: String, Sendable, Codable, Hashable {
    /// The relative decrease of the cost fell below the function tolerance.
    case functionTolerance = "function_tolerance"
    /// The gradient fell below the gradient tolerance.
    case gradientTolerance = "gradient_tolerance"
    /// The step fell below the parameter tolerance.
    case parameterTolerance = "parameter_tolerance"
    /// The cost reached exactly zero.
    case zeroCost = "zero_cost"
    /// No step along any damping could lower the cost further: the solution is at the limit of
    /// floating-point resolution.
    case noFurtherDecrease = "no_further_decrease"
    /// The iteration limit was reached before any tolerance was met.
    case maxIterations = "max_iterations"
    /// The model is undefined at the starting point.
    case invalidStart = "invalid_start"
    /// No parameter was free (every parameter fixed).
    case nothingToFit = "nothing_to_fit"

    /// Whether this reason means a (local) optimum was reached.
    public var isConverged: Bool {
        switch self {
        case .functionTolerance, .gradientTolerance, .parameterTolerance, .zeroCost, .noFurtherDecrease,
             .nothingToFit:
            return true
        case .maxIterations, .invalidStart:
            return false
        }
    }
}

/// What one solve did (the shape of ceres-solver's `Solver::Summary` and scipy's `OptimizeResult`).
public struct SolverSummary: Sendable, Codable, Hashable {
    /// How the solver's small linear systems are solved.
public enum LinearSolves: String, Sendable, Hashable, Codable, CaseIterable {
    /// The p × p normal equations by Cholesky where their condition number is at most 1e10
    /// (`SmallSymmetricSystem`), LAPACK on the rectangular problem where it is not. The default: at a
    /// handful of unknowns LAPACK's fixed costs dominate the arithmetic.
    case normalEquations = "normal_equations"
    /// Every system by LAPACK on the rectangular problem: QR (`dgels`) for Levenberg–Marquardt steps, SVD
    /// (`dgelsd`) for variable projection. The reference the default is tested against.
    case lapack
}

/// Why the solver stopped.
    public var termination: Termination
    /// Outer iterations performed.
    public var iterations: Int
    /// Σρ at the start.
    public var initialCost: Double
    /// Σρ at the solution.
    public var finalCost: Double
    /// Residual evaluations.
    public var functionEvaluations: Int
    /// Jacobian evaluations.
    public var jacobianEvaluations: Int
    /// ‖∇cost‖∞ at the solution.
    public var gradientNorm: Double

    enum CodingKeys: String, CodingKey {
        case termination, iterations
        case initialCost = "initial_cost"
        case finalCost = "final_cost"
        case functionEvaluations = "function_evaluations"
        case jacobianEvaluations = "jacobian_evaluations"
        case gradientNorm = "gradient_norm"
    }

    /// A summary of a finished solve.
    public init(termination: Termination, iterations: Int, initialCost: Double, finalCost: Double,
                functionEvaluations: Int, jacobianEvaluations: Int, gradientNorm: Double) {
        self.termination = termination
        self.iterations = iterations
        self.initialCost = initialCost
        self.finalCost = finalCost
        self.functionEvaluations = functionEvaluations
        self.jacobianEvaluations = jacobianEvaluations
        self.gradientNorm = gradientNorm
    }
}

/// A solution with its residuals, Jacobian and summary.
public struct SolverResult: Sendable {
    /// Parameters at the solution.
    public var parameters: [Double]
    /// Residuals at the solution.
    public var residuals: [Double]
    /// ∂r/∂u at the solution (n × p); 0 × p when the solver worked in blocks of rows
    /// (``SolverOptions/jacobianRowLimit``).
    public var jacobian: Matrix
    /// What the solve did.
    public var summary: SolverSummary
}
