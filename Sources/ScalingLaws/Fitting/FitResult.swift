import Foundation

/// How the start search went: how many grid candidates were scored, how many were usable, how many were
/// polished and how many of those reached the best optimum (agreement is a sign the optimum is global).
public struct StartSearchReport: Sendable, Hashable, Codable {
    /// Candidates generated (grid points plus the law's own initial guesses).
    public var candidates: Int
    /// Candidates with a finite objective.
    public var valid: Int
    /// Candidates polished by the full solver.
    public var polished: Int
    /// Polished starts whose objective after screening (relative decrease below 1e-8 per step) is within
    /// 1e-6 relative of the final best.
    public var agreeing: Int
}

/// A fitted law: parameters, the objective that produced them, and what the solver did.
public struct FitResult: Sendable {
    /// The law that was fitted.
    public let law: any ScalingLaw
    /// Parameter values in the law's order (fixed ones included).
    public let parameters: [Double]
    /// Names of the parameters that were held fixed.
    public let fixed: Set<String>
    /// The objective minimised.
    public let objective: Objective
    /// The objective's value at the solution (see ``Objective/definition``), or nil when no data was used.
    public let objectiveValue: Double?
    /// Residuals at the solution, in the objective's space (empty when no data was used).
    public let residuals: [Double]
    /// Number of runs fitted.
    public let runs: Int
    /// The solver summary of the winning start.
    public let summary: SolverSummary
    /// The start search.
    public let search: StartSearchReport
    /// k in C = k·N·D used to derive missing N, D or C.
    public let flopsPerParamToken: Double
    /// The runs the law was fitted to (with N, D, C completed), in order; empty when no data was used.
    /// Made from ``trainingSet`` on each use: a fit of a million checkpoints read from a log holds them by
    /// column, and this array is their `Run` values (72 bytes each), so read it once and keep it.
    public var trainingRuns: [Run] { trainingSet.runs }
    /// The runs the law was fitted to, as stored by the fit (by column for a log read by ``RunFile``; the
    /// given array itself otherwise). ``trainingRuns`` as a collection, without making an array.
    public let trainingSet: RunStore
    /// Ties and bounds the fit respected (fixed values are in ``parameters`` and ``fixed``).
    public let constraints: ParameterConstraints
    /// The solver's Jacobian ∂r/∂u at the optimum (runs × free parameters, in the solver's variables u of
    /// ``ParameterLayout``), kept so that the asymptotic covariance need not rebuild it; nil when the fit
    /// was read from a file, given or had nothing free.
    let jacobian: Matrix?

    init(law: any ScalingLaw, parameters: [Double], fixed: Set<String>, objective: Objective, objectiveValue: Double?,
         residuals: [Double], runs: Int, summary: SolverSummary, search: StartSearchReport, flopsPerParamToken: Double,
         trainingRuns: [Run] = [], constraints: ParameterConstraints = ParameterConstraints(), jacobian: Matrix? = nil) {
        self.init(law: law, parameters: parameters, fixed: fixed, objective: objective, objectiveValue: objectiveValue,
                  residuals: residuals, runs: runs, summary: summary, search: search, flopsPerParamToken: flopsPerParamToken,
                  trainingSet: RunStore(wrapping: trainingRuns), constraints: constraints, jacobian: jacobian)
    }

    init(law: any ScalingLaw, parameters: [Double], fixed: Set<String>, objective: Objective, objectiveValue: Double?,
         residuals: [Double], runs: Int, summary: SolverSummary, search: StartSearchReport, flopsPerParamToken: Double,
         trainingSet: RunStore, constraints: ParameterConstraints, jacobian: Matrix?) {
        self.trainingSet = trainingSet
        self.jacobian = jacobian
        self.constraints = ParameterConstraints(ties: constraints.ties, bounds: constraints.bounds)
        self.law = law
        self.parameters = parameters
        self.fixed = fixed
        self.objective = objective
        self.objectiveValue = objectiveValue
        self.residuals = residuals
        self.runs = runs
        self.summary = summary
        self.search = search
        self.flopsPerParamToken = flopsPerParamToken
    }

    /// A law with every parameter given, no data involved (e.g. published constants).
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` when a parameter is missing, unknown
    ///   or out of range.
    public init(law: any ScalingLaw, parameters values: [String: Double], flopsPerParamToken: Double = 6,
                objective: Objective = Objective()) throws(ScalingLawsError) {
        let layout = try ParameterLayout(law: law, fixed: values)
        guard layout.free.isEmpty else {
            let missing = layout.free.map { law.parameters[$0].name }
            throw .invalidOption(option: .fixed, message: "the \(law.name) law needs every parameter to be given without data; missing \(missing.joined(separator: ", "))")
        }
        self.init(law: law, parameters: layout.fullVector(free: []), fixed: Set(values.keys), objective: objective,
                  objectiveValue: nil, residuals: [], runs: 0,
                  summary: SolverSummary(termination: .nothingToFit, iterations: 0, initialCost: 0, finalCost: 0,
                                         functionEvaluations: 0, jacobianEvaluations: 0, gradientNorm: 0),
                  search: StartSearchReport(candidates: 0, valid: 0, polished: 0, agreeing: 0),
                  flopsPerParamToken: flopsPerParamToken)
    }

    /// The value of parameter `name`, or nil when the law has no parameter of that name (a typo gives
    /// nil: ``value(of:)`` throws an error naming the law's parameters instead).
    public subscript(name: String) -> Double? {
        law.parameterIndex(name).map { parameters[$0] }
    }

    /// Parameters by name.
    public var parameterValues: [String: Double] {
        Dictionary(uniqueKeysWithValues: zip(law.parameterNames, parameters))
    }

    /// Predicted loss for each run (missing N, D or C derived with k = ``flopsPerParamToken``).
    ///
    /// - Throws: ``ScalingLawsError/invalidRun(index:message:)`` if a run lacks a variable the law reads.
    public func predict(_ runs: [Run]) throws(ScalingLawsError) -> [Double] {
        law.evaluate(parameters, try inputs(for: runs))
    }

    /// The law's variables for `runs` (missing N, D or C derived with k = ``flopsPerParamToken``).
    func inputs(for runs: [Run]) throws(ScalingLawsError) -> Inputs {
        var columns = [[Double]](repeating: [], count: law.variables.count)
        for (index, raw) in runs.enumerated() {
            let run = raw.completed(flopsPerParamToken: flopsPerParamToken)
            for (j, v) in law.variables.enumerated() {
                guard let value = run.value(of: v), value.isFinite, value > 0 else {
                    throw .invalidRun(index: index, message: "the \(law.name) law needs a positive \(v) to predict")
                }
                columns[j].append(value)
            }
        }
        return Inputs(columns: columns)
    }

    /// The compute-optimal allocation of `flops` under C = k·N·D, if the law supports it.
    ///
    /// - Throws: ``ScalingLawsError/unsupported(_:)`` for laws without a compute-optimal rule, and
    ///   ``ScalingLawsError/invalidOption(option:message:)`` for a budget that is not positive and finite
    ///   or so small that its optimal model has less than one parameter or one token.
    public func computeOptimum(flops: Double) throws(ScalingLawsError) -> ComputeOptimum {
        guard flops.isFinite, flops > 0 else {
            throw .invalidOption(option: .flops, message: "expected a positive FLOP budget, got \(flops)")
        }
        guard let law = law as? any ComputeOptimalLaw else {
            throw .unsupported("the \(law.name) law has no compute-optimal allocation; use chinchilla, or saturating fitted on flops")
        }
        let optimum = try law.computeOptimum(parameters, flops: flops, flopsPerParamToken: flopsPerParamToken)
        // Below one parameter or one token the law describes no model: a budget that small (C = 1 gave
        // N = 0.0035) is refused with the smallest budget that allocates at least one of each.
        if let n = optimum.params, let d = optimum.tokens, !(n >= 1 && d >= 1) {
            func allocatesOne(_ c: Double) -> Bool {
                guard let o = try? law.computeOptimum(parameters, flops: c, flopsPerParamToken: flopsPerParamToken),
                      let n = o.params, let d = o.tokens else { return false }
                return n >= 1 && d >= 1
            }
            var low = log10(flops), high = low + 1
            while !allocatesOne(pow(10, high)) && high < 300 { low = high; high += 1 }
            for _ in 0..<40 { let mid = (low + high) / 2; if allocatesOne(pow(10, mid)) { high = mid } else { low = mid } }
            let smallest = allocatesOne(pow(10, high)) ? "; give a budget of at least \(formatQuantity(pow(10, high))) FLOPs" : ""
            throw .invalidOption(option: .flops, message: "at C = \(formatQuantity(flops)) FLOPs the compute-optimal model has N = \(formatQuantity(n)) parameters and D = \(formatQuantity(d)) tokens: the law describes no model below one parameter or one token\(smallest)")
        }
        return optimum
    }
}
