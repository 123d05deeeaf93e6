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
}
