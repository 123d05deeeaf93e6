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
        // The registry in order: each law's name and summary, the flags it takes (from its descriptor),
        // then its parameters. Columns are as wide as the longest name plus two spaces, so no name is cut
        // ("data-constrained").
        let laws = LawCatalog.descriptors.map { ($0, $0.defaultLaw) }
        let nameWidth = (laws.map(\.0.name.count).max() ?? 0) + 2
        let parameterWidth = (laws.flatMap { $0.1?.parameters.map(\.name.count) ?? [] }.max() ?? 0) + 2
        let indent = String(repeating: " ", count: nameWidth)
        for (descriptor, law) in laws {
            let summary = Self.wrapped(descriptor.summary, width: Self.width - nameWidth)
            print(descriptor.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + summary.joined(separator: "\n" + indent))
            for line in Self.wrapped(SettingFlags.text(descriptor.usage), width: Self.width - nameWidth) { print(indent + line) }
            for p in law?.parameters ?? [] {
                print("    " + p.name.padding(toLength: parameterWidth, withPad: " ", startingAt: 0) + p.summary)
            }
        }
    }

    /// Lines are kept within 100 columns; a summary continues on indented lines.
    static let width = 100

    /// `text` broken at spaces into lines of at most `width` characters (a longer word stays whole).
    static func wrapped(_ text: String, width: Int) -> [String] {
        var lines = [String](), line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}

import Foundation
