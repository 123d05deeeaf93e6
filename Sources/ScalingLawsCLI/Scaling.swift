import ArgumentParser
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

    /// Entry point: lets `--bootstrap` stand without a count (see ``normalizedArguments(_:)``).
    static func main() {
        main(normalizedArguments(Array(CommandLine.arguments.dropFirst())))
    }
}

/// The version `scaling --version` prints: the package's release, raised with each tagged release.
let scalingVersion = "0.1.0"

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

struct CLIError: Error {
    var message: String
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}

import Foundation
