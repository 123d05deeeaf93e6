/// Everything that can go wrong in ScalingLaws, each case saying what to fix.
public enum ScalingLawsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A value in a CSV file is unusable. `line` and `column` are 1-based; `column` counts fields.
    case badValue(file: String, line: Int, column: Int, columnName: String, expected: Message, found: String)
    /// The CSV file is malformed as a whole (empty, ragged row, unterminated quote, …).
    case malformedFile(file: String, line: Int?, message: Message)
    /// A column the law needs is absent. `hint` says how to supply it.
    case missingColumn(file: String, needed: String, tried: [String], available: [String], hint: Message)
    /// Not enough runs to fit the free parameters.
    case tooFewRuns(law: String, needed: Int, found: Int)
    /// A setting (an API option; a flag on the command line) has an unusable value.
    case invalidOption(option: Setting, message: Message)
    /// A run passed through the library API lacks a value the law needs or has an unusable one.
    case invalidRun(index: Int, message: Message)
    /// The law does not support the requested operation.
    case unsupported(Message)
    /// A saved fit file cannot be used.
    case badFitFile(path: String, message: Message)
    /// Reading or writing a file failed.
    case io(path: String, message: String)
    /// The solver found no usable start.
    case fitFailed(law: String, message: Message)
    /// A user formula is malformed; `position` is the 0-based character index the message is about.
    case formula(text: String, position: Int, message: String)
    /// IsoFLOP budgets whose loss profile cannot give an optimum (too few runs, no minimum inside the
    /// sampled sizes), each with its reason.
    case budgetsRefused([BudgetRefusal])
    /// The data cannot support the requested analysis (too few budgets, one model size, …); the message
    /// says what to add.
    case insufficientData(Message)

    /// The error as one line, saying what to fix, with settings named in library words (``Setting/name``).
    public var description: String { description(naming: \.name) }

    /// The settings the error refers to: the one with an unusable value first, then any its fix names.
    public var settings: [Setting] {
        switch self {
        case let .badValue(_, _, _, _, expected, _): return expected.settings
        case let .missingColumn(_, _, _, _, hint): return hint.settings
        case .tooFewRuns: return [.fixed]
        case let .invalidOption(option, message): return [option] + message.settings
        case let .invalidRun(_, message), let .badFitFile(_, message), let .fitFailed(_, message): return message.settings
        case let .unsupported(message), let .insufficientData(message): return message.settings
        case .formula: return [.formula]
        case let .malformedFile(_, _, message): return message.settings
        case .io, .budgetsRefused: return []
        }
    }

    /// The error as one line, with each setting named by `naming` and a suggested value joined to it by
    /// `assigning`: a front end that exposes settings under names of its own (the command line's flags)
    /// shows errors in its words through this one mapping.
    public func description(naming: (Setting) -> String, assigning: String = " = ") -> String {
        func say(_ message: Message) -> String { message.rendered(naming: naming, assigning: assigning) }
        switch self {
        case let .badValue(file, line, column, name, expected, found):
            return "\(file), line \(line), column \(column) (\(displayQuoted(name))): expected \(say(expected)), found \(displayQuoted(found))"
        case let .malformedFile(file, line, message):
            if let line { return "\(file), line \(line): \(say(message))" }
            return "\(file): \(say(message))"
        case let .missingColumn(file, needed, tried, available, hint):
            let shown = available.prefix(40).map { displayQuoted($0) } + (available.count > 40 ? ["… (\(available.count) columns)"] : [])
            let have = available.isEmpty ? "no columns" : "columns " + shown.joined(separator: ", ")
            return "\(file): no \(needed) column: looked for \(tried.map { "\"\($0)\"" }.joined(separator: ", ")) but the header has \(have); \(say(hint))"
        case let .tooFewRuns(law, needed, found):
            return "the \(law) law has \(needed - 1) free parameters and needs at least \(needed) runs to fit, found \(found); add runs or hold parameters with \(naming(.fixed))"
        case let .invalidOption(option, message):
            return "\(naming(option)): \(say(message))"
        case let .invalidRun(index, message):
            return "run \(index + 1): \(say(message))"
        case let .unsupported(message):
            return say(message)
        case let .badFitFile(path, message):
            return "\(path): not a usable fit file: \(say(message))"
        case let .io(path, message):
            return "\(path): \(message)"
        case let .fitFailed(law, message):
            return "fitting the \(law) law failed: \(say(message))"
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
            return "\(naming(.formula)): \(shown) (character \(position + 1))\n  \(window)\n  \(String(repeating: " ", count: max(0, caret)))^"
        case let .budgetsRefused(refusals):
            return refusals.map(\.description).joined(separator: "; ")
                + "; add runs so that each budget has a minimum inside its sampled sizes"
        case let .insufficientData(message):
            return say(message)
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
