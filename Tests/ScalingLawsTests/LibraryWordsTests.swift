import Foundation
import ScalingLaws
import Testing

/// The library speaks of parameters, columns and settings; the command line maps settings to flags.
@Suite("Library errors in library words")
struct LibraryWordsTests {
    @Test("No library source holds a command-line flag outside comments")
    func noFlagLiterals() throws {
        let root = repositoryRoot.appendingPathComponent("Sources/ScalingLaws")
        let files = try #require(FileManager.default.enumerator(atPath: root.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(files.count > 50)
        // A flag in a literal, or one built by interpolation ("--\(name)-col").
        let flag = try Regex(#""[^"]*--[a-z\\]"#)
        var found = [String]()
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }
                if line.contains(flag) { found.append("\(file):\(i + 1): \(code)") }
            }
        }
        #expect(found.isEmpty, "flag literals in the library:\n\(found.joined(separator: "\n"))")
    }

    @Test("A message names its settings as the library does, or as a front end does")
    func messages() {
        let m: Message = "give \(.heads) too, or use \(.law, "chinchilla"); \(42) runs"
        #expect(m.description == "give heads too, or use law = chinchilla; 42 runs")
        #expect(m.rendered(naming: { "--" + $0.rawValue }, assigning: " ") == "give --heads too, or use --law chinchilla; 42 runs")
        #expect(m.settings == [.heads, .law])
        // Plain text merges, so equal text compares equal however it was built.
        #expect(Message("a b") == "a \("b")")
        #expect(Message("") == "")
    }

    @Test("An error refers to its setting by value, and renders through one naming")
    func errors() throws {
        var options = FitOptions()
        options.fixed = ["E": -1]
        let error = try #require(#expect(throws: ScalingLawsError.self) {
            try SaturatingPowerLaw().fit(x: [1, 2, 3, 4], y: [3, 2.5, 2.2, 2.1], options: options)
        })
        guard case let .invalidOption(setting, _) = error else {
            Issue.record("expected an invalid setting, got \(error)")
            return
        }
        #expect(setting == .fixed && error.settings.first == .fixed)
        #expect(error.description.hasPrefix("constraints.fixed: E must be positive"))
        #expect(error.description(naming: { "<\($0.rawValue)>" }).hasPrefix("<fixed>: E must be positive"))
        // Settings have distinct library names.
        #expect(Set(Setting.allCases.map(\.name)).count == Setting.allCases.count)
    }

    @Test("Too few runs says how to hold parameters, in the caller's words")
    func tooFewRuns() {
        let error = ScalingLawsError.tooFewRuns(law: "chinchilla", needed: 6, found: 3)
        #expect(error.description.hasSuffix("hold parameters with constraints.fixed"))
        #expect(error.description(naming: { $0 == .fixed ? "--fix" : "?" }).hasSuffix("hold parameters with --fix"))
        #expect(error.settings == [.fixed])
    }
}
