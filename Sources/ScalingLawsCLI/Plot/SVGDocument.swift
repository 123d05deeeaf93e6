import Foundation
import ScalingLaws

/// A self-contained SVG image: elements in drawing order, no scripts, no external fonts (the generic
/// `sans-serif` family), written atomically.
struct SVGDocument: Sendable {
    var width: Double
    var height: Double
    private(set) var definitions: [String] = []
    private(set) var elements: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    mutating func define(_ element: String) { definitions.append(element) }
    mutating func add(_ element: String) { elements.append(element) }

    mutating func text(_ string: String, x: Double, y: Double, size: Double = 12, anchor: String = "start",
                       weight: String = "normal", rotate: Double? = nil, fill: String = "#222") {
        let transform = rotate.map { " transform=\"rotate(\(f($0)) \(f(x)) \(f(y)))\"" } ?? ""
        add("<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(f(size))\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" fill=\"\(fill)\"\(transform)>\(Self.escape(string))</text>")
    }

    func render() -> String {
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">

            """
        if !definitions.isEmpty { out += "<defs>\n" + definitions.joined(separator: "\n") + "\n</defs>\n" }
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += elements.joined(separator: "\n")
        out += "\n</svg>\n"
        return out
    }

    /// Writes the image to `path` atomically, never onto an input of the command (see ``AtomicFile``).
    func write(to path: String) throws {
        try AtomicFile.write(Data(render().utf8), to: path, option: .plotFile, inputs: commandLineInputs())
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// A coordinate with two decimals, the precision of an SVG drawn at 1:1.
func f(_ v: Double) -> String {
    guard v.isFinite else { return "0" }
    let rounded = (v * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.2f", rounded)
}
