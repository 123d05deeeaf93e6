import ArgumentParser
import Foundation

/// `--plot FILE.svg`: also draw the result as a self-contained SVG.
struct PlotOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Also draw the result as a self-contained SVG image at this path (written atomically).",
                               valueName: "file.svg"))
    var plot: String?

    /// Checks, before any work, that the image can be written where asked.
    func check() throws {
        guard let plot else { return }
        let url = URL(fileURLWithPath: plot)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CLIError(message: "--plot: \(plot) is a directory; give a file name such as fit.svg")
        }
        let parent = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError(message: "--plot: the directory \(parent) does not exist")
        }
    }

    /// Draws and writes the image when `--plot` was given.
    func write(_ draw: () throws -> SVGDocument) throws {
        guard let plot else { return }
        try draw().write(to: plot)
    }
}
