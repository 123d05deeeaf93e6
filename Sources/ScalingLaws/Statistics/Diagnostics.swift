import Foundation

/// Checks of a fit's residuals for structure the law does not explain: evidence of misspecification
/// rather than noise.
public struct ResidualDiagnostics: Sendable {
    /// Correlation of the residuals with ln x for each standard variable the runs carry, with its t-statistic.
    public var trends: [(variable: String, correlation: Double, t: Double)]
    /// Regression of the residuals on a quadratic surface in the log variables (ln N, ln D, their squares
    /// and product; or ln x and its square for one variable): F statistic and its degrees of freedom.
    /// A large F means the residuals still depend on the variables: the law's shape is wrong.
    public var structure: (f: Double, numeratorDF: Int, denominatorDF: Int)?
    /// Wald–Wolfowitz runs test on the residual signs ordered by compute: z-score (strongly negative
    /// means long stretches of one sign, i.e. curvature the law misses).
    public var runsTestZ: Double?
    /// Lack of fit against pure noise from replicate runs (same N and D): F statistic and its degrees of
    /// freedom, when at least two points are replicated.
    public var lackOfFit: (f: Double, numeratorDF: Int, denominatorDF: Int)?
    /// Plain-language findings (empty when nothing stands out).
    public var flags: [String]

    /// Thresholds: |t| > 3 for a trend; z < −3 for the runs test; for the F statistics, the 99.9% point of
    /// χ²(ν₁)/ν₁ (Wilson–Hilferty), the large-sample limit of F(ν₁, ν₂).
    public init(fit: FitResult) {
        let runs = fit.trainingRuns
        let r = fit.residuals
        var trends = [(String, Double, Double)]()
        var flags = [String]()
        let n = r.count
        if n >= 4 && runs.count == n {
            for v in Variable.standard {
                let xs = runs.compactMap { $0.value(of: v) }
                guard xs.count == n, Set(xs).count > 2 else { continue }
                let lx = xs.map { log($0) }
                let c = Self.correlation(lx, r)
                let t = c * Double(n - 2).squareRoot() / max((1 - c * c).squareRoot(), 1e-12)
                trends.append((v, c, t))
                if abs(t) > 3 {
                    flags.append("residuals trend with ln(\(v)) (correlation \(String(format: "%.2f", c)), t = \(String(format: "%.1f", t))): the law misses part of the dependence on \(v)")
                }
            }
        }
        var structure: (Double, Int, Int)? = nil
        if runs.count == n {
            let present = [Variable.params, Variable.tokens].filter { v in runs.allSatisfy { $0.value(of: v) != nil } }
            let used = present.isEmpty ? (runs.allSatisfy { $0.flops != nil } ? [Variable.flops] : []) : present
            var columns = [[Double](repeating: 1, count: n)]
            var logs = [[Double]]()
            for v in used {
                let lx = runs.map { log($0.value(of: v)!) }
                let m = lx.reduce(0, +) / Double(n)
                let sd = Quantiles.standardDeviation(lx)
                guard sd > 0 else { continue }
                logs.append(lx.map { ($0 - m) / sd })
            }
            for l in logs { columns.append(l); columns.append(l.map { $0 * $0 }) }
            if logs.count == 2 { columns.append(zip(logs[0], logs[1]).map { $0 * $1 }) }
            let q = columns.count - 1
            if q > 0, n > q + 5, let solution = try? LeastSquares.solveSVD(Matrix(columns: columns), r), solution.rank == q + 1 {
                let mean = r.reduce(0, +) / Double(n)
                let rss0 = r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
                var rss1 = 0.0
                for i in 0..<n {
                    var f = 0.0
                    for (j, c) in columns.enumerated() { f += solution.x[j] * c[i] }
                    rss1 += (r[i] - f) * (r[i] - f)
                }
                let df2 = n - q - 1
                let f = ((rss0 - rss1) / Double(q)) / max(rss1 / Double(df2), 1e-300)
                structure = (f, q, df2)
                if f > Self.criticalF(q) {
                    let share = rss0 > 0 ? (rss0 - rss1) / rss0 : 0
                    flags.append("the residuals still depend on \(used.map { "ln(\($0))" }.joined(separator: " and ")) (F = \(String(format: "%.1f", f)) on \(q) and \(df2) df; a quadratic surface explains \(String(format: "%.0f%%", 100 * share)) of their variance): the law's shape does not match the data")
                }
            }
        }
        var runsZ: Double? = nil
        if n >= 10 && runs.count == n, runs.allSatisfy({ $0.flops != nil }) {
            let signs = zip(runs, r).sorted { $0.0.flops! < $1.0.flops! }.map { $0.1 >= 0 }
            let pos = Double(signs.filter { $0 }.count), neg = Double(signs.count) - pos
            if pos > 0 && neg > 0 {
                var stretches = 1.0
                for i in 1..<signs.count where signs[i] != signs[i - 1] { stretches += 1 }
                let total = pos + neg
                let mean = 2 * pos * neg / total + 1
                let variance = 2 * pos * neg * (2 * pos * neg - total) / (total * total * (total - 1))
                if variance > 0 {
                    let z = (stretches - mean) / variance.squareRoot()
                    runsZ = z
                    if z < -3 {
                        flags.append("residuals ordered by compute come in long stretches of one sign (runs test z = \(String(format: "%.1f", z))): systematic curvature the law does not follow")
                    }
                }
            }
        }
        // Lack of fit against replicates.
        var lof: (Double, Int, Int)? = nil
        if runs.count == n {
            // Replicates: runs with the same N, D and C (the values themselves, not a formatted string:
            // a checkpoint fit has a million runs).
            struct Key: Hashable { var params, tokens, flops: Double? }
            var groups = [Key: [Double]]()
            for (run, res) in zip(runs, r) {
                groups[Key(params: run.params, tokens: run.tokens, flops: run.flops), default: []].append(res)
            }
            let replicated = groups.values.filter { $0.count > 1 }
            let pureDF = replicated.reduce(0) { $0 + $1.count - 1 }
            let p = fit.law.parameters.count - fit.fixed.count
            let lofDF = groups.count - p
            if replicated.count >= 2, pureDF > 0, lofDF > 0 {
                let pureSS = replicated.reduce(0.0) { acc, g in
                    let m = g.reduce(0, +) / Double(g.count)
                    return acc + g.reduce(0) { $0 + ($1 - m) * ($1 - m) }
                }
                let totalSS = r.reduce(0) { $0 + $1 * $1 }
                let lofSS = max(totalSS - pureSS, 0)
                let f = (lofSS / Double(lofDF)) / max(pureSS / Double(pureDF), 1e-300)
                lof = (f, lofDF, pureDF)
                if f > Self.criticalF(lofDF) && pureDF >= 3 {
                    flags.append("lack of fit: the scatter about the law is \(String(format: "%.1f", f))× the scatter between replicate runs")
                }
            }
        }
        self.trends = trends
        self.structure = structure
        self.runsTestZ = runsZ
        self.lackOfFit = lof
        self.flags = flags
    }

    /// The 99.9% point of χ²(ν)/ν by the Wilson–Hilferty approximation.
    static func criticalF(_ nu: Int) -> Double {
        let v = Double(nu)
        let z = Quantiles.normal(0.999)
        let c = 1 - 2 / (9 * v) + z * (2 / (9 * v)).squareRoot()
        return c * c * c
    }

    static func correlation(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
    }
}
