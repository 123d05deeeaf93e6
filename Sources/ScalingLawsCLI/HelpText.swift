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
    ///
    /// Works on UTF-8 bytes with running lengths: every command's help text is built at start-up, and
    /// counting a `String`'s characters again for every word made this the costliest part of parsing.
    /// (Examples are ASCII, so a byte is a column.)
    static func format(_ command: String) -> String {
        let indent = Array("  ".utf8), continuation = Array("      ".utf8)
        var text: [UInt8] = [], line = indent
        for unit in units(of: Array(command.utf8)) {
            if line.count == indent.count {
                line += unit
            } else if line.count + 1 + unit.count + 2 > width {
                text += line + Array(" \\\n".utf8)
                line = continuation + unit
            } else {
                line.append(UInt8(ascii: " "))
                line += unit
            }
        }
        text += line
        return String(decoding: text, as: UTF8.self)
    }

    /// Shell words grouped so that an option stays with its values: `--tokens 3.2e9` is one unit; words in
    /// single quotes stay whole; a pipe starts a new unit.
    static func units(of command: [UInt8]) -> [[UInt8]] {
        let space = UInt8(ascii: " "), quote = UInt8(ascii: "'"), dash = UInt8(ascii: "-"), pipe = UInt8(ascii: "|")
        var words: [[UInt8]] = []
        var word: [UInt8] = [], quoted = false
        for byte in command {
            if byte == quote { quoted.toggle() }
            if byte == space && !quoted {
                if !word.isEmpty { words.append(word) }
                word = []
            } else {
                word.append(byte)
            }
        }
        if !word.isEmpty { words.append(word) }
        var units: [[UInt8]] = []
        for word in words {
            if !units.isEmpty, word.first != dash, word != [pipe] {
                units[units.count - 1] += [space] + word
            } else {
                units.append(word)
            }
        }
        return units
    }
}
