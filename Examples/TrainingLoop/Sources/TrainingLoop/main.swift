// The library inside a training loop: a ladder of small runs finishes one by one; after each, the
// Chinchilla law is refitted, and the forecast for the target run and the compute-optimal plan for the
// target budget are printed with their intervals. Watch the intervals narrow as the ladder grows.
//
// The "training" here draws each run's final loss from Hoffmann et al.'s published law
// (E 1.69, A 406.4, B 410.7, alpha 0.34, beta 0.28) with 1% noise, seeded, so the example is
// reproducible; in a real loop, `train(params:tokens:)` would launch the job and read its eval loss.
//
//     cd Examples/TrainingLoop && swift run -c release
import Foundation
import ScalingLaws

/// The run to forecast and the budget to plan: Chinchilla itself.
let targetParams = 70e9, targetTokens = 1.4e12, targetBudget = 5.88e23

/// A small, seeded generator (SplitMix64), so the example prints the same numbers every time.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Stands in for a training job: the loss the published law gives, with 1% log-normal noise.
func train(params n: Double, tokens d: Double, using random: inout SplitMix64) -> Double {
    let truth = 1.69 + 406.4 / pow(n, 0.34) + 410.7 / pow(d, 0.28)
    // Box–Muller for one standard normal draw.
    let u1 = Double.random(in: Double.ulpOfOne..<1, using: &random), u2 = Double.random(in: 0..<1, using: &random)
    let z = sqrt(-2 * log(u1)) * cos(2 * .pi * u2)
    return truth * exp(0.01 * z)
}

/// The ladder: five model sizes, each trained at 10, 20 and 40 tokens per parameter, smallest first.
let ladder: [(params: Double, tokens: Double)] = [20e6, 50e6, 120e6, 300e6, 700e6].flatMap { n in
    [10.0, 20, 40].map { (n, $0 * n) }
}

func format(_ v: Double) -> String {
    for (scale, suffix) in [(1e12, "T"), (1e9, "B"), (1e6, "M")] where v >= scale {
        return String(format: "%.3g", v / scale) + suffix
    }
    return String(format: "%.3g", v)
}

print("target run: N = \(format(targetParams)), D = \(format(targetTokens)); target budget: C = \(targetBudget) FLOPs")
print("runs  last run (N, D, loss)         forecast L(70B, 1.4T) [95% int.]       optimal N at 5.88e23 [95% int.]")
var finished = [Run]()
var random = SplitMix64(state: 2024)
for step in ladder {
    let loss = train(params: step.params, tokens: step.tokens, using: &random)
    finished.append(Run(params: step.params, tokens: step.tokens, flops: 6 * step.params * step.tokens, loss: loss))
    let last = "\(format(step.params)), \(format(step.tokens)), \(String(format: "%.3f", loss))"
        .padding(toLength: 27, withPad: " ", startingAt: 0)
    let count = String(repeating: " ", count: max(0, 4 - String(finished.count).count)) + String(finished.count)
    // Five parameters need more than five runs before the fit is determined.
    guard finished.count >= 7 else {
        print("\(count)  \(last)  (waiting for 7 runs to fit 5 parameters)")
        continue
    }
    do {
        let fit = try ChinchillaLaw().fit(finished)
        let uncertainty = try fit.asymptoticUncertainty(level: 0.95)
        let forecast = try uncertainty.predictions([Run(params: targetParams, tokens: targetTokens)])[0]
        let plan = try uncertainty.computeOptimum(flops: targetBudget)
        let n = plan["params"]!
        let loss = String(format: "%.3f [%.3f, %.3f]", forecast.value, forecast.interval.low, forecast.interval.high)
        print("\(count)  \(last)  \(loss.padding(toLength: 37, withPad: " ", startingAt: 0))  "
              + "\(format(n.value)) [\(format(n.interval.low)), \(format(n.interval.high))]")
    } catch {
        print("\(count)  \(last)  no fit yet: \(error)")
    }
}
print("truth (the law the runs were drawn from): L(70B, 1.4T) = 1.937, optimal N at 5.88e23 = 32.5B")

// Part 2: one run in progress under a planned learning-rate schedule. Three finished runs of the same
// 25M model (cosine, constant, two-stage) are the reference; the run being "trained" replays the logged
// losses of the WSD run in Examples/data/multipower_25m.csv (Luo et al. 2025), and every 4,000 steps the
// multi-power law forecasts its final loss at step 23,904 from the losses so far and the planned decay.
let dataPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("data/multipower_25m.csv").path
do {
    let logged = try ScheduleTable.runs(contentsOf: dataPath)
    let reference = logged.filter { ["cosine_24000", "constant_24000", "wsdcon_9"].contains($0.name) }
    let replayed = logged.first { $0.name == "wsd_20000_24000" }!
    let lossAt = Dictionary(uniqueKeysWithValues: zip(replayed.steps, replayed.losses))
    var monitor = try LossCurveMonitor(plannedSchedule: replayed.schedule, reference: reference)
    print("\nrun in progress under a WSD schedule (decay from step 20,000); logged final loss \(replayed.losses.last!)")
    print("  step   loss so far   forecast final loss [95% int.]")
    for step in stride(from: 0.0, through: replayed.schedule.lastStep, by: 16) {
        try monitor.record(step: step, lr: replayed.schedule.rate(at: step), loss: lossAt[step])
        guard step > 0, step.truncatingRemainder(dividingBy: 4000) == 0 else { continue }
        let f = try monitor.forecast()
        print(String(format: "%6.0f   %.4f        %.4f [%.4f, %.4f]", step, monitor.losses.last!, f.final.predicted,
                     f.final.interval.low, f.final.interval.high))
    }
} catch {
    print("schedule example: \(error)")
}
