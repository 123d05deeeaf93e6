import ArgumentParser
import CScalingSupport
import ScalingLaws

@main
struct Scaling: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling",
        abstract: "Fit and forecast neural scaling laws from CSV logs of training runs.",
        discussion: """
            Each CSV row is one run; columns are found by name (params/N, tokens/D, flops/C, loss).
            Examples:
              scaling fit runs.csv --law chinchilla
              scaling predict runs.csv --law chinchilla --params 70e9 --tokens 1.4e12
              scaling optimal runs.csv --law chinchilla --flops 5.88e23
              scaling optimal --law chinchilla --fix E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28 --flops 1e24
            """,
        subcommands: [Fit.self, Predict.self, Optimal.self, Backtest.self, Compare.self, IsoFLOP.self, Envelope.self, Curve.self, Task.self, Flops.self, Laws.self]
    )

    /// Entry point: lets `--bootstrap` stand without a count (see ``normalizedArguments(_:)``).
    static func main() {
        main(normalizedArguments(Array(CommandLine.arguments.dropFirst())))
        // A report that could not be written (a full disk, `> /dev/full`, a closed pipe) is a failure.
        let failure = scaling_flush_stdout()
        if failure != 0 {
            printError("cannot write the output to stdout (\(String(cString: strerror(failure))))")
            Foundation.exit(1)
        }
    }
}

/// Runs `body`, turning library errors into one line on stderr and a non-zero exit.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ScalingLawsError {
        printError(error.description)
        throw ExitCode.failure
    } catch let error as CLIError {
        printError(error.message)
        throw ExitCode.failure
    }
}

func printError(_ message: String) {
    var stderr = StandardError()
    print("\(Style.standardError.errorPrefix()) \(message)", to: &stderr)
}

/// A one-line note on stderr about how the input was read (never an error: the exit status is 0).
func printNote(_ message: String) {
    var stderr = StandardError()
    print("scaling: note: \(message)", to: &stderr)
}

struct CLIError: Error {
    var message: String
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}

import Foundation
