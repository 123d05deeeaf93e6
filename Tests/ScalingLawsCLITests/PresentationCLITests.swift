import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import ScalingLaws
@testable import ScalingLawsCLI

/// Elements of an SVG file, with the clip rectangles that bound the data.
private final class SVGScan: NSObject, XMLParserDelegate {
    var classes = [String: Int]()
    var clips = [String: (x: Double, y: Double, w: Double, h: Double)]()
    /// Markers (circles) with the clip path of their group.
    var markers = [(clip: String, x: Double, y: Double)]()
    var elementNames = Set<String>()
    private var clipStack = [String?]()
    private var currentClip: String?

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes a: [String: String] = [:]) {
        elementNames.insert(name)
        if let c = a["class"] { classes[c, default: 0] += 1 }
        if name == "clipPath" { currentClip = a["id"] }
        if name == "rect", let id = currentClip {
            clips[id] = (Double(a["x"]!)!, Double(a["y"]!)!, Double(a["width"]!)!, Double(a["height"]!)!)
        }
        if name == "g" {
            clipStack.append(a["clip-path"].map { String($0.dropFirst(5).dropLast()) })
        }
        if name == "circle", let clip = clipStack.last ?? nil {
            markers.append((clip, Double(a["cx"]!)!, Double(a["cy"]!)!))
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "g" { clipStack.removeLast() }
        if name == "clipPath" { currentClip = nil }
    }
}

@Suite("scaling presentation: plots, units, colour, help")
struct PresentationCLITests {
    static let isoflopExample = repositoryRoot.appendingPathComponent("Examples/data/isoflop_synthetic.csv").path

    /// Runs `arguments` with `--plot`, parses the image, and checks what every plot must satisfy.
    private func plot(_ arguments: [String]) throws -> SVGScan {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("plot.svg").path
        let r = try scaling(arguments + ["--plot", path])
        #expect(r.status == 0, "\(r.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("<script"), "no scripts")
        #expect(!text.contains("http://") || !text.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"),
                "no external references")
        #expect(!text.contains("@font-face") && !text.contains("@import"), "no external fonts")
        let scan = SVGScan()
        let parser = XMLParser(data: data)
        parser.delegate = scan
        #expect(parser.parse(), "valid XML: \(parser.parserError.map { "\($0)" } ?? "")")
        #expect(scan.elementNames.contains("svg"))
        #expect(!scan.markers.isEmpty)
        for m in scan.markers {
            let c = try #require(scan.clips[m.clip], "clip \(m.clip) defined")
            #expect(m.x >= c.x - 0.01 && m.x <= c.x + c.w + 0.01 && m.y >= c.y - 0.01 && m.y <= c.y + c.h + 0.01,
                    "marker at (\(m.x), \(m.y)) inside \(m.clip)")
        }
        #expect((scan.classes["plot-area"] ?? 0) >= 1)
        #expect(scan.classes["legend"] == 1)
        return scan
    }

    @Test("fit --plot: runs, iso-N lines, frontier, extrapolation band and residual panel")
    func fitPlot() throws {
        let s = try plot(["fit", exampleCSV, "--law", "chinchilla"])
        #expect(s.classes["plot-area"] == 2)
        #expect(s.classes["run"] == 240)
        #expect(s.classes["residual"] == 240)
        #expect((s.classes["curve"] ?? 0) >= 3)
        #expect(s.classes["frontier"] == 1)
        #expect(s.classes["extrapolation"] == 2)
        #expect(s.classes["band"] == 1)
        #expect(s.classes["colorbar"] == 1)
    }

    @Test("backtest --plot: held-out runs marked with their forecasts and intervals")
    func backtestPlot() throws {
        let s = try plot(["backtest", exampleCSV, "--law", "chinchilla", "--train", "flops<=5.59e20"])
        #expect(s.classes["held-out"] == 48)
        #expect(s.classes["held-out-residual"] == 48)
        #expect(s.classes["forecast"] == 48)
        #expect((s.classes["errorbar"] ?? 0) >= 40)
        #expect(s.classes["run"] == 192)
    }

    @Test("isoflop --plot: runs, parabolas and minima per budget, N*(C) and D*(C) with bands")
    func isoflopPlot() throws {
        let s = try plot(["isoflop", Self.isoflopExample, "--flops", "1e23", "--bootstrap", "200"])
        #expect(s.classes["run"] == 5)  // one group of runs per budget, each in its colour
        #expect(s.classes["profile"] == 5)
        #expect(s.classes["minimum"] == 1)
        #expect(s.classes["params-law"] == 1 && s.classes["tokens-law"] == 1)
        #expect(s.classes["band"] == 2)
        #expect(s.classes["target-params"] == 1)
    }

    @Test("optimal --plot: frontier with band, requested budgets, N*(C) and D*(C)")
    func optimalPlot() throws {
        let s = try plot(["optimal", exampleCSV, "--law", "chinchilla", "--flops", "1e23,1e24"])
        #expect(s.classes["frontier"] == 1)
        #expect(s.classes["band"] == 3)
        #expect(s.classes["params-law"] == 1)
        #expect(s.classes["target"] == 1)
    }

    @Test("envelope --plot: every curve, the envelope with censored points, N*(C) and D*(C)")
    func envelopePlot() throws {
        let curves = repositoryRoot.appendingPathComponent("Examples/data/curves_synthetic.csv").path
        let s = try plot(["envelope", curves, "--flops", "1e23"])
        #expect(s.classes["training-curve"] == 8)
        #expect(s.classes["envelope"] == 1)
        #expect(s.classes["envelope-point"] == 1 && s.classes["censored-point"] == 1)
        #expect(s.classes["params-law"] == 1 && s.classes["tokens-law"] == 1)
        #expect(s.classes["target-tokens"] == 1)
    }

    @Test("curve --plot: the fitted points, the curve, and the later points held out with their forecasts")
    func curvePlot() throws {
        let file = repositoryRoot.appendingPathComponent("Examples/data/learning_curves_synthetic.csv").path
        let s = try plot(["curve", file, "--run", "m160", "--through", "1e9", "--tokens", "3.2e9"])
        #expect(s.classes["plot-area"] == 2)
        #expect(s.classes["run"] == 28)            // points fitted after the warmup skip
        #expect(s.classes["held-out"] == 69)       // the rest of the run, scored
        #expect(s.classes["curve"] == 1)
        #expect(s.classes["band"] == 1)
    }

    @Test("task --plot: step 2 with the models, the fitted map and the forecasts at the targets")
    func taskPlot() throws {
        let file = repositoryRoot.appendingPathComponent("Examples/data/task_synthetic.csv").path
        let s = try plot(["task", file, "--loss-col", "task_loss", "--metric-col", "accuracy",
                          "--params", "7e9,7e10", "--tokens", "1.4e11,1.4e12"])
        #expect(s.classes["run"] == 21)
        #expect(s.classes["forecast-target"] == 2)
        #expect(s.classes["curve"] == 1)
    }

    @Test("--plot into a missing directory is refused before any work, with one error line")
    func plotErrors() throws {
        let r = try scaling(["fit", exampleCSV, "--plot", "/nonexistent-dir/fit.svg"])
        #expect(r.status == 1)
        #expect(r.stderr == "scaling: error: --plot: cannot write /nonexistent-dir/fit.svg: the directory /nonexistent-dir does not exist\n")
        let plans = try scaling(["optimal", exampleCSV, "--flops", "1e24", "--tokens-per-param", "100", "--plot", "/tmp/x.svg"])
        #expect(plans.status == 1)
        #expect(plans.stderr.hasPrefix("scaling: error: --plot draws the compute-optimal frontier"))
    }

    @Test("Counts and FLOPs in human units that parse back")
    func units() {
        #expect(Units.count(7e10) == "70B")
        #expect(Units.count(1.4e12) == "1.4T")
        #expect(Units.count(7e7) == "70M")
        #expect(Units.count(125_000) == "125k")
        #expect(Units.count(999_960) == "1M")
        #expect(Units.count(512) == "512")
        #expect(Units.count(3.2e16) == "3.2e16")
        #expect(Units.flops(5.88e23) == "5.88e23")
        #expect(Units.flops(1e21) == "1e21")
        #expect(Units.flops(3.2491e10) == "3.249e10")
        #expect(Units.count(nil) == "-")
        for v in [7e10, 1.325e12, 73.97e9, 8.2e9, 1.4e6] {
            #expect(abs(parseQuantity(Units.count(v))! / v - 1) < 1e-3)
        }
    }

    @Test("Tables show parameters, tokens and FLOPs in human units; JSON keeps plain numbers")
    func tableUnits() throws {
        let text = try scaling(["predict", exampleCSV, "--params", "70B", "--tokens", "1.4T"])
        #expect(text.stdout.contains("     70B      1.4T  5.88e23    1.973367"))
        let json = try jsonObject(try scaling(["predict", exampleCSV, "--params", "70B", "--tokens", "1.4T", "--format", "json"]).stdout)
        let p = try #require((json["predictions"] as? [[String: Any]])?.first)
        #expect(p["params"] as? Double == 7e10)
    }

    @Test("Colour only on a terminal, never with NO_COLOR")
    func colorDecision() {
        #expect(Style.colorEnabled(isTerminal: true, environment: [:]))
        #expect(!Style.colorEnabled(isTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(Style.colorEnabled(isTerminal: true, environment: ["NO_COLOR": ""]))
        #expect(!Style.colorEnabled(isTerminal: false, environment: [:]))
        #expect(Style(enabled: true).paint("warning    x").contains("\u{1B}[33m"))
        #expect(Style(enabled: false).paint("warning    x") == "warning    x")
    }

    @Test("On a pseudo-terminal, warnings are coloured unless NO_COLOR is set",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func colorOnTerminal() throws {
        func run(_ environment: String) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", "\(environment) '\(scalingBinary.path)' fit '\(exampleCSV)' --law chinchilla", "/dev/null"]
            let out = Pipe()
            process.standardOutput = out
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        let colored = try run("env -u NO_COLOR")
        #expect(colored.contains("\u{1B}[33mwarning\u{1B}[0m"))
        let plain = try run("NO_COLOR=1")
        #expect(plain.contains("warning    A and alpha"))
        #expect(!plain.contains("\u{1B}["))
        let piped = try scaling(["fit", exampleCSV, "--law", "chinchilla"])
        #expect(!piped.stdout.contains("\u{1B}["))
    }

    @Test("Every command's help has an abstract and an example", arguments:
            ["fit", "predict", "optimal", "backtest", "compare", "isoflop", "envelope", "flops", "laws", "curve", "task"])
    func help(command: String) throws {
        let r = try scaling(["help", command])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("OVERVIEW: "))
        #expect(r.stdout.contains("Examples:"))
        #expect(r.stdout.contains("  scaling \(command)"))
    }

    @Test("Shell completion scripts cover the subcommands", arguments: ["bash", "zsh", "fish"])
    func completions(shell: String) throws {
        let r = try scaling(["--generate-completion-script", shell])
        #expect(r.status == 0)
        for command in ["fit", "predict", "optimal", "isoflop"] { #expect(r.stdout.contains(command)) }
        #expect(r.stdout.contains("plot"))
    }
}
