import Foundation
import Testing

/// The hostile-input catalogue of issue 11: for every command, inputs a careless or hostile user might
/// give. Each must end with exit status 1 (never a trap, never status 0 without a result), one error
/// line on stderr (three for a formula: the message, the formula, a caret) naming the file, line and
/// column or the flag, nothing on stdout, no raw control character from the input echoed, and no file
/// written or removed.
struct HostileInput: CustomTestStringConvertible, Sendable {
    var command: String
    var name: String
    /// Files created in a fresh directory (the working directory of the run); bytes, so that invalid
    /// UTF-8 can be written.
    var files: [String: [UInt8]]
    var arguments: [String]
    var mustContain: [String]
    var lines = 1
    var testDescription: String { "\(command): \(name)" }

    init(_ command: String, _ name: String, files: [String: String] = [:], raw: [String: [UInt8]] = [:],
         _ arguments: [String], _ mustContain: [String], lines: Int = 1) {
        self.command = command
        self.name = name
        self.files = raw.merging(files.mapValues { Array($0.utf8) }) { a, _ in a }
        self.arguments = arguments
        self.mustContain = mustContain
        self.lines = lines
    }
}

/// Twelve runs of the Chinchilla law on a small ladder (a valid file for the option cases).
let ladderCSV: String = {
    var rows = ["params,tokens,loss"]
    for n in [1e7, 3e7, 1e8, 3e8] {
        for r in [5.0, 20, 80] {
            let d = r * n
            rows.append("\(n),\(d),\(1.69 + 406.4 * pow(n, -0.34) + 410.7 * pow(d, -0.28))")
        }
    }
    return rows.joined(separator: "\n") + "\n"
}()

private let scheduleCSV = repositoryRoot.appendingPathComponent("Examples/data/multipower_25m.csv").path
private let candidatesCSV = repositoryRoot.appendingPathComponent("Examples/data/wsd_candidates.csv").path
private let curvesCSV = repositoryRoot.appendingPathComponent("Examples/data/curves_synthetic.csv").path
private let isoflopCSV = repositoryRoot.appendingPathComponent("Examples/data/isoflop_synthetic.csv").path
private let taskCSV = repositoryRoot.appendingPathComponent("Examples/data/task_synthetic.csv").path
private let fix5 = ["--fix", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28"]
private let shape = ["--layers", "2", "--d-model", "96", "--vocab", "10", "--context", "8"]
private let latin1: [UInt8] = Array("run,params,tokens,loss\nr1,1e8,1e9,3\nr\u{0}".utf8).dropLast() + [0xE9] + Array(",1e8,2e9,2.9\n".utf8)

/// A saved fit of the Chinchilla law (the published parameters, no training runs) with `edit` applied
/// to its JSON object: hand-edited or damaged files for `--fit`.
private func savedFit(_ edit: (inout [String: Any]) -> Void = { _ in }) -> String {
    var object: [String: Any] = [
        "format": "scaling-laws-fit", "version": 1, "law": "chinchilla", "formula": "L = E + A / N^alpha + B / D^beta",
        "configuration": [String: String](), "fixed": [String](), "runs": 0, "flops_per_param_token": 6,
        "parameters": ["E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28],
        "objective": ["loss": "huber", "delta": 0.001, "space": "log", "definition": "given"],
        "solver": ["termination": "nothing_to_fit", "iterations": 0, "initial_cost": 0, "final_cost": 0,
                   "function_evaluations": 0, "jacobian_evaluations": 0, "gradient_norm": 0],
        "start_search": ["candidates": 0, "valid": 0, "polished": 0, "agreeing": 0],
    ]
    edit(&object)
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    return String(decoding: data, as: UTF8.self)
}
private let mpl = "A=0.66,B=614,C=0.26,alpha=0.41,beta=0.58,gamma=0.59,L0=3.15"
private let predictSaved = ["predict", "--fit", "f.json", "--params", "1e9", "--tokens", "2e10"]

let hostileInputs: [HostileInput] = [
    // fit: values LAPACK must never see, and numbers out of range.
    .init("fit", "subnormal loss (5e-324)", files: ["runs.csv": "params,tokens,loss\n1e7,5e7,5e-324\n" + ladderCSV.split(separator: "\n").dropFirst().joined(separator: "\n")],
          ["fit", "runs.csv"], ["runs.csv, line 2, column 3 (\"loss\")", "normal size", "5e-324"]),
    .init("fit", "subnormal params", files: ["runs.csv": "params,tokens,loss\n1e-320,1e9,3\n"], ["fit", "runs.csv"], ["runs.csv, line 2, column 1 (\"params\")"]),
    .init("fit", "N·D overflows double", files: ["runs.csv": "params,tokens,loss\n1e200,1e200,3\n"], ["fit", "runs.csv"], ["runs.csv, line 2", "flops", "6·N·D"]),
    .init("fit", "--init NaN", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--init", "alpha=nan"], ["--init", "alpha", "finite", "\"nan\""]),
    .init("fit", "--init infinite", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--init", "alpha=inf"], ["--init", "finite"]),
    .init("fit", "--init non-positive for a positive parameter", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--init", "A=-3"], ["--init", "A must be positive"]),
    .init("fit", "--init unknown parameter", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--init", "gamma=1"], ["--init", "gamma"]),
    .init("fit", "--fix NaN", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--fix", "E=nan"], ["--fix", "finite"]),
    .init("fit", "--fix twice with two values", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--fix", "E=1,E=2"], ["--fix", "E is given twice"]),
    .init("fit", "--fix twice in two flags", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--fix", "E=1", "--fix", "E=2"], ["--fix", "given twice"]),
    .init("fit", "formula dividing by zero", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--formula", "E + A/(N-N)"], ["formula law failed", "finite"]),
    .init("fit", "--level that rounds to 1", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--level", "0.9999999999999999"], ["--level", "at most 0.999999999"]),
    .init("fit", "negative --level", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--level", "-0.5"], ["--level", "-0.5"]),
    .init("fit", "--level 1", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--level", "1"], ["--level"]),
    .init("fit", "--level NaN", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--level", "nan"], ["--level"]),
    .init("fit", "--bootstrap beyond the limit", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--bootstrap", "1000000000000"], ["--bootstrap", "at most 100000"]),
    .init("fit", "negative --bootstrap", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--bootstrap", "-5"], ["--bootstrap"]),
    .init("fit", "--delta NaN", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--delta", "nan"], ["--delta"]),
    .init("fit", "unknown --objective", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--objective", "l3"], ["--objective", "mse", "huber"]),
    .init("fit", "unknown --space", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--space", "cubic"], ["--space", "log", "linear"]),
    .init("fit", "--loss and --objective both", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--loss", "mse", "--objective", "mse"], ["--loss", "--objective"]),
    .init("fit", "--bootstrap not a number", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--bootstrap", "many"], ["--bootstrap", "many"]),
    .init("fit", "--tau out of range", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--objective", "asymmetric", "--tau", "2"], ["--tau"]),
    .init("fit", "--flops-per-param-token 0", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--flops-per-param-token", "0"], ["--flops-per-param-token"]),
    .init("fit", "--flops-per-param-token 1e300 (was a trap formatting k)", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--flops-per-param-token", "1e300"],
          ["runs.csv, line 2", "C = 1e+300·N·D", "out of the range"]),
    .init("fit", "--starts 0", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--starts", "0"], ["--starts"]),
    .init("fit", "--breaks out of range", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--law", "bnsl", "--x", "params", "--breaks", "9"], ["--breaks"]),
    .init("fit", "--bounds reversed", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--bounds", "alpha=2:1"], ["--bounds", "alpha"]),
    .init("fit", "--tie to an unknown parameter", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--tie", "alpha=gamma"], ["--tie", "gamma"]),
    // fit: data safety of --save and --plot.
    .init("fit", "--save onto the input", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--save", "runs.csv"], ["--save", "is an input of this command"]),
    .init("fit", "--plot onto the input, spelled differently", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--plot", "./runs.csv"], ["--plot", "is an input"]),
    .init("fit", "--save with an empty path", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--save", ""], ["--save", "empty path"]),
    .init("fit", "--save onto a directory", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--save", "."], ["--save", "is a directory"]),
    .init("fit", "--save into a missing directory", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--save", "missing/fit.json"], ["--save", "missing", "does not exist"]),
    .init("fit", "--save onto a device", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--save", "/dev/null"], ["--save", "not a regular file"]),
    .init("fit", "--plot into a missing directory", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--plot", "nowhere/fit.svg"], ["--plot", "does not exist"]),
    .init("fit", "--save and --plot onto one file (the image replaced the saved fit)", files: ["runs.csv": ladderCSV],
          ["fit", "runs.csv", "--save", "x", "--plot", "./x"], ["--save and --plot name the same file"]),
    .init("fit", "--objectives with --save", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--objectives", "--save", "f.json"], ["--objectives", "--save"]),
    .init("fit", "--objectives with --plot", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--objectives", "--plot", "f.svg"], ["--objectives", "--plot"]),
    // fit: the CSV reader.
    .init("fit", "BOM and a repeated column", files: ["runs.csv": "\u{FEFF}params,params,loss\n1,2,3\n"], ["fit", "runs.csv"], ["runs.csv, line 1", "columns 1 and 2", "\"params\""]),
    .init("fit", "repeated column differing in case", files: ["runs.csv": "loss,params,tokens,LOSS\n1,2,3,4\n"], ["fit", "runs.csv"], ["runs.csv, line 1", "columns 1 and 4"]),
    .init("fit", "N and params both present", files: ["runs.csv": "N,params,tokens,loss\n1e8,1e8,1e9,3\n"], ["fit", "runs.csv"], ["runs.csv", "\"N\"", "\"params\"", "--params-col"]),
    .init("fit", "loss and val_loss both present", files: ["runs.csv": "params,tokens,loss,val_loss\n1e8,1e9,3,3.1\n"], ["fit", "runs.csv"], ["runs.csv", "\"loss\"", "\"val_loss\"", "--loss-col"]),
    .init("fit", "invalid UTF-8 (one Latin-1 byte)", raw: ["runs.csv": latin1], ["fit", "runs.csv"], ["runs.csv, line 3", "not UTF-8"]),
    .init("fit", "a comment line below the header", files: ["runs.csv": "params,tokens,loss\n1e8,1e9,3\n# second batch\n2e8,2e9,2.9\n"], ["fit", "runs.csv"], ["runs.csv, line 3", "only above the header"]),
    .init("fit", "CR-only line ends with a short row", files: ["runs.csv": "params,tokens,loss\r1e8,1e9,3\r2e8,2e9\r"], ["fit", "runs.csv"], ["runs.csv, line 3", "expected 3 fields"]),
    .init("fit", "escape sequence in a field", files: ["runs.csv": "params,tokens,loss\n1e8,1e9,\u{1B}[2J\u{1B}[31mred\n"], ["fit", "runs.csv"], ["runs.csv, line 2, column 3", "\\u{1B}[2J"]),
    .init("fit", "a 10 MB field", files: ["runs.csv": "params,tokens,loss\n1e8,1e9," + String(repeating: "9x", count: 5_000_000) + "\n"], ["fit", "runs.csv"], ["runs.csv, line 2, column 3", "10000000 characters"]),
    .init("fit", "a directory as the CSV", ["fit", "."], [".", "is a directory"]),
    .init("fit", "an empty path as the CSV", ["fit", ""], ["the path is empty"]),
    .init("fit", "a header column without a name", files: ["runs.csv": "params,,loss\n1,2,3\n"], ["fit", "runs.csv"], ["runs.csv, line 1", "column 2 has no name"]),
    .init("fit", "a quote never closed in the header", files: ["runs.csv": "params,\"tokens,loss\n1,2,3\n"], ["fit", "runs.csv"], ["runs.csv, line 1", "not closed"]),
    .init("fit", "only a byte-order mark", files: ["runs.csv": "\u{FEFF}"], ["fit", "runs.csv"], ["runs.csv", "empty"]),
    .init("fit", "infinite loss", files: ["runs.csv": "params,tokens,loss\n1e8,1e9,inf\n"], ["fit", "runs.csv"], ["runs.csv, line 2, column 3", "\"inf\""]),
    .init("fit", "hexadecimal params", files: ["runs.csv": "params,tokens,loss\n0x10,1e9,3\n"], ["fit", "runs.csv"], ["runs.csv, line 2, column 1", "\"0x10\""]),
    .init("fit", "--use checkpoints without a run column", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--use", "checkpoints"], ["runs.csv", "no run column"]),
    .init("fit", "--loss-col naming no column", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--loss-col", "val"], ["runs.csv", "\"val\"", "--loss-col"]),
    // fit: formulas.
    .init("fit", "--x with --formula", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--formula", "E + A*N^-a", "--x", "params"], ["--x", "--formula"]),
    .init("fit", "--law with a different --formula", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--formula", "E + A*N^-a", "--law", "power"], ["--formula", "--law power"]),
    .init("fit", "formula nested 3,000 deep", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--formula", String(repeating: "(", count: 3000) + "E" + String(repeating: ")", count: 3000)],
          ["--formula", "nests too deeply"], lines: 3),
    .init("fit", "formula nested 8,000 deep", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--formula", String(repeating: "(", count: 8000) + "E" + String(repeating: ")", count: 8000)],
          ["--formula", "too long"], lines: 3),
    .init("fit", "formula with a 20,000-deep ^ chain", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--formula", "E+A*N^" + Array(repeating: "2", count: 4000).joined(separator: "^")],
          ["--formula", "nests too deeply"], lines: 3),
    .init("fit", "formula summing 3,000 terms", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--formula", Array(repeating: "E", count: 3000).joined(separator: "+")],
          ["--formula", "too large"], lines: 3),
    .init("fit", "formula summing 60,000 terms", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--formula", Array(repeating: "E", count: 60000).joined(separator: "+")],
          ["--formula", "too long"], lines: 3),
    .init("fit", "min with 9 arguments", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--formula", "E + min(A,B,C,D,F,G,H,I,J)"], ["--formula", "min takes 2 to 8 arguments, got 9"], lines: 3),
    .init("fit", "unknown function", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--formula", "E + sin(N)"], ["--formula", "unknown function"], lines: 3),
    .init("fit", "empty formula", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--formula", ""], ["--formula", "empty"], lines: 3),
    .init("fit", "control characters in a formula", files: ["runs.csv": ladderCSV], ["fit", "runs.csv", "--formula", "E + \u{1B}[31m"], ["--formula"], lines: 3),

    // predict
    .init("predict", "--tokens ''", ["predict"] + fix5 + ["--params", "1e9", "--tokens", ""], ["--tokens", "\"\""]),
    .init("predict", "an empty item in --params", ["predict"] + fix5 + ["--params", "1e9,,2e9", "--tokens", "1e10"], ["--params", "comma-separated"]),
    .init("predict", "--params ','", ["predict"] + fix5 + ["--params", ",", "--tokens", "1e10"], ["--params"]),
    .init("predict", "negative --params", ["predict"] + fix5 + ["--params", "-1", "--tokens", "1e10"], ["--params", "\"-1\""]),
    .init("predict", "--params NaN", ["predict"] + fix5 + ["--params", "nan", "--tokens", "1e10"], ["--params", "\"nan\""]),
    .init("predict", "--flops contradicting --params and --tokens", ["predict"] + fix5 + ["--params", "1e9", "--tokens", "2e10", "--flops", "1e30"],
          ["--flops contradicts --params and --tokens"]),
    .init("predict", "law options with --fit", files: ["f.json": "{}"], ["predict", "--fit", "f.json", "--law", "power", "--params", "1e9"], ["--law", "saved fit f.json"]),
    .init("predict", "--fix with --fit", files: ["f.json": "{}"], ["predict", "--fit", "f.json", "--fix", "E=2", "--params", "1e9", "--tokens", "1e10"], ["--fix", "saved fit"]),
    .init("predict", "--fit is a directory", ["predict", "--fit", ".", "--params", "1e9", "--tokens", "1e10"], [".", "is a directory"]),
    .init("predict", "--fit missing", ["predict", "--fit", "nope.json", "--params", "1e9", "--tokens", "1e10"], ["nope.json", "no such file"]),
    .init("predict", "--at for a two-variable law", ["predict"] + fix5 + ["--at", "1e9"], ["--at", "--params"]),
    .init("predict", "--at with an empty item", ["predict", "--law", "power", "--x", "params", "--fix", "A=10,alpha=0.1", "--at", "1e9,"], ["--at", "\"\""]),
    .init("predict", "--unique-tokens for chinchilla", ["predict"] + fix5 + ["--params", "1e9", "--tokens", "1e10", "--unique-tokens", "1e9"], ["--unique-tokens"]),
    .init("predict", "--level rounding to 1 with data", files: ["runs.csv": ladderCSV], ["predict", "runs.csv", "--params", "1e9", "--tokens", "1e10", "--level", "0.9999999999999999"], ["--level"]),

    .init("predict", "saved fit: \"runs\" at Int.min (was a trap)", files: ["f.json": savedFit { $0["runs"] = Int.min }], predictSaved,
          ["f.json", "\"runs\" must be a count"]),
    .init("predict", "saved fit: \"runs\" disagreeing with its training runs", files: ["f.json": savedFit {
              $0["runs"] = 1_000_000
              $0["training_runs"] = [1e8, 3e8, 1e9].map { n in ["params": n, "tokens": 20 * n, "loss": 3.0, "values": [String: Double]()] }
          }], predictSaved, ["f.json", "\"runs\" is 1000000", "holds 3 runs"]),
    .init("predict", "saved fit: a law name edited to a law without these parameters", files: ["f.json": savedFit { $0["law"] = "saturating" }], predictSaved,
          ["f.json", "which the saturating law does not have"]),
    .init("predict", "saved fit: \"fixed\" naming a parameter the law lacks", files: ["f.json": savedFit { $0["fixed"] = ["gamma"] }], predictSaved,
          ["f.json", "\"fixed\" names gamma"]),
    .init("design", "saved fit: negative Huber delta", files: ["f.json": savedFit { $0["objective"] = ["loss": "huber", "delta": -1, "space": "log", "definition": "x"] }],
          ["design", "--fit", "f.json", "--budget", "1e20", "--target-flops", "1e22", "--noise", "0.01"], ["f.json", "delta", "positive"]),
    .init("predict", "saved fit: a value outside its saved bounds", files: ["f.json": savedFit { $0["bounds"] = ["alpha": ["lower": 0.5, "upper": 0.9]] }], predictSaved,
          ["f.json", "alpha = 0.34 lies outside its bounds"]),
    .init("predict", "saved fit: tied parameters with different values", files: ["f.json": savedFit { $0["ties"] = ["beta": "alpha"] }], predictSaved,
          ["f.json", "beta is tied to alpha but the values differ"]),
    .init("predict", "saved fit: a training run with a negative weight", files: ["f.json": savedFit {
              $0["runs"] = 3
              $0["training_runs"] = [1e8, 3e8, 1e9].map { n in ["params": n, "tokens": 20 * n, "loss": 3.0, "weight": -1.0, "values": [String: Double]()] }
          }], predictSaved, ["f.json", "training_runs", "weight"]),

    // optimal
    .init("optimal", "--max-tokens ''", ["optimal"] + fix5 + ["--flops", "1e24", "--max-tokens", ""], ["--max-tokens", "\"\""]),
    .init("optimal", "--flops ''", ["optimal"] + fix5 + ["--flops", ""], ["--flops", "\"\""]),
    .init("optimal", "--flops 0", ["optimal"] + fix5 + ["--flops", "0"], ["--flops", "\"0\""]),
    .init("optimal", "--flops with a list of one real value and garbage", ["optimal"] + fix5 + ["--flops", "1e24,x"], ["--flops", "\"x\""]),
    .init("optimal", "--tokens-per-param 1e300", ["optimal"] + fix5 + ["--flops", "1e24", "--tokens-per-param", "1e300"], ["--tokens-per-param", "1e+09"]),
    .init("optimal", "negative --tokens-per-param", ["optimal"] + fix5 + ["--flops", "1e24", "--tokens-per-param", "-20"], ["--tokens-per-param"]),
    .init("optimal", "--flops 1: a model of less than one parameter", ["optimal"] + fix5 + ["--flops", "1"], ["--flops", "one parameter", "at least"]),
    .init("optimal", "--target-loss 1e30: a model of less than one parameter", ["optimal"] + fix5 + ["--target-loss", "1e30"], ["--target-loss", "one parameter"]),
    .init("optimal", "--target-loss 1e308", ["optimal"] + fix5 + ["--target-loss", "1e308", "--inference-tokens", "1e12"], ["--target-loss", "one parameter"]),
    .init("optimal", "--flops 1 with inference", ["optimal"] + fix5 + ["--flops", "1", "--inference-tokens", "1e3"], ["--flops", "one parameter"]),
    .init("optimal", "--target-loss NaN", ["optimal"] + fix5 + ["--target-loss", "nan", "--inference-tokens", "1e12"], ["--target-loss"]),
    .init("optimal", "--unique-tokens ''", ["optimal"] + fix5 + ["--flops", "1e24", "--unique-tokens", ""], ["--unique-tokens"]),
    .init("optimal", "--tokens-law with one number", ["optimal", "--tokens-law", "0.3", "--flops", "1e24"], ["--tokens-law"]),
    .init("optimal", "degenerate law (beta 1e-9): no Chinchilla-optimal model to compare the inference-aware one with",
          ["optimal", "--law", "chinchilla", "--fix", "E=1.8,A=561,B=1752,alpha=0.357,beta=1e-9", "--flops", "1e22", "--inference-tokens", "1e12"],
          ["--flops", "nothing to compare with"]),
    .init("optimal", "--inference-tokens 1e300: serving FLOPs overflow", ["optimal"] + fix5 + ["--target-loss", "2.2", "--inference-tokens", "1e300"],
          ["--inference-tokens", "double precision"]),
    .init("optimal", "--flops-per-param-token 1e300: training FLOPs overflow", ["optimal"] + fix5 + ["--target-loss", "2.2", "--inference-tokens", "1e12", "--flops-per-param-token", "1e300"],
          ["--flops-per-param-token", "overflow"]),
    .init("optimal", "data-constrained optimum with --flops-per-param-token 1e-300 (printed a loss of -nan)",
          ["optimal", "--law", "data-constrained", "--fix", "E=1.9,A=771,B=2086,alpha=0.37,beta=0.37,RD_star=15.9,RN_star=5.1",
           "--flops", "1e22", "--unique-tokens", "1e9", "--flops-per-param-token", "1e-300"], ["--flops-per-param-token", "no finite data-constrained optimum"]),
    .init("optimal", "--plot onto the input", files: ["runs.csv": ladderCSV], ["optimal", "runs.csv", "--flops", "1e24", "--plot", "runs.csv"], ["--plot", "is an input"]),

    // design
    .init("design", "--flops-per-param-token 1e-300 (was a trap sizing the grid)",
          ["design"] + fix5 + ["--noise", "0.01", "--budget", "1e20", "--target-flops", "1e22", "--flops-per-param-token", "1e-300"],
          ["--flops-per-param-token", "too small"]),

    // backtest
    .init("backtest", "--holdout-top 150%", files: ["runs.csv": ladderCSV], ["backtest", "runs.csv", "--holdout-top", "150%"], ["--holdout-top"]),
    .init("backtest", "--holdout-top ''", files: ["runs.csv": ladderCSV], ["backtest", "runs.csv", "--holdout-top", ""], ["--holdout-top"]),
    .init("backtest", "--train on the loss", files: ["runs.csv": ladderCSV], ["backtest", "runs.csv", "--train", "loss<=2"], ["--train"]),
    .init("backtest", "invalid UTF-8", raw: ["runs.csv": latin1], ["backtest", "runs.csv", "--holdout-top", "20%"], ["runs.csv, line 3", "not UTF-8"]),
    .init("backtest", "subnormal loss", files: ["runs.csv": "params,tokens,loss\n1e8,1e9,1e-310\n"], ["backtest", "runs.csv", "--holdout-top", "20%"], ["runs.csv, line 2, column 3"]),

    // compare
    .init("compare", "unknown law", files: ["runs.csv": ladderCSV], ["compare", "runs.csv", "--laws", "power,kaplan9"], ["unknown law \"kaplan9\""]),
    .init("compare", "--laws ','", files: ["runs.csv": ladderCSV], ["compare", "runs.csv", "--laws", ","], ["--laws"]),
    .init("compare", "--fix", files: ["runs.csv": ladderCSV], ["compare", "runs.csv", "--fix", "E=1"], ["--fix"]),
    .init("compare", "repeated column", files: ["runs.csv": "params,tokens,loss,tokens\n1,2,3,4\n"], ["compare", "runs.csv"], ["runs.csv, line 1", "columns 2 and 4"]),

    // isoflop
    .init("isoflop", "--bootstrap beyond the limit", ["isoflop", isoflopCSV, "--bootstrap", "100000000000"], ["--bootstrap", "100000"]),
    .init("isoflop", "unknown --minimum", ["isoflop", isoflopCSV, "--minimum", "lowest"], ["--minimum", "window"]),
    .init("isoflop", "--noise without --bootstrap", ["isoflop", isoflopCSV, "--noise", "0.005"], ["--noise", "--bootstrap"]),
    .init("isoflop", "--level rounding to 1", ["isoflop", isoflopCSV, "--level", "0.9999999999999999"], ["--level"]),
    .init("isoflop", "--flops ''", ["isoflop", isoflopCSV, "--flops", ""], ["--flops"]),
    .init("isoflop", "--plot onto the input", files: ["runs.csv": (try? String(contentsOfFile: isoflopCSV, encoding: .utf8)) ?? ""],
          ["isoflop", "runs.csv", "--plot", "runs.csv"], ["--plot", "is an input"]),
    .init("isoflop", "comment below the header", files: ["runs.csv": "budget,params,loss\n1e18,1e7,3.6\n#1e18,3e7,3.5\n"], ["isoflop", "runs.csv"], ["runs.csv, line 3"]),

    // envelope
    .init("envelope", "--grid beyond the limit", ["envelope", curvesCSV, "--grid", "100000000"], ["--grid", "100000"]),
    .init("envelope", "--grid 1", ["envelope", curvesCSV, "--grid", "1"], ["--grid"]),
    .init("envelope", "--flops ','", ["envelope", curvesCSV, "--flops", ","], ["--flops"]),
    .init("envelope", "--tokens-per-step 0", ["envelope", curvesCSV, "--tokens-per-step", "0"], ["--tokens-per-step"]),
    .init("envelope", "invalid UTF-8 in a run name", raw: ["runs.csv": latin1], ["envelope", "runs.csv"], ["runs.csv, line 3", "not UTF-8"]),
    .init("envelope", "--plot onto the input", ["envelope", curvesCSV, "--plot", curvesCSV], ["--plot", "is an input"]),

    // curve
    .init("curve", "--tokens ''", ["curve", curvesCSV, "--run", "run0", "--tokens", ""], ["--tokens", "\"\""]),
    .init("curve", "--through ','", ["curve", curvesCSV, "--run", "run0", "--tokens", "1e12", "--through", ","], ["--through"]),
    .init("curve", "--tokens with two values", ["curve", curvesCSV, "--run", "run0", "--tokens", "1e10,2e10"], ["--tokens", "takes one value"]),
    .init("curve", "--skip-fraction 1.5", ["curve", curvesCSV, "--run", "run0", "--tokens", "1e12", "--skip-fraction", "1.5"], ["--skip-fraction"]),
    .init("curve", "--tokens-per-step ''", ["curve", curvesCSV, "--run", "run0", "--tokens", "1e12", "--tokens-per-step", ""], ["--tokens-per-step"]),
    .init("curve", "--tokens before the first fitted point (a library error)", ["curve", curvesCSV, "--run", "run0", "--tokens", "1"], ["--tokens", "before the first fitted point"]),
    .init("schedule", "--steps outside every candidate", ["schedule", scheduleCSV, "--law", "multi-power", "--fix", "A=0.66,B=614,C=0.26,alpha=0.41,beta=0.58,gamma=0.59,L0=3.15", "--candidates", candidatesCSV, "--steps", "1e9"], ["--steps", "outside every candidate schedule"]),
    .init("curve", "a step of 2.16e21 (the schedule laws looped forever on it)",
          files: ["runs.csv": "run,step,lr,loss\na,0,0,\na,100,3e-4,3.5\na,2160000000000000000000,3e-4,3.0\n"],
          ["curve", "runs.csv", "--law", "multi-power", "--fix", mpl, "--run", "a", "--steps", "50"], ["runs.csv, line 4, column 2 (\"step\")", "from 0 to 1e+09"]),
    .init("curve", "a subnormal learning rate", files: ["runs.csv": "run,step,lr,loss\na,0,0,\na,100,5e-324,3.5\na,200,3e-4,3.0\n"],
          ["curve", "runs.csv", "--law", "multi-power", "--fix", mpl, "--run", "a", "--steps", "150"], ["runs.csv, line 3, column 3 (\"lr\")", "normal size"]),
    .init("curve", "a subnormal loss in a schedule log", files: ["runs.csv": "run,step,lr,loss\na,0,0,\na,100,3e-4,5e-324\na,200,3e-4,3.0\n"],
          ["curve", "runs.csv", "--law", "multi-power", "--fix", mpl, "--run", "a", "--steps", "150"], ["runs.csv, line 3, column 4 (\"loss\")", "normal size"]),
    .init("curve", "a run whose learning rate is 0 throughout (the forecast was NaN)",
          files: ["runs.csv": "run,step,lr,loss\na,0,0,\na,100,0,3.5\na,200,0,3.4\na,300,0,3.3\n"],
          ["curve", "runs.csv", "--law", "multi-power", "--fix", mpl, "--run", "a", "--steps", "250"], ["--run", "no finite loss for run \"a\"", "learning rate above 0"]),
    .init("schedule", "a candidate of a single row (its forecast was NaN)", files: ["c.csv": "run,step,lr\nc,0,0\n"],
          ["schedule", scheduleCSV, "--law", "multi-power", "--fix", mpl, "--candidates", "c.csv"], ["--candidates", "no finite loss for run \"c\""]),
    .init("curve", "--train '' (read as every run)", ["curve", scheduleCSV, "--law", "multi-power", "--train", "", "--run", "cosine_72000", "--through", "21600"],
          ["--train", "run names separated by commas"]),
    .init("schedule", "--train with an empty item", ["schedule", scheduleCSV, "--law", "multi-power", "--train", "cosine_24000,,wsdcon_9", "--candidates", candidatesCSV],
          ["--train", "\"cosine_24000,,wsdcon_9\""]),
    .init("curve", "--steps with an empty item (dropped silently)", ["curve", scheduleCSV, "--law", "multi-power", "--fix", mpl, "--run", "cosine_72000", "--steps", "30000,,60000"],
          ["--steps", "whole step numbers"]),
    .init("schedule", "--steps ',' (read as no steps)", ["schedule", scheduleCSV, "--law", "multi-power", "--fix", mpl, "--candidates", candidatesCSV, "--steps", ","],
          ["--steps"]),
    .init("curve", "CR-only file with a ragged row", files: ["runs.csv": "run,params,tokens,loss\ra,1e8,1e9,3\ra,1e8\r"], ["curve", "runs.csv", "--run", "a", "--tokens", "1e10"], ["runs.csv, line 3"]),

    // task
    .init("task", "metric column taken as the task loss", ["task", taskCSV, "--metric-col", "accuracy", "--params", "1e9", "--tokens", "2e10"],
          ["no task loss column", "--loss-col", "\"accuracy\""]),
    .init("task", "--loss-col equal to --metric-col", ["task", taskCSV, "--metric-col", "accuracy", "--loss-col", "accuracy", "--params", "1e9", "--tokens", "2e10"],
          ["--loss-col and --metric-col"]),
    .init("task", "--level rounding to 1", ["task", taskCSV, "--loss-col", "task_loss", "--metric-col", "accuracy", "--params", "1e9", "--tokens", "2e10", "--level", "0.9999999999999999"], ["--level"]),
    .init("task", "--params ''", ["task", taskCSV, "--loss-col", "task_loss", "--metric-col", "accuracy", "--params", "", "--tokens", "2e10"], ["--params"]),

    // flops
    .init("flops", "--d-model beyond Int arithmetic", ["flops", "--layers", "2", "--d-model", "3000000000000000000", "--vocab", "10", "--context", "8"], ["--d-model"]),
    .init("flops", "--ffn-ratio 1e300", ["flops"] + shape + ["--ffn-ratio", "1e300"], ["--ffn-ratio"]),
    .init("flops", "--ffn-ratio NaN", ["flops"] + shape + ["--ffn-ratio", "nan"], ["--ffn-ratio"]),
    .init("flops", "--layers 0", ["flops", "--layers", "0", "--d-model", "96", "--vocab", "10", "--context", "8"], ["--layers"]),
    .init("flops", "negative --vocab", ["flops", "--layers", "2", "--d-model", "96", "--vocab", "-10", "--context", "8"], ["--vocab"]),
    .init("flops", "--vocab beyond the limit", ["flops", "--layers", "2", "--d-model", "96", "--vocab", "99999999999", "--context", "8"], ["--vocab"]),
    .init("flops", "--tokens ''", ["flops"] + shape + ["--tokens", ""], ["--tokens"]),
    .init("flops", "--tokens overflowing the FLOPs", ["flops"] + shape + ["--tokens", "1e308"], ["--tokens"]),
    .init("flops", "--heads 0", ["flops"] + shape + ["--heads", "0"], ["--heads"]),
    .init("flops", "--kv-heads without --heads", ["flops"] + shape + ["--kv-heads", "2"], ["--kv-heads"]),
]

@Suite("Hostile-input catalogue (issue 11): every command")
struct BadInputCatalogTests {
    @Test("Non-zero exit, one clear line naming file/line/column or flag, no trap, no file written", arguments: hostileInputs)
    func hostile(input: HostileInput) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, bytes) in input.files {
            try Data(bytes).write(to: dir.appendingPathComponent(name))
        }
        let before = try Self.snapshot(dir)
        let r = try scaling(input.arguments, in: dir)
        #expect(r.exited, "terminated by a signal: \(r.stderr.prefix(500))")
        #expect(r.status == 1, "status \(r.status): \(r.stderr.prefix(500))")
        #expect(r.stdout.isEmpty, "stdout: \(r.stdout.prefix(300))")
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == input.lines, "\(r.stderr.prefix(500))")
        #expect(r.stderr.hasPrefix("scaling: error: "), "\(r.stderr.prefix(500))")
        #expect(r.stderr.utf8.count < 2_000, "error too long: \(r.stderr.utf8.count) bytes")
        #expect(!r.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "raw control character on stderr")
        for fragment in input.mustContain {
            #expect(r.stderr.contains(fragment), "\(r.stderr.prefix(500)) lacks \(fragment)")
        }
        #expect(try Self.snapshot(dir) == before, "files written, changed or removed")
    }

    @Test("A percentage that is not finite prints as -, never inf% (design at a budget of 1e308 printed inf%)")
    func nonFinitePercentage() throws {
        let r = try scaling(["design"] + fix5 + ["--noise", "0.01", "--budget", "1e308", "--target-flops", "1e22"])
        #expect(r.exited && r.status == 0, "\(r.stderr.prefix(500))")
        #expect(r.stdout.contains("isoflop-grid"))
        #expect(!r.stdout.contains("inf%") && !r.stdout.contains("nan%"), "\(r.stdout.prefix(1500))")
        // A scored design costing 1e308 FLOPs against a budget of 1e20 printed "(inf% of the budget)".
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("params,tokens,flops\n1e8,1e9,1e308\n".utf8).write(to: dir.appendingPathComponent("d.csv"))
        let scored = try scaling(["design"] + fix5 + ["--noise", "0.01", "--budget", "1e20", "--target-flops", "1e22", "--design", "d.csv"], in: dir)
        #expect(scored.exited && scored.status == 0, "\(scored.stderr.prefix(500))")
        #expect(scored.stdout.contains("times the budget") && !scored.stdout.contains("inf%"), "\(scored.stdout.prefix(1500))")
    }

    @Test("The catalogue covers every command with at least 80 cases")
    func coverage() {
        #expect(hostileInputs.count >= 80)
        let commands = Set(hostileInputs.map(\.command))
        for command in ["fit", "predict", "optimal", "backtest", "compare", "isoflop", "envelope", "curve", "task", "flops"] {
            #expect(commands.contains(command), "no case for \(command)")
        }
        #expect(Set(hostileInputs.map(\.testDescription)).count == hostileInputs.count, "case names repeat")
    }

    @Test("One-character output paths (x, -) are written, not trapped on (NSString's path methods trapped on them)",
          arguments: ["x", "-"])
    func oneCharacterOutput(name: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(ladderCSV.utf8).write(to: dir.appendingPathComponent("runs.csv"))
        let r = try scaling(["fit", "runs.csv", "--plot", name], in: dir)
        #expect(r.exited && r.status == 0, "\(r.stderr.prefix(500))")
        let svg = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
        #expect(svg.contains("<svg"))
    }

    /// Every file of `dir` (hidden ones too) with its contents.
    static func snapshot(_ dir: URL) throws -> [String: Data] {
        var out = [String: Data]()
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            out[name] = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) ?? Data()
        }
        return out
    }
}
