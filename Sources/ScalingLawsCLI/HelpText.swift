/// Help text that argument-parser can wrap and whose examples still copy and run.
///
/// argument-parser wraps a command's discussion to the terminal width (80 columns when it cannot tell),
/// so prose is written as one line per paragraph and left to it. An example longer than a line would be
/// broken in the middle of the command, so ``discussion(_:examples:)`` continues long examples with a
/// shell line continuation (` \`) between arguments, keeping each option with its value: every line
/// fits in 80 columns and the whole example pastes into a shell as one command.
enum HelpText {
    /// Longest line an example may have: argument-parser breaks a line that does not end within the
    /// first 80 characters.
    static let width = 79

    /// Paragraphs separated by blank lines, then "Examples:" with one command per entry.
    static func discussion(_ paragraphs: String..., examples: [String]) -> String {
        var text = paragraphs.joined(separator: "\n\n")
        if !examples.isEmpty {
            if !text.isEmpty { text += "\n\n" }
            text += "Examples:\n" + examples.map(format).joined(separator: "\n")
        }
        return text
    }

    /// One example, indented by two spaces, continued with ` \` where it would exceed ``width``.
    static func format(_ command: String) -> String {
        let indent = "  ", continuation = "      "
        var lines: [String] = []
        var line = indent
        for unit in units(of: command) {
            let separator = line == indent ? "" : " "
            if line != indent, line.count + separator.count + unit.count + 2 > width {
                lines.append(line + " \\")
                line = continuation + unit
            } else {
                line += separator + unit
            }
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }

    /// Shell words grouped so that an option stays with its values: `--tokens 3.2e9` is one unit; words in
    /// single quotes stay whole; a pipe starts a new unit.
    static func units(of command: String) -> [String] {
        var words: [String] = []
        var word = "", quoted = false
        for character in command {
            if character == "'" { quoted.toggle() }
            if character == " " && !quoted {
                if !word.isEmpty { words.append(word) }
                word = ""
            } else {
                word.append(character)
            }
        }
        if !word.isEmpty { words.append(word) }
        var units: [String] = []
        for word in words {
            if let last = units.last, !word.hasPrefix("-"), word != "|" {
                units[units.count - 1] = last + " " + word
            } else {
                units.append(word)
            }
        }
        return units
    }
}
