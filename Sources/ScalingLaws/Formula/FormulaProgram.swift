import Foundation

/// A formula compiled to a postfix program, evaluated per point with exact derivatives by forward-mode
/// automatic differentiation (dual numbers carrying ∂/∂θ for every parameter).
struct FormulaProgram: Sendable, Hashable {
    enum Instruction: Sendable, Hashable {
        case constant(Double)
        case variable(Int)
        case parameter(Int)
        case negate, add, subtract, multiply, divide, power
        case exp, log, sqrt
        case min(Int), max(Int)
        /// xᵢ raised to the value on the stack: exp(b·ln xᵢ) where xᵢ > 0 (a column of logarithms the
        /// inputs already hold), pow(xᵢ, b) elsewhere.
        case variablePower(Int)
    }

    let code: [Instruction]
    let parameterCount: Int
    let depth: Int

    init(_ node: FormulaSyntax.Node, variables: [String: Int], parameters: [String: Int]) {
        var code = [Instruction]()
        var depth = 0, maxDepth = 0
        func push() { depth += 1; maxDepth = Swift.max(maxDepth, depth) }
        func emit(_ n: FormulaSyntax.Node) {
            switch n {
            case .number(let v): code.append(.constant(v)); push()
            case .name(let name, _):
                if let v = variables[name] { code.append(.variable(v)) } else { code.append(.parameter(parameters[name]!)) }
                push()
            case .negate(let a): emit(a); code.append(.negate)
            case .binary("^", .name(let name, _), let b) where variables[name] != nil:
                emit(b)
                code.append(.variablePower(variables[name]!))
            case .binary(let op, let a, let b):
                emit(a); emit(b)
                switch op {
                case "+": code.append(.add)
                case "-": code.append(.subtract)
                case "*": code.append(.multiply)
                case "/": code.append(.divide)
                default: code.append(.power)
                }
                depth -= 1
            case .call(let name, let args, _):
                for a in args { emit(a) }
                switch name {
                case "exp": code.append(.exp)
                case "log": code.append(.log)
                case "sqrt": code.append(.sqrt)
                case "min": code.append(.min(args.count)); depth -= args.count - 1
                default: code.append(.max(args.count)); depth -= args.count - 1
                }
            }
        }
        emit(node)
        self.code = code
        self.parameterCount = parameters.count
        self.depth = Swift.max(maxDepth, 1)
    }

    /// The value at one point.
    func value(_ theta: [Double], _ x: (Int) -> Double) -> Double {
        var stack = [Double](repeating: 0, count: depth)
        var top = -1
        for op in code {
            switch op {
            case .constant(let v): top += 1; stack[top] = v
            case .variable(let i): top += 1; stack[top] = x(i)
            case .parameter(let j): top += 1; stack[top] = theta[j]
            case .negate: stack[top] = -stack[top]
            case .add: top -= 1; stack[top] += stack[top + 1]
            case .subtract: top -= 1; stack[top] -= stack[top + 1]
            case .multiply: top -= 1; stack[top] *= stack[top + 1]
            case .divide: top -= 1; stack[top] /= stack[top + 1]
            case .power: top -= 1; stack[top] = Foundation.pow(stack[top], stack[top + 1])
            case .variablePower(let i):
                let a = x(i)
                stack[top] = a > 0 ? Foundation.exp(stack[top] * Foundation.log(a)) : Foundation.pow(a, stack[top])
            case .exp: stack[top] = Foundation.exp(stack[top])
            case .log: stack[top] = Foundation.log(stack[top])
            case .sqrt: stack[top] = stack[top].squareRoot()
            case .min(let k):
                top -= k - 1
                for q in 1..<k { stack[top] = Swift.min(stack[top], stack[top + q]) }
            case .max(let k):
                top -= k - 1
                for q in 1..<k { stack[top] = Swift.max(stack[top], stack[top + q]) }
            }
        }
        return stack[0]
    }

    /// The value and its gradient with respect to the parameters at one point (forward-mode dual numbers).
    func gradient(_ theta: [Double], _ x: (Int) -> Double, into g: inout [Double]) -> Double {
        let p = parameterCount
        var val = [Double](repeating: 0, count: depth)
        var der = [Double](repeating: 0, count: depth * p)
        var top = -1
        func clear(_ s: Int) { for k in 0..<p { der[s * p + k] = 0 } }
        for op in code {
            switch op {
            case .constant(let v): top += 1; val[top] = v; clear(top)
            case .variable(let i): top += 1; val[top] = x(i); clear(top)
            case .parameter(let j): top += 1; val[top] = theta[j]; clear(top); der[top * p + j] = 1
            case .negate:
                val[top] = -val[top]
                for k in 0..<p { der[top * p + k] = -der[top * p + k] }
            case .add, .subtract:
                top -= 1
                let sign = op == .add ? 1.0 : -1.0
                val[top] += sign * val[top + 1]
                for k in 0..<p { der[top * p + k] += sign * der[(top + 1) * p + k] }
            case .multiply:
                top -= 1
                let a = val[top], b = val[top + 1]
                val[top] = a * b
                for k in 0..<p { der[top * p + k] = a * der[(top + 1) * p + k] + b * der[top * p + k] }
            case .divide:
                top -= 1
                let a = val[top], b = val[top + 1]
                val[top] = a / b
                for k in 0..<p { der[top * p + k] = (der[top * p + k] * b - a * der[(top + 1) * p + k]) / (b * b) }
            case .power:
                top -= 1
                let a = val[top], b = val[top + 1]
                let v = Foundation.pow(a, b)
                val[top] = v
                let exponentVaries = (0..<p).contains { der[(top + 1) * p + $0] != 0 }
                let logA = exponentVaries ? Foundation.log(a) : 0
                let dBase = a == 0 ? (b == 1 ? 1 : 0) : b * v / a
                for k in 0..<p {
                    let da = der[top * p + k], db = der[(top + 1) * p + k]
                    der[top * p + k] = (da == 0 ? 0 : dBase * da) + (db == 0 ? 0 : v * logA * db)
                }
            case .variablePower(let i):
                let a = x(i), b = val[top]
                let logA = Foundation.log(a)
                let v = a > 0 ? Foundation.exp(b * logA) : Foundation.pow(a, b)
                val[top] = v
                for k in 0..<p {
                    let db = der[top * p + k]
                    der[top * p + k] = db == 0 ? 0 : v * logA * db
                }
            case .exp:
                let v = Foundation.exp(val[top])
                val[top] = v
                for k in 0..<p { der[top * p + k] *= v }
            case .log:
                let a = val[top]
                val[top] = Foundation.log(a)
                for k in 0..<p { der[top * p + k] /= a }
            case .sqrt:
                let v = val[top].squareRoot()
                val[top] = v
                for k in 0..<p { der[top * p + k] /= 2 * v }
            case .min(let count), .max(let count):
                top -= count - 1
                var best = top
                for q in 1..<count {
                    let s = top + q
                    if case .min = op { if val[s] < val[best] { best = s } } else if val[s] > val[best] { best = s }
                }
                if best != top {
                    val[top] = val[best]
                    for k in 0..<p { der[top * p + k] = der[best * p + k] }
                }
            }
        }
        for k in 0..<p { g[k] = der[k] }
        return val[0]
    }
}
