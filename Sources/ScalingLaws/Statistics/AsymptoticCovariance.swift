import Foundation

extension FitResult {
    /// Asymptotic uncertainty of the fit from the Jacobian at the optimum.
    ///
    /// The free solver variables u (ln θ for positive parameters) have the M-estimator covariance in
    /// Huber's form (Huber 1981, "Robust Statistics", §7.6; Huber 1973):
    ///
    ///     Cov(û) = K² · [Σψ(rᵢ)² / (n − p)] / [(Σψ′(rᵢ) / n)²] · (JᵀJ)⁻¹,   K = 1 + (p/n)·Var(ψ′)/E(ψ′)²,
    ///
    /// with J = ∂r/∂u. For squared error this is the familiar σ̂²(JᵀJ)⁻¹ with σ̂² = RSS/(n − p). For
    /// Huber's loss E(ψ′) = P(|r| ≤ δ) is estimated with a Gaussian kernel (bandwidth by Silverman's rule)
    /// rather than by counting residuals within δ, since at a Huber optimum with δ well below the noise
    /// a handful of residuals sit at ≈ 0 and the raw count is unstable. (JᵀJ)⁻¹ comes from the SVD of J
    /// (LAPACK `dgesdd`). Other quantities follow by the delta method (``Uncertainty/estimate(positive:_:)``).
    ///
    /// With run weights W = diag(wᵢ) (checkpoint fits) the estimating equations are Σ wᵢψ(rᵢ)Jᵢ = 0 and the
    /// sandwich becomes (JᵀWJ)⁻¹ (JᵀW²J) (JᵀWJ)⁻¹ in place of (JᵀJ)⁻¹, with the same scalar factor: the
    /// weights say how much each run should count, not that its noise is smaller. From the SVD
    /// W^½J = U S Vᵀ this is V S⁻¹ (UᵀWU) S⁻¹ Vᵀ.
    ///
    /// **Groups.** Runs that share a ``Run/group`` label (the checkpoints of one run in a checkpoint fit,
    /// or rows with one `group` or `run` label) are not independent: one run's checkpoints sit above or
    /// below the law together. Taking them as independent made 95% intervals cover the true parameters
    /// of simulated checkpoint fits only 10–40% of the time. With `clustered` (the default), when some
    /// label is shared, the covariance is cluster-robust (Liang & Zeger 1986): the jackknife over groups
    /// of one-step deletion estimates, CR3 (Bell & McCaffrey 2002; Cameron & Miller 2015, "A
    /// Practitioner's Guide to Cluster-Robust Inference", §VI.B),
    ///
    ///     Cov(û) = (G − 1)/G · Σ_g (δ_g − δ̄)(δ_g − δ̄)ᵀ,   δ_g = (H − H_g)⁻¹ s_g,
    ///     s_g = Σ_{i∈g} wᵢ ψ(rᵢ) Jᵢ,   H = ψ̄′ JᵀWJ,   H_g = ψ̄′ J_gᵀW_gJ_g,
    ///
    /// over the G groups, with Student's t on G − 1 degrees of freedom for intervals
    /// (``Uncertainty/clusters``); see `clusteredCovariance`. On simulated checkpoint fits (8 to 100
    /// runs, correlated and independent errors) it covers 90–100%, as the run bootstrap does; with
    /// independent errors it gives the intervals of the independent form to within a few percent at 40
    /// runs, and 1.35–1.45× wider ones at 8 (few groups make the clustered estimate and its t noisier). It
    /// needs more groups than free parameters; with fewer the rows are taken as independent and a
    /// warning says the intervals are too narrow.
    ///
    /// - Parameter clustered: treat runs sharing a group label as one independent unit (the default);
    ///   false takes every run as independent.
    /// - Throws: ``ScalingLawsError/unsupported(_:)`` when the fit holds no data (read from a file, or all
    ///   parameters given).
    public func asymptoticUncertainty(level: Double = 0.95, clustered: Bool = true) throws(ScalingLawsError) -> Uncertainty {
        try Self.validate(level: level)
        guard !trainingSet.isEmpty else {
            throw .unsupported("intervals need the runs the law was fitted to: fit from the CSV file (a saved fit or given parameters carry no data)")
        }
        return try asymptotic(law, level: level, rowLimit: LevenbergMarquardt.defaultJacobianRowLimit, clustered: clustered)
    }

    /// As ``asymptoticUncertainty(level:clustered:)``; without the solver's Jacobian and above `rowLimit` runs, the
    /// SVD is that of the triangular factor of W^½J accumulated in blocks of rows (`BlockQR`), never
    /// the n × p matrix (the same singular values and vectors; the last bits may differ).
    func asymptoticUncertainty(level: Double, rowLimit: Int, clustered: Bool = true,
                               jackknifeLimit: Int = jackknifeGroupLimit) throws(ScalingLawsError) -> Uncertainty {
        try Self.validate(level: level)
        guard !trainingSet.isEmpty else {
            throw .unsupported("intervals need the runs the law was fitted to: fit from the CSV file (a saved fit or given parameters carry no data)")
        }
        return try asymptotic(law, level: level, rowLimit: rowLimit, clustered: clustered, jackknifeLimit: jackknifeLimit)
    }

    private func asymptotic<L: ScalingLaw>(_ law: L, level: Double, rowLimit: Int, clustered: Bool,
                                           jackknifeLimit: Int = jackknifeGroupLimit) throws(ScalingLawsError) -> Uncertainty {
        let layout = try ParameterLayout(law: law, constraints: layoutConstraints)
        let (inputs, y) = try law.trainingData(trainingSet, flopsPerParamToken: flopsPerParamToken, space: objective.space)
        let weights = try law.trainingWeights(trainingSet)
        let model = ResidualModel(law: law, layout: layout, inputs: inputs, y: y, space: objective.space, weights: weights)
        let u = layout.freeVector(parameters)
        let n = y.count, p = u.count
        var warnings = [String]()
        var covariance = Matrix(rows: p, columns: p)
        var nullSpace = [[Double]]()
        let r = residuals.count == n ? residuals : (model.residuals(parameters) ?? residuals)
        let clusters = clustered ? trainingSet.groupNumbers.map { (ids: $0.ids, count: $0.count) } : nil
        var clusteredBy: Int? = nil

        if p > 0 {
            // The solver's Jacobian at the optimum when the fit kept it; rebuilt otherwise (in blocks of rows
            // above `rowLimit` runs).
            let stored = jacobian.flatMap { $0.rows == n && $0.columns == p ? $0 : nil }
            let inBlocks = stored == nil && n > rowLimit
            var jac = Matrix(rows: 0, columns: p)
            if let stored { jac = stored } else if !inBlocks {
                jac = Matrix(rows: n, columns: p)
                model.leastSquaresProblem().jacobian(u, &jac)
            }
            let loss = objective.robustLoss
            let slopes = Self.psiPrimes(r, loss: loss)
            let meanSlope = slopes.reduce(0, +) / Double(n)
            let varSlope = slopes.reduce(0) { $0 + ($1 - meanSlope) * ($1 - meanSlope) } / Double(n)
            guard meanSlope > 0 else {
                throw .fitFailed(law: law.name, message: "the asymptotic covariance is undefined: no residual lies where the loss has curvature; use \(.bootstrap)")
            }
            let k = 1 + Double(p) / Double(n) * varSlope / (meanSlope * meanSlope)
            let dof = Double(max(n - p, 1))
            do {
                var bread = Matrix(rows: p, columns: p)
                var deficient = false
                // The SVD of W^½J (or of its triangular factor): singular values, Vᵀ, and those kept.
                var normal: (s: [Double], vt: Matrix, kept: [Int]) = ([], Matrix(rows: 0, columns: p), [])
                if inBlocks {
                    // R₁ of W^½J and R₂ of WJ by blocks: W^½J = Q₁R₁ with R₁ = U₁ S Vᵀ has the singular values
                    // and right vectors of W^½J, and UᵀWU = S⁻¹Vᵀ (JᵀW²J) V S⁻¹ = TᵀT with T = R₂ V S⁻¹.
                    let problem = model.leastSquaresProblem()
                    var r1 = BlockQR(columns: p), r2 = BlockQR(columns: p)
                    var block = Matrix(rows: 0, columns: p)
                    for lo in stride(from: 0, to: n, by: LevenbergMarquardt.blockRows) {
                        let rows = lo..<min(n, lo + LevenbergMarquardt.blockRows), m = rows.count
                        problem.jacobianRows!(u, rows, &block)
                        if let weights {
                            var half = block.storage, full = block.storage
                            for j in 0..<p {
                                for i in 0..<m {
                                    half[i + j * m] *= weights[lo + i].squareRoot()
                                    full[i + j * m] *= weights[lo + i]
                                }
                            }
                            try half.withUnsafeBufferPointer { b throws(LinearAlgebraError) in try r1.add(b.baseAddress!, rows: m) }
                            try full.withUnsafeBufferPointer { b throws(LinearAlgebraError) in try r2.add(b.baseAddress!, rows: m) }
                        } else {
                            try block.storage.withUnsafeBufferPointer { b throws(LinearAlgebraError) in try r1.add(b.baseAddress!, rows: m) }
                        }
                    }
                    let (_, s, vt) = try LeastSquares.svd(r1.matrix)
                    nullSpace = Self.unidentifiedDirections(s, vt, p)
                    let cutoff = (s.first ?? 0) * 1e-12
                    let kept = s.indices.filter { s[$0] > cutoff }
                    deficient = kept.count < s.count
                    normal = (s, vt, kept)
                    var middle = Matrix(rows: s.count, columns: s.count)
                    if weights != nil {
                        let r2 = r2.matrix
                        // Column a of T: R₂ vₐ / sₐ.
                        var t = Matrix(rows: p, columns: s.count)
                        for a in kept {
                            for k in 0..<p {
                                var v = 0.0
                                for j in 0..<p { v += r2[k, j] * vt[a, j] }
                                t[k, a] = v / s[a]
                            }
                        }
                        for a in kept {
                            for b in kept {
                                var v = 0.0
                                for k in 0..<p { v += t[k, a] * t[k, b] }
                                middle[a, b] = v / (s[a] * s[b])
                            }
                        }
                    } else {
                        for a in kept { middle[a, a] = 1 / (s[a] * s[a]) }
                    }
                    for i in 0..<p {
                        for j in 0..<p {
                            var v = 0.0
                            for a in kept { for b in kept { v += vt[a, i] * middle[a, b] * vt[b, j] } }
                            bread[i, j] = v
                        }
                    }
                } else if let weights {
                    // V S⁻¹ (UᵀWU) S⁻¹ Vᵀ from the SVD W^½J = U S Vᵀ.
                    var scaled = jac
                    for j in 0..<p { for i in 0..<n { scaled[i, j] *= weights[i].squareRoot() } }
                    let (uu, s, vt) = try LeastSquares.svd(scaled)
                    nullSpace = Self.unidentifiedDirections(s, vt, p)
                    let cutoff = (s.first ?? 0) * 1e-12
                    let kept = s.indices.filter { s[$0] > cutoff }
                    deficient = kept.count < s.count
                    normal = (s, vt, kept)
                    var middle = Matrix(rows: s.count, columns: s.count)
                    for a in kept {
                        for b in kept {
                            var v = 0.0
                            for i in 0..<n { v += uu[i, a] * weights[i] * uu[i, b] }
                            middle[a, b] = v / (s[a] * s[b])
                        }
                    }
                    for i in 0..<p {
                        for j in 0..<p {
                            var v = 0.0
                            for a in kept { for b in kept { v += vt[a, i] * middle[a, b] * vt[b, j] } }
                            bread[i, j] = v
                        }
                    }
                } else {
                    // (JᵀJ)⁻¹ = V S⁻² Vᵀ from the SVD J = U S Vᵀ.
                    let (_, s, vt) = try LeastSquares.svd(jac)
                    nullSpace = Self.unidentifiedDirections(s, vt, p)
                    let cutoff = (s.first ?? 0) * 1e-12
                    normal = (s, vt, s.indices.filter { s[$0] > cutoff })
                    for i in 0..<p {
                        for j in 0..<p {
                            var v = 0.0
                            for q in 0..<s.count {
                                if s[q] > cutoff { v += vt[q, i] * vt[q, j] / (s[q] * s[q]) } else { deficient = true }
                            }
                            bread[i, j] = v
                        }
                    }
                }
                if deficient && nullSpace.isEmpty {
                    warnings.append("the Jacobian is rank deficient: some parameter combinations are not determined by the data; their intervals are understated")
                }
                if let groups = clusters, groups.count > p {
                    covariance = try Self.clusteredCovariance(
                        groups: groups, p: p, residuals: r, loss: loss, weights: weights, meanSlope: meanSlope,
                        normal: normal, jacobian: inBlocks ? nil : jac, rows: model.leastSquaresProblem(), u: u,
                        jackknifeLimit: jackknifeLimit)
                    clusteredBy = groups.count
                } else {
                    if let groups = clusters {
                        warnings.append("\(groups.count) independent group\(groups.count == 1 ? "" : "s") of runs (a run's checkpoints, or rows sharing a group label) for \(p) free parameters: too few to measure how errors within a group are correlated, so these intervals take every row as independent and are too narrow; fit more runs than free parameters")
                    }
                    let psi2 = r.reduce(0) { $0 + loss.psi($1) * loss.psi($1) }
                    let factor = k * k * (psi2 / dof) / (meanSlope * meanSlope)
                    for i in 0..<p { for j in 0..<p { covariance[i, j] = factor * bread[i, j] } }
                }
            } catch {
                throw .fitFailed(law: law.name, message: "the covariance could not be computed (\(error.description))")
            }
        }
        if !nullSpace.isEmpty {
            let names = law.parameterNames
            let involved = layout.free.indices.filter { a in nullSpace.contains { abs($0[a]) > 0.1 } }.map { names[layout.free[$0]] }
            var why = ""
            let distinct = Set(trainingRuns.map { run in law.variables.map { run.completed(flopsPerParamToken: flopsPerParamToken).value(of: $0) ?? .nan } }).count
            if distinct < p {
                why = " (\(distinct) distinct run\(distinct == 1 ? "" : "s") for \(p) free parameters: add runs that differ)"
            } else if law.variables.contains(Variable.params), Set(trainingRuns.compactMap(\.params)).count == 1 {
                why = " (one distinct model size: add runs of other sizes, or hold parameters fixed)"
            }
            warnings.append("not identifiable: the data determine only combinations of \(involved.joined(separator: ", "))\(why); their standard errors and intervals, and those of forecasts that depend on them, are undefined")
        }
        if p > 0, n > p, r.allSatisfy({ abs($0) <= 1e-10 }) {
            // Every direction is then undetermined for the purpose of intervals: there is no noise to scale them.
            nullSpace = (0..<p).map { a in (0..<p).map { $0 == a ? 1.0 : 0.0 } }
            warnings.append("no scatter measured: the law passes through every run to rounding (exact or synthetic data), so the data say nothing about the noise and no interval can be given")
        }
        return makeUncertainty(method: .asymptotic, level: level, layout: layout,
                               engine: .asymptotic(covariance: covariance, layout: layout, u: u, nullSpace: nullSpace),
                               freeCovariance: covariance, warnings: warnings, residuals: r, replicates: 0, failed: 0, seed: nil,
                               clusters: clusteredBy)
    }

    /// Groups up to which ``clusteredCovariance(groups:p:residuals:loss:weights:meanSlope:normal:jacobian:rows:u:jackknifeLimit:)``
    /// takes the jackknife form (it keeps a p × p matrix a group); above, the CR1 form, which it then equals
    /// to within the groups' leverage (≤ p / 10,000).
    static let jackknifeGroupLimit = 10_000

    /// The covariance of the free variables clustered by group (see ``asymptoticUncertainty(level:clustered:)``).
    ///
    /// With H = ψ̄′·JᵀWJ, the scores s_g = Σ_{i∈g} wᵢψ(rᵢ)Jᵢ and H_g = ψ̄′·J_gᵀW_gJ_g of each group g,
    /// a one-step deletion estimate δ_g = (H − H_g)⁻¹ s_g is the change of û when group g is left out,
    /// and the covariance is their jackknife variance (G − 1)/G · Σ_g (δ_g − δ̄)(δ_g − δ̄)ᵀ: the CR3
    /// estimator (Bell & McCaffrey 2002; Cameron & Miller 2015, §VI.B), which unlike
    /// c·H⁻¹(Σ s_g s_gᵀ)H⁻¹ (CR1, c = G/(G − 1)·(n − 1)/(n − p)) accounts for a group that carries much of
    /// the information (the only runs of the largest model). Both work in the span of the kept singular
    /// vectors of W^½J; a group whose removal leaves H − H_g singular there keeps its CR1 term. Above
    /// ``jackknifeGroupLimit`` groups the CR1 form is used.
    static func clusteredCovariance(groups: (ids: [Int32], count: Int), p: Int, residuals r: [Double], loss: RobustLoss,
                                    weights: [Double]?, meanSlope: Double, normal: (s: [Double], vt: Matrix, kept: [Int]),
                                    jacobian: Matrix?, rows problem: LeastSquaresProblem, u: [Double],
                                    jackknifeLimit: Int = jackknifeGroupLimit) throws(LinearAlgebraError) -> Matrix {
        let n = r.count, count = groups.count
        let jackknife = count <= jackknifeLimit
        // Scores and, for the jackknife, JᵀWJ of each group, in the kept basis: column a of V is row a of Vᵀ.
        let kept = normal.kept, k = kept.count
        var scores = [Double](repeating: 0, count: count * k)
        var blocks = [Double](repeating: 0, count: jackknife ? count * k * k : 0)
        var projected = [Double](repeating: 0, count: k)
        func add(_ block: Matrix, from lo: Int) {
            for i in 0..<block.rows {
                let row = lo + i
                let w = weights?[row] ?? 1
                let score = w * loss.psi(r[row])
                let g = Int(groups.ids[row])
                for (a, q) in kept.enumerated() {
                    var v = 0.0
                    for j in 0..<p { v += block[i, j] * normal.vt[q, j] }
                    projected[a] = v
                }
                for a in 0..<k { scores[g * k + a] += score * projected[a] }
                if jackknife {
                    let base = g * k * k
                    for a in 0..<k { for b in 0...a { blocks[base + a * k + b] += w * projected[a] * projected[b] } }
                }
            }
        }
        if let jacobian {
            add(jacobian, from: 0)
        } else {
            var block = Matrix(rows: 0, columns: p)
            for lo in stride(from: 0, to: n, by: LevenbergMarquardt.blockRows) {
                problem.jacobianRows!(u, lo..<min(n, lo + LevenbergMarquardt.blockRows), &block)
                add(block, from: lo)
            }
        }
        guard scores.allSatisfy(\.isFinite), blocks.allSatisfy(\.isFinite) else {
            throw .nonFinite("the scores of a group of runs are not finite")
        }
        // δ_g in the kept basis; JᵀWJ is diag(s²) there.
        var deltas = [Double](repeating: 0, count: count * k)
        for g in 0..<count {
            let sg = Array(scores[(g * k)..<(g * k + k)])
            var solved: [Double]? = nil
            if jackknife {
                var m = [Double](repeating: 0, count: k * k)
                for a in 0..<k {
                    for b in 0...a {
                        let v = (a == b ? normal.s[kept[a]] * normal.s[kept[a]] : 0) - blocks[g * k * k + a * k + b]
                        m[a + b * k] = v
                        m[b + a * k] = v
                    }
                }
                solved = SmallSymmetricSystem.solve(m, sg)
            }
            let delta = solved ?? (0..<k).map { sg[$0] / (normal.s[kept[$0]] * normal.s[kept[$0]]) }
            for a in 0..<k { deltas[g * k + a] = delta[a] / meanSlope }
        }
        var inner = [Double](repeating: 0, count: k * k)
        if jackknife {
            var mean = [Double](repeating: 0, count: k)
            for g in 0..<count { for a in 0..<k { mean[a] += deltas[g * k + a] / Double(count) } }
            let factor = Double(count - 1) / Double(count)
            for g in 0..<count {
                for a in 0..<k {
                    let da = deltas[g * k + a] - mean[a]
                    for b in 0..<k { inner[a * k + b] += factor * da * (deltas[g * k + b] - mean[b]) }
                }
            }
        } else {
            let factor = Double(count) / Double(count - 1) * Double(n - 1) / Double(max(n - p, 1))
            for g in 0..<count {
                for a in 0..<k { for b in 0..<k { inner[a * k + b] += factor * deltas[g * k + a] * deltas[g * k + b] } }
            }
        }
        // Back to the free variables: V (inner) Vᵀ.
        var covariance = Matrix(rows: p, columns: p)
        for i in 0..<p {
            for j in 0..<p {
                var v = 0.0
                for a in 0..<k { for b in 0..<k { v += normal.vt[kept[a], i] * inner[a * k + b] * normal.vt[kept[b], j] } }
                covariance[i, j] = v
            }
        }
        return covariance
    }

    /// Directions of the free variables the data do not determine: the right singular vectors of the
    /// Jacobian whose singular values are below 1e-7 of the largest (or all, when it is 0).
    static func unidentifiedDirections(_ s: [Double], _ vt: Matrix, _ p: Int) -> [[Double]] {
        let top = s.first ?? 0
        var out = [[Double]]()
        for q in 0..<p where q >= s.count || s[q] <= 1e-7 * top {
            guard q < s.count else {
                // Fewer rows than variables: the rows of Vᵀ past the rank are not returned; fall back to all.
                return (0..<p).map { a in (0..<p).map { $0 == a ? 1.0 : 0.0 } }
            }
            out.append((0..<p).map { vt[q, $0] })
        }
        return out
    }

    /// ψ′(rᵢ), smoothed for Huber's loss (see ``asymptoticUncertainty(level:clustered:)``).
    ///
    /// O(n log n): the median of r is computed once, not once per residual.
    static func psiPrimes(_ r: [Double], loss: RobustLoss) -> [Double] {
        guard case .huber(let delta) = loss, r.count > 1 else { return r.map(loss.psiPrime) }
        let sd = Quantiles.standardDeviation(r)
        let mad = 1.4826 * Quantiles.medianAndAbsoluteDeviation(r).deviation
        let spread = min(sd, mad > 0 ? mad : sd)
        let h = 0.9 * spread * pow(Double(r.count), -0.2)
        guard h > 0, h.isFinite else { return r.map(loss.psiPrime) }
        // Smoothed indicator of |r| ≤ δ: P(|r + hZ| ≤ δ) for Z standard normal.
        return r.map { Quantiles.normalCDF((delta - $0) / h) - Quantiles.normalCDF((-delta - $0) / h) }
    }

    /// The scale of residuals `r` (``Uncertainty/residualScale``): √(RSS/(n − p)) under `mse` and the
    /// asymmetric loss, 1.4826 × their median absolute deviation under the robust losses.
    static func residualScale(_ r: [Double], loss: Objective.Loss, freeParameters p: Int) -> Double {
        switch loss {
        case .mse, .asymmetric:
            let dof = Double(max(r.count - p, 1))
            return (r.reduce(0) { $0 + $1 * $1 } / dof).squareRoot()
        default:
            return 1.4826 * Quantiles.medianAndAbsoluteDeviation(r).deviation
        }
    }

    /// Fixed values, ties and bounds of this fit, to rebuild its parameter layout.
    var layoutConstraints: ParameterConstraints {
        ParameterConstraints(fixed: fixedValues, ties: constraints.ties, bounds: constraints.bounds)
    }

    /// Values of the fixed parameters, by name.
    public var fixedValuesByName: [String: Double] { fixedValues }

    /// Values of the fixed parameters.
    var fixedValues: [String: Double] {
        Dictionary(uniqueKeysWithValues: law.parameterNames.enumerated().compactMap { j, name in
            fixed.contains(name) ? (name, parameters[j]) : nil
        })
    }

    static func validate(level: Double) throws(ScalingLawsError) {
        try Limits.checkLevel(level)
    }

    /// Assembles an ``Uncertainty`` from a covariance of the free variables u (used for standard errors,
    /// correlations and warnings; for the bootstrap it is the sample covariance of the replicates' u).
    func makeUncertainty(method: Uncertainty.Method, level: Double, layout: ParameterLayout, engine: Uncertainty.Engine,
                         freeCovariance c: Matrix, warnings: [String], residuals r: [Double], replicates: Int, failed: Int,
                         seed: UInt64?, clusters: Int? = nil) -> Uncertainty {
        var warnings = warnings
        let names = law.parameterNames
        let count = names.count
        var correlations = Matrix(rows: count, columns: count)
        // Solver-variable index of each non-fixed parameter (tied parameters share their leader's).
        var slot = [Int: Int]()
        for j in 0..<count where layout.fixedValues[j] == nil {
            slot[j] = layout.free.firstIndex(of: layout.leaderOf[j])
        }
        for (i, a) in slot {
            for (j, b) in slot {
                let d = (c[a, a] * c[b, b]).squareRoot()
                correlations[i, j] = d > 0 ? c[a, b] / d : (a == b ? 1 : 0)
            }
        }
        // A fit that is not identifiable says so once; its ridges are the same news.
        var undetermined = false
        if case let .asymptotic(_, _, _, nullSpace) = engine { undetermined = !nullSpace.isEmpty }
        for (a, i) in layout.free.enumerated() {
            for j in layout.free[(a + 1)...] where abs(correlations[i, j]) > 0.999 && !undetermined {
                warnings.append("\(names[i]) and \(names[j]) are correlated at \(String(format: "%.4f", correlations[i, j])): the data fix a ridge, not each parameter; predictions are better determined than these two")
            }
            if layout.lower[i].isFinite && parameters[i] - layout.lower[i] < 1e-8 * max(1, abs(layout.lower[i])) {
                warnings.append("\(names[i]) = \(parameters[i]) sits at its lower bound \(layout.lower[i]): the data push it there")
            }
            if layout.upper[i].isFinite && layout.upper[i] - parameters[i] < 1e-8 * max(1, abs(layout.upper[i])) {
                warnings.append("\(names[i]) = \(parameters[i]) sits at its upper bound \(layout.upper[i]): the data push it there")
            }
        }
        let partial = Uncertainty(method: method, level: level, fit: self, standardErrors: [], intervals: [],
                                  correlations: correlations, warnings: [], residualScale: 0, replicates: replicates,
                                  failedReplicates: failed, seed: seed, clusters: clusters, engine: engine)
        var standardErrors = [Double](repeating: 0, count: count)
        var intervals = parameters.map { Interval($0, $0) }
        for j in slot.keys {
            if let e = partial.estimate(positive: layout.positive[layout.leaderOf[j]], { $0[j] }) {
                standardErrors[j] = e.standardError
                intervals[j] = e.interval
                if method == .bootstrap && !e.interval.contains(parameters[j]) {
                    warnings.append("the bootstrap interval of \(names[j]) excludes its own estimate \(parameters[j]): the refits disagree with the fit (a skewed or multimodal objective); read it with care")
                }
            } else {
                standardErrors[j] = .nan
                intervals[j] = Interval(.nan, .nan)
            }
        }
        let scale = Self.residualScale(r, loss: objective.loss, freeParameters: layout.free.count)
        return Uncertainty(method: method, level: level, fit: self, standardErrors: standardErrors, intervals: intervals,
                           correlations: correlations, warnings: warnings, residualScale: scale, replicates: replicates,
                           failedReplicates: failed, seed: seed, clusters: clusters, engine: engine)
    }
}
