import Foundation

/// Residuals of a law against data in the chosen space, as a solver problem.
///
/// In log space rᵢ = ln yᵢ − ln f(xᵢ; θ), in linear space rᵢ = yᵢ − f(xᵢ; θ). The model is undefined (nil, or
/// `false` from the solver's residual function) where a prediction is non-finite, or non-positive in log
/// space. ln y is computed once, when the model is made.
///
/// The law is held as an existential rather than a generic parameter: the fit reaches the model through
/// `any ScalingLaw`, and an unspecialised generic struct would look up its own type metadata on every
/// residual evaluation.
struct ResidualModel: Sendable {
    let law: any ScalingLaw
    private(set) var layout: ParameterLayout
    let inputs: Inputs
    let y: [Double]
    let space: Objective.Space
    /// Per-run weights of the objective (nil: all 1).
    let weights: [Double]?
    /// ln yᵢ in log space (empty in linear space).
    let logY: [Double]

    init(law: any ScalingLaw, layout: ParameterLayout, inputs: Inputs, y: [Double], space: Objective.Space,
         weights: [Double]? = nil) {
        self.law = law
        self.layout = layout
        self.inputs = inputs
        self.y = y
        self.space = space
        self.weights = weights
        self.logY = space == .log ? y.map { log($0) } : []
    }

    /// The same model (law, data, weights) with its free parameters mapped by `layout`.
    func with(layout: ParameterLayout) -> ResidualModel {
        var model = self
        model.layout = layout
        return model
    }

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

    /// Writes the residuals for predictions `f` into `r`; false where the model is undefined.
    func fill(_ f: [Double], into r: inout [Double]) -> Bool {
        switch space {
        case .log:
            for i in 0..<y.count {
                guard f[i] > 0, f[i].isFinite else { return false }
                r[i] = logY[i] - log(f[i])
            }
        case .linear:
            for i in 0..<y.count {
                guard f[i].isFinite else { return false }
                r[i] = y[i] - f[i]
            }
        }
        return true
    }

    /// Turns predictions in `r` into residuals, in place; false where the model is undefined.
    func fillInPlace(_ r: inout [Double]) -> Bool {
        r.withUnsafeMutableBufferPointer { r in
            switch space {
            case .log:
                for i in 0..<y.count {
                    let f = r[i]
                    guard f > 0, f.isFinite else { return false }
                    r[i] = logY[i] - log(f)
                }
            case .linear:
                for i in 0..<y.count {
                    let f = r[i]
                    guard f.isFinite else { return false }
                    r[i] = y[i] - f
                }
            }
            return true
        }
    }

    /// Σ wᵢ·ρ(rᵢ) for predictions `f` (Σ ρ(rᵢ) without weights), or nil where the model is undefined.
    /// Adds in the same order as ``RobustLoss/cost(_:weights:)`` on ``residuals(prediction:)``, so the two
    /// agree to the bit; it just allocates no residual vector.
    func cost(prediction f: UnsafeBufferPointer<Double>, loss: RobustLoss) -> Double? {
        var s = 0.0
        for i in 0..<y.count {
            let fi = f[i]
            let r: Double
            switch space {
            case .log:
                guard fi > 0, fi.isFinite else { return nil }
                r = logY[i] - log(fi)
            case .linear:
                guard fi.isFinite else { return nil }
                r = y[i] - fi
            }
            if let weights { s += weights[i] * loss.rho(r) } else { s += loss.rho(r) }
        }
        return s
    }

    /// The residuals as a problem in the solver's free variables u (see ``ParameterLayout``): r(θ(u)) and
    /// ∂r/∂u by the chain rule through the law's Jacobian, tie groups and the bounds' change of variables.
    ///
    /// For a law whose ``ScalingLaw/basisStructure`` declares no offset, f = Σₖ θ_{linear[k]}·∂f/∂θ_{linear[k]},
    /// so the Jacobian's f (needed for ∂ ln f) comes from the law's Jacobian instead of a second evaluation.
    /// For a law that ``ScalingLaw/evaluatesJacobianWithValue``, every residual evaluation also keeps the
    /// law's Jacobian and f (``LeastSquaresProblem/residualsKeeping``), and the solver's Jacobian at a point
    /// it accepts is formed from them without evaluating the law again.
    func leastSquaresProblem() -> LeastSquaresProblem {
        let model = self
        let n = y.count
        let params = law.parameters.count
        let groups = layout.free.map { layout.members($0) }
        let linear = law.basisStructure?.hasOffset == false ? law.parameters.enumerated().filter { $0.element.isLinear }.map(\.offset) : nil
        let residuals: @Sendable ([Double], inout [Double]) -> Bool = { u, r in
            // The predictions go straight into r, then become residuals in place.
            let theta = model.layout.fullVector(free: u)
            model.law.evaluate(theta, model.inputs, into: &r)
            return model.fillInPlace(&r)
        }
        // ∂r/∂u from the law's Jacobian jf (column j at offset j·n) and the predictions f, for n rows.
        @Sendable func chain(_ u: [Double], _ jp: UnsafePointer<Double>, _ f: UnsafePointer<Double>, _ jac: inout Matrix, rows n: Int = n) {
            let log = model.space == .log
            jac.storage.withUnsafeMutableBufferPointer { out in
                for (k, j) in model.layout.free.enumerated() {
                    let chain = model.layout.slope(u[k], j)
                    let group = groups[k]
                    let column = out.baseAddress! + k * n
                    if group.count == 1 {
                        let df = jp + group[0] * n
                        if log {
                            for i in 0..<n { column[i] = -(df[i] * chain) / f[i] }
                        } else {
                            for i in 0..<n { column[i] = -(df[i] * chain) }
                        }
                        continue
                    }
                    for i in 0..<n {
                        var d = 0.0
                        for m in group { d += jp[i + m * n] }
                        d *= chain
                        column[i] = log ? -d / f[i] : -d
                    }
                }
            }
        }
        // ∂r/∂u at the points `inputs` (n rows), into `jac` (n × free).
        @Sendable func jacobian(_ u: [Double], _ inputs: Inputs, _ jac: inout Matrix) {
            let n = inputs.count
            let theta = model.layout.fullVector(free: u)
            var jf = Matrix(rows: n, columns: params)
            model.law.jacobian(theta, inputs, into: &jf)
            var f = [Double](repeating: 0, count: n)
            if let linear {
                for j in linear {
                    let c = theta[j], base = j * n
                    for i in 0..<n { f[i] += c * jf.storage[base + i] }
                }
            } else {
                model.law.evaluate(theta, inputs, into: &f)
            }
            jf.storage.withUnsafeBufferPointer { jp in
                f.withUnsafeBufferPointer { fp in chain(u, jp.baseAddress!, fp.baseAddress!, &jac, rows: n) }
            }
        }
        let wholeJacobian: @Sendable ([Double], inout Matrix) -> Void = { u, jac in jacobian(u, model.inputs, &jac) }
        // A block of rows: the law evaluated on those points only (each row's derivatives are those of the
        // whole, bit for bit), so the solver never needs the n × p matrix.
        let jacobianRows: @Sendable ([Double], Range<Int>, inout Matrix) -> Void = { u, rows, jac in
            if jac.rows != rows.count || jac.columns != model.layout.free.count {
                jac = Matrix(rows: rows.count, columns: model.layout.free.count)
            }
            jacobian(u, model.inputs.rows(rows), &jac)
        }
        guard law.evaluatesJacobianWithValue else {
            return LeastSquaresProblem(residualCount: n, parameterCount: layout.free.count, weights: weights,
                                       residuals: residuals, jacobian: wholeJacobian, jacobianRows: jacobianRows)
        }
        // Kept: the law's Jacobian in columns 0..<params, f in column params.
        return LeastSquaresProblem(
            residualCount: n, parameterCount: layout.free.count, weights: weights,
            residuals: residuals, jacobian: wholeJacobian,
            residualsKeeping: { u, r, kept in
                let theta = model.layout.fullVector(free: u)
                if kept.rows != n || kept.columns != params + 1 { kept = Matrix(rows: n, columns: params + 1) }
                model.law.evaluate(theta, model.inputs, into: &r, jacobian: &kept)
                kept.storage.withUnsafeMutableBufferPointer { k in
                    let f = k.baseAddress! + params * n
                    for i in 0..<n { f[i] = r[i] }
                }
                return model.fillInPlace(&r)
            },
            jacobianFromKept: { u, kept, jac in
                kept.storage.withUnsafeBufferPointer { k in
                    chain(u, k.baseAddress!, k.baseAddress! + params * n, &jac)
                }
            },
            jacobianRows: jacobianRows)
    }
}
