import Foundation

/// A law written by the user as a formula, e.g. `E + A*N^-alpha + B*D^-beta`.
///
/// Names that are run variables are variables: `N`, `D`, `C` (or `params`, `tokens`, `flops`) and the
/// names of other numeric CSV columns. Every other name is a parameter. Derivatives are exact
/// (forward-mode dual numbers), not finite differences.
///
/// Variable projection carries over: a parameter that appears exactly once, as a factor of a top-level
/// term (`A` in `A*N^-alpha`, `E` standing alone), enters linearly and is solved by least squares in the
/// start search, like the built-in laws' E, A and B. The other parameters are swept on a grid (values
/// within their bounds when given; at most about 4,000 points in all) unless `--init` gives them a start.
///
/// No parameter is assumed positive. The linear parameters and those written in an exponent carry
/// ``LawParameter/searchesLogScale``: the fit polishes them as ln θ from starts where they are positive,
/// the path a built-in law that declares them positive takes, then in θ itself.
public struct FormulaLaw: ScalingLaw {
    /// The formula as written.
    public let text: String
    public let variables: [String]
    public let parameters: [LawParameter]
    let program: FormulaProgram
    /// For each linear parameter (in parameter order), the program of the factor it multiplies.
    let bases: [FormulaProgram]
    let gridBounds: [String: ClosedBounds]
    /// Whether some top-level term holds no linear parameter (f ≠ Σ θ_linear·basis).
    let hasOffset: Bool

    /// Parses `text`.
    ///
    /// - Parameters:
    ///   - text: the law's expression, such as `E + A*N^-alpha + B*D^-beta`.
    ///   - columns: names of the numeric CSV columns available as variables (besides N, D, C).
    ///   - bounds: parameter bounds, used to place the start grid.
    /// - Throws: ``ScalingLawsError/formula(text:position:message:)`` pointing at the offending character.
    public init(_ text: String, columns: [String] = [], bounds: [String: ClosedBounds] = [:]) throws(ScalingLawsError) {
        try self.init(text, columns: columns, bounds: bounds, aliases: [:], positive: [], logScaleHints: true)
    }

    /// A formula with extra variable aliases (name in the text → run variable) and parameters that must
    /// stay positive; the built-in laws written as formulas use this.
    init(_ text: String, columns: [String], bounds: [String: ClosedBounds], aliases extra: [String: String],
         positive: Set<String>, summaries: [String: String] = [:], order: [String] = [],
         logScaleHints: Bool = false) throws(ScalingLawsError) {
        let syntax = try FormulaSyntax(text)
        self.text = text
        self.gridBounds = bounds
        var aliases = ["N": Variable.params, "D": Variable.tokens, "C": Variable.flops,
                       Variable.params: Variable.params, Variable.tokens: Variable.tokens, Variable.flops: Variable.flops]
        aliases.merge(extra) { _, new in new }
        let columnSet = Dictionary(columns.map { ($0.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        var variableOrder = [String](), parameterOrder = [String]()
        var variableIndex = [String: Int](), parameterIndex = [String: Int]()
        var occurrences = [String: Int]()
        var inExponent = Set<String>()     // parameters written in some exponent
        var exponentDepth = 0
        var resolved = [String: String]()  // name as written → variable name
        var firstUse = [String: Int]()      // variable → position of its first use
        func visit(_ n: FormulaSyntax.Node) {
            switch n {
            case .number: break
            case .name(let name, let position):
                if let v = aliases[name] ?? columnSet[name.lowercased()] {
                    resolved[name] = v
                    if firstUse[v] == nil { firstUse[v] = position }
                    if variableIndex[v] == nil { variableIndex[v] = variableOrder.count; variableOrder.append(v) }
                } else {
                    occurrences[name, default: 0] += 1
                    if exponentDepth > 0 { inExponent.insert(name) }
                    if parameterIndex[name] == nil { parameterIndex[name] = parameterOrder.count; parameterOrder.append(name) }
                }
            case .negate(let a): visit(a)
            case .binary("^", let a, let b): visit(a); exponentDepth += 1; visit(b); exponentDepth -= 1
            case .binary(_, let a, let b): visit(a); visit(b)
            case .call(_, let args, _): args.forEach(visit)
            }
        }
        visit(syntax.root)
        if !order.isEmpty {
            parameterOrder.sort { (order.firstIndex(of: $0) ?? Int.max) < (order.firstIndex(of: $1) ?? Int.max) }
            for (k, name) in parameterOrder.enumerated() { parameterIndex[name] = k }
        }
        guard !parameterOrder.isEmpty else {
            throw .formula(text: text, position: 0, message: "the formula has no parameters to fit: every name is a column or N, D, C")
        }
        guard !variableOrder.isEmpty else {
            throw .formula(text: text, position: 0, message: "the formula uses no variable: name a column, or N, D, C")
        }
        // With the file's columns known, every standard variable used must be readable or derivable.
        if !columns.isEmpty {
            let header = Set(columns.map { $0.lowercased() })
            func present(_ v: String) -> Bool { (RunTable.aliases[v] ?? [v]).contains { header.contains($0.lowercased()) } }
            for v in Variable.standard where variableIndex[v] != nil && !present(v) {
                let others = Variable.standard.filter { $0 != v }
                if others.allSatisfy(present) { continue }
                let written = resolved.first { $0.value == v }?.key ?? v
                throw .formula(text: text, position: firstUse[v] ?? 0,
                               message: "\(written) stands for \(v), but the file has no \(v) column (nor \(others.joined(separator: " and ")) to derive it); name a column or use another variable")
            }
        }
        // Map names as written to indices (aliases share their variable's index).
        var writtenVariables = [String: Int]()
        for (name, v) in resolved { writtenVariables[name] = variableIndex[v] }

        // Linear parameters: single-occurrence factors of top-level terms.
        var terms = [(sign: Double, node: FormulaSyntax.Node)]()
        func sum(_ n: FormulaSyntax.Node, _ sign: Double) {
            switch n {
            case .binary("+", let a, let b): sum(a, sign); sum(b, sign)
            case .binary("-", let a, let b): sum(a, sign); sum(b, -sign)
            case .negate(let a): sum(a, -sign)
            default: terms.append((sign, n))
            }
        }
        sum(syntax.root, 1)
        func factors(_ n: FormulaSyntax.Node) -> [FormulaSyntax.Node] {
            switch n {
            case .binary("*", let a, let b): return factors(a) + factors(b)
            case .binary("/", let a, let b): return factors(a) + [.binary("/", .number(1), b)]
            default: return [n]
            }
        }
        var linearBasis = [String: FormulaSyntax.Node]()
        for (sign, term) in terms {
            let fs = factors(term)
            guard let k = fs.firstIndex(where: {
                if case .name(let name, _) = $0 { return parameterIndex[name] != nil && occurrences[name] == 1 }
                return false
            }), case .name(let name, _) = fs[k] else { continue }
            var rest = fs
            rest.remove(at: k)
            var basis: FormulaSyntax.Node = rest.isEmpty ? .number(1) : rest.dropFirst().reduce(rest[0]) { .binary("*", $0, $1) }
            if sign < 0 { basis = .negate(basis) }
            linearBasis[name] = basis
        }
        self.hasOffset = linearBasis.count < terms.count
        self.variables = variableOrder
        self.parameters = parameterOrder.map { name in
            LawParameter(name, positive: positive.contains(name), linear: linearBasis[name] != nil,
                         summary: summaries[name] ?? (linearBasis[name] != nil ? "formula parameter (enters linearly)" : "formula parameter"),
                         searchesLogScale: logScaleHints && (linearBasis[name] != nil || inExponent.contains(name)))
        }
        program = FormulaProgram(syntax.root, variables: writtenVariables, parameters: parameterIndex)
        bases = parameterOrder.compactMap { linearBasis[$0] }.map {
            FormulaProgram($0, variables: writtenVariables, parameters: parameterIndex)
        }
    }

    /// Checks only the syntax of `text` (names are not resolved).
    public static func checkSyntax(_ text: String) throws(ScalingLawsError) {
        _ = try FormulaSyntax(text)
    }

    public var name: String { "formula" }
    public var formula: String { "L = \(text)" }
    public var configuration: [String: String] { ["formula": text, "variables": variables.joined(separator: ",")] }

    // Evaluated a column at a time (``FormulaProgram/values(_:_:into:)``): the same arithmetic per point
    // as ``FormulaProgram/value(_:_:)``, without interpreting the program once per point.
    public func evaluate(_ theta: [Double], _ x: Inputs, into f: inout [Double]) {
        program.values(theta, x, into: &f)
    }

    public func jacobian(_ theta: [Double], _ x: Inputs, into j: inout Matrix) {
        var f = [Double](repeating: 0, count: x.count)
        program.gradients(theta, x, values: &f, jacobian: &j)
    }

    /// The dual-number pass yields the values with the derivatives (the same bits as ``evaluate(_:_:into:)``).
    public func evaluate(_ theta: [Double], _ x: Inputs, into f: inout [Double], jacobian j: inout Matrix) {
        program.gradients(theta, x, values: &f, jacobian: &j)
    }

    /// A power's derivatives reuse its value, so the pass with derivatives costs little more than without.
    public var evaluatesJacobianWithValue: Bool { true }

    public func basis(_ theta: [Double], _ x: Inputs, into b: inout Matrix) {
        var column = [Double]()
        for (k, program) in bases.enumerated() {
            program.values(theta, x, into: &column)
            for i in 0..<x.count { b[i, k] = column[i] }
        }
    }

    public func basisColumn(_ k: Int, _ theta: [Double], _ x: Inputs, into column: inout [Double]) {
        bases[k].values(theta, x, into: &column)
    }

    /// Each linear parameter's factor reads the parameters written in it; the formula has an offset when
    /// some top-level term holds no linear parameter.
    public var basisStructure: BasisStructure? {
        BasisStructure(columnParameters: bases.map { $0.parametersRead.sorted() }, hasOffset: hasOffset)
    }

    /// A grid over the nonlinear parameters: values within their bounds when given, otherwise −1, −0.5 and
    /// the 16 exponents from 0.02 to 2.5 spaced geometrically that the built-in Chinchilla law sweeps; at
    /// most about 4,000 points in all.
    public func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] {
        let nonlinear = parameters.indices.filter { !parameters[$0].isLinear }
        guard !nonlinear.isEmpty else { return [[Double](repeating: 0, count: parameters.count)] }
        let perDimension = max(3, Int(pow(4096.0, 1 / Double(nonlinear.count))))
        let axes = nonlinear.map { j -> [Double] in
            let base: [Double]
            if let b = gridBounds[parameters[j].name], b.lower.isFinite, b.upper.isFinite {
                let n = min(perDimension, 12)
                if b.lower > 0 {
                    base = geometricGrid(b.lower, b.upper, count: n + 2).dropFirst().dropLast().map { $0 }
                } else {
                    base = (1...n).map { b.lower + (b.upper - b.lower) * Double($0) / Double(n + 1) }
                }
            } else if let b = gridBounds[parameters[j].name], b.lower >= 0 {
                base = [0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2].map { b.lower + $0 }
            } else {
                base = [-1, -0.5] + geometricGrid(0.02, 2.5, count: 16)
            }
            guard base.count > perDimension else { return base }
            return (0..<perDimension).map { base[$0 * (base.count - 1) / (perDimension - 1)] }
        }
        var grid = [[Double](repeating: 0, count: parameters.count)]
        for (axis, j) in zip(axes, nonlinear) {
            grid = grid.flatMap { point in axis.map { v in var p = point; p[j] = v; return p } }
        }
        return grid
    }
}
