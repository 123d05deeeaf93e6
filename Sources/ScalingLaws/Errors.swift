/// Everything that can go wrong in ScalingLaws, each case saying what to fix.
public enum ScalingLawsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A value in a CSV file is unusable. `line` and `column` are 1-based; `column` counts fields.
    case badValue(file: String, line: Int, column: Int, columnName: String, expected: String, found: String)
    /// The CSV file is malformed as a whole (empty, ragged row, unterminated quote, …).
    case malformedFile(file: String, line: Int?, message: String)
    /// A column the law needs is absent. `hint` says how to supply it.
    case missingColumn(file: String, needed: String, tried: [String], available: [String], hint: String)
    /// Not enough runs to fit the free parameters.
    case tooFewRuns(law: String, needed: Int, found: Int)
    /// A command-line flag or API option has an unusable value.
    case invalidOption(option: String, message: String)
    /// A run passed through the library API lacks a value the law needs or has an unusable one.
    case invalidRun(index: Int, message: String)
    /// The law does not support the requested operation.
    case unsupported(String)
    /// A saved fit file cannot be used.
    case badFitFile(path: String, message: String)
    /// Reading or writing a file failed.
    case io(path: String, message: String)
    /// The solver found no usable start.
    case fitFailed(law: String, message: String)
    /// A user formula is malformed; `position` is the 0-based character index the message is about.
    case formula(text: String, position: Int, message: String)
    /// IsoFLOP budgets whose loss profile cannot give an optimum (too few runs, no minimum inside the
    /// sampled sizes), each with its reason.
    case budgetsRefused([BudgetRefusal])
    /// The data cannot support the requested analysis (too few budgets, one model size, …); the message
    /// says what to add.
    case insufficientData(String)

    /// The error as one line, saying what to fix.
    public var description: String {
        switch self {
        case let .badValue(file, line, column, name, expected, found):
            return "\(file), line \(line), column \(column) (\(displayQuoted(name))): expected \(expected), found \(displayQuoted(found))"
        case let .malformedFile(file, line, message):
            if let line { return "\(file), line \(line): \(message)" }
            return "\(file): \(message)"
        case let .missingColumn(file, needed, tried, available, hint):
            let shown = available.prefix(40).map { displayQuoted($0) } + (available.count > 40 ? ["… (\(available.count) columns)"] : [])
            let have = available.isEmpty ? "no columns" : "columns " + shown.joined(separator: ", ")
            return "\(file): no \(needed) column: looked for \(tried.map { "\"\($0)\"" }.joined(separator: ", ")) but the header has \(have); \(hint)"
        case let .tooFewRuns(law, needed, found):
            return "the \(law) law has \(needed - 1) free parameters and needs at least \(needed) runs to fit, found \(found); add runs or hold parameters with --fix"
        case let .invalidOption(option, message):
            return "\(option): \(message)"
        case let .invalidRun(index, message):
            return "run \(index + 1): \(message)"
        case let .unsupported(message):
            return message
        case let .badFitFile(path, message):
            return "\(path): not a usable fit file: \(message)"
        case let .io(path, message):
            return "\(path): \(message)"
        case let .fitFailed(law, message):
            return "fitting the \(law) law failed: \(message)"
        case let .formula(text, position, message):
            // Three lines: the message, the formula, and a caret under the character in question. A long
            // formula is shown as a window of 70 characters around that character; control characters
            // are shown as "?" so that the caret stays aligned and nothing reaches the terminal raw.
            let chars = Array(text).map { $0.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) } ? $0 : "?" }
            let at = min(max(0, position), chars.count)
            let lo = max(0, min(at - 35, chars.count - 70)), hi = min(chars.count, lo + 70)
            let window = (lo > 0 ? "…" : "") + String(chars[lo..<hi]) + (hi < chars.count ? "…" : "")
            let caret = at - lo + (lo > 0 ? 1 : 0)
            let shown = String(message.unicodeScalars.map { s -> String in
                s.value < 0x20 || (0x7F...0x9F).contains(s.value) ? "\\u{\(String(s.value, radix: 16, uppercase: true))}" : String(s)
            }.joined())
            return "--formula: \(shown) (character \(position + 1))\n  \(window)\n  \(String(repeating: " ", count: max(0, caret)))^"
        case let .budgetsRefused(refusals):
            return refusals.map(\.description).joined(separator: "; ")
                + "; add runs so that each budget has a minimum inside its sampled sizes"
        case let .insufficientData(message):
            return message
        }
    }
}

/// Text from an input file or the command line as an error message shows it: in double quotes, with
/// control characters escaped (an escape sequence in a CSV field must not drive the terminal; a line
/// break must not split the one-line error) and cut after `limit` characters (a 10 MB field is not
/// echoed whole).
public func displayQuoted(_ text: String, limit: Int = 60) -> String {
    var out = ""
    var count = 0
    for scalar in text.unicodeScalars {
        if count == limit {
            let total = text.unicodeScalars.count
            out += "… (\(total) characters)"
            break
        }
        count += 1
        switch scalar {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        default:
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.properties.generalCategory == .format
                || (0x2028...0x2029).contains(scalar.value) {
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return "\"" + out + "\""
}
