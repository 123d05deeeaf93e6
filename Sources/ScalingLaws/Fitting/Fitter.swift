import Foundation

extension ScalingLaw {
    /// Fits this law to `runs` (their `loss` is the response) under `options`.
    ///
    /// 1. **Start search by variable projection** (`LinearProjection`, in `StartSearch.swift` and
    ///    `VariableProjection.swift`): for each point of the law's grid over its nonlinear parameters, the
    ///    linear parameters are solved by weighted least squares (rows weighted by 1/y in log space, so the
    ///    linear problem approximates relative errors; normal equations by Cholesky where well conditioned,
    ///    LAPACK's SVD `dgelsd` where not), with an active set keeping them within their bounds (positive
    ///    parameters positive). Each candidate is scored on the true objective. `--init` values replace
    ///    grid values; ties and fixed values are applied.
    /// 2. **Polish**: the best ``FitOptions/polishedStarts`` distinct candidates are refined jointly in all
    ///    free parameters by ``LevenbergMarquardt`` on the chosen robust objective, in parallel; bounded
    ///    parameters are optimised through a change of variables (ln θ for positive ones), so every
    ///    iterate is feasible. Parameters the law marks ``LawParameter/searchesLogScale`` (a formula's
    ///    scales and exponents) are polished as ln θ where they start positive, then in θ itself, so
    ///    their optimum is not restricted to positive values. The best optimum wins.
    ///
    /// **Many runs.** Above 4,096 runs, steps 1 and 2 rank and screen the candidates on every k-th run
    /// (k = ⌈n/4096⌉) and only the best screened optimum is polished on all runs: the result is the full
    /// data's optimum, found at a fraction of the cost (100,000 runs: about a quarter of a second).
    ///
    /// **Many points.** Above ``SolverOptions/jacobianRowLimit`` points (65,536 by default; a checkpoint
    /// fit of a long log) the polish works in blocks of rows and keeps no n × p Jacobian
    /// (``LevenbergMarquardt``), so the fit's memory is the runs, the law's input columns and a few
    /// vectors of n values. Runs given as a ``RunStore`` (a log read by ``RunFile``) are read by column and
    /// kept so: a million checkpoints take about 70 MB in all rather than the 72 MB of their `Run` values
    /// alone.
    ///
    /// Runs with a ``Run/weight`` wᵢ enter the objective as Σ wᵢ·ρ(rᵢ): the start search scores and the
    /// linear solve (rows scaled by √wᵢ) and the solver all see the weights. Without weights every run
    /// counts once, exactly as before weights existed.
    ///
    /// - Throws: ``ScalingLawsError`` naming what to fix (unknown or invalid fixed parameter, a run
    ///   without a needed value, too few runs, no valid start).
    public func fit(_ runs: [Run], options: FitOptions = FitOptions()) throws(ScalingLawsError) -> FitResult {
        // Completed in place: runs read from a file already are, and then share the caller's storage.
        var completedRuns = runs
        for i in completedRuns.indices where completedRuns[i].lacksOneOfNDC {
            completedRuns[i] = completedRuns[i].completed(flopsPerParamToken: options.flopsPerParamToken)
        }
        return try fitCompleted(RunStore(wrapping: completedRuns), options: options)
    }

    /// Fits this law to the runs of `runs` (their `loss` is the response) under `options`, as
    /// `fit(_:options:)` does an array of runs, with the same result to the bit.
    ///
    /// The solver reads the law's variables, the losses and the weights straight from the store's
    /// columns, and the result keeps the store (``FitResult/trainingSet``): a checkpoint fit of a long log
    /// read by ``RunFile`` never holds a `Run` per point.
    ///
    /// - Throws: ``ScalingLawsError`` as `fit(_:options:)` of an array of runs.
    public func fit(_ runs: RunStore, options: FitOptions = FitOptions()) throws(ScalingLawsError) -> FitResult {
        guard runs.lacksOneOfNDC else { return try fitCompleted(runs, options: options) }
        let completed = runs.runs.map { $0.lacksOneOfNDC ? $0.completed(flopsPerParamToken: options.flopsPerParamToken) : $0 }
        if case .runs = runs.storage { return try fitCompleted(RunStore(wrapping: completed), options: options) }
        return try fitCompleted(RunStore(completed, flopsPerParamToken: options.flopsPerParamToken), options: options)
    }

    /// The fit of runs none of which lacks exactly one of N, D and C.
    private func fitCompleted(_ completedRuns: RunStore, options: FitOptions) throws(ScalingLawsError) -> FitResult {
        try options.objective.validate()
        let layout = try ParameterLayout(law: self, constraints: options.constraints)
        let (inputs, y) = try trainingData(completedRuns, flopsPerParamToken: options.flopsPerParamToken,
                                           space: options.objective.space)
        let weights = try trainingWeights(completedRuns)
        let needed = layout.free.count + 1
        guard y.count >= needed else { throw .tooFewRuns(law: name, needed: needed, found: y.count) }
        let problem = ResidualModel(law: self, layout: layout, inputs: inputs, y: y, space: options.objective.space,
                                    weights: weights)

        let solverOptions = { var o = options.solver; o.loss = options.objective.robustLoss; return o }()
        func result(_ u: [Double], _ r: [Double], _ jacobian: Matrix?, _ summary: SolverSummary,
                    _ search: StartSearchReport) -> FitResult {
            FitResult(law: self, parameters: layout.fullVector(free: u), fixed: Set(options.fixed.keys), objective: options.objective,
                      objectiveValue: options.objective.value(residuals: r, weights: weights), residuals: r, runs: y.count, summary: summary,
                      search: search, flopsPerParamToken: options.flopsPerParamToken, trainingSet: completedRuns,
                      constraints: options.constraints, jacobian: jacobian.flatMap { $0.rows == r.count ? $0 : nil })
        }

        if layout.free.isEmpty {
            guard let r = problem.residuals(layout.fullVector(free: [])) else {
                throw .fitFailed(law: name, message: "the fixed parameters give a non-positive or non-finite prediction for some run")
            }
            let cost = solverOptions.loss.cost(r, weights: weights)
            return result([], r, nil, SolverSummary(termination: .nothingToFit, iterations: 0, initialCost: cost, finalCost: cost,
                                               functionEvaluations: 1, jacobianEvaluations: 0, gradientNorm: 0),
                          StartSearchReport(candidates: 0, valid: 0, polished: 0, agreeing: 0))
        }

        // A given start (resampling refits from the full-data optimum): one polish, no search.
        if let start = options.start {
            guard start.count == parameters.count,
                  zip(start, parameters).allSatisfy({ $0.0.isFinite && (!$0.1.isPositive || $0.0 > 0) }) else {
                throw .invalidOption(option: .start, message: "expected \(parameters.count) finite values (positive where the \(name) law requires) in the order \(parameterNames.joined(separator: ", "))")
            }
            let solved = LevenbergMarquardt.solve(problem.leastSquaresProblem(), from: layout.freeVector(layout.applyFixed(start)),
                                                  options: solverOptions)
            guard solved.summary.finalCost.isFinite else {
                throw .fitFailed(law: name, message: "the model is undefined at the given start")
            }
            return result(solved.parameters, solved.residuals, solved.jacobian, solved.summary, StartSearchReport(candidates: 1, valid: 1, polished: 1, agreeing: 1))
        }

        // 1. Start search. With more than `startSearchSampleSize` runs the candidates are ranked on an
        //    evenly strided subsample of that many runs: the ranking only chooses where the polish starts,
        //    and the polish below uses every run. Smaller data sets are searched whole, as always.
        let search = searchSample(problem)
        let candidates = startCandidates(problem: search, inputs: search.inputs, y: search.y, initial: options.constraints.initial)
        let scored = search.scoreStarts(candidates, loss: solverOptions.loss, solves: solverOptions.linearSolves).compactMap { $0 }
        guard !scored.isEmpty else {
            throw .fitFailed(law: name, message: "no start on the law's grid gives a finite objective; check that the response is positive for \(.space, "log") and that the runs' values are in range")
        }
        let starts = distinctBest(scored.sorted { $0.cost < $1.cost }, count: max(1, options.polishedStarts))

        // 2. Polish: every start jointly in all free parameters to a screening tolerance, in parallel;
        //    then the best of them to the full tolerance. (Subsampled search: the screening runs on the
        //    subsample too, and the final polish of its best optimum on every run.)
        //    Parameters the law hints at (``LawParameter/searchesLogScale``) are screened as ln θ from
        //    starts where they are positive; the full-tolerance polish below is in the fit's own layout.
        let lsq = problem.leastSquaresProblem()
        let sampled = search.y.count < y.count
        let screenProblem = sampled ? search.leastSquaresProblem() : lsq
        let screening = { var o = solverOptions; o.functionTolerance = max(o.functionTolerance, 1e-8); return o }()
        let logScale = layout.logScaleCandidates(parameters)
        // (A polish evaluates the model some 30 times: on a handful of runs, one thread is quicker.)
        let screenChunks = 32 * starts.count * search.y.count < ResidualModel.parallelWork ? 1 : starts.count
        let screened = parallelMap(starts.count, chunks: screenChunks) { i in
            Self.polish(from: starts[i], model: search, problem: screenProblem, logScale: logScale, options: screening, finish: false).result
        }.filter { $0.summary.finalCost.isFinite }
        guard let leader = screened.min(by: { $0.summary.finalCost < $1.summary.finalCost }) else {
            throw .fitFailed(law: name, message: "every polished start failed")
        }
        func finalPolish(_ start: [Double]) -> SolverResult {
            Self.polish(from: start, model: problem, problem: lsq, logScale: logScale, options: solverOptions, finish: true).result
        }
        if sampled {
            let ranked = screened.sorted { $0.summary.finalCost < $1.summary.finalCost }
            guard var best = ranked.lazy.map({ finalPolish($0.parameters) })
                .first(where: { $0.summary.finalCost.isFinite }) else {
                throw .fitFailed(law: name, message: "every polished start failed on the full data")
            }
            best.summary.iterations += leader.summary.iterations
            best.summary.functionEvaluations += leader.summary.functionEvaluations
            best.summary.jacobianEvaluations += leader.summary.jacobianEvaluations
            let leading = leader.summary.finalCost
            let agreeing = screened.filter { Self.agrees($0.summary.finalCost, leading) }.count
            return result(best.parameters, best.residuals, best.jacobian, best.summary,
                          StartSearchReport(candidates: candidates.count, valid: scored.count, polished: starts.count, agreeing: agreeing))
        }
        var best = finalPolish(leader.parameters)
        if !(best.summary.finalCost <= leader.summary.finalCost) {
            best = leader
            // (A leader screened on the log scale carries ∂r/∂(ln θ): the Jacobian in the fit's own variables.)
            if !logScale.isEmpty {
                best.jacobian = Matrix(rows: lsq.residualCount, columns: lsq.parameterCount)
                lsq.jacobian(best.parameters, &best.jacobian)
            }
        }
        best.summary.iterations += leader.summary.iterations
        best.summary.functionEvaluations += leader.summary.functionEvaluations
        best.summary.jacobianEvaluations += leader.summary.jacobianEvaluations
        best.summary.initialCost = leader.summary.initialCost
        let bestCost = best.summary.finalCost
        let agreeing = screened.filter { Self.agrees($0.summary.finalCost, bestCost) }.count
        return result(best.parameters, best.residuals, best.jacobian, best.summary,
                      StartSearchReport(candidates: candidates.count, valid: scored.count, polished: starts.count, agreeing: agreeing))
    }

    /// A polish from `start` (free variables of the fit's own layout) in the fit's own layout. Where some of
    /// the `logScale` leaders are positive at the start, it first runs with those solved as ln θ (the path a
    /// law that declares them positive takes, often much shorter), then, when `finish` is set or such a
    /// leader ended below 1% of its start (heading for a bound the user never set), from there in the fit's
    /// own layout, where it may cross 0. The result's parameters are in the fit's own layout; its Jacobian is
    /// too only when `ownLayout` is true.
    static func polish(from start: [Double], model: ResidualModel, problem: LeastSquaresProblem, logScale: [Int],
                       options: SolverOptions, finish: Bool) -> (result: SolverResult, ownLayout: Bool) {
        let layout = model.layout
        let theta = layout.fullVector(free: start)
        let positive = logScale.filter { theta[$0] > 0 }
        guard !positive.isEmpty else { return (LevenbergMarquardt.solve(problem, from: start, options: options), true) }
        let logLayout = layout.solvingLogScale(positive)
        var onLogScale = LevenbergMarquardt.solve(model.with(layout: logLayout).leastSquaresProblem(),
                                                  from: logLayout.freeVector(theta), options: options)
        guard onLogScale.summary.finalCost.isFinite else { return (LevenbergMarquardt.solve(problem, from: start, options: options), true) }
        let end = logLayout.fullVector(free: onLogScale.parameters)
        onLogScale.parameters = layout.freeVector(end)
        guard finish || positive.contains(where: { end[$0] < 0.01 * theta[$0] }) else { return (onLogScale, false) }
        var solved = LevenbergMarquardt.solve(problem, from: onLogScale.parameters, options: options)
        solved.summary.iterations += onLogScale.summary.iterations
        solved.summary.functionEvaluations += onLogScale.summary.functionEvaluations
        solved.summary.jacobianEvaluations += onLogScale.summary.jacobianEvaluations
        solved.summary.initialCost = onLogScale.summary.initialCost
        return (solved, true)
    }

    /// Whether a polished start reached the best objective: within 1e-6 of it relatively, or both at
    /// rounding level (an exact fit ends anywhere between 1e-32 and 1e-22 depending on its last step,
    /// which a relative test alone would count as disagreement).
    static func agrees(_ cost: Double, _ best: Double) -> Bool {
        abs(cost - best) <= 1e-6 * best + 1e-20
    }

    /// Residuals of the runs of `runs` at parameters θ in the objective's space (columns the store holds
    /// whole are read as they are).
    func residuals(_ theta: [Double], runs: RunStore, objective: Objective, flopsPerParamToken k: Double) throws(ScalingLawsError) -> [Double] {
        let layout = try ParameterLayout(law: self, fixed: [:])
        let (inputs, y) = try trainingData(runs, flopsPerParamToken: k, space: objective.space)
        guard let r = ResidualModel(law: self, layout: layout, inputs: inputs, y: y, space: objective.space).residuals(theta) else {
            throw .fitFailed(law: name, message: "the parameters give a non-positive or non-finite prediction for some run")
        }
        return r
    }

    /// The runs' ``Run/weight`` values, or nil when no run carries one (every run then counts once).
    ///
    /// - Throws: ``ScalingLawsError/invalidRun(index:message:)`` for a negative or non-finite weight, and
    ///   ``ScalingLawsError/fitFailed(law:message:)`` when every weight is zero.
    func trainingWeights(_ runs: [Run]) throws(ScalingLawsError) -> [Double]? {
        guard runs.contains(where: { $0.weight != nil }) else { return nil }
        var weights = [Double]()
        weights.reserveCapacity(runs.count)
        for (index, run) in runs.enumerated() {
            let w = run.weight ?? 1
            guard w.isFinite, w >= 0 else {
                throw .invalidRun(index: index, message: "a run's weight must be a finite number ≥ 0, got \(w)")
            }
            weights.append(w)
        }
        guard weights.contains(where: { $0 > 0 }) else {
            throw .fitFailed(law: name, message: "every run has weight 0")
        }
        return weights
    }

    /// The runs' weights (as `trainingWeights` of an array of runs), from the store's weight column.
    func trainingWeights(_ runs: RunStore) throws(ScalingLawsError) -> [Double]? {
        guard case .columns = runs.storage else { return try trainingWeights(runs.runs) }
        guard let weights = runs.weights else { return nil }
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }), weights.contains(where: { $0 > 0 }) else {
            // The error of the first run at fault, as for an array of runs.
            return try trainingWeights(runs.runs)
        }
        return weights
    }

    /// The law's variables and response for the runs of `runs`, validated (as `trainingData` of an
    /// array of runs, with the same errors): columns the store holds whole are used
    /// as they are, not copied.
    func trainingData(_ runs: RunStore, flopsPerParamToken k: Double, space: Objective.Space) throws(ScalingLawsError) -> (Inputs, [Double]) {
        guard case .columns = runs.storage, !runs.lacksOneOfNDC else {
            return try trainingData(runs.runs, flopsPerParamToken: k, space: space)
        }
        var columns = [[Double]]()
        columns.reserveCapacity(variables.count)
        for v in variables {
            guard let column = runs.column(of: v), column.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                // The error of the first run at fault, as for an array of runs.
                return try trainingData(runs.runs, flopsPerParamToken: k, space: space)
            }
            columns.append(column)
        }
        guard let y = runs.losses, y.allSatisfy({ $0.isFinite && (space != .log || $0 > 0) }) else {
            return try trainingData(runs.runs, flopsPerParamToken: k, space: space)
        }
        return (Inputs(columns: columns), y)
    }

    /// The law's variables and response for `runs`, validated.
    func trainingData(_ runs: [Run], flopsPerParamToken k: Double, space: Objective.Space) throws(ScalingLawsError) -> (Inputs, [Double]) {
        var columns = [[Double]](repeating: [], count: variables.count)
        for j in columns.indices { columns[j].reserveCapacity(runs.count) }
        var y = [Double]()
        y.reserveCapacity(runs.count)
        for (index, raw) in runs.enumerated() {
            let run = raw.completed(flopsPerParamToken: k)
            for (j, v) in variables.enumerated() {
                guard let value = run.value(of: v) else {
                    throw .invalidRun(index: index, message: "the \(name) law needs \(v), which this run lacks")
                }
                guard value.isFinite, value > 0 else {
                    throw .invalidRun(index: index, message: "\(v) must be a positive finite number, got \(value)")
                }
                columns[j].append(value)
            }
            guard let loss = run.loss, loss.isFinite else {
                throw .invalidRun(index: index, message: "the run has no finite loss to fit")
            }
            if space == .log && loss <= 0 {
                throw .invalidRun(index: index, message: "loss must be positive for \(.space, "log"), got \(loss)")
            }
            y.append(loss)
        }
        return (Inputs(columns: columns), y)
    }

    /// The model the start search ranks candidates on: `problem` itself, or for more than
    /// ``startSearchSampleSize`` runs every k-th run (k = ⌈n / size⌉), with its weights.
    private func searchSample(_ problem: ResidualModel) -> ResidualModel {
        let n = problem.y.count
        guard n > startSearchSampleSize else { return problem }
        let step = (n + startSearchSampleSize - 1) / startSearchSampleSize
        let rows = Array(stride(from: 0, to: n, by: step))
        let sub = Inputs(columns: problem.inputs.columns.map { column in rows.map { column[$0] } })
        return ResidualModel(law: self, layout: problem.layout, inputs: sub, y: rows.map { problem.y[$0] },
                             space: problem.space, weights: problem.weights.map { w in rows.map { w[$0] } })
    }
}

/// Runs beyond which the start search ranks and screens its candidates on a strided subsample (see
/// ``ScalingLaw/fit(_:options:)``): 100,000 runs then fit in about 0.25 s, and the optimum
/// is the full data's because the final polish uses every run.
let startSearchSampleSize = 4_096
