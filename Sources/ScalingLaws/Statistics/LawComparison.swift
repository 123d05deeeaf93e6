import Foundation

/// Several laws fitted to the same runs and ranked by how well they forecast runs they did not see.
public struct LawComparison: Sendable {
    /// One law's scores.
    public struct Entry: Sendable {
        /// The fit on all runs.
        public var fit: FitResult
        /// The backtest on the comparison's split.
        public var backtest: BacktestResult
        /// Free parameters (plus one for the noise scale, as the information criteria count them).
        public var parameterCount: Int
        /// Mean absolute relative error of the fit on the runs it was fitted to.
        public var inSampleMARE: Double
        /// Akaike information criterion, −2 ln L + 2k.
        public var aic: Double
        /// Bayesian information criterion, −2 ln L + k ln n.
        public var bic: Double
        /// Residual checks on the full fit.
        public var diagnostics: ResidualDiagnostics
        /// Findings, including the diagnostics' and a warning when the law forecasts much worse than it fits.
        public var flags: [String]
    }

    /// Entries ranked by backtest MARE, best first.
    public var entries: [Entry]
    /// The split every backtest used.
    public var split: TrainSplit
    /// The likelihood behind AIC and BIC, in words.
    public var likelihood: String

    /// Fits and backtests each law on `runs`.
    ///
    /// AIC and BIC use the likelihood that matches the objective: Gaussian errors for `mse`
    /// (−2 ln L = n ln(RSS/n) + const) and Laplace errors for the robust losses, whose δ → 0 limit is
    /// least absolute deviations (−2 ln L = 2n ln(2·mean|r|) + 2n). Constants shared by all laws cancel in
    /// the comparison.
    public init(laws: [any ScalingLaw], runs: [Run], split: TrainSplit = .holdoutTop(fraction: 0.2, by: Variable.flops),
                options: FitOptions = FitOptions()) throws(ScalingLawsError) {
        guard !laws.isEmpty else {
            throw .invalidOption(option: .laws, message: "name at least one law, e.g. power,saturating,chinchilla")
        }
        let gaussian = options.objective.loss == .mse
        var entries = [Entry]()
        for law in laws {
            let fit = try law.fit(runs, options: options)
            let backtest = try law.backtest(runs, split: split, options: options)
            let y = fit.trainingRuns.compactMap(\.loss)
            let predicted = try fit.predict(fit.trainingRuns)
            let mare = zip(predicted, y).reduce(0) { $0 + abs($1.0 - $1.1) / $1.1 } / Double(y.count)
            let n = Double(fit.residuals.count)
            let k = Double(law.parameters.count - fit.fixed.count + 1)
            let minus2LogL: Double
            if gaussian {
                let rss = fit.residuals.reduce(0) { $0 + $1 * $1 }
                minus2LogL = n * log(rss / n)
            } else {
                let b = fit.residuals.reduce(0) { $0 + abs($1) } / n
                minus2LogL = 2 * n * log(2 * b) + 2 * n
            }
            let diagnostics = ResidualDiagnostics(fit: fit)
            var flags = diagnostics.flags
            if backtest.mare > 2 * mare {
                flags.append("forecasts held-out runs \(String(format: "%.1f", backtest.mare / mare))× worse than it fits the runs it saw (MARE \(String(format: "%.2f%%", 100 * backtest.mare)) vs \(String(format: "%.2f%%", 100 * mare)))")
            }
            entries.append(Entry(fit: fit, backtest: backtest, parameterCount: Int(k), inSampleMARE: mare,
                                 aic: minus2LogL + 2 * k, bic: minus2LogL + k * log(n), diagnostics: diagnostics, flags: flags))
        }
        self.entries = entries.sorted { $0.backtest.mare < $1.backtest.mare }
        self.split = split
        self.likelihood = gaussian ? "Gaussian errors in the objective's residual space" : "Laplace errors in the objective's residual space (the small-delta limit of the robust loss)"
    }
}

extension ScalingLaw {
    /// This law fitted under each of `objectives` (other options kept), to show how much the choice of
    /// objective moves the answer.
    public func fitUnderObjectives(_ runs: [Run], objectives: [Objective] = Objective.sensitivitySet(),
                                   options: FitOptions = FitOptions()) throws(ScalingLawsError) -> [FitResult] {
        var out = [FitResult]()
        for objective in objectives {
            var o = options
            o.objective = objective
            out.append(try fit(runs, options: o))
        }
        return out
    }
}

extension Objective {
    /// The objectives compared by `--objectives`: raw MSE (linear residuals), log MSE, Huber(δ) on log
    /// residuals, and the asymmetric lower-envelope loss (expectile τ = 0.1 on log residuals).
    public static func sensitivitySet(delta: Double = 1e-3, tau: Double = 0.1) -> [Objective] {
        [Objective(loss: .mse, space: .linear), Objective(loss: .mse, space: .log),
         Objective(loss: .huber, delta: delta, space: .log), Objective(loss: .asymmetric, space: .log, tau: tau)]
    }

    /// A short label, e.g. `huber(0.001)/log`.
    public var label: String {
        switch loss {
        case .mse: return "mse/\(space.rawValue)"
        case .asymmetric: return "asymmetric(\(tau))/\(space.rawValue)"
        default: return "\(loss.rawValue)(\(delta))/\(space.rawValue)"
        }
    }
}
