/// A parsed user formula such as `E + A*N^-alpha + B*D^-beta`.
///
/// Grammar (precedence low to high; `^` is right-associative and binds tighter than unary minus, so
/// `-x^2` is `-(x^2)` and `N^-alpha` is `N^(-alpha)`):
///
///     sum     = product (("+" | "-") product)*
///     product = unary (("*" | "/" | "×" | "÷") unary)*
///     unary   = "-" unary | "+" unary | power
///     power   = primary ("^" unary)?
///     primary = number | name | name "(" sum ("," sum)* ")" | "(" sum ")"
///
/// Functions: exp, log (natural), sqrt, min, max. Numbers are decimal with an optional exponent.
///
/// Limits (so that no formula can exhaust the stack of the recursive parser, compiler or tree): at most
/// ``maxLength`` characters, ``maxNodes`` numbers, names, operators and calls, and ``maxNesting`` levels
/// of parentheses, function calls, signs and exponents. Each is reported as a formula error.
struct FormulaSyntax: Sendable, Hashable {
    static let maxLength = 10_000
    static let maxNodes = 500
    static let maxNesting = 64

    indirect enum Node: Sendable, Hashable {
        case number(Double)
        case name(String, position: Int)
        case negate(Node)
        case binary(Character, Node, Node)
        case call(String, [Node], position: Int)
    }

    let root: Node

    init(_ text: String) throws(ScalingLawsError) {
        guard text.count <= Self.maxLength else {
            throw .formula(text: String(text.prefix(60)) + "…", position: 0,
                           message: "the formula is too long (\(text.count) characters; at most \(Self.maxLength))")
        }
        var parser = Parser(text: text)
        root = try parser.parseFormula()
    }

    struct Parser {
        let text: String
        let chars: [Character]
        var index = 0
        var nodes = 0
        var nesting = 0

        /// Counts one more node of the tree.
        mutating func grow() throws(ScalingLawsError) {
            nodes += 1
            if nodes > FormulaSyntax.maxNodes {
                throw fail("the formula is too large: more than \(FormulaSyntax.maxNodes) numbers, names and operators")
            }
        }

        /// Enters one more level of nesting (parentheses, a call, a sign or an exponent).
        mutating func enter() throws(ScalingLawsError) {
            nesting += 1
            if nesting > FormulaSyntax.maxNesting {
                throw fail("the formula nests too deeply: more than \(FormulaSyntax.maxNesting) levels of parentheses, signs and exponents")
            }
        }

        init(text: String) {
            self.text = text
            self.chars = Array(text)
        }

        func fail(_ message: String, at position: Int? = nil) -> ScalingLawsError {
            .formula(text: text, position: position ?? index, message: message)
        }

        mutating func skipBlanks() {
            while index < chars.count, chars[index].isWhitespace { index += 1 }
        }

        mutating func peek() -> Character? {
            skipBlanks()
            return index < chars.count ? chars[index] : nil
        }

        mutating func parseFormula() throws(ScalingLawsError) -> Node {
            guard peek() != nil else { throw fail("the formula is empty: write it in terms of columns and parameters, e.g. 'E + A*N^-alpha'", at: 0) }
            let node = try parseSum()
            if let c = peek() {
                if c == ")" { throw fail("unbalanced parentheses: this ')' has no matching '('") }
                throw fail("unexpected '\(c)': expected an operator (+ - * / ^) or the end of the formula")
            }
            return node
        }

        mutating func parseSum() throws(ScalingLawsError) -> Node {
            try enter()
            defer { nesting -= 1 }
            var node = try parseProduct()
            while let c = peek(), c == "+" || c == "-" {
                index += 1
                try grow()
                node = .binary(c, node, try parseProduct())
            }
            return node
        }

        mutating func parseProduct() throws(ScalingLawsError) -> Node {
            var node = try parseUnary()
            while let c = peek(), "*/×÷".contains(c) {
                index += 1
                try grow()
                node = .binary(c == "×" ? "*" : c == "÷" ? "/" : c, node, try parseUnary())
            }
            return node
        }

        mutating func parseUnary() throws(ScalingLawsError) -> Node {
            if let c = peek(), c == "-" || c == "+" {
                index += 1
                try grow()
                try enter()
                defer { nesting -= 1 }
                let operand = try parseUnary()
                return c == "-" ? .negate(operand) : operand
            }
            return try parsePower()
        }

        mutating func parsePower() throws(ScalingLawsError) -> Node {
            let base = try parsePrimary()
            if peek() == "^" {
                index += 1
                try grow()
                try enter()
                defer { nesting -= 1 }
                return .binary("^", base, try parseUnary())
            }
            return base
        }

        mutating func parsePrimary() throws(ScalingLawsError) -> Node {
            guard let c = peek() else { throw fail("the formula ends too early: expected a number, a name or '('") }
            let start = index
            try grow()
            if c == "(" {
                index += 1
                let inner = try parseSum()
                guard peek() == ")" else { throw fail("unbalanced parentheses: this '(' is never closed", at: start) }
                index += 1
                return inner
            }
            if c.isNumber || c == "." {
                while index < chars.count, chars[index].isNumber || chars[index] == "." { index += 1 }
                if index < chars.count, chars[index] == "e" || chars[index] == "E" {
                    var j = index + 1
                    if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
                    if j < chars.count, chars[j].isNumber {
                        index = j
                        while index < chars.count, chars[index].isNumber { index += 1 }
                    }
                }
                guard let value = Double(String(chars[start..<index])) else { throw fail("malformed number", at: start) }
                return .number(value)
            }
            if c.isLetter || c == "_" {
                while index < chars.count, chars[index].isLetter || chars[index].isNumber || chars[index] == "_" { index += 1 }
                let name = String(chars[start..<index])
                if peek() == "(" {
                    let arity: [String: ClosedRange<Int>] = ["exp": 1...1, "log": 1...1, "sqrt": 1...1, "min": 2...8, "max": 2...8]
                    guard let allowed = arity[name] else {
                        throw fail("unknown function \"\(name)\": use exp, log, sqrt, min or max", at: start)
                    }
                    index += 1
                    var args = [try parseSum()]
                    while peek() == "," {
                        index += 1
                        args.append(try parseSum())
                    }
                    guard peek() == ")" else { throw fail("unbalanced parentheses: \(name)( is never closed", at: start) }
                    index += 1
                    guard allowed.contains(args.count) else {
                        throw fail("\(name) takes \(allowed.lowerBound == allowed.upperBound ? "\(allowed.lowerBound)" : "\(allowed.lowerBound) to \(allowed.upperBound)") argument\(allowed.upperBound == 1 ? "" : "s"), got \(args.count)", at: start)
                    }
                    return .call(name, args, position: start)
                }
                return .name(name, position: start)
            }
            if c == ")" { throw fail("unbalanced parentheses: this ')' has no matching '('") }
            throw fail("unexpected '\(c)': expected a number, a name or '('")
        }
    }
}
