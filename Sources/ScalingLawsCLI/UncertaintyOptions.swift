import ArgumentParser
import Foundation
import ScalingLaws
import Synchronization

/// How intervals are computed.
struct UncertaintyOptions: ParsableArguments {
    @Option(name: .customLong("bootstrap"), defaultAsFlag: ReplicateCount(1000), parsing: .next,
            help: ArgumentHelp("Bootstrap with K resamples of the runs (plain --bootstrap means 1000); without it, asymptotic intervals.",
                               valueName: "K"))
    var replicateCount: ReplicateCount?

    /// The bootstrap replicates asked for, nil without `--bootstrap`.
    var bootstrap: Int? { replicateCount.map { Int($0.text) ?? 0 } }

    @Option(help: "Seed of the bootstrap draws: the same seed gives identical output.")
    var seed: UInt64 = 1

    @OptionGroup var confidence: LevelOptions

    @Flag(help: "No progress bar on stderr.")
    var quiet = false

    /// The confidence level of every interval.
    var level: Double { confidence.level }

    /// Checks the values before any work is done (argument-parser calls it after parsing).
    func validate() throws {
        if let text = replicateCount?.text, Int(text) == nil {
            throw CLIError(message: "--bootstrap: expected a whole number of replicates K such as 1000 (or --bootstrap alone for 1000), got \(displayQuoted(text))")
        }
        if let bootstrap, bootstrap < 2 || bootstrap > Limits.maxReplicates {
            throw CLIError(message: "--bootstrap: expected at least 2 replicates (1000 is usual) and at most \(Limits.maxReplicates), got \(bootstrap)")
        }
    }

    /// The fit's uncertainty, or nil when the fit carries no runs (parameters given with --fix).
    func uncertainty(of fit: FitResult) throws -> Uncertainty? {
        guard !fit.trainingSet.isEmpty else { return nil }
        guard let replicates = bootstrap else { return try fit.asymptoticUncertainty(level: level) }
        let bar = quiet ? nil : ProgressBar.make(label: "bootstrap", total: replicates)
        defer { bar?.finish() }
        var report: (@Sendable (Int) -> Void)? = nil
        if let bar { report = { done in bar.update(done) } }
        return try fit.bootstrap(BootstrapOptions(replicates: replicates, seed: seed, level: level), progress: report)
    }
}

/// The K of `--bootstrap [K]`, as given: any value that is not a file name, so that `--bootstrap=7x` is
/// reported rather than read as plain `--bootstrap` (argument-parser falls back to the flag's default when
/// a value does not parse), while `--bootstrap runs.csv` leaves the file to the command.
struct ReplicateCount: ExpressibleByArgument, CustomStringConvertible {
    var text: String

    init(_ count: Int) { text = String(count) }

    init?(argument: String) {
        let isFileName = argument.contains("/") || argument.range(of: #"\.[A-Za-z]"#, options: .regularExpression) != nil
        guard !isFileName else { return nil }
        text = argument
    }

    var description: String { text }
}

/// `--level`: the confidence level of every interval, the one declaration of the flag (inside
/// ``UncertaintyOptions``, and alone in commands whose intervals need no resampling options).
struct LevelOptions: ParsableArguments {
    @Option(help: "Confidence level of every interval.")
    var level: Double = 0.95

    /// Checks the level before any work is done (argument-parser calls it after parsing).
    func validate() throws {
        try inFlagWords { try Limits.checkLevel(level) }
    }
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
final class ProgressBar: Sendable {
    let label: String
    let total: Int
    private let last = Mutex<Int>(-1)

    private init(label: String, total: Int) {
        self.label = label
        self.total = total
    }

    static func make(label: String, total: Int) -> ProgressBar? {
        isatty(STDERR_FILENO) == 1 ? ProgressBar(label: label, total: total) : nil
    }

    func update(_ done: Int) {
        let percent = total > 0 ? done * 100 / total : 100
        let draw = last.withLock { previous -> Bool in
            guard percent != previous else { return false }
            previous = percent
            return true
        }
        guard draw else { return }
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// Lets an option take a negative number (`--level -0.5`, `--inference-tokens -1`): the argument parser
/// would read `-0.5` as a flag and report a missing value, so `--name -number` becomes `--name=-number`,
/// and the option's own range check reports the value.
func normalizedArguments(_ arguments: [String]) -> [String] {
    var out = [String]()
    var i = 0
    while i < arguments.count {
        let a = arguments[i]
        if a.hasPrefix("--"), !a.contains("="), a != "--", i + 1 < arguments.count {
            let next = arguments[i + 1]
            if next.count > 1, next.hasPrefix("-"), let c = next.dropFirst().first, c.isNumber || c == "." {
                out.append(a + "=" + next)
                i += 2
                continue
            }
        }
        out.append(a)
        i += 1
    }
    return out
}
