import Foundation

/// The multi-power law of a loss curve under a learning-rate schedule (Luo et al. 2025, "A Multi-Power
/// Law for Loss Curve Prediction Across Learning Rate Schedules", arXiv:2503.12811):
///
///     L(t) = L0 + A·S1(t)^(−α) − LD(t)
///     LD(t) = B · Σ_{k=1..t} (η_{k−1} − η_k) · (1 − (C·η_k^(−γ)·S_k(t) + 1)^(−β))
///
/// with η_τ the learning rate at step τ, S1(t) = Σ_{τ≤t} η_τ the learning-rate area (warmup included)
/// and S_k(t) = Σ_{τ=k..t} η_τ. L0, A and B enter linearly (variable projection); α, C, β, γ are swept
/// by the start search. The law reads each point's schedule and step (``ScheduleAwareLaw``).
///
/// **Evaluation.** The sum over k is quadratic in the steps if done naively. The schedule is linear
/// between its breakpoints, so η_{k−1} − η_k is constant on each piece and only decaying or warming
/// pieces contribute. On a piece, the steps within 16 of t are summed exactly; the rest is cut into
/// panels whose length never exceeds their distance from t (geometric grading toward t, where the
/// summand varies fastest) nor from the step where the piece's rate would reach 0 (η^−γ is singular
/// there: the start of a warmup from 0, the end of a decay to 0), and each panel's sum is its Gauss–Legendre integral plus the Euler–Maclaurin
/// end corrections (trapezoid and first-derivative terms). The summand is analytic on each panel with its nearest
/// singularity beyond t, so 3–8 nodes reach ~1e-10 relative (panels far from t and from the rate's
/// zero use the midpoint form Σ f(k) ≈ ∫ f over the panel widened by half a step, with 2 to 4 nodes
/// as the panel is 64, 16 or 4 times farther from both than it is long). The cost per point is O(pieces + log t),
/// independent of the number of steps. Derivatives in C, β, γ are analytic and accumulated alongside.
public struct MultiPowerLaw: ScheduleAwareLaw {
    public var schedules: [LearningRateSchedule]
    /// Quadrature nodes of prepared points (``prepared(for:)``).
    private var cache: NodeCache? = nil

    /// The multi-power law, evaluating points against `schedules` (attach them with ``bound(to:)``).
    public init(schedules: [LearningRateSchedule] = []) { self.schedules = schedules }

    public func bound(to schedules: [LearningRateSchedule]) -> MultiPowerLaw { MultiPowerLaw(schedules: schedules) }

    /// This law with the loss-drop quadrature nodes of `inputs`' points precomputed. The nodes (the
    /// weights (η_{k−1} − η_k)·w, ln η_k and S_k(t)) depend on the schedule only, not on the parameters,
    /// so a fit computes them once and each evaluation costs three transcendental functions per node.
    public func prepared(for inputs: Inputs) -> MultiPowerLaw {
        var tables = [NodeKey: NodeTable]()
        for i in 0..<inputs.count {
            guard let (s, step) = inputs.schedulePoint(i, count: schedules.count), schedules[s].covers(step) else { continue }
            let key = NodeKey(schedule: s, step: step)
            if tables[key] == nil { tables[key] = Self.nodes(schedules[s], at: step) }
        }
        var law = self
        law.cache = NodeCache(tables: tables)
        return law
    }

    /// The nodes of point (s, step): from the cache, else computed.
    @inline(__always) private func table(_ s: Int, _ step: Double) -> NodeTable {
        cache?.tables[NodeKey(schedule: s, step: step)] ?? Self.nodes(schedules[s], at: step)
    }

    public var name: String { "multi-power" }
    public var formula: String {
        "L(t) = L0 + A*S1(t)^-alpha - B*sum_k (eta_{k-1} - eta_k)*(1 - (C*eta_k^-gamma*S_k(t) + 1)^-beta)"
    }
    public var variables: [String] { [ScheduleVariable.schedule, ScheduleVariable.step] }
    public var parameters: [LawParameter] {
        [
            LawParameter("L0", positive: true, linear: true, summary: "loss the constant-rate curve tends to"),
            LawParameter("A", positive: true, linear: true, summary: "scale of the power law in the learning-rate area S1"),
            LawParameter("alpha", positive: true, linear: false, summary: "exponent of the learning-rate area S1"),
            LawParameter("B", positive: true, linear: true, summary: "scale of the loss drop from learning-rate decay"),
            LawParameter("C", positive: true, linear: false, summary: "rate at which a decay's loss drop saturates"),
            LawParameter("beta", positive: true, linear: false, summary: "exponent of the loss-drop saturation"),
            LawParameter("gamma", positive: true, linear: false, summary: "how the drop's pace depends on the learning rate, eta^-gamma"),
        ]
    }

    public func evaluate(_ t: [Double], _ x: Inputs, into f: inout [Double]) {
        for i in 0..<x.count {
            guard let (s, step) = x.schedulePoint(i, count: schedules.count), schedules[s].covers(step) else { f[i] = .nan; continue }
            let schedule = schedules[s]
            let s1 = schedule.area(through: step)
            guard s1 > 0 else { f[i] = .nan; continue }
            let drop = Self.lossDrop(table(s, step), C: t[4], beta: t[5], gamma: t[6], derivatives: false)
            f[i] = t[0] + t[1] * exp(-t[2] * log(s1)) - t[3] * drop.value
        }
    }

    public func jacobian(_ t: [Double], _ x: Inputs, into j: inout Matrix) {
        for i in 0..<x.count {
            guard let (s, step) = x.schedulePoint(i, count: schedules.count), schedules[s].covers(step) else {
                for c in 0..<7 { j[i, c] = .nan }
                continue
            }
            let schedule = schedules[s]
            let s1 = schedule.area(through: step)
            let ls = log(s1)
            let p = exp(-t[2] * ls)
            let drop = Self.lossDrop(table(s, step), C: t[4], beta: t[5], gamma: t[6], derivatives: true)
            j[i, 0] = 1
            j[i, 1] = p
            j[i, 2] = -t[1] * ls * p
            j[i, 3] = -drop.value
            j[i, 4] = -t[3] * drop.dC
            j[i, 5] = -t[3] * drop.dBeta
            j[i, 6] = -t[3] * drop.dGamma
        }
    }

    public func basis(_ t: [Double], _ x: Inputs, into b: inout Matrix) {
        for i in 0..<x.count {
            guard let (s, step) = x.schedulePoint(i, count: schedules.count), schedules[s].covers(step) else {
                for c in 0..<3 { b[i, c] = .nan }
                continue
            }
            let schedule = schedules[s]
            let drop = Self.lossDrop(table(s, step), C: t[4], beta: t[5], gamma: t[6], derivatives: false)
            b[i, 0] = 1
            b[i, 1] = exp(-t[2] * log(schedule.area(through: step)))
            b[i, 2] = -drop.value
        }
    }

    public func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] {
        var grid = [[Double]]()
        // C and γ trade off along a ridge (C·η^−γ over the narrow range of rates a schedule spans), so
        // two values of each suffice for starts; the polish moves along the ridge.
        for alpha in [0.3, 0.5, 0.8] {
            for c in [1.0, 4.0] {
                for beta in [0.3, 0.6, 1.2] {
                    for gamma in [0.4, 0.8] { grid.append([0, 0, alpha, 0, c, beta, gamma]) }
                }
            }
        }
        return grid
    }

    /// Point of a schedule, the key of the node cache.
    struct NodeKey: Hashable, Sendable {
        var schedule: Int
        var step: Double
    }

    /// Quadrature nodes of one point's loss-drop sum: weight (quadrature weight × (η_{k−1} − η_k)),
    /// ln η_k and S_k(t); `saturated` sums the weights of nodes at η = 0, where G = 1.
    struct NodeTable: Sendable {
        var weight = [Double](), lnEta = [Double](), area = [Double]()
        var saturated = 0.0
    }

    /// Immutable node tables shared by copies of a prepared law.
    final class NodeCache: Sendable {
        let tables: [NodeKey: NodeTable]
        init(tables: [NodeKey: NodeTable]) { self.tables = tables }
    }

    /// LD(t)/B and its derivatives in C, β, γ.
    struct LossDrop {
        var value = 0.0, dC = 0.0, dBeta = 0.0, dGamma = 0.0
    }

    /// Gauss–Legendre nodes and weights on [−1, 1].
    private static let gauss2: [(Double, Double)] = [(-0.5773502691896258, 1), (0.5773502691896258, 1)]
    private static let gauss3: [(Double, Double)] = [
        (-0.7745966692414834, 0.5555555555555556), (0, 0.8888888888888888), (0.7745966692414834, 0.5555555555555556),
    ]
    private static let gauss4: [(Double, Double)] = [
        (-0.8611363115940526, 0.3478548451374538), (-0.3399810435848563, 0.6521451548625461),
        (0.3399810435848563, 0.6521451548625461), (0.8611363115940526, 0.3478548451374538),
    ]
    private static let gauss6: [(Double, Double)] = [
        (-0.9324695142031521, 0.1713244923791704), (-0.6612093864662645, 0.3607615730481386),
        (-0.2386191860831969, 0.4679139345726910), (0.2386191860831969, 0.4679139345726910),
        (0.6612093864662645, 0.3607615730481386), (0.9324695142031521, 0.1713244923791704),
    ]
    private static let gauss8: [(Double, Double)] = [
        (-0.9602898564975363, 0.1012285362903763), (-0.7966664774136267, 0.2223810344533745),
        (-0.5255324099163290, 0.3137066458778873), (-0.1834346424956498, 0.3626837833783620),
        (0.1834346424956498, 0.3626837833783620), (0.5255324099163290, 0.3137066458778873),
        (0.7966664774136267, 0.2223810344533745), (0.9602898564975363, 0.1012285362903763),
    ]

    /// Σ_k (η_{k−1} − η_k)·G(η_k^(−γ)·S_k(t)), G(x) = 1 − (C·x + 1)^(−β), over the schedule's steps up to t.
    static func lossDrop(_ s: LearningRateSchedule, at t: Double, C: Double, beta: Double, gamma: Double,
                         derivatives: Bool) -> LossDrop {
        lossDrop(nodes(s, at: t), C: C, beta: beta, gamma: gamma, derivatives: derivatives)
    }

    /// The loss drop from precomputed nodes.
    static func lossDrop(_ table: NodeTable, C: Double, beta: Double, gamma: Double, derivatives: Bool) -> LossDrop {
        var out = LossDrop()
        out.value = table.saturated
        table.weight.withUnsafeBufferPointer { w in
            table.lnEta.withUnsafeBufferPointer { le in
                table.area.withUnsafeBufferPointer { area in
                    if derivatives {
                        for n in 0..<w.count {
                            let z = exp(-gamma * le[n]) * area[n]
                            let u = 1 + C * z
                            let lu = log(u)
                            let pw = exp(-beta * lu)
                            out.value += w[n] * (1 - pw)
                            let q = w[n] * beta * pw / u * z
                            out.dC += q
                            out.dBeta += w[n] * pw * lu
                            out.dGamma -= q * C * le[n]
                        }
                    } else {
                        var v = 0.0
                        for n in 0..<w.count {
                            let z = exp(-gamma * le[n]) * area[n]
                            v += w[n] * (1 - exp(-beta * log(1 + C * z)))
                        }
                        out.value += v
                    }
                }
            }
        }
        return out
    }

    /// The quadrature nodes of Σ_k (η_{k−1} − η_k)·G(η_k^(−γ)·S_k(t)) for a schedule and step.
    static func nodes(_ s: LearningRateSchedule, at t: Double) -> NodeTable {
        var out = NodeTable()
        guard s.pieceCount > 0, t > s.firstStep else { return out }
        let st = s.area(through: t)
        let near = 16.0
        let last = s.piece(containing: t)
        for j in 0...last {
            let a = s.steps[j]
            if a >= t { break }
            let slope = s.slope(j)
            if slope == 0 { continue }
            let delta = -slope
            let r0 = s.rates[j]
            // The summand at (possibly fractional) step x of piece j, times `weight`.
            func add(_ x: Double, _ weight: Double) {
                let eta = r0 + slope * (x - a)
                let w = weight * delta
                guard eta > 0 else { out.saturated += w; return }  // η = 0: G = 1
                out.weight.append(w)
                out.lnEta.append(log(eta))
                out.area.append(st - s.areaInPiece(j, x - 1))
            }
            func exact(_ lower: Double, _ upper: Double) {
                var k = lower + 1
                while k <= upper { add(k, 1); k += 1 }
            }
            var upper = min(s.steps[j + 1], t)
            let exactFrom = max(a, t - near)
            if upper > exactFrom {
                exact(exactFrom, upper)
                upper = exactFrom
            }
            // Where the piece's rate reaches 0 (η^−γ is singular there): below a warmup from 0, or at
            // the end of a decay to 0. Panels are graded toward it as toward t.
            let zero = a - r0 / slope
            while upper > a {
                let distance = max(near, t - upper)
                let reach = slope > 0 ? (upper - zero) / 2 : zero - upper
                let length = max(1, min(distance, reach).rounded(.down))
                let lower = max(a, upper - length)
                let n = upper - lower
                if n <= 8 {
                    exact(lower, upper)
                } else if min(distance, reach) >= 4 * n {
                    // Far from t and from the rate's zero, the summand is smooth on the scale of the panel:
                    // Σ_{k=lower+1…upper} f(k) ≈ ∫_{lower+½}^{upper+½} f (midpoint rule; error ~ f″/24 per step).
                    let ratio = min(distance, reach) / n
                    let nodes = ratio >= 64 ? gauss2 : ratio >= 16 ? gauss3 : gauss4
                    let mid = (lower + upper + 1) / 2, half = n / 2
                    for (xi, wi) in nodes { add(mid + half * xi, half * wi) }
                } else if distance >= 4 * n {
                    // Far from t, graded toward the rate's zero (ratio ≥ 1 to it): trapezoid form, 6 nodes.
                    let a = lower + 1, b = upper
                    let mid = (a + b) / 2, half = (b - a) / 2
                    for (xi, wi) in gauss6 { add(mid + half * xi, half * wi) }
                    add(a, 0.5)
                    add(b, 0.5)
                } else {
                    // Euler–Maclaurin: Σ_{k=a…b} f(k) = ∫_a^b f + (f(a) + f(b))/2 + (f′(b) − f′(a))/12 − …,
                    // a = lower + 1, b = upper, with f′ by central differences over ±½ step.
                    let a = lower + 1, b = upper
                    let mid = (a + b) / 2, half = (b - a) / 2
                    for (xi, wi) in gauss8 { add(mid + half * xi, half * wi) }
                    add(a, 0.5)
                    add(b, 0.5)
                    add(b + 0.5, 1.0 / 12)
                    add(b - 0.5, -1.0 / 12)
                    add(a + 0.5, -1.0 / 12)
                    add(a - 0.5, 1.0 / 12)
                }
                upper = lower
            }
        }
        return out
    }
}
