import Foundation
import Testing

/// The console examples of README.md: every line of a ```sh block that runs `scaling`, either bare or
/// through `swift run [-c release] scaling` (then rewritten to the bare tool, which the test puts on
/// the PATH: running SwiftPM from inside a test would rebuild the package).
func readmeExamples(_ markdown: String) -> [String] {
    enum Block { case none, shell, other }
    var block = Block.none
    var commands: [String] = []
    for rawLine in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
        let line = rawLine.trimmingCharacters(in: .whitespaces)
        if line.hasPrefix("```") {
            switch block {
            case .none: block = line == "```sh" || line == "```bash" || line == "```console" ? .shell : .other
            case .shell, .other: block = .none
            }
            continue
        }
        guard block == .shell else { continue }
        if line == "scaling" || line.hasPrefix("scaling ") {
            commands.append(line)
        } else if let match = line.range(of: #"swift run( -c (release|debug))? scaling( |$)"#, options: .regularExpression) {
            commands.append(("scaling " + line[match.upperBound...]).trimmingCharacters(in: .whitespaces))
        }
    }
    return commands
}

/// Runs one shell command line (quotes, pipes and comments as a user's shell reads them) in `directory`,
/// with the built `scaling` first on the PATH.
func runShell(_ command: String, in directory: URL) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.currentDirectoryURL = directory
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = scalingBinary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    environment["NO_COLOR"] = "1"
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self),
                         exited: process.terminationReason == .exit)
}

@Suite("README: a newcomer's path works verbatim")
struct ReadmeExamplesTests {
    @Test("The extractor finds bare and swift-run commands and skips other blocks")
    func extraction() {
        let markdown = """
            ```sh
            { dpkg -s x || apt-get install x; } && swift run -c release scaling fit a.csv --law chinchilla
            swift build -c release
            scaling laws   # a comment
            ```

            ```text
            scaling fit not-a-command.csv
            ```
            ```sh
            swift run scaling help
            ```
            """
        #expect(readmeExamples(markdown) == ["scaling fit a.csv --law chinchilla", "scaling laws   # a comment", "scaling help"])
    }

    /// Every example, in order (a later one may read the fit an earlier one saved), from a fresh
    /// directory that sees the repository's `Examples/`, so plots and saved fits land outside the checkout.
    @Test("Every console example in README.md runs and exits 0, in order")
    func everyExampleRuns() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let commands = readmeExamples(readme)
        // The install-and-run line, the tests' own examples and the tour: an extractor that found
        // nothing would pass vacuously.
        #expect(commands.count >= 10)
        #expect(commands.first?.hasPrefix("scaling fit Examples/data/") == true)

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("Examples"),
                                                   withDestinationURL: repositoryRoot.appendingPathComponent("Examples"))
        for command in commands {
            let result = try runShell(command, in: directory)
            #expect(result.status == 0, "README example failed (exit \(result.status)): \(command)\n\(result.stderr)")
            #expect(!result.stdout.isEmpty, "README example printed nothing: \(command)")
        }
        // The plots the tour asks for were written where the user runs the commands.
        for plot in ["fit.svg", "backtest.svg", "optimal.svg"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(plot).path), "\(plot) missing")
        }
    }
}
