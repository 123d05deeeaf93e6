// The library inside a training loop: a ladder of small runs finishes one by one; after each, the
// Chinchilla law is refitted, and the forecast for the target run and the compute-optimal plan for the
// target budget are printed with 95% bootstrap intervals, and whether each interval covers the truth.
//
// What to watch: the intervals are wide while the ladder is small and narrow as runs of new sizes
// arrive, but not at every step (a run that departs from the trend can widen them). At the end the
// ladder pins the 70B forecast to about 6%, while the compute-optimal size stays uncertain by a factor
// of ten either way: the split between N and D is the hard part of extrapolating 300x in compute.
//
// The "training" here draws each run's final loss from Hoffmann et al.'s published law
// (E 1.69, A 406.4, B 410.7, alpha 0.34, beta 0.28) with 1% noise, seeded, so the example is
// reproducible; in a real loop, `train(params:tokens:)` would launch the job and read its eval loss.
// Intervals are bootstrap percentiles (400 refits of resampled runs): with a dozen runs the asymptotic
// intervals, which rely on the law being nearly linear in its parameters near the optimum, are too
// narrow: on this ladder, with 7 to 12 runs, they miss the true forecast at four of the six steps.
//
//     cd Examples/TrainingLoop && swift run -c release
import Foundation
import ScalingLaws

/// The run to forecast and the budget to plan: Chinchilla itself.
let targetParams = 70e9, targetTokens = 1.4e12, targetBudget = 5.88e23


/// Stands in for a training job: the loss the published law gives, with 1% log-normal noise.
func train(params n: Double, tokens d: Double, using random: inout SeededGenerator) -> Double {
    let truth = 1.69 + 406.4 / pow(n, 0.34) + 410.7 / pow(d, 0.28)
    // Box–Muller for one standard normal draw.
    let u1 = Double.random(in: Double.ulpOfOne..<1, using: &random), u2 = Double.random(in: 0..<1, using: &random)
    let z = sqrt(-2 * log(u1)) * cos(2 * .pi * u2)
    return truth * exp(0.01 * z)
}

/// The ladder: six model sizes, each trained at 5, 20 and 80 tokens per parameter, smallest first. The
/// 16x range of tokens per parameter at each size is what lets the fit tell the model-size term from the
/// data term; at 10-40 tokens per parameter the two stay confounded and the optimal size is a guess.
let ladder: [(params: Double, tokens: Double)] = [20e6, 50e6, 120e6, 300e6, 700e6, 1.5e9].flatMap { n in
    [5.0, 20, 80].map { (n, $0 * n) }
}

/// The law the runs are drawn from, to say whether each interval covers it.
let trueLoss = 1.69 + 406.4 / pow(targetParams, 0.34) + 410.7 / pow(targetTokens, 0.28)
let trueOptimum = try FitResult(law: ChinchillaLaw(),
                                parameters: ["E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28])
    .computeOptimum(flops: targetBudget).params!

func format(_ v: Double) -> String {
    for (scale, suffix) in [(1e12, "T"), (1e9, "B"), (1e6, "M")] where v >= scale {
        return String(format: "%.3g", v / scale) + suffix
    }
    return String(format: "%.3g", v)
}

print("target run: N = \(format(targetParams)), D = \(format(targetTokens)); target budget: C = \(targetBudget) FLOPs")
print("runs  last run (N, D, loss)      forecast L(70B, 1.4T) [95% interval]  covers  optimal N at 5.88e23 [95% interval]  covers")
var finished = [Run]()
var random = SeededGenerator(seed: 2024)  // SplitMix64: the same numbers on every machine
for step in ladder {
    let loss = train(params: step.params, tokens: step.tokens, using: &random)
    finished.append(Run(params: step.params, tokens: step.tokens, flops: 6 * step.params * step.tokens, loss: loss))
    let last = "\(format(step.params)), \(format(step.tokens)), \(String(format: "%.3f", loss))"
        .padding(toLength: 24, withPad: " ", startingAt: 0)
    let count = String(repeating: " ", count: max(0, 4 - String(finished.count).count)) + String(finished.count)
    // Five parameters need more than five runs, and a bootstrap needs more again: a resample of 7-9
    // runs draws too few distinct ones to refit. Wait for two runs per parameter.
    guard finished.count >= 10 else {
        print("\(count)  \(last)  (waiting for 10 runs: two per parameter, so that resamples can be refitted)")
        continue
    }
    do {
        let fit = try ChinchillaLaw().fit(finished)
        let uncertainty = try fit.bootstrap(BootstrapOptions(replicates: 400, seed: 1))
        let forecast = try uncertainty.predictions([Run(params: targetParams, tokens: targetTokens)])[0]
        let plan = try uncertainty.computeOptimum(flops: targetBudget)
        guard let n = plan.params else { print("\(count)  \(last)  the law gives no compute optimum"); continue }
        let loss = String(format: "%.3f [%.3f, %.3f]", forecast.value, forecast.lawInterval.low, forecast.lawInterval.high)
        let coversLoss = forecast.lawInterval.low <= trueLoss && trueLoss <= forecast.lawInterval.high
        let coversN = n.interval.low <= trueOptimum && trueOptimum <= n.interval.high
        let optimum = "\(format(n.value)) [\(format(n.interval.low)), \(format(n.interval.high))]"
        print("\(count)  \(last)  \(loss.padding(toLength: 36, withPad: " ", startingAt: 0))  \(coversLoss ? "yes" : "NO ")     "
              + "\(optimum.padding(toLength: 35, withPad: " ", startingAt: 0))  \(coversN ? "yes" : "NO")")
    } catch {
        print("\(count)  \(last)  no fit yet: \(error)")
    }
}
print("truth (the law the runs were drawn from): L(70B, 1.4T) = \(String(format: "%.3f", trueLoss)), optimal N at 5.88e23 = \(format(trueOptimum))")

// Part 2: one run in progress under a planned learning-rate schedule. Three finished runs of the same
// 25M model (cosine, constant, two-stage) are the reference; the run being "trained" replays the logged
// losses of the WSD run in Examples/data/multipower_25m.csv (Luo et al. 2025), and every 4,000 steps the
// multi-power law forecasts its final loss at step 23,904 from the losses so far and the planned decay.
// The forecast stays within 0.4% of the logged final loss. The interval narrows as the run goes on, then
// widens again at step 20,000: the whole decay (about 3% of loss) is still ahead of the run, more change
// than the three reference runs had left at the same point of their schedules, and the interval grows
// with the change forecast beyond theirs. It covers the logged final loss at every step.
let dataPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("data/multipower_25m.csv").path
do {
    let logged = try ScheduleTable.runs(contentsOf: dataPath)
    let reference = logged.filter { ["cosine_24000", "constant_24000", "wsdcon_9"].contains($0.name) }
    let replayed = logged.first { $0.name == "wsd_20000_24000" }!
    let lossAt = Dictionary(uniqueKeysWithValues: zip(replayed.steps, replayed.losses))
    var monitor = try LossCurveMonitor(plannedSchedule: replayed.schedule, reference: reference)
    print("\nrun in progress under a WSD schedule (decay from step 20,000); logged final loss \(replayed.losses.last!)")
    print("  step   loss so far   forecast final loss [95% int.]   covers the logged final loss")
    for step in stride(from: 0.0, through: replayed.schedule.lastStep, by: 16) {
        try monitor.record(step: step, lr: replayed.schedule.rate(at: step), loss: lossAt[step])
        guard step > 0, step.truncatingRemainder(dividingBy: 4000) == 0 else { continue }
        let f = try monitor.forecast()
        let covers = f.final.interval.contains(replayed.losses.last!)
        print(String(format: "%6.0f   %.4f        %.4f [%.4f, %.4f]         %@", step, monitor.losses.last!, f.final.predicted,
                     f.final.interval.low, f.final.interval.high, covers ? "yes" : "NO"))
    }
} catch {
    print("schedule example: \(error)")
}
