import ArgumentParser
import CScalingSupport
import ScalingLaws

@main
struct Scaling: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling",
        abstract: "Fit and forecast neural scaling laws from CSV logs of training runs.",
        discussion: HelpText.discussion(
            "Each CSV row is one run; columns are found by name (params/N, tokens/D, flops/C, loss). Run the examples from the repository's checkout; `scaling help <command>` shows each command's flags and examples.",
            examples: [
                "scaling fit Examples/data/chinchilla_fig4_fitset.csv --law chinchilla",
                "scaling predict Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --params 70B --tokens 1.4T",
                "scaling optimal Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --flops 5.88e23",
                "scaling optimal --law chinchilla --fix E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28 --flops 1e24",
            ]
        ),
        version: scalingVersion,
        subcommands: [Fit.self, Predict.self, Optimal.self, Backtest.self, Compare.self, IsoFLOP.self, Design.self, Envelope.self, Curve.self, Schedule.self, Task.self, Flops.self, Laws.self]
    )

    /// Entry point: parses (negative numbers allowed as values, see ``normalizedArguments(_:)``), runs the
    /// command, and reports a rejected command line like any other bad input: one `scaling: error:` line
    /// naming the flag, exit status 1.
    static func main() {
        do {
            var command = try parseAsRoot(normalizedArguments(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch let error as ExitCode {
            exit(withError: error)  // the command has reported the error itself
        } catch {
            // Help and --version are not errors; everything else is one line naming the flag.
            guard exitCode(for: error) != .success else { exit(withError: error) }
            printError(message(for: error))
            Foundation.exit(1)
        }
        // A report that could not be written (a full disk, `> /dev/full`, a closed pipe) is a failure.
        let failure = scaling_flush_stdout()
        if failure != 0 {
            printError("cannot write the output to stdout (\(String(cString: strerror(failure))))")
            Foundation.exit(1)
        }
    }
}

/// The version `scaling --version` prints: the package's release, raised with each tagged release.
let scalingVersion = "0.1.0"

/// Runs `body`, turning library errors into one line on stderr and a non-zero exit.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ScalingLawsError {
        if case .formula = error {
            printError(SettingFlags.text(error), lines: 3)   // the message, the formula, the caret
        } else {
            printError(SettingFlags.text(error))
        }
        throw ExitCode.failure
    } catch let error as CLIError {
        printError(error.message)
        throw ExitCode.failure
    }
}

/// Runs a library check inside `validate()`: argument-parser prints what `validate()` throws, so a
/// library error is turned into a `ValidationError` in the command line's words (flags, not settings).
func inFlagWords(_ check: () throws -> Void) throws {
    do {
        try check()
    } catch let error as ScalingLawsError {
        throw ValidationError(SettingFlags.text(error))
    }
}

func printError(_ message: String, lines: Int = 1) {
    var stderr = StandardError()
    print("\(Style.standardError.errorPrefix()) \(terminalSafe(message, lines: lines))", to: &stderr)
}

/// `message` as it may reach a terminal: control characters from input files escaped (`\u{1B}`), line
/// breaks beyond the first `lines` lines escaped too (an error is one line; a formula error three), and
/// each line cut at 1,000 characters. Library messages already quote input text with
/// `displayQuoted(_:limit:)`; this is the last line of defence for any that do not.
func terminalSafe(_ message: String, lines: Int = 1) -> String {
    var out = "", breaks = 0, column = 0, cut = false
    for scalar in message.unicodeScalars {
        if scalar == "\n" && breaks < lines - 1 {
            breaks += 1; column = 0; cut = false
            out.unicodeScalars.append(scalar)
            continue
        }
        if cut { continue }
        if column >= 1_000 { out += "… (cut)"; cut = true; continue }
        column += 1
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
            out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// A one-line note on stderr about how the input was read (never an error: the exit status is 0).
func printNote(_ message: String) {
    var stderr = StandardError()
    print("scaling: note: \(terminalSafe(message))", to: &stderr)
}

struct CLIError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}

import Foundation
