/// A built-in law written as a formula: its variables, parameters, values, exact derivatives and
/// variable-projection basis all come from ``definition``; the law adds its name, start search and
/// any domain knowledge (compute-optimal rules, default objective).
public protocol FormulaDefinedLaw: ScalingLaw {
    /// The law as a compiled formula.
    var definition: FormulaLaw { get }
}

extension FormulaDefinedLaw {
    public var variables: [String] { definition.variables }
    public var parameters: [LawParameter] { definition.parameters }
    public func evaluate(_ t: [Double], _ x: Inputs, into f: inout [Double]) { definition.evaluate(t, x, into: &f) }
    public func jacobian(_ t: [Double], _ x: Inputs, into j: inout Matrix) { definition.jacobian(t, x, into: &j) }
    public func basis(_ t: [Double], _ x: Inputs, into b: inout Matrix) { definition.basis(t, x, into: &b) }
    public func basisColumn(_ k: Int, _ t: [Double], _ x: Inputs, into c: inout [Double]) { definition.basisColumn(k, t, x, into: &c) }
    public var basisStructure: BasisStructure? { definition.basisStructure }
}
