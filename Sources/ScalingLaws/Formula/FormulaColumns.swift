import Foundation

/// The formula program run a column at a time: each instruction acts on all points at once, and the
/// derivatives (forward-mode dual numbers) are carried only for the parameters a stack entry depends on.
///
/// Every element gets exactly the arithmetic of ``FormulaProgram/value(_:_:)`` and
/// ``FormulaProgram/gradient(_:_:into:)`` at that point, so the results are the same bits; only the
/// interpretation overhead (one dispatch per instruction instead of one per instruction and point, no
/// stack allocated per point, no derivative work for parameters an entry does not involve) is gone.
extension FormulaProgram {
    /// f at every point of `x`, into `out` (length `x.count`).
    func values(_ theta: [Double], _ x: Inputs, into out: inout [Double]) {
        let n = x.count
        var stack = [[Double]]()
        stack.reserveCapacity(depth)
        for op in code {
            switch op {
            case .constant(let v): stack.append([Double](repeating: v, count: n))
            case .variable(let i): stack.append(x.columns[i])
            case .parameter(let j): stack.append([Double](repeating: theta[j], count: n))
            case .negate: Self.apply(&stack[stack.count - 1]) { -$0 }
            case .add: let b = stack.removeLast(); Self.combine(&stack[stack.count - 1], b) { $0 + $1 }
            case .subtract: let b = stack.removeLast(); Self.combine(&stack[stack.count - 1], b) { $0 - $1 }
            case .multiply: let b = stack.removeLast(); Self.combine(&stack[stack.count - 1], b) { $0 * $1 }
            case .divide: let b = stack.removeLast(); Self.combine(&stack[stack.count - 1], b) { $0 / $1 }
            case .power: let b = stack.removeLast(); Self.combine(&stack[stack.count - 1], b) { Foundation.pow($0, $1) }
            case .variablePower(let i):
                let a = x.columns[i], logA = x.logColumns[i]
                stack[stack.count - 1].withUnsafeMutableBufferPointer { b in
                    for q in 0..<n { b[q] = a[q] > 0 ? Foundation.exp(b[q] * logA[q]) : Foundation.pow(a[q], b[q]) }
                }
            case .exp: Self.apply(&stack[stack.count - 1]) { Foundation.exp($0) }
            case .log: Self.apply(&stack[stack.count - 1]) { Foundation.log($0) }
            case .sqrt: Self.apply(&stack[stack.count - 1]) { $0.squareRoot() }
            case .min(let k), .max(let k):
                let args = Array(stack.suffix(k))
                stack.removeLast(k)
                var v = args[0]
                let isMin: Bool = { if case .min = op { return true } else { return false } }()
                for q in 1..<k {
                    for i in 0..<n { v[i] = isMin ? Swift.min(v[i], args[q][i]) : Swift.max(v[i], args[q][i]) }
                }
                stack.append(v)
            }
        }
        out = stack[0]
    }

    /// f and ∂f/∂θ at every point: the values into `out`, ∂f/∂θₖ into column k of `jacobian`.
    func gradients(_ theta: [Double], _ x: Inputs, values out: inout [Double], jacobian: inout Matrix) {
        let n = x.count, p = parameterCount
        // A stack entry: its values and, per parameter, its derivative column (nil: zero everywhere).
        var vals = [[Double]]()
        var ders = [[[Double]?]]()
        vals.reserveCapacity(depth)
        ders.reserveCapacity(depth)
        let none = [[Double]?](repeating: nil, count: p)
        let zeros = [Double](repeating: 0, count: n)
        for op in code {
            switch op {
            case .constant(let v):
                vals.append([Double](repeating: v, count: n)); ders.append(none)
            case .variable(let i):
                vals.append(x.columns[i]); ders.append(none)
            case .parameter(let j):
                vals.append([Double](repeating: theta[j], count: n))
                var d = none
                d[j] = [Double](repeating: 1, count: n)
                ders.append(d)
            case .negate:
                let t = vals.count - 1
                Self.apply(&vals[t]) { -$0 }
                for k in 0..<p where ders[t][k] != nil { Self.apply(&ders[t][k]!) { -$0 } }
            case .add, .subtract:
                let b = vals.removeLast(), db = ders.removeLast()
                let t = vals.count - 1
                let sign = op == .add ? 1.0 : -1.0
                Self.combine(&vals[t], b) { $0 + sign * $1 }
                for k in 0..<p {
                    guard let dbk = db[k] else { continue }
                    if ders[t][k] == nil { ders[t][k] = [Double](repeating: 0, count: n) }
                    Self.combine(&ders[t][k]!, dbk) { $0 + sign * $1 }
                }
            case .multiply:
                let b = vals.removeLast(), db = ders.removeLast()
                let t = vals.count - 1
                let a = vals[t]
                for k in 0..<p where ders[t][k] != nil || db[k] != nil {
                    let da = ders[t][k] ?? zeros, dbk = db[k] ?? zeros
                    var d = [Double](repeating: 0, count: n)
                    d.withUnsafeMutableBufferPointer { d in
                        for i in 0..<n { d[i] = a[i] * dbk[i] + b[i] * da[i] }
                    }
                    ders[t][k] = d
                }
                Self.combine(&vals[t], b) { $0 * $1 }
            case .divide:
                let b = vals.removeLast(), db = ders.removeLast()
                let t = vals.count - 1
                let a = vals[t]
                for k in 0..<p where ders[t][k] != nil || db[k] != nil {
                    var d = [Double](repeating: 0, count: n)
                    let da = ders[t][k], dbk = db[k]
                    for i in 0..<n { d[i] = ((da?[i] ?? 0) * b[i] - a[i] * (dbk?[i] ?? 0)) / (b[i] * b[i]) }
                    ders[t][k] = d
                }
                Self.combine(&vals[t], b) { $0 / $1 }
            case .power:
                let b = vals.removeLast(), db = ders.removeLast()
                let t = vals.count - 1
                let a = vals[t]
                var v = a
                Self.combine(&v, b) { Foundation.pow($0, $1) }
                // log(a) only where the exponent varies at that point, as in `gradient`.
                var logA = [Double](repeating: 0, count: n)
                for dbk in db {
                    guard let dbk else { continue }
                    for i in 0..<n where dbk[i] != 0 && logA[i] == 0 { logA[i] = Foundation.log(a[i]) }
                }
                for k in 0..<p where ders[t][k] != nil || db[k] != nil {
                    var d = [Double](repeating: 0, count: n)
                    let da = ders[t][k], dbk = db[k]
                    for i in 0..<n {
                        let dai = da?[i] ?? 0, dbi = dbk?[i] ?? 0
                        let dBase = a[i] == 0 ? (b[i] == 1 ? 1 : 0) : b[i] * v[i] / a[i]
                        d[i] = (dai == 0 ? 0 : dBase * dai) + (dbi == 0 ? 0 : v[i] * logA[i] * dbi)
                    }
                    ders[t][k] = d
                }
                vals[t] = v
            case .variablePower(let i):
                let t = vals.count - 1
                let a = x.columns[i], logA = x.logColumns[i]
                vals[t].withUnsafeMutableBufferPointer { b in
                    for q in 0..<n { b[q] = a[q] > 0 ? Foundation.exp(b[q] * logA[q]) : Foundation.pow(a[q], b[q]) }
                }
                let v = vals[t]
                for k in 0..<p where ders[t][k] != nil {
                    ders[t][k]!.withUnsafeMutableBufferPointer { d in
                        for q in 0..<n {
                            // ln a as the per-point code computes it (NaN or −∞ where a ≤ 0).
                            let la = a[q] > 0 ? logA[q] : Foundation.log(a[q])
                            d[q] = d[q] == 0 ? 0 : v[q] * la * d[q]
                        }
                    }
                }
            case .exp:
                let t = vals.count - 1
                Self.apply(&vals[t]) { Foundation.exp($0) }
                let v = vals[t]
                for k in 0..<p where ders[t][k] != nil { Self.combine(&ders[t][k]!, v) { $0 * $1 } }
            case .log:
                let t = vals.count - 1
                let a = vals[t]
                Self.apply(&vals[t]) { Foundation.log($0) }
                for k in 0..<p where ders[t][k] != nil { Self.combine(&ders[t][k]!, a) { $0 / $1 } }
            case .sqrt:
                let t = vals.count - 1
                Self.apply(&vals[t]) { $0.squareRoot() }
                let v = vals[t]
                for k in 0..<p where ders[t][k] != nil { Self.combine(&ders[t][k]!, v) { $0 / (2 * $1) } }
            case .min(let count), .max(let count):
                let argVals = Array(vals.suffix(count)), argDers = Array(ders.suffix(count))
                vals.removeLast(count); ders.removeLast(count)
                let isMin: Bool = { if case .min = op { return true } else { return false } }()
                var best = [Int](repeating: 0, count: n)
                for i in 0..<n {
                    for q in 1..<count {
                        let better = isMin ? argVals[q][i] < argVals[best[i]][i] : argVals[q][i] > argVals[best[i]][i]
                        if better { best[i] = q }
                    }
                }
                vals.append((0..<n).map { argVals[best[$0]][$0] })
                var d = none
                for k in 0..<p where argDers.contains(where: { $0[k] != nil }) {
                    d[k] = (0..<n).map { argDers[best[$0]][k]?[$0] ?? 0 }
                }
                ders.append(d)
            }
        }
        out = vals[0]
        for k in 0..<p {
            if let d = ders[0][k] {
                for i in 0..<n { jacobian[i, k] = d[i] }
            } else {
                for i in 0..<n { jacobian[i, k] = 0 }
            }
        }
    }

    /// The parameters the program reads.
    var parametersRead: Set<Int> {
        Set(code.compactMap { if case .parameter(let j) = $0 { return j } else { return nil } })
    }

    @inline(__always)
    private static func apply(_ a: inout [Double], _ f: (Double) -> Double) {
        a.withUnsafeMutableBufferPointer { a in for i in a.indices { a[i] = f(a[i]) } }
    }

    @inline(__always)
    private static func combine(_ a: inout [Double], _ b: [Double], _ f: (Double, Double) -> Double) {
        a.withUnsafeMutableBufferPointer { a in
            b.withUnsafeBufferPointer { b in for i in a.indices { a[i] = f(a[i], b[i]) } }
        }
    }
}
