import ArgumentParser
import Foundation
import ScalingLaws

/// `--plot FILE.svg`: also draw the result as a self-contained SVG.
struct PlotOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Also draw the result as a self-contained SVG image at this path (written atomically).",
                               valueName: "file.svg"))
    var plot: String?

    /// Checks, before any work, that the image can be written where asked (and not onto an input);
    /// argument-parser calls it after parsing.
    func validate() throws {
        guard let plot else { return }
        try inFlagWords { try AtomicFile.checkDestination(plot, option: .plotFile, inputs: commandLineInputs()) }
    }

    /// Draws and writes the image when `--plot` was given.
    func write(_ draw: () throws -> SVGDocument) throws {
        guard let plot else { return }
        try draw().write(to: plot)
    }
}

/// Every command-line argument that may name an input file: all arguments except the values of the
/// output options (`--save`, `--plot`). ``AtomicFile`` refuses to write an output onto any of them.
func commandLineInputs() -> [String] {
    let outputs: Set<String> = ["--save", "--plot"]
    var inputs = [String]()
    let arguments = Array(CommandLine.arguments.dropFirst())
    var i = 0
    while i < arguments.count {
        let a = arguments[i]
        if outputs.contains(a) { i += 2; continue }
        if outputs.contains(where: { a.hasPrefix($0 + "=") }) { i += 1; continue }
        if let eq = a.firstIndex(of: "="), a.hasPrefix("--") { inputs.append(String(a[a.index(after: eq)...])) } else { inputs.append(a) }
        i += 1
    }
    return inputs
}
