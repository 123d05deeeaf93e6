import Foundation
import Testing

/// Renders `arguments` with `--plot` into a temporary file and returns the SVG text.
private func svg(_ arguments: [String]) throws -> String {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("plot.svg").path
    let result = try scaling(arguments + ["--plot", path])
    #expect(result.status == 0, "\(result.stderr)")
    return try String(contentsOfFile: path, encoding: .utf8)
}

/// The `<text>` elements of an SVG: position and content.
private func texts(_ svg: String) -> [(x: Double, y: Double, text: String)] {
    let pattern = #"<text x="([-0-9.]+)" y="([-0-9.]+)"[^>]*>([^<]*)</text>"#
    let regex = try! NSRegularExpression(pattern: pattern)
    return regex.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { m in
        let s = { (i: Int) in String(svg[Range(m.range(at: i), in: svg)!]) }
        return (Double(s(1))!, Double(s(2))!, s(3))
    }
}

/// The text of the legend group.
private func legendEntries(_ svg: String) -> [String] {
    guard let start = svg.range(of: "<g class=\"legend\">"), let end = svg.range(of: "</g>", range: start.upperBound..<svg.endIndex) else { return [] }
    return texts(String(svg[start.lowerBound..<end.upperBound])).map(\.text)
}

private let chinchilla = repositoryRoot.appendingPathComponent("Examples/data/chinchilla_fig4_fitset.csv").path

@Suite("Plots say what they show")
struct PlotLabelTests {
    @Test("fit --plot names every fixed-N curve and draws the edges of the band beyond the data")
    func fixedSizeCurvesLabelled() throws {
        let image = try svg(["fit", chinchilla, "--law", "chinchilla"])
        let labels = texts(image).map(\.text).filter { $0.hasPrefix("N = ") }
        #expect(labels.count == 5, "\(labels)")
        #expect(image.components(separatedBy: "class=\"band-edge\"").count - 1 == 2)
    }

    @Test("curve --plot speaks of points, has no model-size colour bar, and labels tokens below 1B")
    func curveWords() throws {
        let file = repositoryRoot.appendingPathComponent("Examples/data/learning_curves_synthetic.csv").path
        let image = try svg(["curve", file, "--run", "m160", "--through", "9.6e8", "--tokens", "3.2e9"])
        let legend = legendEntries(image)
        #expect(legend.contains { $0.hasPrefix("fitted points (") }, "\(legend)")
        #expect(legend.contains { $0.hasPrefix("held-out points (") }, "\(legend)")
        #expect(!legend.contains { $0.contains("runs") }, "\(legend)")
        #expect(!image.contains("class=\"colorbar\""))
        let ticks = Set(texts(image).map(\.text))
        #expect(ticks.contains("200M") && ticks.contains("500M") && ticks.contains("1B"), "\(ticks.sorted())")
    }

    @Test("task --plot titles its y axis with the metric and keeps every forecast interval inside the plot")
    func taskAxisAndForecasts() throws {
        let file = repositoryRoot.appendingPathComponent("Examples/data/task_synthetic.csv").path
        let image = try svg(["task", file, "--loss-col", "task_loss", "--metric-col", "accuracy", "--params", "7B", "--tokens", "1.4T"])
        #expect(texts(image).contains { $0.text == "accuracy" })
        #expect(!texts(image).contains { $0.text == "y" })
        // The main panel's clip rectangle, and the error bar's ends inside it (not cut at its edge).
        let clip = try #require(image.range(of: #"<clipPath id="main"><rect x="([0-9.]+)" y="([0-9.]+)" width="([0-9.]+)" height="([0-9.]+)""#, options: .regularExpression))
        let numbers = image[clip].split(whereSeparator: { !"0123456789.".contains($0) }).compactMap { Double($0) }
        let (top, bottom) = (numbers[1], numbers[1] + numbers[3])
        let bar = try #require(image.range(of: #"<g class="errorbar"[^\n]*</g>"#, options: .regularExpression))
        let ys = image[bar].matches(of: /y[12]="([0-9.]+)"/).map { Double($0.1)! }
        #expect(!ys.isEmpty)
        for y in ys { #expect(y > top + 0.5 && y < bottom - 0.5, "error bar end \(y) inside (\(top), \(bottom))") }
    }

    @Test("isoflop --plot lists each legend entry once")
    func isoflopLegend() throws {
        let file = repositoryRoot.appendingPathComponent("Examples/data/isoflop_synthetic.csv").path
        let legend = legendEntries(try svg(["isoflop", file, "--flops", "1e23"]))
        #expect(Set(legend).count == legend.count, "\(legend)")
        #expect(!legend.contains("budget optima"), "the profile minima are named once: \(legend)")
    }

    @Test("optimal --plot puts each budget's label on its own star")
    func optimalLabels() throws {
        let image = try svg(["optimal", chinchilla, "--flops", "1e23,1e24"])
        let labels = texts(image).filter { $0.text.hasPrefix("L* ") }
        #expect(labels.count == 2)
        let group = try #require(image.range(of: #"<g class="target"[^>]*>\n(<polygon[^\n]*\n)+</g>"#, options: .regularExpression))
        // A star's first vertex is its top point, straight above its centre.
        let starXs = image[group].matches(of: /points="([0-9.]+),/).map { Double($0.1)! }
        #expect(starXs.count == 2)
        for (label, budget) in zip(labels, ["1e23", "1e24"]) {
            #expect(label.text.hasSuffix("at \(budget)"))
        }
        for (label, x) in zip(labels, starXs.sorted()) {
            #expect(abs(label.x - x) < 1, "label \(label.text) at x = \(label.x), its star at \(x)")
        }
    }
}
