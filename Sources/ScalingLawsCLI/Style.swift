import Foundation

/// Colour in text output: only when the stream is a terminal and `NO_COLOR` is unset or empty
/// (https://no-color.org). Pipes, files and `NO_COLOR=1` get plain text, byte for byte.
struct Style: Sendable {
    let enabled: Bool

    /// Whether to colour a stream: a terminal, without `NO_COLOR` set to a non-empty value.
    static func colorEnabled(isTerminal: Bool, environment: [String: String]) -> Bool {
        isTerminal && (environment["NO_COLOR"] ?? "").isEmpty
    }

    static let standardOutput = Style(enabled: colorEnabled(isTerminal: isatty(STDOUT_FILENO) == 1,
                                                            environment: ProcessInfo.processInfo.environment))
    static let standardError = Style(enabled: colorEnabled(isTerminal: isatty(STDERR_FILENO) == 1,
                                                           environment: ProcessInfo.processInfo.environment))

    private static let yellow = "\u{1B}[33m", red = "\u{1B}[31m", bold = "\u{1B}[1m", reset = "\u{1B}[0m"

    /// Colours a report: `warning` and `refused` labels in yellow, `NOT converged` in red.
    func paint(_ text: String) -> String {
        guard enabled else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var line = String(line)
            for label in ["warning", "refused"] where line.hasPrefix(label + " ") {
                line = Self.yellow + label + Self.reset + line.dropFirst(label.count)
            }
            return line.replacingOccurrences(of: "NOT converged", with: Self.red + "NOT converged" + Self.reset)
        }.joined(separator: "\n")
    }

    /// The `scaling: error:` prefix, red and bold on a terminal.
    func errorPrefix() -> String {
        enabled ? Self.bold + Self.red + "scaling: error:" + Self.reset : "scaling: error:"
    }
}

/// Prints a text report on stdout, coloured when stdout is a terminal.
func output(_ text: String) {
    print(Style.standardOutput.paint(text))
}
