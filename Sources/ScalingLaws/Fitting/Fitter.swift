import Foundation

extension ScalingLaw {
    /// Fits this law to `runs` (their `loss` is the response) under `options`.
    ///
    /// 1. **Start search by variable projection**: for each point of the law's grid over its nonlinear
    ///    parameters, the linear parameters are solved by LAPACK least squares (`dgelsd`; rows weighted
    ///    by 1/y in log space, so the linear problem approximates relative errors), with an active set
    ///    keeping them within their bounds (positive parameters positive). Each candidate is scored on
    ///    the true objective. `--init` values replace grid values; ties and fixed values are applied.
    /// 2. **Polish**: the best ``FitOptions/polishedStarts`` distinct candidates are refined jointly in all
    ///    free parameters by ``LevenbergMarquardt`` on the chosen robust objective, in parallel; bounded
    ///    parameters are optimised through a change of variables (ln θ for positive ones), so every
    ///    iterate is feasible. The best optimum wins.
    ///
    /// **Many runs.** Above 4,096 runs, steps 1 and 2 rank and screen the candidates on every k-th run
    /// (k = ⌈n/4096⌉) and only the best screened optimum is polished on all runs: the result is the full
    /// data's optimum, found at a fraction of the cost (100,000 runs: about a quarter of a second).
    ///
    /// Runs with a ``Run/weight`` wᵢ enter the objective as Σ wᵢ·ρ(rᵢ): the start search scores and the
    /// linear solve (rows scaled by √wᵢ) and the solver all see the weights. Without weights every run
    /// counts once, exactly as before weights existed.
    ///
    /// - Throws: ``ScalingLawsError`` naming what to fix (unknown or invalid fixed parameter, a run
    ///   without a needed value, too few runs, no valid start).
    public func fit(_ runs: [Run], options: FitOptions = FitOptions()) throws(ScalingLawsError) -> FitResult {
        try options.objective.validate()
        let layout = try ParameterLayout(law: self, constraints: options.constraints)
        let completedRuns = runs.map { $0.completed(flopsPerParamToken: options.flopsPerParamToken) }
        let (inputs, y) = try trainingData(completedRuns, flopsPerParamToken: options.flopsPerParamToken,
                                           space: options.objective.space)
        let weights = try trainingWeights(completedRuns)
        let needed = layout.free.count + 1
        guard y.count >= needed else { throw .tooFewRuns(law: name, needed: needed, found: y.count) }
        let problem = ResidualModel(law: self, layout: layout, inputs: inputs, y: y, space: options.objective.space,
                                    weights: weights)

        let solverOptions = { var o = options.solver; o.loss = options.objective.robustLoss; return o }()
        func result(_ u: [Double], _ r: [Double], _ summary: SolverSummary, _ search: StartSearchReport) -> FitResult {
            FitResult(law: self, parameters: layout.fullVector(free: u), fixed: Set(options.fixed.keys), objective: options.objective,
                      objectiveValue: options.objective.value(residuals: r, weights: weights), residuals: r, runs: y.count, summary: summary,
                      search: search, flopsPerParamToken: options.flopsPerParamToken, trainingRuns: completedRuns,
                      constraints: options.constraints)
        }

        if layout.free.isEmpty {
            guard let r = problem.residuals(layout.fullVector(free: [])) else {
                throw .fitFailed(law: name, message: "the fixed parameters give a non-positive or non-finite prediction for some run")
            }
            let cost = solverOptions.loss.cost(r, weights: weights)
            return result([], r, SolverSummary(termination: .nothingToFit, iterations: 0, initialCost: cost, finalCost: cost,
                                               functionEvaluations: 1, jacobianEvaluations: 0, gradientNorm: 0),
                          StartSearchReport(candidates: 0, valid: 0, polished: 0, agreeing: 0))
        }

        // A given start (resampling refits from the full-data optimum): one polish, no search.
        if let start = options.start {
            guard start.count == parameters.count,
                  zip(start, parameters).allSatisfy({ $0.0.isFinite && (!$0.1.isPositive || $0.0 > 0) }) else {
                throw .invalidOption(option: "start", message: "expected \(parameters.count) finite values (positive where the \(name) law requires) in the order \(parameterNames.joined(separator: ", "))")
            }
            let solved = LevenbergMarquardt.solve(problem.leastSquaresProblem(), from: layout.freeVector(layout.applyFixed(start)),
                                                  options: solverOptions)
            guard solved.summary.finalCost.isFinite else {
                throw .fitFailed(law: name, message: "the model is undefined at the given start")
            }
            return result(solved.parameters, solved.residuals, solved.summary, StartSearchReport(candidates: 1, valid: 1, polished: 1, agreeing: 1))
        }

        // 1. Start search. With more than `startSearchSampleSize` runs the candidates are ranked on an
        //    evenly strided subsample of that many runs: the ranking only chooses where the polish starts,
        //    and the polish below uses every run. Smaller data sets are searched whole, as always.
        let (search, searchWeights) = searchSample(problem, inputs: inputs, y: y, weights: weights)
        let candidates = startCandidates(problem: search, inputs: search.inputs, y: search.y, initial: options.constraints.initial)
        let scored = parallelMap(candidates.count) { i -> (u: [Double], cost: Double)? in
            let (theta, f) = search.projectLinear(candidates[i])
            guard let r = search.residuals(prediction: f) else { return nil }
            let cost = solverOptions.loss.cost(r, weights: searchWeights)
            guard cost.isFinite else { return nil }
            return (layout.freeVector(theta), cost)
        }.compactMap { $0 }
        guard !scored.isEmpty else {
            throw .fitFailed(law: name, message: "no start on the law's grid gives a finite objective; check that the response is positive for --space log and that the runs' values are in range")
        }
        let starts = distinctBest(scored.sorted { $0.cost < $1.cost }, count: max(1, options.polishedStarts))

        // 2. Polish: every start jointly in all free parameters to a screening tolerance, in parallel;
        //    then the best of them to the full tolerance. (Subsampled search: the screening runs on the
        //    subsample too, and the final polish of its best optimum on every run.)
        let lsq = problem.leastSquaresProblem()
        let sampled = search.y.count < y.count
        let screenProblem = sampled ? search.leastSquaresProblem() : lsq
        let screening = { var o = solverOptions; o.functionTolerance = max(o.functionTolerance, 1e-8); return o }()
        let screened = parallelMap(starts.count, chunks: starts.count) { i in
            LevenbergMarquardt.solve(screenProblem, from: starts[i], options: screening)
        }.filter { $0.summary.finalCost.isFinite }
        guard let leader = screened.min(by: { $0.summary.finalCost < $1.summary.finalCost }) else {
            throw .fitFailed(law: name, message: "every polished start failed")
        }
        if sampled {
            let ranked = screened.sorted { $0.summary.finalCost < $1.summary.finalCost }
            guard var best = ranked.lazy.map({ LevenbergMarquardt.solve(lsq, from: $0.parameters, options: solverOptions) })
                .first(where: { $0.summary.finalCost.isFinite }) else {
                throw .fitFailed(law: name, message: "every polished start failed on the full data")
            }
            best.summary.iterations += leader.summary.iterations
            best.summary.functionEvaluations += leader.summary.functionEvaluations
            best.summary.jacobianEvaluations += leader.summary.jacobianEvaluations
            let leading = leader.summary.finalCost
            let agreeing = screened.filter { abs($0.summary.finalCost - leading) <= 1e-6 * max(leading, 1e-300) }.count
            return result(best.parameters, best.residuals, best.summary,
                          StartSearchReport(candidates: candidates.count, valid: scored.count, polished: starts.count, agreeing: agreeing))
        }
        var best = LevenbergMarquardt.solve(lsq, from: leader.parameters, options: solverOptions)
        if !(best.summary.finalCost <= leader.summary.finalCost) { best = leader }
        best.summary.iterations += leader.summary.iterations
        best.summary.functionEvaluations += leader.summary.functionEvaluations
        best.summary.jacobianEvaluations += leader.summary.jacobianEvaluations
        best.summary.initialCost = leader.summary.initialCost
        let bestCost = best.summary.finalCost
        let agreeing = screened.filter { abs($0.summary.finalCost - bestCost) <= 1e-6 * max(bestCost, 1e-300) }.count
        return result(best.parameters, best.residuals, best.summary,
                      StartSearchReport(candidates: candidates.count, valid: scored.count, polished: starts.count, agreeing: agreeing))
    }

    /// Residuals of `runs` at parameters θ in the objective's space.
    func residuals(_ theta: [Double], runs: [Run], objective: Objective, flopsPerParamToken k: Double) throws(ScalingLawsError) -> [Double] {
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

    /// The law's variables and response for `runs`, validated.
    func trainingData(_ runs: [Run], flopsPerParamToken k: Double, space: Objective.Space) throws(ScalingLawsError) -> (Inputs, [Double]) {
        var columns = [[Double]](repeating: [], count: variables.count)
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
                throw .invalidRun(index: index, message: "loss must be positive for --space log, got \(loss)")
            }
            y.append(loss)
        }
        return (Inputs(columns: columns), y)
    }

    private func startCandidates(problem: ResidualModel<Self>, inputs: Inputs, y: [Double],
                                 initial: [String: Double]) -> [[Double]] {
        let layout = problem.layout
        var seen = Set<[Double]>()
        var out = [[Double]]()
        func add(_ raw: [Double], solveLinear: Bool) {
            var theta = raw
            for (name, v) in initial { if let j = parameterIndex(name) { theta[j] = v } }
            theta = layout.applyFixed(theta)
            for j in 0..<theta.count where layout.fixedValues[j] == nil && !theta[j].isNaN {
                theta[j] = layout.clampInside(theta[j], layout.leaderOf[j])
            }
            if solveLinear {
                for j in layout.linear where initial[parameters[j].name] == nil {
                    for m in layout.members(j) { theta[m] = .nan }  // marks "solve by least squares"
                }
            }
            if seen.insert(theta.map { $0.isNaN ? -0.0 : $0 }).inserted { out.append(theta) }
        }
        for guess in initialGuesses(inputs, response: y) where guess.count == parameters.count { add(guess, solveLinear: false) }
        for grid in startGrid(inputs, response: y) where grid.count == parameters.count { add(grid, solveLinear: true) }
        return out
    }

    /// The model the start search ranks candidates on: `problem` itself, or for more than
    /// ``startSearchSampleSize`` runs every k-th run (k = ⌈n / size⌉), with its weights.
    private func searchSample(_ problem: ResidualModel<Self>, inputs: Inputs, y: [Double],
                              weights: [Double]?) -> (ResidualModel<Self>, [Double]?) {
        let n = y.count
        guard n > startSearchSampleSize else { return (problem, weights) }
        let step = (n + startSearchSampleSize - 1) / startSearchSampleSize
        let rows = Array(stride(from: 0, to: n, by: step))
        let sub = Inputs(columns: inputs.columns.map { column in rows.map { column[$0] } })
        let subWeights = weights.map { w in rows.map { w[$0] } }
        let model = ResidualModel(law: self, layout: problem.layout, inputs: sub, y: rows.map { y[$0] },
                                  space: problem.space, weights: subWeights)
        return (model, subWeights)
    }

    private func distinctBest(_ sorted: [(u: [Double], cost: Double)], count: Int) -> [[Double]] {
        var picked = [[Double]]()
        for c in sorted {
            if picked.count >= count { break }
            let duplicate = picked.contains { p in
                zip(p, c.u).allSatisfy { abs($0 - $1) <= 1e-3 * max(1, abs($0)) }
            }
            if !duplicate { picked.append(c.u) }
        }
        return picked
    }
}

/// Residuals of a law against data in the chosen space, as a solver problem.
struct ResidualModel<Law: ScalingLaw>: Sendable {
    let law: Law
    let layout: ParameterLayout
    let inputs: Inputs
    let y: [Double]
    let space: Objective.Space
    /// Per-run weights of the objective (nil: all 1).
    var weights: [Double]? = nil

    /// Residuals at full parameter vector θ, or nil where the model is undefined.
    func residuals(_ theta: [Double]) -> [Double]? {
        var f = [Double](repeating: 0, count: y.count)
        law.evaluate(theta, inputs, into: &f)
        return residuals(prediction: f)
    }

    /// Residuals for the predictions `f`, or nil where the model is undefined.
    func residuals(prediction f: [Double]) -> [Double]? {
        var r = f
        return fill(f, into: &r) ? r : nil
    }

    private func fill(_ f: [Double], into r: inout [Double]) -> Bool {
        switch space {
        case .log:
            for i in 0..<y.count {
                guard f[i] > 0, f[i].isFinite else { return false }
                r[i] = log(y[i]) - log(f[i])
            }
        case .linear:
            for i in 0..<y.count {
                guard f[i].isFinite else { return false }
                r[i] = y[i] - f[i]
            }
        }
        return true
    }

    func leastSquaresProblem() -> LeastSquaresProblem {
        let model = self
        let n = y.count
        let params = law.parameters.count
        return LeastSquaresProblem(
            residualCount: n,
            parameterCount: layout.free.count,
            weights: weights,
            residuals: { u, r in
                let theta = model.layout.fullVector(free: u)
                var f = [Double](repeating: 0, count: n)
                model.law.evaluate(theta, model.inputs, into: &f)
                return model.fill(f, into: &r)
            },
            jacobian: { u, jac in
                let theta = model.layout.fullVector(free: u)
                var f = [Double](repeating: 0, count: n)
                model.law.evaluate(theta, model.inputs, into: &f)
                var jf = Matrix(rows: n, columns: params)
                model.law.jacobian(theta, model.inputs, into: &jf)
                for (k, j) in model.layout.free.enumerated() {
                    let chain = model.layout.slope(u[k], j)
                    let group = model.layout.members(j)
                    for i in 0..<n {
                        var d = 0.0
                        for m in group { d += jf[i, m] }
                        d *= chain
                        jac[i, k] = model.space == .log ? -d / f[i] : -d
                    }
                }
            })
    }

    /// Fills the free linear parameters of `theta` (marked NaN) by least squares with the nonlinear ones
    /// held; positive parameters that come out non-positive are dropped from the active set and set to a
    /// negligible positive value. Entries that are not NaN are kept as given. Returns the parameters and
    /// the law's predictions at them.
    func projectLinear(_ theta: [Double]) -> (theta: [Double], f: [Double]) {
        let (t, basis, allLinear, offset) = solveLinear(theta)
        guard let basis else { return (t, law.evaluate(t, inputs)) }
        var f = offset
        for (k, j) in allLinear.enumerated() {
            let c = t[j]
            for i in 0..<y.count { f[i] += c * basis[i, k] }
        }
        return (t, f)
    }

    private func solveLinear(_ theta: [Double]) -> (theta: [Double], basis: Matrix?, linear: [Int], offset: [Double]) {
        var t = theta
        let solveFor = layout.linear.filter { theta[$0].isNaN }
        guard !solveFor.isEmpty else { return (t, nil, [], []) }
        let allLinear = law.parameters.indices.filter { law.parameters[$0].isLinear }
        let n = y.count
        var basis = Matrix(rows: n, columns: allLinear.count)
        law.basis(t, inputs, into: &basis)
        // A law linear in these parameters is affine in them: the part that no linear parameter
        // multiplies is f with every linear parameter at 0.
        var zeroed = t
        for j in allLinear { zeroed[j] = 0 }
        let offset = law.evaluate(zeroed, inputs)
        // Target: y minus the offset and the contribution of linear parameters not being solved.
        var target = (0..<n).map { y[$0] - offset[$0] }
        for (k, j) in allLinear.enumerated() where !t[j].isNaN {
            for i in 0..<n { target[i] -= t[j] * basis[i, k] }
        }
        // Each solved leader's column sums the basis functions of its tie group.
        func column(_ leader: Int) -> [Double] {
            var c = [Double](repeating: 0, count: n)
            for m in layout.members(leader) {
                let k = allLinear.firstIndex(of: m)!
                for i in 0..<n { c[i] += basis[i, k] }
            }
            return c
        }
        let columns = Dictionary(uniqueKeysWithValues: solveFor.map { ($0, column($0)) })
        var rowWeight = space == .log ? y.map { 1 / $0 } : [Double](repeating: 1, count: n)
        if let weights { for i in 0..<n { rowWeight[i] *= weights[i].squareRoot() } }
        let targetScale = target.reduce(0) { max($0, abs($1)) }
        var active = solveFor
        func assign(_ j: Int, _ value: Double) {
            for m in layout.members(j) { t[m] = value }
        }
        while !active.isEmpty {
            var design = Matrix(rows: n, columns: active.count)
            var norms = [Double](repeating: 0, count: active.count)
            for (c, j) in active.enumerated() {
                let phi = columns[j]!
                var s = 0.0
                for i in 0..<n {
                    let v = phi[i] * rowWeight[i]
                    design[i, c] = v
                    s += v * v
                }
                norms[c] = s > 0 ? s.squareRoot() : 1
                for i in 0..<n { design[i, c] /= norms[c] }
            }
            let rhs = (0..<n).map { target[$0] * rowWeight[$0] }
            guard let solution = try? LeastSquares.solveSVD(design, rhs) else { return (t.map { $0.isNaN ? 1 : $0 }, nil, [], []) }
            // Active set: a value beyond a bound leaves the set and sits just inside that bound.
            var worst: (index: Int, excess: Double)? = nil
            for (c, j) in active.enumerated() {
                let value = solution.x[c] / norms[c]
                assign(j, value)
                // Outside, or on a bound that the solver's transform cannot represent.
                let excess = max(layout.lower[j] - value, value - layout.upper[j])
                if excess >= 0 && (worst == nil || excess > worst!.excess) { worst = (c, excess) }
            }
            guard let w = worst else { break }
            let j = active.remove(at: w.index)
            let phi = columns[j]!
            let phiMax = phi.reduce(0.0) { max($0, abs($1)) }
            let tiny = 1e-9 * max(targetScale, 1e-300) / max(phiMax, 1e-300)
            let value = t[j] < layout.lower[j] || t[j] == layout.lower[j] ? layout.lower[j] + tiny : layout.upper[j] - tiny
            assign(j, value)
            for i in 0..<n { target[i] -= value * phi[i] }
        }
        return (t, basis, allLinear, offset)
    }
}

/// Runs beyond which the start search ranks and screens its candidates on a strided subsample (see
/// ``ScalingLaw/fit(_:options:)``): 100,000 runs then fit in about 0.25 s, and the optimum
/// is the full data's because the final polish uses every run.
let startSearchSampleSize = 4_096
