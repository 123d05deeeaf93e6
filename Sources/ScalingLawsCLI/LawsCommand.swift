import ArgumentParser
import ScalingLaws

struct Laws: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "laws",  // given: deriving it from the type name costs a conformance scan at start-up
        abstract: "List the built-in laws and their parameters.",
        discussion: HelpText.discussion(
            examples: [
                "scaling laws",
                "scaling laws | grep chinchilla",
            ]
        )
    )

    func run() throws {
        // Columns as wide as the longest name plus two spaces, so no name is cut ("data-constrained").
        let laws = LawCatalog.entries.map { entry in (entry, try? LawCatalog.law(named: entry.name)) }
        let nameWidth = (laws.map(\.0.name.count).max() ?? 0) + 2
        let parameterWidth = (laws.flatMap { $0.1?.parameters.map(\.name.count) ?? [] }.max() ?? 0) + 2
        for (entry, law) in laws {
            print(entry.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + entry.summary)
            for p in law?.parameters ?? [] {
                print("    " + p.name.padding(toLength: parameterWidth, withPad: " ", startingAt: 0) + p.summary)
            }
        }
    }
}

import Foundation
