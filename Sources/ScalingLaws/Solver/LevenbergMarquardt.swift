import Foundation

/// Levenberg–Marquardt for robust nonlinear least squares, each step a small linear solve.
///
/// At iterate u with residuals r and Jacobian J, the robust loss is replaced by its iteratively
/// reweighted quadratic model with weights wᵢ = ρ′(rᵢ)/rᵢ (exact gradient Jᵀψ(r); for the losses of
/// ``RobustLoss`` the model majorises the true cost). With per-residual weights cᵢ
/// (``LeastSquaresProblem/weights``) the cost is Σ cᵢ·ρ(rᵢ), the gradient Σ cᵢψ(rᵢ)Jᵢ and the IRLS
/// weights cᵢ·ρ′(rᵢ)/rᵢ: the robust loss sees each residual at its own scale and the weight multiplies
/// its contribution (for Huber this differs from scaling residuals by √cᵢ). The step p minimises
///
///     ‖W^½ (J p + r)‖² + λ ‖D p‖²,
///
/// i.e. (JᵀWJ + λD²) p = −Jᵀψ. With ``LinearSolves/normalEquations`` (the default) JᵀWJ is formed once per
/// iterate and each damping is a p × p Cholesky solve in the scaled variables D p
/// (`SmallSymmetricSystem`); where that matrix's condition number exceeds 1e10, and always with
/// ``LinearSolves/lapack``, the step is the stacked least-squares problem [W^½ J; √λ D] p ≈ [−W^½ r; 0]
/// solved by QR (`dgels`; the damping rows give it full rank). Either way the gradient, the predicted
/// decrease and the acceptance test use J and r directly, so the optimum (where the gradient vanishes)
/// does not depend on how the steps were solved, only the path to it. D holds the running maximum of the column norms of W^½ J (Moré 1978, "The
/// Levenberg–Marquardt algorithm: implementation and theory"). The step is accepted when the true
/// cost falls; λ follows Nielsen's update (Madsen, Nielsen & Tingleff 2004, "Methods for non-linear
/// least squares problems", §3.2). When the actual decrease exceeds the predicted one by far (the
/// reweighted model overstates the curvature, as Huber's does for residuals far outside δ), the step is
/// extended to the minimiser of the 1-D quadratic fitted along it; this turns the slow linear
/// convergence of plain reweighting into a few iterations on the Chinchilla data (85 → 23).
///
/// **Blocks of rows.** For a problem with more than ``SolverOptions/jacobianRowLimit`` residuals that gives
/// ``LeastSquaresProblem/jacobianRows``, J is never held: JᵀWJ and the gradient are summed over blocks of
/// ``blockRows`` rows (in parallel, added in block order), the predicted decrease is pᵀ(JᵀWJ)p, D comes from
/// JᵀWJ's diagonal, and a QR step solves [R₁₁; √λ D] p ≈ [c; 0] with [R₁₁ c] from the triangular factor
/// of [W^½J | −W^½r] accumulated block by block. The memory is then a few vectors of n values.
public enum LevenbergMarquardt {
    /// Rows per block when the solver works in blocks (``SolverOptions/jacobianRowLimit``).
    public static let blockRows = 8_192
    /// The default ``SolverOptions/jacobianRowLimit``: up to this many residuals the solver holds the
    /// n × p Jacobian (a few megabytes), beyond it it works in blocks of rows.
    public static let defaultJacobianRowLimit = 65_536

    /// Minimises Σρ(r(u)) from `start`.
    public static func solve(
        _ problem: LeastSquaresProblem,
        from start: [Double],
        options: SolverOptions = SolverOptions()
    ) -> SolverResult {
        if problem.jacobianRows != nil && problem.residualCount > options.jacobianRowLimit {
            return solveInBlocks(problem, from: start, options: options)
        }
        let n = problem.residualCount
        let p = problem.parameterCount
        let loss = options.loss
        let weights = problem.weights
        @inline(__always) func c(_ i: Int) -> Double { weights?[i] ?? 1 }
        var u = start
        var r = [Double](repeating: 0, count: n)
        var jac = Matrix(rows: n, columns: p)
        var fevals = 1, jevals = 0
        // With `residualsKeeping`, each point's residuals come with what its Jacobian needs (`kept*`, swapped
        // along with the residuals), so an accepted point's Jacobian costs no second model evaluation.
        let keeping = problem.residualsKeeping != nil && problem.jacobianFromKept != nil
        var kept = Matrix(rows: 0, columns: 0), keptTrial = kept
        func evaluate(_ u: [Double], _ r: inout [Double], _ kept: inout Matrix) -> Bool {
            keeping ? problem.residualsKeeping!(u, &r, &kept) : problem.residuals(u, &r)
        }
        func jacobian(_ u: [Double], _ kept: Matrix, _ jac: inout Matrix) {
            if keeping { problem.jacobianFromKept!(u, kept, &jac) } else { problem.jacobian(u, &jac) }
        }

        guard evaluate(u, &r, &kept), r.allSatisfy({ $0.isFinite }) else {
            return SolverResult(
                parameters: u, residuals: r, jacobian: jac,
                summary: SolverSummary(termination: .invalidStart, iterations: 0, initialCost: .infinity,
                                       finalCost: .infinity, functionEvaluations: fevals,
                                       jacobianEvaluations: 0, gradientNorm: .nan))
        }
        var cost = loss.cost(r, weights: weights)
        let initialCost = cost
        if p == 0 {
            return SolverResult(
                parameters: u, residuals: r, jacobian: jac,
                summary: SolverSummary(termination: .nothingToFit, iterations: 0, initialCost: cost,
                                       finalCost: cost, functionEvaluations: fevals,
                                       jacobianEvaluations: 0, gradientNorm: 0))
        }

        var damping = Damping(options)
        var scale = [Double](repeating: 0, count: p)
        var gradient = [Double](repeating: 0, count: p)
        var sqrtW = [Double](repeating: 0, count: n)
        var cPsi = [Double](repeating: 0, count: n)  // cᵢψ(rᵢ)
        var weightedJacobian = [Double](repeating: 0, count: n * p)  // W^½ J
        var predictedChange = [Double](repeating: 0, count: n)  // W^½ J p
        var stacked = Matrix(rows: 0, columns: 0)  // allocated on the first LAPACK step
        var rhs = [Double]()
        let normalEquations = options.linearSolves == .normalEquations
        var gaussNewton = [Double](repeating: 0, count: p * p)  // JᵀWJ
        var damped = [Double](repeating: 0, count: p * p)
        var scaledGradient = [Double](repeating: 0, count: p)
        var rTrial = [Double](repeating: 0, count: n)
        var uTrial = u
        var iterations = 0
        var termination = Termination.maxIterations
        var needJacobian = true

        outer: while iterations < options.maxIterations {
            if cost == 0 { termination = .zeroCost; break }
            if needJacobian {
                jacobian(u, kept, &jac)
                jevals += 1
                needJacobian = false
            }
            // Weights, gradient and Moré scaling.
            irlsWeights(loss, weights, r, &sqrtW, &cPsi)
            var gmax = 0.0
            jac.storage.withUnsafeBufferPointer { jp in
                weightedJacobian.withUnsafeMutableBufferPointer { wj in
                    weightColumns(jp.baseAddress!, sqrtW, cPsi, n, p, wj.baseAddress!, &gradient, &scale)
                    for j in 0..<p {
                        gmax = max(gmax, abs(gradient[j]))
                        if scale[j] == 0 { scale[j] = 1 }
                    }
                    if normalEquations {
                        // JᵀWJ once per point; each damping below only changes its diagonal.
                        for a in 0..<p {
                            for b in a..<p {
                                let v = dot(wj.baseAddress! + a * n, wj.baseAddress! + b * n, n)
                                gaussNewton[a + b * p] = v
                                gaussNewton[b + a * p] = v
                            }
                        }
                    }
                }
            }
            if !gmax.isFinite { termination = .invalidStart; break }
            if gmax <= options.gradientTolerance { termination = .gradientTolerance; break }

            // Inner loop: raise the damping until a step lowers the cost.
            while true {
                iterations += 1
                // The step: (JᵀWJ + λD²) p = −JᵀWr, i.e. −g, in the scaled variables z = D p, whose matrix
                // D⁻¹JᵀWJD⁻¹ + λI is better conditioned; where it is still too ill-conditioned for the normal
                // equations, the stacked rectangular problem by QR.
                var solution: [Double]? = nil
                if normalEquations {
                    solution = damping.normalEquationsStep(gaussNewton, gradient, scale, &damped, &scaledGradient)
                }
                if solution == nil {
                    if stacked.rows == 0 {
                        stacked = Matrix(rows: n + p, columns: p)
                        rhs = [Double](repeating: 0, count: n + p)
                    }
                    for j in 0..<p {
                        let src = j * n, dst = j * (n + p)
                        for i in 0..<n { stacked.storage[dst + i] = weightedJacobian[src + i] }
                        for k in 0..<p { stacked.storage[dst + n + k] = 0 }
                        stacked.storage[dst + n + j] = damping.lambda.squareRoot() * scale[j]
                    }
                    for i in 0..<n { rhs[i] = -sqrtW[i] * r[i] }
                    for k in 0..<p { rhs[n + k] = 0 }
                    solution = try? LeastSquares.solveQR(stacked, rhs)
                }

                var accepted = false
                var step = [Double]()
                if let s = solution, s.allSatisfy({ $0.isFinite }) {
                    step = s
                    // Predicted decrease of the reweighted model: −(gᵀp + ½‖W^½ J p‖²).
                    var gp = 0.0, quad = 0.0
                    for j in 0..<p { gp += gradient[j] * s[j] }
                    // ‖W^½ J p‖², accumulated column by column.
                    for i in 0..<n { predictedChange[i] = 0 }
                    weightedJacobian.withUnsafeBufferPointer { wj in
                        predictedChange.withUnsafeMutableBufferPointer { v in
                            for j in 0..<p {
                                let column = wj.baseAddress! + j * n, sj = s[j]
                                for i in 0..<n { v[i] += column[i] * sj }
                            }
                        }
                    }
                    quad = predictedChange.withUnsafeBufferPointer { v in dot(v.baseAddress!, v.baseAddress!, n) }
                    let predicted = -(gp + 0.5 * quad)
                    for j in 0..<p { uTrial[j] = u[j] + s[j] }
                    fevals += 1
                    if predicted > 0, evaluate(uTrial, &rTrial, &keptTrial), allFinite(rTrial) {
                        let trialCost = loss.cost(rTrial, weights: weights)
                        let actual = cost - trialCost
                        let ratio = actual / predicted
                        if ratio > 1e-4 {
                            accepted = true
                            let previous = cost
                            var actualDecrease = actual
                            var newCost = trialCost
                            // The extended step t* along p (``Damping/extendedStep(ratio:)``), kept if better.
                            // It is evaluated into the current point's buffers, which the accepted step frees.
                            var longWins = false
                            if let t = Damping.extendedStep(ratio: ratio) {
                                var uLong = u
                                for j in 0..<p { uLong[j] = u[j] + t * s[j] }
                                fevals += 1
                                if evaluate(uLong, &r, &kept), allFinite(r) {
                                    let longCost = loss.cost(r, weights: weights)
                                    if longCost < trialCost {
                                        longWins = true
                                        swap(&uTrial, &uLong)
                                        actualDecrease = cost - longCost
                                        newCost = longCost
                                        for j in 0..<p { step[j] = t * s[j] }
                                    }
                                }
                            }
                            swap(&u, &uTrial)
                            if !longWins {
                                swap(&r, &rTrial)
                                swap(&kept, &keptTrial)
                            }
                            cost = newCost
                            needJacobian = true
                            if let stop = damping.accept(ratio: ratio, step: step, at: u, decrease: actualDecrease,
                                                         previousCost: previous, options: options) {
                                termination = stop
                                break outer
                            }
                        }
                    }
                }
                if accepted { break }
                if let stop = damping.reject() {
                    termination = stop
                    break outer
                }
                if iterations >= options.maxIterations { break outer }
            }
        }

        if needJacobian {
            jacobian(u, kept, &jac)
            jevals += 1
        }
        var gmax = 0.0
        for j in 0..<p {
            var g = 0.0
            for i in 0..<n { g += c(i) * loss.psi(r[i]) * jac.storage[j * n + i] }
            gmax = max(gmax, abs(g))
        }
        return SolverResult(
            parameters: u, residuals: r, jacobian: jac,
            summary: SolverSummary(termination: termination, iterations: iterations, initialCost: initialCost,
                                   finalCost: cost, functionEvaluations: fevals, jacobianEvaluations: jevals,
                                   gradientNorm: gmax))
    }

    /// ``solve(_:from:options:)`` in blocks of rows, for a problem with more than
    /// ``SolverOptions/jacobianRowLimit`` residuals that gives ``LeastSquaresProblem/jacobianRows``: the same
    /// iteration (IRLS weights, Moré scaling, Nielsen's damping, the extended step), with JᵀWJ and the
    /// gradient summed over blocks (`blockedPass`), the predicted decrease pᵀ(JᵀWJ)p, and QR steps on the
    /// block-accumulated factor of [W^½J | −W^½r] (`blockedFactor`). No n × p matrix is held; the result's
    /// Jacobian is empty (0 × p). (A function of its own: merged into `solve`, its branches made the
    /// whole-matrix loop slower to compile well.)
    private static func solveInBlocks(_ problem: LeastSquaresProblem, from start: [Double], options: SolverOptions) -> SolverResult {
        let n = problem.residualCount
        let p = problem.parameterCount
        let loss = options.loss
        let weights = problem.weights
        let empty = Matrix(rows: 0, columns: p)
        var u = start
        var r = [Double](repeating: 0, count: n)
        var fevals = 1, jevals = 0
        guard problem.residuals(u, &r), allFinite(r) else {
            return SolverResult(
                parameters: u, residuals: r, jacobian: empty,
                summary: SolverSummary(termination: .invalidStart, iterations: 0, initialCost: .infinity,
                                       finalCost: .infinity, functionEvaluations: fevals,
                                       jacobianEvaluations: 0, gradientNorm: .nan))
        }
        var cost = loss.cost(r, weights: weights)
        let initialCost = cost
        if p == 0 {
            return SolverResult(
                parameters: u, residuals: r, jacobian: empty,
                summary: SolverSummary(termination: .nothingToFit, iterations: 0, initialCost: cost,
                                       finalCost: cost, functionEvaluations: fevals,
                                       jacobianEvaluations: 0, gradientNorm: 0))
        }

        var damping = Damping(options)
        var scale = [Double](repeating: 0, count: p)
        var gradient = [Double](repeating: 0, count: p)
        var gaussNewton = [Double](repeating: 0, count: p * p)  // JᵀWJ
        var damped = [Double](repeating: 0, count: p * p)
        var scaledGradient = [Double](repeating: 0, count: p)
        let normalEquations = options.linearSolves == .normalEquations
        var factor: [Double]? = nil  // R of [W^½J | −W^½r] ((p+1) × (p+1)) at u, made on demand
        var factorTried = false
        var rTrial = [Double](repeating: 0, count: n)
        var uTrial = u
        var iterations = 0
        var termination = Termination.maxIterations
        var needJacobian = true

        outer: while iterations < options.maxIterations {
            if cost == 0 { termination = .zeroCost; break }
            if needJacobian {
                blockedPass(problem, u, r, loss, &gradient, &gaussNewton)
                jevals += 1
                needJacobian = false
                factor = nil
                factorTried = false
            }
            // Moré's scale from JᵀWJ's diagonal: the squared column norms of W^½J.
            var gmax = 0.0
            for j in 0..<p {
                scale[j] = max(scale[j], gaussNewton[j + j * p].squareRoot())
                gmax = max(gmax, abs(gradient[j]))
                if scale[j] == 0 { scale[j] = 1 }
            }
            if !gmax.isFinite { termination = .invalidStart; break }
            if gmax <= options.gradientTolerance { termination = .gradientTolerance; break }

            while true {
                iterations += 1
                var solution: [Double]? = nil
                if normalEquations {
                    solution = damping.normalEquationsStep(gaussNewton, gradient, scale, &damped, &scaledGradient)
                }
                if solution == nil {
                    // [R₁₁; √λ D] p ≈ [c; 0] with [R₁₁ c] the top rows of R of [W^½J | −W^½r]: the stacked
                    // least-squares problem of `solve`, in 2p rows.
                    if !factorTried {
                        factor = try? blockedFactor(problem, u, r, loss)
                        factorTried = true
                        jevals += 1
                    }
                    if let f = factor {
                        let q = p + 1
                        var small = Matrix(rows: 2 * p, columns: p)
                        var b = [Double](repeating: 0, count: 2 * p)
                        for j in 0..<p {
                            for i in 0...j { small[i, j] = f[i + j * q] }
                            small[p + j, j] = damping.lambda.squareRoot() * scale[j]
                            b[j] = f[j + p * q]
                        }
                        solution = try? LeastSquares.solveQR(small, b)
                    }
                }

                var accepted = false
                if let s = solution, s.allSatisfy({ $0.isFinite }) {
                    var step = s
                    // Predicted decrease of the reweighted model: −(gᵀp + ½ pᵀ(JᵀWJ)p).
                    var gp = 0.0, quad = 0.0
                    for j in 0..<p { gp += gradient[j] * s[j] }
                    for a in 0..<p {
                        var row = 0.0
                        for b in 0..<p { row += gaussNewton[a + b * p] * s[b] }
                        quad += s[a] * row
                    }
                    let predicted = -(gp + 0.5 * quad)
                    for j in 0..<p { uTrial[j] = u[j] + s[j] }
                    fevals += 1
                    if predicted > 0, problem.residuals(uTrial, &rTrial), allFinite(rTrial) {
                        let trialCost = loss.cost(rTrial, weights: weights)
                        let actual = cost - trialCost
                        let ratio = actual / predicted
                        if ratio > 1e-4 {
                            accepted = true
                            let previous = cost
                            var actualDecrease = actual
                            var newCost = trialCost
                            // The extended step of `solve`, into the current point's residuals as there.
                            var longWins = false
                            if let t = Damping.extendedStep(ratio: ratio) {
                                var uLong = u
                                for j in 0..<p { uLong[j] = u[j] + t * s[j] }
                                fevals += 1
                                if problem.residuals(uLong, &r), allFinite(r) {
                                    let longCost = loss.cost(r, weights: weights)
                                    if longCost < trialCost {
                                        longWins = true
                                        swap(&uTrial, &uLong)
                                        actualDecrease = cost - longCost
                                        newCost = longCost
                                        for j in 0..<p { step[j] = t * s[j] }
                                    }
                                }
                            }
                            swap(&u, &uTrial)
                            if !longWins { swap(&r, &rTrial) }
                            cost = newCost
                            needJacobian = true
                            if let stop = damping.accept(ratio: ratio, step: step, at: u, decrease: actualDecrease,
                                                         previousCost: previous, options: options) {
                                termination = stop
                                break outer
                            }
                        }
                    }
                }
                if accepted { break }
                if let stop = damping.reject() {
                    termination = stop
                    break outer
                }
                if iterations >= options.maxIterations { break outer }
            }
        }

        // The gradient at the solution (the last pass's when u has not moved since).
        if needJacobian {
            blockedPass(problem, u, r, loss, &gradient, &gaussNewton)
            jevals += 1
        }
        var gmax = 0.0
        for j in 0..<p { gmax = max(gmax, abs(gradient[j])) }
        return SolverResult(
            parameters: u, residuals: r, jacobian: empty,
            summary: SolverSummary(termination: termination, iterations: iterations, initialCost: initialCost,
                                   finalCost: cost, functionEvaluations: fevals, jacobianEvaluations: jevals,
                                   gradientNorm: gmax))
    }

    /// sqrtW[i] = √(cᵢ·w(rᵢ)) and cPsi[i] = cᵢ·ψ(rᵢ) (cᵢ = 1 without weights), with Huber's formulas
    /// unswitched out of the loop; the same operations as ``RobustLoss/weight(_:)`` and ``RobustLoss/psi(_:)``.
    private static func irlsWeights(_ loss: RobustLoss, _ weights: [Double]?, _ r: [Double],
                                    _ sqrtW: inout [Double], _ cPsi: inout [Double]) {
        let n = r.count
        r.withUnsafeBufferPointer { r in
            sqrtW.withUnsafeMutableBufferPointer { sw in
                cPsi.withUnsafeMutableBufferPointer { cp in
                    if let weights {
                        weights.withUnsafeBufferPointer { c in
                            for i in 0..<n {
                                sw[i] = (c[i] * loss.weight(r[i])).squareRoot()
                                cp[i] = c[i] * loss.psi(r[i])
                            }
                        }
                    } else if case .huber(let d) = loss {
                        for i in 0..<n {
                            let ri = r[i], a = abs(ri)
                            sw[i] = (a <= d ? 1 : d / a).squareRoot()
                            cp[i] = a <= d ? ri : (ri > 0 ? d : -d)
                        }
                    } else {
                        for i in 0..<n {
                            sw[i] = loss.weight(r[i]).squareRoot()
                            cp[i] = loss.psi(r[i])
                        }
                    }
                }
            }
        }
    }

    /// As above for the residuals `rows` of `r` (a block of the blocked solver), into 0..<rows.count of the outputs.
    private static func irlsWeights(_ loss: RobustLoss, _ weights: [Double]?, _ r: [Double], rows: Range<Int>,
                                    _ sqrtW: inout [Double], _ cPsi: inout [Double]) {
        let n = rows.count
        r.withUnsafeBufferPointer { whole in
            let r = UnsafeBufferPointer(rebasing: whole[rows])
            sqrtW.withUnsafeMutableBufferPointer { sw in
                cPsi.withUnsafeMutableBufferPointer { cp in
                    if let weights {
                        weights.withUnsafeBufferPointer { all in
                            let c = UnsafeBufferPointer(rebasing: all[rows])
                            for i in 0..<n {
                                sw[i] = (c[i] * loss.weight(r[i])).squareRoot()
                                cp[i] = c[i] * loss.psi(r[i])
                            }
                        }
                    } else if case .huber(let d) = loss {
                        for i in 0..<n {
                            let ri = r[i], a = abs(ri)
                            sw[i] = (a <= d ? 1 : d / a).squareRoot()
                            cp[i] = a <= d ? ri : (ri > 0 ? d : -d)
                        }
                    } else {
                        for i in 0..<n {
                            sw[i] = loss.weight(r[i]).squareRoot()
                            cp[i] = loss.psi(r[i])
                        }
                    }
                }
            }
        }
    }

    /// For each column j of J (n × p at `jac`): W^½J into `wj`, the gradient Σᵢ cPsiᵢ·Jᵢⱼ, and the running
    /// maximum of ‖(W^½J)ⱼ‖ in `scale`. Columns are taken four at a time, each summed over i in order
    /// (the same bits as one column at a time), so that the sums' latencies overlap.
    private static func weightColumns(_ jac: UnsafePointer<Double>, _ sqrtW: [Double], _ cPsi: [Double], _ n: Int, _ p: Int,
                                      _ wj: UnsafeMutablePointer<Double>, _ gradient: inout [Double], _ scale: inout [Double]) {
        sqrtW.withUnsafeBufferPointer { sw in
            cPsi.withUnsafeBufferPointer { cp in
                var j = 0
                while j + 4 <= p {
                    let j0 = jac + j * n, j1 = j0 + n, j2 = j1 + n, j3 = j2 + n
                    let w0 = wj + j * n, w1 = w0 + n, w2 = w1 + n, w3 = w2 + n
                    var g0 = 0.0, g1 = 0.0, g2 = 0.0, g3 = 0.0
                    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                    for i in 0..<n {
                        let c = cp[i], w = sw[i]
                        let a0 = j0[i], a1 = j1[i], a2 = j2[i], a3 = j3[i]
                        g0 += c * a0; g1 += c * a1; g2 += c * a2; g3 += c * a3
                        let v0 = w * a0, v1 = w * a1, v2 = w * a2, v3 = w * a3
                        w0[i] = v0; w1[i] = v1; w2[i] = v2; w3[i] = v3
                        s0 += v0 * v0; s1 += v1 * v1; s2 += v2 * v2; s3 += v3 * v3
                    }
                    gradient[j] = g0; gradient[j + 1] = g1; gradient[j + 2] = g2; gradient[j + 3] = g3
                    scale[j] = max(scale[j], s0.squareRoot()); scale[j + 1] = max(scale[j + 1], s1.squareRoot())
                    scale[j + 2] = max(scale[j + 2], s2.squareRoot()); scale[j + 3] = max(scale[j + 3], s3.squareRoot())
                    j += 4
                }
                while j < p {
                    let column = jac + j * n, out = wj + j * n
                    var g = 0.0, norm2 = 0.0
                    for i in 0..<n {
                        let a = column[i]
                        g += cp[i] * a
                        let v = sw[i] * a
                        out[i] = v
                        norm2 += v * v
                    }
                    gradient[j] = g
                    scale[j] = max(scale[j], norm2.squareRoot())
                    j += 1
                }
            }
        }
    }

    /// Blocks of ``blockRows`` rows covering n residuals.
    private static func blocks(_ n: Int) -> [Range<Int>] {
        stride(from: 0, to: n, by: blockRows).map { $0..<min(n, $0 + blockRows) }
    }

    /// The gradient Σ cᵢψ(rᵢ)Jᵢ and JᵀWJ (p × p, both triangles) at `u`, whose residuals are `r`, from the
    /// problem's Jacobian one block of rows at a time. Blocks are evaluated in parallel and their sums
    /// added in block order, so the result does not depend on the scheduling.
    private static func blockedPass(_ problem: LeastSquaresProblem, _ u: [Double], _ r: [Double], _ loss: RobustLoss,
                                    _ gradient: inout [Double], _ gram: inout [Double]) {
        let p = problem.parameterCount
        let parts = parallelMap(blocks(problem.residualCount).count) { b -> [Double] in
            let rows = b * blockRows..<min(problem.residualCount, (b + 1) * blockRows)
            let m = rows.count
            var jb = Matrix(rows: m, columns: p)
            problem.jacobianRows!(u, rows, &jb)
            var sw = [Double](repeating: 0, count: m), cp = [Double](repeating: 0, count: m)
            irlsWeights(loss, problem.weights, r, rows: rows, &sw, &cp)
            var wj = [Double](repeating: 0, count: m * p)
            var part = [Double](repeating: 0, count: p + p * p)
            var g = [Double](repeating: 0, count: p), norms = [Double](repeating: 0, count: p)
            jb.storage.withUnsafeBufferPointer { jp in
                wj.withUnsafeMutableBufferPointer { w in
                    weightColumns(jp.baseAddress!, sw, cp, m, p, w.baseAddress!, &g, &norms)
                    for a in 0..<p {
                        part[a] = g[a]
                        for c in a..<p { part[p + a + c * p] = dot(w.baseAddress! + a * m, w.baseAddress! + c * m, m) }
                    }
                }
            }
            return part
        }
        for j in 0..<p { gradient[j] = 0 }
        for k in 0..<(p * p) { gram[k] = 0 }
        for part in parts {
            for j in 0..<p { gradient[j] += part[j] }
            for a in 0..<p { for c in a..<p { gram[a + c * p] += part[p + a + c * p] } }
        }
        for a in 0..<p { for c in 0..<a { gram[a + c * p] = gram[c + a * p] } }
    }

    /// R ((p+1) × (p+1), column-major) of the QR factorisation of [W^½J | −W^½r] at `u`, made block by
    /// block (``BlockQR``): each block's own R in parallel, then those stacked in block order.
    private static func blockedFactor(_ problem: LeastSquaresProblem, _ u: [Double], _ r: [Double],
                                      _ loss: RobustLoss) throws(LinearAlgebraError) -> [Double] {
        let p = problem.parameterCount, q = p + 1
        let parts = parallelMap(blocks(problem.residualCount).count) { b -> Result<[Double], LinearAlgebraError> in
            let rows = b * blockRows..<min(problem.residualCount, (b + 1) * blockRows)
            let m = rows.count
            var jb = Matrix(rows: m, columns: p)
            problem.jacobianRows!(u, rows, &jb)
            var sw = [Double](repeating: 0, count: m), cp = [Double](repeating: 0, count: m)
            irlsWeights(loss, problem.weights, r, rows: rows, &sw, &cp)
            var block = [Double](repeating: 0, count: m * q)
            for j in 0..<p { for i in 0..<m { block[i + j * m] = sw[i] * jb.storage[i + j * m] } }
            for i in 0..<m { block[i + p * m] = -sw[i] * r[rows.lowerBound + i] }
            var qr = BlockQR(columns: q)
            do throws(LinearAlgebraError) {
                try block.withUnsafeBufferPointer { bp throws(LinearAlgebraError) in try qr.add(bp.baseAddress!, rows: m) }
            } catch {
                return .failure(error)
            }
            return .success(qr.r)
        }
        var total = BlockQR(columns: q)
        for part in parts {
            let rb = try part.get()
            try rb.withUnsafeBufferPointer { bp throws(LinearAlgebraError) in try total.add(bp.baseAddress!, rows: q) }
        }
        return total.r
    }

    private static func allFinite(_ v: [Double]) -> Bool {
        v.withUnsafeBufferPointer { b in
            var ok = true
            for x in b where !x.isFinite { ok = false; break }
            return ok
        }
    }
}
