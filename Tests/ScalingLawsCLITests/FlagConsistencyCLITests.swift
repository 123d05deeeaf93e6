import Foundation
import Testing

/// A renamed flag: the old spelling must still work, give the same output as the new one, warn once on
/// stderr, and be hidden from help.
struct RenamedFlag: CustomTestStringConvertible, Sendable {
    var command: String
    var old: String
    var new: String
    /// The arguments with the value of the flag (the flag itself is put in front of `value`).
    var before: [String]
    var value: String
    var after: [String] = []
    var testDescription: String { "\(command) \(old) → \(new)" }

    func arguments(_ flag: String) -> [String] { [command] + before + [flag, value] + after }
}

private let curvesCSV = repositoryRoot.appendingPathComponent("Examples/data/learning_curves_synthetic.csv").path
private let multipowerCSV = repositoryRoot.appendingPathComponent("Examples/data/multipower_25m.csv").path
private let candidatesCSV = repositoryRoot.appendingPathComponent("Examples/data/wsd_candidates.csv").path
private let taskCSV = repositoryRoot.appendingPathComponent("Examples/data/task_synthetic.csv").path
private let isoflopCSV = repositoryRoot.appendingPathComponent("Examples/data/isoflop_synthetic.csv").path
/// The multi-power law's published 25M parameters (Luo et al. 2025): nothing left to fit, so the
/// schedule cases run fast.
private let multipowerFix = "L0=3.04045406,A=0.52468604,alpha=0.50786857,B=363.78751622,C=2.06560812,beta=0.58279013,gamma=0.64142257"

private let renamedFlags: [RenamedFlag] = [
    RenamedFlag(command: "fit", old: "--loss", new: "--objective", before: [exampleCSV, "--law", "power", "--x", "flops"], value: "mse"),
    RenamedFlag(command: "task", old: "--loss", new: "--objective",
                before: [taskCSV, "--loss-col", "task_loss", "--metric-col", "accuracy", "--params", "7B", "--tokens", "1.4T"], value: "mse"),
    RenamedFlag(command: "curve", old: "--at", new: "--tokens", before: [curvesCSV, "--run", "m160", "--through", "9.6e8"], value: "3.2e9"),
    RenamedFlag(command: "curve", old: "--at", new: "--steps",
                before: [multipowerCSV, "--law", "multi-power", "--fix", multipowerFix, "--run", "wsdcon_18"], value: "8000,12000"),
    RenamedFlag(command: "curve", old: "--params", new: "--run-params",
                before: [multipowerCSV, "--run", "cosine_24000", "--tokens-per-step", "1", "--through", "4787", "--tokens", "23920"], value: "25M"),
    RenamedFlag(command: "schedule", old: "--at", new: "--steps",
                before: [multipowerCSV, "--law", "multi-power", "--fix", multipowerFix, "--candidates", candidatesCSV], value: "8000"),
]

/// Issue 12: one meaning and one default per flag and per JSON key across commands.
@Suite("One meaning per flag and per JSON key (issue 12)")
struct FlagConsistencyCLITests {
    @Test("A renamed flag still parses, gives the new flag's output, warns once on stderr and is hidden from help",
          arguments: renamedFlags)
    func deprecatedAliasStillWorks(flag: RenamedFlag) throws {
        let new = try scaling(flag.arguments(flag.new))
        let old = try scaling(flag.arguments(flag.old))
        #expect(new.status == 0, "\(new.stderr)")
        #expect(old.status == 0, "\(old.stderr)")
        #expect(old.stdout == new.stdout)
        #expect(!new.stderr.contains("deprecated"), "\(new.stderr)")
        let warning = "scaling: warning: \(flag.old) is deprecated: use \(flag.new)\n"
        #expect(old.stderr.components(separatedBy: warning).count == 2, "\(old.stderr)")
        // Both spellings at once: refused, naming both.
        let both = try scaling(flag.arguments(flag.new) + [flag.old, flag.value])
        #expect(both.status == 1 && both.stderr.hasPrefix("scaling: error: ") && both.stderr.contains(flag.old)
                && both.stderr.contains(flag.new), "\(both.stderr)")
        let help = try scaling([flag.command, "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("  \(flag.new) <"), "help lacks \(flag.new)")
        #expect(!help.stdout.contains("  \(flag.old) <"), "help still lists \(flag.old)")
    }

    @Test("predict, curve, task and backtest name their intervals law_interval and new_run_interval")
    func intervalKeys() throws {
        func keys(_ arguments: [String], _ path: (([String: Any]) -> [String: Any]?)) throws -> Set<String> {
            let r = try scaling(arguments + ["--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            return Set(try #require(path(try jsonObject(r.stdout))).keys)
        }
        func first(_ key: String) -> ([String: Any]) -> [String: Any]? { { ($0[key] as? [[String: Any]])?.first } }
        let outputs = [
            try keys(["predict", exampleCSV, "--params", "70B", "--tokens", "1.4T"], first("predictions")),
            try keys(["curve", curvesCSV, "--run", "m160", "--through", "9.6e8", "--tokens", "3.2e9"], { $0 }),
            try keys(["task", taskCSV, "--loss-col", "task_loss", "--metric-col", "accuracy", "--params", "7B", "--tokens", "1.4T"],
                     first("predictions")),
            try keys(["backtest", exampleCSV, "--law", "saturating", "--x", "flops", "--train", "flops<1e21"], first("runs")),
        ]
        for k in outputs {
            #expect(k.isSuperset(of: ["law_interval", "new_run_interval"]), "\(k.sorted())")
            #expect(k.isDisjoint(with: ["interval", "run_interval"]), "\(k.sorted())")
        }
        // Where a calibration is made, the third interval has the same name everywhere.
        #expect(outputs[0].contains("calibrated_interval") && outputs[1].contains("calibrated_interval")
                && outputs[3].contains("calibrated_interval"))
    }

    @Test("isoflop: no bootstrap unless asked; plain --bootstrap means 1000 replicates, seed 1, as in every command")
    func isoflopBootstrapIsOptIn() throws {
        let plain = try scaling(["isoflop", isoflopCSV, "--format", "json"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let p = try jsonObject(plain.stdout)
        #expect(p["bootstrap"] is NSNull)
        #expect(!((p["interval_method"] as? String) ?? "bootstrap").contains("bootstrap"))

        let boot = try scaling(["isoflop", isoflopCSV, "--bootstrap", "--format", "json"])
        #expect(boot.status == 0, "\(boot.stderr)")
        let b = try #require((try jsonObject(boot.stdout))["bootstrap"] as? [String: Any])
        #expect(b["replicates"] as? Int == 1000 && b["seed"] as? Int == 1 && b["kind"] as? String == "runs")

        // The noise bootstrap is a bootstrap too: asked for with --bootstrap, not implied by --noise.
        let noise = try scaling(["isoflop", isoflopCSV, "--noise", "0.005"])
        #expect(noise.status == 1 && noise.stdout.isEmpty)
        #expect(noise.stderr.hasPrefix("scaling: error: --noise") && noise.stderr.contains("--bootstrap"), "\(noise.stderr)")
        let both = try scaling(["isoflop", isoflopCSV, "--noise", "0.005", "--bootstrap", "50", "--format", "json"])
        #expect(both.status == 0, "\(both.stderr)")
        let nb = try #require((try jsonObject(both.stdout))["bootstrap"] as? [String: Any])
        #expect(nb["kind"] as? String == "noise" && nb["replicates"] as? Int == 50 && nb["seed"] as? Int == 1)
    }

    @Test("--seed defaults to 1 and --bootstrap is opt-in in every command that has them")
    func oneDefaultPerFlag() throws {
        for command in ["fit", "predict", "optimal", "backtest", "isoflop", "curve"] {
            let help = try scaling([command, "--help"])
            #expect(help.status == 0)
            let lines = help.stdout.split(separator: "\n")
            let seed = lines.firstIndex { $0.contains("--seed <seed>") }
            #expect(seed != nil, "\(command) has no --seed")
            if let seed {
                #expect(lines[seed...].prefix(3).joined().contains("(default: 1)"), "\(command): \(lines[seed...].prefix(3))")
            }
            #expect(help.stdout.contains("--bootstrap [<K>]"), "\(command): --bootstrap is not an optional-value flag")
        }
    }
}
