import Foundation
import Testing

/// One malformed input and what its error must say.
struct BadInput: CustomTestStringConvertible, Sendable {
    var name: String
    var csv: String?            // written to runs.csv in a temporary directory when given
    var arguments: [String]     // "runs.csv" refers to that file
    var mustContain: [String]
    var testDescription: String { name }
}

let badInputs: [BadInput] = [
    BadInput(name: "missing file", csv: nil, arguments: ["fit", "nope.csv"], mustContain: ["nope.csv", "no such file"]),
    BadInput(name: "empty file", csv: "", arguments: ["fit", "runs.csv"], mustContain: ["runs.csv", "empty"]),
    BadInput(name: "header only", csv: "params,tokens,loss\n", arguments: ["fit", "runs.csv"], mustContain: ["runs.csv", "no runs"]),
    BadInput(name: "non-numeric loss", csv: "params,tokens,loss\n1e9,2e10,2.5\n2e9,4e10,abc\n", arguments: ["fit", "runs.csv"],
             mustContain: ["runs.csv, line 3, column 3 (\"loss\")", "expected a positive number", "\"abc\""]),
    BadInput(name: "NaN", csv: "params,tokens,loss\n1e9,nan,2.5\n", arguments: ["fit", "runs.csv"],
             mustContain: ["line 2, column 2 (\"tokens\")", "\"nan\""]),
    BadInput(name: "negative params", csv: "params,tokens,loss\n-5,2e10,2.5\n", arguments: ["fit", "runs.csv"],
             mustContain: ["line 2, column 1 (\"params\")", "positive"]),
    BadInput(name: "zero loss", csv: "params,tokens,loss\n1e9,2e10,0\n", arguments: ["fit", "runs.csv"],
             mustContain: ["line 2, column 3 (\"loss\")"]),
    BadInput(name: "ragged row", csv: "params,tokens,loss\n1e9,2e10,2.5\n1e9,2e10\n", arguments: ["fit", "runs.csv"],
             mustContain: ["runs.csv, line 3", "expected 3 fields", "found 2"]),
    BadInput(name: "missing loss column", csv: "params,tokens\n1e9,2e10\n", arguments: ["fit", "runs.csv"],
             mustContain: ["no loss column", "\"val_loss\"", "--loss-col"]),
    BadInput(name: "missing tokens without flops", csv: "params,loss\n1e9,2.5\n", arguments: ["fit", "runs.csv", "--law", "chinchilla"],
             mustContain: ["no tokens column", "\"params\", \"loss\"", "--tokens-col", "no flops column"]),
    BadInput(name: "too few runs", csv: "params,tokens,loss\n1e9,2e10,2.5\n2e9,4e10,2.4\n4e9,8e10,2.3\n", arguments: ["fit", "runs.csv"],
             mustContain: ["chinchilla", "at least 6 runs", "found 3"]),
    BadInput(name: "unterminated quote", csv: "params,tokens,loss\n\"1e9,2e10,2.5\n", arguments: ["fit", "runs.csv"],
             mustContain: ["runs.csv, line 2", "quoted field"]),
    BadInput(name: "unknown law", csv: nil, arguments: ["fit", "x.csv", "--law", "kaplan-joint"], mustContain: ["--law", "unknown law", "chinchilla"]),
    BadInput(name: "bad --fix syntax", csv: nil, arguments: ["optimal", "--law", "chinchilla", "--fix", "E:1.69", "--flops", "1e24"],
             mustContain: ["--fix", "name=value"]),
    BadInput(name: "unknown fixed parameter", csv: nil, arguments: ["optimal", "--fix", "gamma=1", "--flops", "1e24"],
             mustContain: ["--fix", "no parameter \"gamma\"", "alpha"]),
    BadInput(name: "incomplete --fix without data", csv: nil, arguments: ["optimal", "--fix", "E=1.7", "--flops", "1e24"],
             mustContain: ["missing A, B, alpha, beta"]),
    BadInput(name: "unknown loss", csv: nil, arguments: ["fit", "x.csv", "--objective", "l3"], mustContain: ["--objective", "mse", "huber"]),
    BadInput(name: "bad budget", csv: nil, arguments: ["optimal", "--fix", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28", "--flops", "lots"],
             mustContain: ["--flops", "\"lots\""]),
    BadInput(name: "predict without targets", csv: nil, arguments: ["predict", "--fix", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28"],
             mustContain: ["no targets"]),
    BadInput(name: "mismatched target lists", csv: nil,
             arguments: ["predict", "--fix", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28", "--params", "1B,2B", "--tokens", "1T,2T,3T"],
             mustContain: ["--params has 2 values"]),
    BadInput(name: "corrupt fit file", csv: "{not json", arguments: ["predict", "--fit", "runs.csv", "--params", "1B", "--tokens", "20B"],
             mustContain: ["runs.csv", "not a usable fit file"]),
    BadInput(name: "optimal for a law without an allocation", csv: nil,
             arguments: ["optimal", "--law", "power", "--fix", "A=10,alpha=0.05", "--flops", "1e24"], mustContain: ["no compute-optimal allocation"]),
    BadInput(name: "negative delta", csv: "params,tokens,loss\n1e9,2e10,2.5\n", arguments: ["fit", "runs.csv", "--delta=-1"], mustContain: ["--delta"]),
    BadInput(name: "bad --train variable", csv: nil, arguments: ["backtest", "x.csv", "--train", "loss<=2"],
             mustContain: ["--train", "params, tokens, flops"]),
    BadInput(name: "--train and --holdout-top together", csv: nil, arguments: ["backtest", "x.csv", "--train", "flops<1e21", "--holdout-top", "20%"],
             mustContain: ["either --train or --holdout-top"]),
    BadInput(name: "backtest without a split", csv: nil, arguments: ["backtest", "x.csv"], mustContain: ["--holdout-top 20%"]),
    BadInput(name: "holdout beyond 100%", csv: nil, arguments: ["backtest", "x.csv", "--holdout-top", "150%"], mustContain: ["--holdout-top", "between 0% and 100%"]),
    BadInput(name: "split that keeps every run", csv: "params,tokens,loss\n1e9,2e10,2.5\n2e9,4e10,2.4\n4e9,8e10,2.3\n8e9,1.6e11,2.2\n1.6e10,3.2e11,2.1\n3.2e10,6.4e11,2.0\n6.4e10,1.28e12,1.95\n",
             arguments: ["backtest", "runs.csv", "--train", "flops<=1e30"], mustContain: ["nothing is left to test"]),
    BadInput(name: "level out of range", csv: nil, arguments: ["fit", "x.csv", "--level", "95"], mustContain: ["--level"]),
    BadInput(name: "too few bootstrap replicates", csv: nil, arguments: ["fit", "x.csv", "--bootstrap", "1"], mustContain: ["--bootstrap", "at least 2"]),
    BadInput(name: "compare with an unknown law", csv: nil, arguments: ["compare", "x.csv", "--laws", "power,kaplan9"], mustContain: ["unknown law \"kaplan9\""]),
    BadInput(name: "--objectives without data", csv: nil,
             arguments: ["optimal", "--fix", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28", "--flops", "1e24", "--objectives"],
             mustContain: ["--objectives", "CSV"]),
    BadInput(name: "empty group label", csv: "params,tokens,loss,group\n1e9,2e10,2.5,a\n2e9,4e10,2.4,\n", arguments: ["fit", "runs.csv"],
             mustContain: ["line 3, column 4 (\"group\")", "group label"]),
    BadInput(name: "--x on chinchilla", csv: nil, arguments: ["fit", "x.csv", "--law", "chinchilla", "--x", "flops"], mustContain: ["--x"]),
    BadInput(name: "isoflop budget with too few runs", csv: "budget,params,loss\n1e18,1e7,3.6\n1e18,3e7,3.5\n1e18,1e8,3.6\n1e19,1e8,3.1\n1e19,2e8,3.0\n",
             arguments: ["isoflop", "runs.csv"], mustContain: ["budget 1e+19 FLOPs", "2 runs", "at least 3 budgets with an interior minimum"]),
    BadInput(name: "isoflop minimum not bracketed", csv: "budget,params,loss\n1e18,1e7,3.6\n1e18,3e7,3.5\n1e18,1e8,3.6\n1e19,1e7,3.4\n1e19,2e7,3.2\n1e19,4e7,3.1\n",
             arguments: ["isoflop", "runs.csv"], mustContain: ["budget 1e+19 FLOPs", "lowest loss is at the largest size sampled", "1e+07–4e+07", "add larger models"]),
    BadInput(name: "isoflop on runs that are not isoFLOP budgets", csv: nil, arguments: ["isoflop", exampleCSV],
             mustContain: ["chain into one budget", "budget column", "--budget-tolerance"]),
    BadInput(name: "isoflop unknown --budget-col", csv: "budget,params,loss\n1e18,1e7,3.6\n", arguments: ["isoflop", "runs.csv", "--budget-col", "bucket"],
             mustContain: ["no budget column", "\"bucket\"", "--budget-col"]),
    BadInput(name: "isoflop bad --level", csv: "budget,params,loss\n1e18,1e7,3.6\n1e18,3e7,3.5\n1e18,1e8,3.6\n", arguments: ["isoflop", "runs.csv", "--level", "95"],
             mustContain: ["--level", "between 0 and 1"]),
    BadInput(name: "envelope run whose size changes", csv: "run,params,tokens,loss\na,1e8,1e9,3.0\na,2e8,2e9,2.9\n", arguments: ["envelope", "runs.csv"],
             mustContain: ["runs.csv, line 3", "run \"a\"", "one model size"]),
    BadInput(name: "envelope without a run column", csv: "params,tokens,loss\n1e8,1e9,3.0\n", arguments: ["envelope", "runs.csv"],
             mustContain: ["no run column", "\"run_id\"", "--run-col"]),
    BadInput(name: "envelope steps without --tokens-per-step", csv: "run,params,step,loss\na,1e8,10,3.0\n", arguments: ["envelope", "runs.csv"],
             mustContain: ["no tokens column", "--tokens-per-step"]),
    BadInput(name: "envelope of one model size", csv: "run,params,tokens,loss\na,1e8,1e9,3.0\na,1e8,2e9,2.9\n", arguments: ["envelope", "runs.csv"],
             mustContain: ["at least 2 model sizes"]),
    BadInput(name: "flops heads not dividing d_model", csv: nil,
             arguments: ["flops", "--layers", "2", "--d-model", "100", "--vocab", "10", "--context", "8", "--heads", "3"],
             mustContain: ["--heads", "divisor of d_model = 100"]),
    BadInput(name: "flops both --ffn-dim and --ffn-ratio", csv: nil,
             arguments: ["flops", "--layers", "2", "--d-model", "96", "--vocab", "10", "--context", "8", "--ffn-dim", "384", "--ffn-ratio", "4"],
             mustContain: ["--ffn-dim or --ffn-ratio"]),
    BadInput(name: "flops unknown --norm", csv: nil,
             arguments: ["flops", "--layers", "2", "--d-model", "96", "--vocab", "10", "--context", "8", "--norm", "batch"],
             mustContain: ["--norm", "none, rms or layer", "\"batch\""]),
    BadInput(name: "flops bad --tokens", csv: nil,
             arguments: ["flops", "--layers", "2", "--d-model", "96", "--vocab", "10", "--context", "8", "--tokens", "lots"],
             mustContain: ["--tokens", "\"lots\""]),
    BadInput(name: "fit --use unknown", csv: "run,params,tokens,loss\na,1e8,1e9,3\na,1e8,2e9,2.9\n",
             arguments: ["fit", "runs.csv", "--use", "all"], mustContain: ["--use", "final", "checkpoints", "'all'"]),
    BadInput(name: "fit --use checkpoints without a run column", csv: "params,tokens,loss\n1e8,1e9,3\n2e8,2e9,2.9\n",
             arguments: ["fit", "runs.csv", "--use", "checkpoints"], mustContain: ["runs.csv", "run", "long-format"]),
    BadInput(name: "curve unknown run", csv: "run,params,tokens,loss\na,1e8,1e9,3\na,1e8,2e9,2.9\n",
             arguments: ["curve", "runs.csv", "--run", "b", "--tokens", "1e10"], mustContain: ["--run", "\"b\"", "runs: a"]),
    BadInput(name: "curve too few points", csv: "run,params,tokens,loss\na,1e8,1e9,3\na,1e8,2e9,2.9\na,1e8,3e9,2.8\n",
             arguments: ["curve", "runs.csv", "--run", "a", "--tokens", "1e10"], mustContain: ["\"a\"", "at least 4"]),
    BadInput(name: "curve both warmup options", csv: "run,params,tokens,loss\na,1e8,1e9,3\na,1e8,2e9,2.9\n",
             arguments: ["curve", "runs.csv", "--run", "a", "--tokens", "1e10", "--skip-tokens", "1e9", "--skip-fraction", "0.1"],
             mustContain: ["--skip-tokens", "--skip-fraction"]),
    BadInput(name: "curve bad --tokens", csv: nil, arguments: ["curve", "runs.csv", "--run", "a", "--tokens", "soon"], mustContain: ["--tokens", "\"soon\""]),
    BadInput(name: "task unknown metric law", csv: "params,tokens,task_loss,acc\n1e8,2e9,2.5,0.3\n",
             arguments: ["task", "runs.csv", "--metric-col", "acc", "--law-metric", "linear", "--params", "1e9", "--tokens", "2e10"],
             mustContain: ["--law-metric", "sigmoid or exp-error"]),
    BadInput(name: "task missing metric column", csv: "params,tokens,task_loss,acc\n1e8,2e9,2.5,0.3\n",
             arguments: ["task", "runs.csv", "--loss-col", "task_loss", "--metric-col", "accuracy", "--params", "1e9", "--tokens", "2e10"],
             mustContain: ["runs.csv", "accuracy"]),
    BadInput(name: "task no targets", csv: nil, arguments: ["task", "runs.csv", "--metric-col", "acc"], mustContain: ["no targets"]),
    BadInput(name: "optimal target loss below E", csv: nil,
             arguments: ["optimal", "--fix", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28", "--target-loss", "1.5", "--inference-tokens", "2e12"],
             mustContain: ["--target-loss", "irreducible loss E = 1.69"]),
    BadInput(name: "optimal with two plans at once", csv: nil,
             arguments: ["optimal", "--fix", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28", "--flops", "1e24", "--tokens-per-param", "100", "--max-tokens", "1T"],
             mustContain: ["give one of them"]),
    BadInput(name: "optimal target loss with a budget", csv: nil,
             arguments: ["optimal", "--fix", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28", "--flops", "1e24", "--target-loss", "2"],
             mustContain: ["--target-loss", "drop --flops"]),
    BadInput(name: "optimal negative inference tokens", csv: nil,
             arguments: ["optimal", "--fix", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28", "--target-loss", "2", "--inference-tokens=-1"],
             mustContain: ["--inference-tokens", "\"-1\""]),
    BadInput(name: "optimal malformed --tokens-law", csv: nil, arguments: ["optimal", "--tokens-law", "0.299", "--flops", "3.8e25"],
             mustContain: ["--tokens-law", "coefficient,exponent"]),
    BadInput(name: "optimal fixed ratio without L(N, D)", csv: nil,
             arguments: ["optimal", "--law", "saturating", "--fix", "E=1.7,A=100,alpha=0.1", "--flops", "1e24", "--tokens-per-param", "100"],
             mustContain: ["saturating", "L(N, D)"]),
    BadInput(name: "optimal inference plan without L(N, D)", csv: nil,
             arguments: ["optimal", "--law", "saturating", "--fix", "E=1.7,A=100,alpha=0.1", "--target-loss", "2"],
             mustContain: ["saturating", "L(N, D)", "--law chinchilla"]),
]

@Suite("scaling command line: malformed input")
struct CLIErrorTests {
    @Test("Each malformed input gives one clear error line and a non-zero exit, never a crash", arguments: badInputs)
    func malformed(input: BadInput) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        if let csv = input.csv {
            try csv.write(to: dir.appendingPathComponent("runs.csv"), atomically: true, encoding: .utf8)
        }
        let r = try scaling(input.arguments, in: dir)
        #expect(r.exited, "terminated by a signal: \(r.stderr)")
        #expect(r.status == 1, "status \(r.status): \(r.stderr)")
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("scaling: error: "))
        for fragment in input.mustContain {
            #expect(r.stderr.contains(fragment), "\(r.stderr) lacks \(fragment)")
        }
    }

    @Test("Argument-parser usage errors also exit non-zero")
    func usage() throws {
        let r = try scaling(["fit"])
        #expect(r.exited && r.status != 0)
        #expect(r.stderr.contains("Missing expected argument"))
    }

    @Test("A failed --save leaves nothing behind and no output is half-written")
    func atomicSave() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("missing-dir/fit.json").path
        let r = try scaling(["fit", exampleCSV, "--save", target])
        #expect(r.status == 1)
        #expect(r.stderr.contains("missing-dir/fit.json"))
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(r.stdout.isEmpty)
    }
}
