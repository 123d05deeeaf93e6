import Foundation
import ScalingLaws
import Testing

/// The real curves of `Examples/data/multipower_25m.csv` with the schedule ignored: the rows that log a
/// loss, steps as the token axis (any fixed number of tokens per step gives the same ratios).
func multipowerCurves() throws -> [TrainingCurve] {
    let path = repositoryRoot.appendingPathComponent("Examples/data/multipower_25m.csv").path
    return try CurveTable.curves(contentsOf: path, tokensPerStep: 1, params: 25e6)
}

/// Each run's last logged loss forecast from its first 20%, 30% and 50% (27 forecasts).
func multipowerForecasts() throws -> [CurveForecast] {
    var out = [CurveForecast]()
    for curve in try multipowerCurves() {
        for fraction in [0.2, 0.3, 0.5] {
            var options = CurveForecastOptions()
            options.through = fraction * curve.tokens.last!
            out.append(try curve.forecast(at: curve.tokens.last!, options: options))
        }
    }
    return out
}

/// The three published backtest splits of the Chinchilla runs.
func chinchillaSplits() throws -> [BacktestResult] {
    let runs = try chinchillaRuns()
    let law = ChinchillaLaw()
    return try [TrainSplit(parsing: "flops<=5.59e20"), .holdoutTop(fraction: 0.2, by: "params"), TrainSplit(parsing: "flops<1e21")]
        .map { split throws in try law.backtest(runs, split: split) }
}

@Suite("Honest intervals on real extrapolations")
struct IntervalHonestyTests {
    @Test("Partial runs of the 25M curves: calibrated 95% intervals cover at least 24 of 27, without being trivially wide")
    func learningCurves() throws {
        let forecasts = try multipowerForecasts()
        #expect(forecasts.count == 27)
        let covered = forecasts.filter { $0.calibratedInterval.contains($0.actual!) }.count
        let plainCovered = forecasts.filter { $0.newRunInterval.contains($0.actual!) }.count
        let errors = forecasts.map { abs($0.loss - $0.actual!) / $0.actual! }
        let halfWidths = forecasts.map { ($0.calibratedInterval.high - $0.calibratedInterval.low) / (2 * $0.loss) }
        let ratio = Quantiles.median(halfWidths) / Quantiles.median(errors)
        #expect(covered >= 24, "calibrated coverage \(covered)/27")
        #expect(ratio <= 4, "median half-width \(ratio)× the median error")
        #expect(plainCovered <= 3, "the plain new-run intervals were expected to fail here (\(plainCovered)/27)")
        if ProcessInfo.processInfo.environment["SCALINGLAWS_PRINT_CALIBRATION"] != nil {
            let cells: [String] = [
                "partial runs, 25M curves (27 forecasts, 2–5×)", "\(plainCovered)/27", "\(covered)/27",
                String(format: "%.2f%%", 100 * Quantiles.median(halfWidths)), String(format: "%.2f%%", 100 * Quantiles.median(errors)),
            ]
            print("| " + cells.joined(separator: " | ") + " |")
        }
    }

    @Test("Chinchilla's three published splits: calibrated 95% intervals cover at least 85% of the held-out runs")
    func chinchilla() throws {
        for result in try chinchillaSplits() {
            let score = try #require(result.scores.first { $0.kind == .calibrated })
            let newRun = try #require(result.scores.first { $0.kind == .newRun })
            #expect(score.coverage >= 0.85, "\(result.split): \(score.coverage)")
            #expect(score.medianHalfWidth <= 4 * result.medianARE, "\(result.split): \(score.medianHalfWidth) vs \(result.medianARE)")
            #expect(score.medianHalfWidth >= newRun.medianHalfWidth)
            #expect(result.verdict.contains("honest"), "\(result.verdict)")
            if ProcessInfo.processInfo.environment["SCALINGLAWS_PRINT_CALIBRATION"] != nil {
                let cells: [String] = [
                    "Chinchilla, \(result.split.description) (\(result.heldOut.count) runs)",
                    String(format: "%.0f%%", 100 * newRun.coverage), String(format: "%.0f%%", 100 * score.coverage),
                    String(format: "%.2f%%", 100 * score.medianHalfWidth), String(format: "%.2f%%", 100 * result.medianARE),
                ]
                print("| " + cells.joined(separator: " | ") + " |")
            }
        }
    }

    @Test("The priors are what the calibration data measure")
    func priors() throws {
        // Curves: one origin per forecast, its excess squared log-error per ln² r.
        var samples = [ForecastCalibration.Sample]()
        for (k, f) in try multipowerForecasts().enumerated() {
            let plain = (log(f.newRunInterval.high) - log(f.newRunInterval.low)) / (2 * f.uncertainty.z)
            samples.append(.init(origin: k, ratio: f.extrapolation, logError: log(f.actual!) - log(f.loss), plainSD: plain))
        }
        let noPrior = ForecastCalibration.Prior(kappa: 0, weight: 0, source: "", calibratedUpTo: 1)
        let curves = ForecastCalibration(axis: "tokens", samples: samples, prior: noPrior)
        // Ladders: one origin per published split, along the split's axis.
        var ladder = [ForecastCalibration.Sample]()
        for (k, result) in try chinchillaSplits().enumerated() {
            let z = try result.fit.asymptoticUncertainty().z
            let axis = k == 1 ? "params" : "flops"
            let reach = try result.fit.largestFitted(axis)
            for h in result.heldOut {
                ladder.append(.init(origin: k, ratio: h.run.value(of: axis)! / reach, logError: log(h.actual) - log(h.predicted),
                                    plainSD: (log(h.newRunInterval.high) - log(h.newRunInterval.low)) / (2 * z)))
            }
        }
        let ladders = ForecastCalibration(axis: "flops", samples: ladder, prior: noPrior)
        print("measured priors: curves κ₀ = \(curves.dataKappa!) (λ \(curves.scatterInflation)) over \(curves.origins) forecasts up to \(curves.largestInnerRatio)×; ladders κ₀ = \(ladders.dataKappa!) (λ \(ladders.scatterInflation)) over \(ladders.origins) splits up to \(ladders.largestInnerRatio)×")
        #expect(abs(curves.dataKappa! - ForecastCalibration.Prior.learningCurve.kappa) < 0.0015)
        #expect(abs(ladders.dataKappa! - ForecastCalibration.Prior.ladder.kappa) < 0.0015)
        #expect(curves.largestInnerRatio <= ForecastCalibration.Prior.learningCurve.calibratedUpTo)
        #expect(ladders.largestInnerRatio <= ForecastCalibration.Prior.ladder.calibratedUpTo)
    }
}

@Suite("Forecasts with every interval, in one call")
struct ForecastsAPITests {
    @Test("fit.forecasts gives the law, new-run and calibrated intervals, nested, with the extrapolation ratio")
    func forecasts() throws {
        let fit = try ChinchillaLaw().fit(try chinchillaRuns())
        let p = try #require(try fit.forecasts([Run(params: 70e9, tokens: 1.4e12)]).first)
        let calibrated = try #require(p.calibratedInterval)
        #expect(abs(p.value - 1.9734) < 1e-3)
        #expect(calibrated.low < p.newRunInterval.low && p.newRunInterval.low < p.lawInterval.low)
        #expect(calibrated.high > p.newRunInterval.high && p.newRunInterval.high > p.lawInterval.high)
        #expect(abs(try #require(p.extrapolation) - 45.4) < 0.5)
        let ratios = fit.extrapolation(to: Run(params: 70e9, tokens: 1.4e12))
        #expect(ratios.map(\.variable) == ["params", "tokens", "flops"])
        #expect(throws: ScalingLawsError.self) { try fit.forecasts([Run(params: 7e20, tokens: 1.4e12)]) }
        #expect(throws: ScalingLawsError.self) { try fit.forecasts([Run(params: -1, tokens: 1.4e12)]) }
    }
}

@Suite("Calibrated intervals where the law is right")
struct CalibratedSyntheticTests {
    @Test("Synthetic Chinchilla ladders: the calibrated interval stays within 1.5× the new-run interval and covers 88–99%")
    func correctLaw() throws {
        let world = SyntheticChinchillaLadder()
        let (law, target, trueLoss) = (world.law, world.target, world.trueLoss)
        var covered = 0, widthRatios = [Double]()
        let sets = 60
        for seed in 0..<sets {
            var rng = SeededGenerator(seed: UInt64(seed), stream: 7)
            let runs = world.runs(rng: &rng)
            let newRun = trueLoss * exp(0.01 * rng.nextNormal())
            let fit = try law.fit(runs)
            let u = try fit.asymptoticUncertainty(level: 0.95)
            let p = try u.predictions([target], calibration: try fit.forecastCalibration())[0]
            let calibrated = try #require(p.calibratedInterval)
            if calibrated.contains(newRun) { covered += 1 }
            widthRatios.append(log(calibrated.high / calibrated.low) / log(p.newRunInterval.high / p.newRunInterval.low))
        }
        let coverage = Double(covered) / Double(sets)
        print("synthetic ladders: calibrated coverage \(coverage), width ratio median \(Quantiles.median(widthRatios)) max \(widthRatios.max()!)")
        #expect(coverage >= 0.88 && coverage <= 0.99, "coverage \(coverage)")
        #expect(Quantiles.median(widthRatios) <= 1.5, "median width ratio \(Quantiles.median(widthRatios))")
    }
}
