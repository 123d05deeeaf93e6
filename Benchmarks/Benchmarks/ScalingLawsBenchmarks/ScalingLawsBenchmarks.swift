import Benchmark
import Foundation
import ScalingLaws

/// The Chinchilla Figure 4 fit set (240 runs), found relative to this source file so the
/// benchmarks work from any checkout: Benchmarks/Benchmarks/ScalingLawsBenchmarks/ → Examples/data/.
private let dataPath: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // ScalingLawsBenchmarks/
    .deletingLastPathComponent()  // Benchmarks/ (targets)
    .deletingLastPathComponent()  // Benchmarks/ (package)
    .deletingLastPathComponent()  // repository root
    .appendingPathComponent("Examples/data/chinchilla_fig4_fitset.csv")
    .path

private func loadRuns(_ variables: [String]) -> (CSVTable, [Run]) {
    do {
        let table = try CSVTable(contentsOf: dataPath)
        let runs = try RunTable.runs(from: table, variables: variables)
        return (table, runs)
    } catch {
        fatalError("cannot load \(dataPath): \(error)")
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 200
    )

    // Loaded once, outside every measured closure.
    let chinchilla = ChinchillaLaw()
    let (_, chinchillaRuns) = loadRuns(chinchilla.variables)
    let saturating = SaturatingPowerLaw(x: "flops")
    let (_, flopsRuns) = loadRuns(saturating.variables)

    // Headline: the full fit (variable-projection start search + LM polish, Huber(1e-3) on log residuals).
    Benchmark("Chinchilla fit (240 runs)") { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try chinchilla.fit(chinchillaRuns))
            } catch {
                fatalError("Chinchilla fit failed: \(error)")
            }
        }
    }

    // The same fit with every small linear system solved by LAPACK on the rectangular problem (QR steps,
    // SVD projections): the reference the default normal-equation path is tested against. Read the
    // headline as a ratio against this, measured in the same run.
    var lapackOptions = FitOptions()
    lapackOptions.solver.linearSolves = .lapack
    Benchmark("Chinchilla fit (240 runs), LAPACK solves (reference)") { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try chinchilla.fit(chinchillaRuns, options: lapackOptions))
            } catch {
                fatalError("Chinchilla fit failed: \(error)")
            }
        }
    }

    // Chinchilla's law written as a formula (--formula): compiled expression, exact derivatives by dual
    // numbers, no declared basis structure. Compare with the built-in law above.
    let formulaLaw: FormulaLaw = {
        do { return try FormulaLaw("E + A*N^-alpha + B*D^-beta") } catch { fatalError("formula: \(error)") }
    }()
    Benchmark("Chinchilla as --formula fit (240 runs)") { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try formulaLaw.fit(chinchillaRuns))
            } catch {
                fatalError("formula fit failed: \(error)")
            }
        }
    }

    Benchmark("Saturating power-law fit (240 runs, x = flops)") { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try saturating.fit(flopsRuns))
            } catch {
                fatalError("saturating fit failed: \(error)")
            }
        }
    }

    // 1000 bootstrap refits of the Chinchilla fit, each starting from the full-data optimum, on all cores.
    let chinchillaFit: FitResult = {
        do { return try chinchilla.fit(chinchillaRuns) } catch { fatalError("Chinchilla fit failed: \(error)") }
    }()
    Benchmark("Bootstrap: 1000 Chinchilla refits (240 runs)",
              configuration: .init(warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 10)) { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try chinchillaFit.bootstrap(BootstrapOptions(replicates: 1000, seed: 1)))
            } catch {
                fatalError("bootstrap failed: \(error)")
            }
        }
    }

    // 100,000 runs (deterministic synthetic Chinchilla ladder, 1% log-normal noise): the fit with the
    // default objective (Huber(1e-3) on log residuals) and the asymptotic intervals `scaling fit` prints.
    // Issue 11's goal: under 2 s in release. Before the fix, the smoothed ψ′ recomputed a median per
    // residual (O(n² log n)) and this took more than 500 s.
    // Issue 15: linear in the runs, 100k runs under 1 s; 10k and 30k show the growth.
    for (count, label) in [(10_000, "10k"), (30_000, "30k"), (100_000, "100k")] {
        let manyRuns = syntheticRuns(count: count, seed: 11)
        Benchmark("Chinchilla fit + asymptotic intervals (\(label) runs)",
                  configuration: .init(metrics: [.wallClock, .cpuTotal], warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 5)) { benchmark in
            for _ in benchmark.scaledIterations {
                do {
                    let fit = try chinchilla.fit(manyRuns)
                    blackHole(try fit.asymptoticUncertainty())
                } catch {
                    fatalError("\(label) fit failed: \(error)")
                }
            }
        }
    }

    // IsoFLOP analysis without resampling (what `scaling isoflop` computes by default): 5 budgets × 9
    // sizes, window parabolas, the regression of ln N* on ln C and the L*(C) envelope fit.
    let isoflopRuns: [Run] = {
        let path = URL(fileURLWithPath: dataPath).deletingLastPathComponent().appendingPathComponent("isoflop_synthetic.csv").path
        do {
            let table = try CSVTable(contentsOf: path)
            return try RunTable.runs(from: table, variables: [Variable.params, "budget"])
        } catch { fatalError("cannot load \(path): \(error)") }
    }()
    var isoflopOptions = IsoFLOPOptions()
    isoflopOptions.budgetColumn = "budget"
    Benchmark("IsoFLOP, no resampling (45 runs)") { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try IsoFLOPAnalysis(runs: isoflopRuns, options: isoflopOptions))
            } catch {
                fatalError("isoflop failed: \(error)")
            }
        }
    }

    // Reading the file, CSV parsing, and turning rows into validated runs.
    Benchmark("CSV load + parse (240 runs)") { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                let table = try CSVTable(contentsOf: dataPath)
                blackHole(try RunTable.runs(from: table, variables: chinchilla.variables))
            } catch {
                fatalError("CSV load failed: \(error)")
            }
        }
    }

    // Schedule-aware laws: a fit on the three train runs of the 25M learning-rate study (≈ 64k steps,
    // 437 logged points; Luo et al. 2025), each run under its own schedule.
    let schedulePath = URL(fileURLWithPath: dataPath).deletingLastPathComponent().appendingPathComponent("multipower_25m.csv").path
    let scheduleTrain: [ScheduledRun] = {
        do {
            let runs = try ScheduleTable.runs(contentsOf: schedulePath)
            return ["cosine_24000", "constant_24000", "wsdcon_9"].map { n in runs.first { $0.name == n }! }
        } catch { fatalError("cannot load \(schedulePath): \(error)") }
    }()
    for law in [MultiPowerLaw() as any ScheduleAwareLaw, MomentumLaw()] {
        Benchmark("\(law.name) fit (3 runs, 64k steps, 437 points)",
                  configuration: .init(warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 20)) { benchmark in
            for _ in benchmark.scaledIterations {
                do {
                    blackHole(try ScheduleCurves.fit(law, runs: scheduleTrain))
                } catch {
                    fatalError("\(law.name) fit failed: \(error)")
                }
            }
        }
    }

    // Long-format logs read as a stream (issue 15): StreamingBenchmarks.swift.
    streamingBenchmarks()
}

/// `count` runs of the Chinchilla law (Hoffmann et al. 2022 parameters), N log-uniform in 1e7…1e10,
/// D in 1e9…1e12, loss × exp(0.01 z), from a fixed SplitMix64 stream (identical on every machine).
private func syntheticRuns(count: Int, seed: UInt64) -> [Run] {
    var random = SeededGenerator(seed: seed)   // SplitMix64: the same stream on every machine
    func unit() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
    return (0..<count).map { _ in
        let n = pow(10, 7 + 3 * unit()), d = pow(10, 9 + 3 * unit())
        let z = (-2 * log(max(unit(), 1e-300))).squareRoot() * cos(2 * Double.pi * unit())
        let loss = (1.69 + 406.4 * pow(n, -0.34) + 410.7 * pow(d, -0.28)) * exp(0.01 * z)
        return Run(params: n, tokens: d, loss: loss)
    }
}
