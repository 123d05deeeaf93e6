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
struct FormulaSyntax: Sendable, Hashable {
    indirect enum Node: Sendable, Hashable {
        case number(Double)
        case name(String, position: Int)
        case negate(Node)
        case binary(Character, Node, Node)
        case call(String, [Node], position: Int)
    }

    let root: Node

    init(_ text: String) throws(ScalingLawsError) {
        var parser = Parser(text: text)
        root = try parser.parseFormula()
    }

    struct Parser {
        let text: String
        let chars: [Character]
        var index = 0

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
            var node = try parseProduct()
            while let c = peek(), c == "+" || c == "-" {
                index += 1
                node = .binary(c, node, try parseProduct())
            }
            return node
        }

        mutating func parseProduct() throws(ScalingLawsError) -> Node {
            var node = try parseUnary()
            while let c = peek(), "*/×÷".contains(c) {
                index += 1
                node = .binary(c == "×" ? "*" : c == "÷" ? "/" : c, node, try parseUnary())
            }
            return node
        }

        mutating func parseUnary() throws(ScalingLawsError) -> Node {
            if let c = peek(), c == "-" || c == "+" {
                index += 1
                let operand = try parseUnary()
                return c == "-" ? .negate(operand) : operand
            }
            return try parsePower()
        }

        mutating func parsePower() throws(ScalingLawsError) -> Node {
            let base = try parsePrimary()
            if peek() == "^" {
                index += 1
                return .binary("^", base, try parseUnary())
            }
            return base
        }

        mutating func parsePrimary() throws(ScalingLawsError) -> Node {
            guard let c = peek() else { throw fail("the formula ends too early: expected a number, a name or '('") }
            let start = index
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
                        throw fail("\(name) takes \(allowed.lowerBound == allowed.upperBound ? "\(allowed.lowerBound)" : "\(allowed.lowerBound) or more") argument\(allowed.upperBound == 1 ? "" : "s"), got \(args.count)", at: start)
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
