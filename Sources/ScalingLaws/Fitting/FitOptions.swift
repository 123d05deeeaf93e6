/// How to fit a law.
public struct FitOptions: Sendable, Hashable {
    /// The objective minimised and reported.
    public var objective: Objective = Objective()
    /// Fixed values, ties, bounds and start values of parameters.
    public var constraints: ParameterConstraints = ParameterConstraints()
    /// Parameters held at fixed values, by name (e.g. `["E": 1.69]`); shorthand for `constraints.fixed`.
    public var fixed: [String: Double] {
        get { constraints.fixed }
        set { constraints.fixed = newValue }
    }
    /// How many of the best start-search candidates are polished by the full solver.
    public var polishedStarts: Int = 8
    /// FLOPs per parameter per token, k in C = k·N·D, used to derive a missing N, D or C.
    public var flopsPerParamToken: Double = 6
    /// A complete parameter vector (law order) to polish from instead of running the start search, e.g. a
    /// previous optimum when refitting resampled data.
    public var start: [Double]? = nil
    /// Solver settings; the robust loss is taken from ``objective``.
    public var solver: SolverOptions = SolverOptions()

    /// Options with an objective and parameters held at values.
    public init(objective: Objective = Objective(), fixed: [String: Double] = [:]) {
        self.objective = objective
        self.constraints = ParameterConstraints(fixed: fixed)
    }
}
