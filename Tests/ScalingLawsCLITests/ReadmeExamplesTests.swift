import Foundation
import Testing

/// The console examples of README.md: every line of a ```sh block that runs `scaling`, either bare,
/// through `swift run [-c release] scaling` or as the built `.build/release/scaling` (then rewritten to
/// the bare tool, which the test puts on the PATH: running SwiftPM from inside a test would rebuild the
/// package).
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
        } else if let match = line.range(of: #"(swift run( -c (release|debug))? |\.build/(release|debug)/)scaling( |$)"#, options: .regularExpression) {
            commands.append(("scaling " + line[match.upperBound...]).trimmingCharacters(in: .whitespaces))
        }
    }
    return commands
}

/// Runs one shell command line (quotes, pipes and comments as a user's shell reads them) in `directory`,
/// with the built `scaling` first on the PATH.
func runShell(_ command: String, in directory: URL) throws -> CommandResult {
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = scalingBinary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    environment["NO_COLOR"] = "1"
    return try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", command], in: directory, environment: environment)
}

@Suite("README: a newcomer's path works verbatim")
struct ReadmeExamplesTests {
    @Test("The extractor finds bare and swift-run commands and skips other blocks")
    func extraction() {
        let markdown = """
            ```sh
            { dpkg -s x || apt-get install x; } && swift build -c release && .build/release/scaling fit a.csv --law chinchilla
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

    @Test("Every relative link of README.md points at a file of the repository")
    func links() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let targets = readme.matches(of: /\]\(([^)#:]+)\)/).map { String($0.1) }
        #expect(targets.count >= 10)
        for target in targets {
            #expect(FileManager.default.fileExists(atPath: repositoryRoot.appendingPathComponent(target).path), "README links to missing \(target)")
        }
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

/// The examples of `scaling help <command>` at 80 columns: one command each, continued with ` \` where
/// it is long, so that a copied example runs.
func helpExamples(_ help: String) -> (commands: [String], lines: [String]) {
    let all = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard let start = all.firstIndex(of: "Examples:") else { return ([], []) }
    let lines = Array(all[(start + 1)...].prefix { !$0.isEmpty })
    var commands: [String] = []
    var pending = ""
    for line in lines {
        let text = line.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix(" \\") {
            pending += text.dropLast(2) + " "
        } else {
            commands.append(pending + text)
            pending = ""
        }
    }
    return (commands, lines)
}

@Suite("Help examples copy and run")
struct HelpExamplesTests {
    @Test("Every example of every command's help fits 80 columns and runs on the bundled files",
          arguments: ["", "fit", "predict", "optimal", "backtest", "compare", "isoflop", "design", "envelope", "curve", "schedule", "task", "flops", "laws"])
    func examplesRun(command: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("Examples"),
                                                   withDestinationURL: repositoryRoot.appendingPathComponent("Examples"))
        let help = try runShell("COLUMNS=80 scaling help \(command)", in: directory)
        #expect(help.status == 0)
        let (commands, lines) = helpExamples(help.stdout)
        #expect(!commands.isEmpty, "no examples in scaling help \(command)")
        for line in lines {
            #expect(line.count <= 80, "help line wider than 80 columns: \(line)")
        }
        for example in commands {
            #expect(example.hasPrefix("scaling "), "an example line is not a whole command: \(example)")
            // The --fit examples read the fit that `scaling fit … --save fit.json` writes.
            if example.contains("--fit fit.json"), !FileManager.default.fileExists(atPath: directory.appendingPathComponent("fit.json").path) {
                let save = try runShell("scaling fit Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --save fit.json", in: directory)
                #expect(save.status == 0)
            }
            let result = try runShell(example, in: directory)
            #expect(result.status == 0, "help example failed (exit \(result.status)): \(example)\n\(result.stderr)")
        }
    }
}

@Suite("Presentation: version and the list of laws")
struct VersionAndLawsTests {
    @Test("scaling --version prints a version number and exits 0")
    func version() throws {
        let result = try scaling(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
    }

    @Test("scaling laws prints every law's whole name, apart from its summary")
    func lawNames() throws {
        let result = try scaling(["laws"])
        #expect(result.status == 0)
        let names = result.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }.map { $0.split(separator: " ").first.map(String.init) ?? "" }
        for name in ["power", "saturating", "chinchilla", "kaplan", "data-constrained", "bnsl", "test-time", "overtrained", "capability", "formula"] {
            #expect(names.contains(name), "scaling laws lost \(name): \(names)")
        }
    }
}
