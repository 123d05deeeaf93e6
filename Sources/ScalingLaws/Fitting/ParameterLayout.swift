import Foundation

/// Which parameters are fixed, tied or free, and how the free ones map to the solver's variables u.
///
/// Each free parameter ("leader") is one solver variable; tied parameters follow their leader. The map
/// θ(u) enforces the bounds: θ = u (no bounds), lo + eᵘ (lower only; the law's positive parameters
/// use lo = 0, so u = ln θ), hi − eᵘ (upper only), lo + (hi − lo)·σ(u) (both).
struct ParameterLayout: Sendable {
    let count: Int
    /// Indices of the leaders optimised, in order of the solver variables.
    let free: [Int]
    /// Free leaders whose whole tie group enters the law linearly (solved by variable projection).
    let linear: [Int]
    let fixedValues: [Int: Double]
    /// The leader of each parameter (itself when not tied).
    let leaderOf: [Int]
    private(set) var lower: [Double]
    private(set) var upper: [Double]
    /// For each parameter, the tie group it leads (empty for followers).
    private let groups: [[Int]]

    /// Whether parameter j is bounded to (0, ∞) exactly: its intervals are built on the log scale.
    var positive: [Bool] { (0..<count).map { lower[$0] == 0 && upper[$0] == .infinity } }

    init(law: some ScalingLaw, fixed: [String: Double]) throws(ScalingLawsError) {
        try self.init(law: law, constraints: ParameterConstraints(fixed: fixed))
    }

    init(law: some ScalingLaw, constraints: ParameterConstraints) throws(ScalingLawsError) {
        let params = law.parameters
        let names = law.parameterNames
        func index(_ name: String, _ option: Setting) throws(ScalingLawsError) -> Int {
            guard let j = law.parameterIndex(name) else {
                throw .invalidOption(option: option, message: "the \(law.name) law has no parameter \"\(name)\"; its parameters are \(names.joined(separator: ", "))")
            }
            return j
        }
        var lower = params.map { $0.isPositive ? 0 : -Double.infinity }
        var upper = [Double](repeating: .infinity, count: params.count)
        for (name, b) in constraints.bounds.sorted(by: { $0.key < $1.key }) {
            let j = try index(name, .bounds)
            if params[j].isPositive && b.lower < 0 {
                throw .invalidOption(option: .bounds, message: "\(name) must stay positive in the \(law.name) law; give a lower bound ≥ 0")
            }
            lower[j] = b.lower
            upper[j] = b.upper
        }
        var values = [Int: Double]()
        for (name, value) in constraints.fixed.sorted(by: { $0.key < $1.key }) {
            let j = try index(name, .fixed)
            guard value.isFinite else {
                throw .invalidOption(option: .fixed, message: "\(name) must be a finite number, got \(value)")
            }
            if params[j].isPositive && value <= 0 {
                throw .invalidOption(option: .fixed, message: "\(name) must be positive in the \(law.name) law, got \(value)")
            }
            guard lower[j] <= value && value <= upper[j] else {
                throw .invalidOption(option: .fixed, message: "\(name) = \(value) lies outside its bounds \(lower[j]):\(upper[j])")
            }
            values[j] = value
        }
        for (name, value) in constraints.initial.sorted(by: { $0.key < $1.key }) {
            let j = try index(name, .initial)
            guard value.isFinite else {
                throw .invalidOption(option: .initial, message: "\(name) must be a finite number, got \(value)")
            }
            if params[j].isPositive && value <= 0 {
                throw .invalidOption(option: .initial, message: "\(name) must be positive in the \(law.name) law, got \(value)")
            }
        }
        var leaderOf = Array(0..<params.count)
        for (follower, leader) in constraints.ties.sorted(by: { $0.key < $1.key }) {
            let f = try index(follower, .ties), l = try index(leader, .ties)
            guard leaderOf[l] == l else {
                throw .invalidOption(option: .ties, message: "\(leader) is itself tied to \(names[leaderOf[l]]); tie \(follower) to \(names[leaderOf[l]]) instead")
            }
            guard values[f] == nil && values[l] == nil else {
                throw .invalidOption(option: .ties, message: "\(leader) and \(follower) cannot be tied while one of them is fixed; fix both instead")
            }
            guard params[f].isLinear == params[l].isLinear else {
                throw .invalidOption(option: .ties, message: "\(params[l].isLinear ? leader : follower) enters the \(law.name) law linearly and \(params[l].isLinear ? follower : leader) does not; tie parameters of the same kind")
            }
            leaderOf[f] = l
            lower[l] = max(lower[l], lower[f])
            upper[l] = min(upper[l], upper[f])
        }
        if leaderOf.enumerated().contains(where: { $0.offset != $0.element && leaderOf[$0.element] != $0.element }) {
            throw .invalidOption(option: .ties, message: "ties must name one leader per group, e.g. \(.ties, "alpha=beta") \(.ties, "alpha=gamma")")
        }
        count = params.count
        fixedValues = values
        self.leaderOf = leaderOf
        self.lower = lower
        self.upper = upper
        groups = (0..<params.count).map { j in (0..<params.count).filter { leaderOf[$0] == j } }
        free = (0..<params.count).filter { values[$0] == nil && leaderOf[$0] == $0 }
        linear = free.filter { params[$0].isLinear }
    }

    /// The free leaders the start search may solve as ln θ where they start positive: unbounded, and every
    /// member of their tie group ``LawParameter/searchesLogScale``.
    func logScaleCandidates(_ parameters: [LawParameter]) -> [Int] {
        free.filter { j in
            lower[j] == -.infinity && upper[j] == .infinity && groups[j].allSatisfy { parameters[$0].searchesLogScale }
        }
    }

    /// This layout with the leaders `js` bounded below by 0, i.e. solved as u = ln θ.
    func solvingLogScale(_ js: [Int]) -> ParameterLayout {
        var layout = self
        for j in js { layout.lower[j] = 0 }
        return layout
    }

    /// θ with fixed values and ties applied.
    func applyFixed(_ theta: [Double]) -> [Double] {
        var t = theta
        for (j, v) in fixedValues { t[j] = v }
        for j in 0..<count where leaderOf[j] != j { t[j] = t[leaderOf[j]] }
        return t
    }

    /// The parameters of the tie group led by `j`.
    func members(_ j: Int) -> [Int] { groups[j] }

    func fullVector(free u: [Double]) -> [Double] {
        var t = [Double](repeating: 0, count: count)
        for (j, v) in fixedValues { t[j] = v }
        for (k, j) in free.enumerated() { t[j] = value(u[k], j) }
        for j in 0..<count where leaderOf[j] != j { t[j] = t[leaderOf[j]] }
        return t
    }

    func freeVector(_ theta: [Double]) -> [Double] {
        free.map { variable(theta[$0], $0) }
    }

    /// θⱼ(u).
    func value(_ u: Double, _ j: Int) -> Double {
        let (lo, hi) = (lower[j], upper[j])
        switch (lo.isFinite, hi.isFinite) {
        case (false, false): return u
        case (true, false): return lo + exp(u)
        case (false, true): return hi - exp(u)
        case (true, true): return lo + (hi - lo) / (1 + exp(-u))
        }
    }

    /// dθⱼ/du at u.
    func slope(_ u: Double, _ j: Int) -> Double {
        let (lo, hi) = (lower[j], upper[j])
        switch (lo.isFinite, hi.isFinite) {
        case (false, false): return 1
        case (true, false): return exp(u)
        case (false, true): return -exp(u)
        case (true, true):
            let s = 1 / (1 + exp(-u))
            return (hi - lo) * s * (1 - s)
        }
    }

    /// u for θⱼ (values on or beyond a bound are nudged inside).
    func variable(_ theta: Double, _ j: Int) -> Double {
        let (lo, hi) = (lower[j], upper[j])
        switch (lo.isFinite, hi.isFinite) {
        case (false, false): return theta
        case (true, false): return log(max(theta - lo, 1e-300))
        case (false, true): return log(max(hi - theta, 1e-300))
        case (true, true):
            let p = min(max((theta - lo) / (hi - lo), 1e-12), 1 - 1e-12)
            return log(p / (1 - p))
        }
    }

    /// Clamps θⱼ strictly inside its bounds.
    func clampInside(_ theta: Double, _ j: Int) -> Double {
        let (lo, hi) = (lower[j], upper[j])
        var t = theta
        if lo.isFinite && t <= lo { t = lo + max(abs(lo), 1) * 1e-9 }
        if hi.isFinite && t >= hi { t = hi - max(abs(hi), 1) * 1e-9 }
        return t
    }
}
