import Benchmark
import Foundation
import ScalingLaws

// Issue 15, streaming part: long-format logs read at millions of rows per second in memory that does
// not grow with the rows. Each benchmark writes a synthetic 1M-row log (the format of
// Benchmarks/peers/make-long-log.py: 200 runs × 5,000 points, grouped by run) to a temporary file in its
// setup and deletes it in its teardown; nothing is committed. Goal: ≥ 5M rows/s, i.e. ≤ 200 ms per
// iteration for the loaders; the CLI on 1M and 10M rows against pandas and polars is
// Benchmarks/peers/streaming-peers.sh.

/// Rows of the benchmark log.
private let logRows = 1_000_000

/// Writes the benchmark log to `path`: run,params,step,tokens,loss with the Hoffmann et al. (2022) law
/// on an isoFLOP grid (5 budgets × 40 sizes), six-decimal losses with a fixed SplitMix64 noise stream.
private func writeLog(to path: String, rows: Int = logRows) {
    var random = SeededGenerator(seed: 1)   // SplitMix64: the same stream on every machine
    func unit() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
    var runs = [(n: Double, d: Double)]()
    for budget in [1e18, 3.16e18, 1e19, 3.16e19, 1e20] {
        let optimum = 0.6 * (budget / 6).squareRoot()
        for k in 0..<40 {
            let n = (optimum * pow(10, -1 + 2 * Double(k) / 39)).rounded()
            runs.append((n, budget / (6 * n)))
        }
    }
    let steps = rows / runs.count
    // Written 1 MB at a time, so that the setup's memory does not mask the peak memory measured.
    FileManager.default.createFile(atPath: path, contents: nil)
    guard let file = FileHandle(forWritingAtPath: path) else { fatalError("cannot write \(path)") }
    defer { try? file.close() }
    var text = "run,params,step,tokens,loss\n"
    for (i, run) in runs.enumerated() {
        let name = "run" + String(repeating: "0", count: 4 - String(i).count) + String(i)
        for step in 1...steps {
            let tokens = (run.d * Double(step) / Double(steps)).rounded()
            let z = (-2 * log(max(unit(), 1e-300))).squareRoot() * cos(2 * Double.pi * unit())
            let loss = (1.69 + 406.4 * pow(run.n, -0.34) + 410.7 * pow(tokens, -0.28)) * exp(0.005 * z)
            text += "\(name),\(Int(run.n)),\(step),\(Int(tokens)),\(String(format: "%.6f", loss))\n"
            if text.utf8.count >= 1 << 20 {
                file.write(Data(text.utf8))
                text = ""
            }
        }
    }
    file.write(Data(text.utf8))
}

/// Registers the streaming benchmarks (called from the `benchmarks` closure).
func streamingBenchmarks() {
    let chinchilla = ChinchillaLaw()
    let configuration = { (name: String) -> (String, Benchmark.Configuration) in
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("scalinglaws-bench-\(ProcessInfo.processInfo.processIdentifier)-\(name).csv").path
        let configuration = Benchmark.Configuration(
            metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal],
            timeUnits: .milliseconds,
            warmupIterations: 1,
            maxDuration: .seconds(5),
            maxIterations: 10,
            setup: { writeLog(to: path) },
            teardown: { try? FileManager.default.removeItem(atPath: path) })
        return (path, configuration)
    }

    // `scaling fit --use final` (and predict, backtest, compare, isoflop): the last point of each run,
    // reduced while reading; memory for 200 runs, not 1M rows.
    let (finalPath, finalConfiguration) = configuration("final")
    Benchmark("Streaming: --use final, load 1M-row log", configuration: finalConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try RunFile(contentsOf: finalPath).runs(variables: chinchilla.variables, use: .final))
            } catch {
                fatalError("load failed: \(error)")
            }
        }
    }

    // The same load followed by the Chinchilla fit of the 200 runs: `scaling fit LOG --use final`.
    let (fitPath, fitConfiguration) = configuration("fit")
    Benchmark("Streaming: --use final, load 1M-row log + Chinchilla fit", configuration: fitConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                let runs = try RunFile(contentsOf: fitPath).runs(variables: chinchilla.variables, use: .final).runs
                blackHole(try chinchilla.fit(runs))
            } catch {
                fatalError("fit failed: \(error)")
            }
        }
    }

    // `--use checkpoints`: every point kept as numbers (by column, a `RunStore`), weighted 1/m within its run.
    let (checkpointsPath, checkpointsConfiguration) = configuration("checkpoints")
    Benchmark("Streaming: --use checkpoints, load 1M-row log", configuration: checkpointsConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try RunFile(contentsOf: checkpointsPath).runs(variables: chinchilla.variables, use: .checkpoints))
            } catch {
                fatalError("load failed: \(error)")
            }
        }
    }

    // `scaling fit LOG --use checkpoints`: the same load, the Chinchilla fit of all 1M points (weighted
    // 1/m within each run) and its asymptotic intervals. Peak memory is the metric to watch: above
    // `SolverOptions.jacobianRowLimit` points the solver and the covariance work in blocks of rows, so
    // what grows with the points is a few columns of n values (the store's, the law's and the solver's),
    // not n × p matrices. The runs stay by column, as in the CLI (`RunFile.Runs.store`).
    let (checkpointsFitPath, checkpointsFitBase) = configuration("checkpoints-fit")
    var checkpointsFitConfiguration = checkpointsFitBase
    checkpointsFitConfiguration.maxDuration = .seconds(15)
    checkpointsFitConfiguration.maxIterations = 3
    Benchmark("Streaming: --use checkpoints, load 1M-row log + Chinchilla fit + intervals",
              configuration: checkpointsFitConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                let runs = try RunFile(contentsOf: checkpointsFitPath).runs(variables: chinchilla.variables, use: .checkpoints).store
                blackHole(try chinchilla.fit(runs).asymptoticUncertainty())
            } catch {
                fatalError("fit failed: \(error)")
            }
        }
    }

    // `scaling curve`: every run's training curve (tokens, mean loss per token count, sorted).
    let (curvePath, curveConfiguration) = configuration("curve")
    Benchmark("Streaming: curves of a 1M-row log", configuration: curveConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try CurveTable.curves(contentsOf: curvePath))
            } catch {
                fatalError("curves failed: \(error)")
            }
        }
    }

    // `scaling curve --run R`: every row checked, one run's curve kept.
    let (oneCurvePath, oneCurveConfiguration) = configuration("one-curve")
    Benchmark("Streaming: one run's curve of a 1M-row log", configuration: oneCurveConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try CurveTable.curves(contentsOf: oneCurvePath, runs: ["run0100"]))
            } catch {
                fatalError("curve failed: \(error)")
            }
        }
    }

    // `scaling envelope`: the curves, then the minimum-loss envelope over compute and its power laws.
    let (envelopePath, envelopeConfiguration) = configuration("envelope")
    Benchmark("Streaming: envelope of a 1M-row log", configuration: envelopeConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try EnvelopeAnalysis(curves: try CurveTable.curves(contentsOf: envelopePath)))
            } catch {
                fatalError("envelope failed: \(error)")
            }
        }
    }

    // `scaling envelope` as the CLI reads a file: two passes, no curve held.
    let (envelopeReadPath, envelopeReadConfiguration) = configuration("envelope-read")
    Benchmark("Streaming: envelope of a 1M-row log, two passes", configuration: envelopeReadConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                let reading = try EnvelopeAnalysis.read(contentsOf: envelopeReadPath)
                precondition(reading.streamed)
                blackHole(reading)
            } catch {
                fatalError("envelope failed: \(error)")
            }
        }
    }

    // The number parser alone: 1M fields as a CSV reader hands them over (bytes, no String).
    let fields: [[UInt8]] = (0..<1_000_000).map { i in
        Array([String(i * 7919 % 100_000), String(format: "%.6f", Double(i % 9973) / 997.3), "\(i % 97 + 1)e9",
               "2.5B"][i % 4].utf8)
    }
    Benchmark("Streaming: parseQuantity(bytes:), 1M fields",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal], timeUnits: .milliseconds,
                                   warmupIterations: 1, maxDuration: .seconds(3), maxIterations: 20)) { benchmark in
        for _ in benchmark.scaledIterations {
            var sum = 0.0
            for field in fields {
                sum += field.withUnsafeBufferPointer { parseQuantity(bytes: $0) } ?? 0
            }
            blackHole(sum)
        }
    }
}
