import Foundation

/// The momentum law of a loss curve under a learning-rate schedule (Tissue et al. 2024, "Scaling Law
/// with Learning Rate Annealing", arXiv:2408.11029):
///
///     L(t) = L0 + A·S1(t)^(−α) − C·S2(t)
///     S2(t) = Σ_{i≤t} m_i,   m_i = λ·m_{i−1} + (η_{i−1} − η_i)
///
/// S1 is the learning-rate area (warmup included), S2 the cumulated momentum of the learning-rate
/// decreases with decay λ. L0, A and C enter linearly. λ is a parameter like the others, held at
/// 0.999 (the paper's value) unless the fit is told otherwise (`--fix lambda=0.995`, or bounds to free
/// it). S2 and ∂S2/∂λ follow from one O(steps) recursion per schedule and evaluation.
public struct MomentumLaw: ScheduleAwareLaw {
    public var schedules: [LearningRateSchedule]
    /// The decay λ used unless the user constrains `lambda`.
    public static let defaultDecay = 0.999

    /// The momentum law, evaluating points against `schedules` (attach them with ``bound(to:)``).
    public init(schedules: [LearningRateSchedule] = []) { self.schedules = schedules }

    public func bound(to schedules: [LearningRateSchedule]) -> MomentumLaw { MomentumLaw(schedules: schedules) }
    public var defaultFixed: [String: Double] { ["lambda": Self.defaultDecay] }

    public var name: String { "momentum" }
    public var formula: String { "L(t) = L0 + A*S1(t)^-alpha - C*S2(t), S2 = sum_i m_i, m_i = lambda*m_{i-1} + (eta_{i-1} - eta_i)" }
    public var variables: [String] { [ScheduleVariable.schedule, ScheduleVariable.step] }
    public var parameters: [LawParameter] {
        [
            LawParameter("L0", positive: true, linear: true, summary: "loss the constant-rate curve tends to"),
            LawParameter("A", positive: true, linear: true, summary: "scale of the power law in the learning-rate area S1"),
            LawParameter("alpha", positive: true, linear: false, summary: "exponent of the learning-rate area S1"),
            LawParameter("C", positive: true, linear: true, summary: "loss drop per unit of annealing area S2"),
            LawParameter("lambda", positive: true, linear: false, summary: "momentum decay of learning-rate decreases (default held at 0.999)"),
        ]
    }

    /// S2 and ∂S2/∂λ at every point, by one sweep per schedule over its steps.
    private func annealingAreas(_ x: Inputs, lambda: Double) -> (s2: [Double], ds2: [Double]) {
        var s2 = [Double](repeating: .nan, count: x.count), ds2 = s2
        var bySchedule = [[Int]](repeating: [], count: schedules.count)
        for i in 0..<x.count {
            if let (s, step) = x.schedulePoint(i, count: schedules.count), schedules[s].covers(step) { bySchedule[s].append(i) }
        }
        for (s, points) in bySchedule.enumerated() where !points.isEmpty {
            let order = points.sorted { x.columns[1][$0] < x.columns[1][$1] }
            let schedule = schedules[s]
            var next = 0
            var m = 0.0, dm = 0.0, sum = 0.0, dsum = 0.0
            var step = schedule.firstStep
            while next < order.count && x.columns[1][order[next]] <= step {
                s2[order[next]] = 0; ds2[order[next]] = 0; next += 1
            }
            var j = 0
            while next < order.count && j < schedule.pieceCount {
                let d = -schedule.slope(j)
                let end = schedule.steps[j + 1]
                while step < end && next < order.count {
                    step += 1
                    dm = m + lambda * dm
                    m = lambda * m + d
                    sum += m
                    dsum += dm
                    while next < order.count && x.columns[1][order[next]] <= step {
                        s2[order[next]] = sum; ds2[order[next]] = dsum; next += 1
                    }
                }
                j += 1
            }
        }
        return (s2, ds2)
    }

    public func evaluate(_ t: [Double], _ x: Inputs, into f: inout [Double]) {
        let (s2, _) = annealingAreas(x, lambda: t[4])
        for i in 0..<x.count {
            guard s2[i].isFinite, let (s, step) = x.schedulePoint(i, count: schedules.count) else { f[i] = .nan; continue }
            let s1 = schedules[s].area(through: step)
            guard s1 > 0 else { f[i] = .nan; continue }
            f[i] = t[0] + t[1] * exp(-t[2] * log(s1)) - t[3] * s2[i]
        }
    }

    public func jacobian(_ t: [Double], _ x: Inputs, into j: inout Matrix) {
        let (s2, ds2) = annealingAreas(x, lambda: t[4])
        for i in 0..<x.count {
            guard s2[i].isFinite, let (s, step) = x.schedulePoint(i, count: schedules.count) else {
                for c in 0..<5 { j[i, c] = .nan }
                continue
            }
            let ls = log(schedules[s].area(through: step))
            let p = exp(-t[2] * ls)
            j[i, 0] = 1
            j[i, 1] = p
            j[i, 2] = -t[1] * ls * p
            j[i, 3] = -s2[i]
            j[i, 4] = -t[3] * ds2[i]
        }
    }

    public func basis(_ t: [Double], _ x: Inputs, into b: inout Matrix) {
        let (s2, _) = annealingAreas(x, lambda: t[4])
        for i in 0..<x.count {
            guard s2[i].isFinite, let (s, step) = x.schedulePoint(i, count: schedules.count) else {
                for c in 0..<3 { b[i, c] = .nan }
                continue
            }
            b[i, 0] = 1
            b[i, 1] = exp(-t[2] * log(schedules[s].area(through: step)))
            b[i, 2] = -s2[i]
        }
    }

    public func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] {
        var grid = [[Double]]()
        for alpha in stride(from: 0.1, through: 1.5, by: 0.1) {
            for lambda in [0.99, 0.995, 0.999] { grid.append([0, 0, alpha, 0, lambda]) }
        }
        return grid
    }
}
