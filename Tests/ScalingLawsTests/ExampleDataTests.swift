import Foundation
import Testing
@testable import ScalingLaws

/// The synthetic example files are generated here, so the recipe in Examples/data/README.md is
/// checkable: each test rebuilds its file's text from the known parameters and seed and compares it
/// byte for byte with the committed file. `SCALING_WRITE_EXAMPLES=1 swift test --filter ExampleData`
/// rewrites them.
@Suite("Synthetic example data")
struct ExampleDataTests {
    static let isoFLOPFile = "isoflop_synthetic.csv"
    static let curvesFile = "curves_synthetic.csv"

    /// isoFLOPDesign with 0.5% multiplicative noise, seed 2024, and a budget column.
    static func isoFLOPText() -> String {
        var lines = [
            "# Synthetic isoFLOP sweep from Hoffmann et al.'s law (E 1.69, A 406.4, B 410.7, alpha 0.34, beta 0.28):",
            "# 5 budgets x 9 sizes, loss x exp(0.005 z), seed 2024. See README.md; regenerate with",
            "# SCALING_WRITE_EXAMPLES=1 swift test --filter ExampleData",
            "budget,params,tokens,loss",
        ]
        for run in isoFLOPDesign(noise: 0.005, seed: 2024) {
            lines.append(String(format: "%.6g,%.6g,%.6g,%.6f", run.flops!, run.params!, run.tokens!, run.loss!))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// syntheticCurves with 8 sizes, 12 points each, 0.2% noise, seed 2024, in long format.
    static func curvesText() -> String {
        var lines = [
            "# Synthetic training curves from Hoffmann et al.'s law (E 1.69, A 406.4, B 410.7, alpha 0.34, beta 0.28):",
            "# 8 sizes, 12 points from N/10 to 100N tokens, loss x exp(0.002 z), seed 2024. See README.md; regenerate with",
            "# SCALING_WRITE_EXAMPLES=1 swift test --filter ExampleData",
            "run,params,tokens,loss",
        ]
        for curve in syntheticCurves(sizes: 8, points: 12, noise: 0.002, seed: 2024) {
            for (d, loss) in zip(curve.tokens, curve.losses) {
                lines.append(String(format: "%@,%.6g,%.6g,%.6f", curve.run, curve.params, d, loss))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func check(_ file: String, _ text: String) throws {
        let url = repositoryRoot.appendingPathComponent("Examples/data/\(file)")
        if ProcessInfo.processInfo.environment["SCALING_WRITE_EXAMPLES"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: url, encoding: .utf8)
        #expect(committed == text, "Examples/data/\(file) differs from its recipe")
    }

    @Test("isoflop_synthetic.csv is the documented recipe, and its intervals cover the truth")
    func isoFLOPExample() throws {
        try check(Self.isoFLOPFile, Self.isoFLOPText())
        let table = try CSVTable(contentsOf: repositoryRoot.appendingPathComponent("Examples/data/\(Self.isoFLOPFile)").path)
        let runs = try RunTable.runs(from: table, variables: [Variable.params, Variable.flops, "budget"])
        var options = IsoFLOPOptions()
        options.budgetColumn = "budget"
        options.bootstrapReplicates = 1000
        let analysis = try IsoFLOPAnalysis(runs: runs, options: options)
        #expect(analysis.budgets.count == 5)
        #expect(try #require(analysis.bootstrap?.paramsExponent).contains(0.28 / 0.62))
    }

    @Test("curves_synthetic.csv is the documented recipe")
    func curvesExample() throws {
        try check(Self.curvesFile, Self.curvesText())
        let table = try CSVTable(contentsOf: repositoryRoot.appendingPathComponent("Examples/data/\(Self.curvesFile)").path)
        let analysis = try EnvelopeAnalysis(curves: try CurveTable.curves(from: table))
        #expect(abs(analysis.allocation.params.exponent - 0.28 / 0.62) < 0.05)
    }
}
