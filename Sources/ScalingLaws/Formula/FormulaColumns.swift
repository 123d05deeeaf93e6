import Foundation

/// The formula program run a column at a time: each instruction acts on all points at once, and the
/// derivatives (forward-mode dual numbers) are carried only for the parameters a stack entry depends on.
///
/// Every element gets exactly the arithmetic of ``FormulaProgram/value(_:_:)`` and
/// ``FormulaProgram/gradient(_:_:into:)`` at that point, so the results are the same bits; only the
/// interpretation overhead (one dispatch per instruction instead of one per instruction and point, no
/// stack allocated per point, no derivative work for parameters an entry does not involve) is gone.
///
/// The stack lives in one block allocated per call: slot s holds its values at `s·n` and, in
/// ``gradients(_:_:values:jacobian:)``, its derivative column for parameter k at `(s·p + k)·n`, with a flag
/// saying whether that column is present (absent: zero everywhere). No instruction allocates.
extension FormulaProgram {
    /// f at every point of `x`, into `out` (resized to `x.count` if it has another length).
    func values(_ theta: [Double], _ x: Inputs, into out: inout [Double]) {
        let n = x.count
        if out.count != n { out = [Double](repeating: 0, count: n) }
        guard n > 0 else { return }
        let work = UnsafeMutablePointer<Double>.allocate(capacity: depth * n)
        defer { work.deallocate() }
        var t = -1
        for op in code {
            switch op {
            case .constant(let v):
                t += 1; (work + t * n).initialize(repeating: v, count: n)
            case .variable(let i):
                t += 1
                x.columns[i].withUnsafeBufferPointer { (work + t * n).initialize(from: $0.baseAddress!, count: n) }
            case .parameter(let j):
                t += 1; (work + t * n).initialize(repeating: theta[j], count: n)
            case .negate:
                let a = work + t * n
                for q in 0..<n { a[q] = -a[q] }
            case .add:
                t -= 1
                let a = work + t * n, b = a + n
                for q in 0..<n { a[q] = a[q] + b[q] }
            case .subtract:
                t -= 1
                let a = work + t * n, b = a + n
                for q in 0..<n { a[q] = a[q] - b[q] }
            case .multiply:
                t -= 1
                let a = work + t * n, b = a + n
                for q in 0..<n { a[q] = a[q] * b[q] }
            case .divide:
                t -= 1
                let a = work + t * n, b = a + n
                for q in 0..<n { a[q] = a[q] / b[q] }
            case .power:
                t -= 1
                let a = work + t * n, b = a + n
                for q in 0..<n { a[q] = Foundation.pow(a[q], b[q]) }
            case .variablePower(let i):
                let b = work + t * n
                x.columns[i].withUnsafeBufferPointer { a in
                    x.logColumns[i].withUnsafeBufferPointer { logA in
                        for q in 0..<n { b[q] = a[q] > 0 ? Foundation.exp(b[q] * logA[q]) : Foundation.pow(a[q], b[q]) }
                    }
                }
            case .exp:
                let a = work + t * n
                for q in 0..<n { a[q] = Foundation.exp(a[q]) }
            case .log:
                let a = work + t * n
                for q in 0..<n { a[q] = Foundation.log(a[q]) }
            case .sqrt:
                let a = work + t * n
                for q in 0..<n { a[q] = a[q].squareRoot() }
            case .min(let k):
                t -= k - 1
                let a = work + t * n
                for s in 1..<k {
                    let b = a + s * n
                    for q in 0..<n { a[q] = Swift.min(a[q], b[q]) }
                }
            case .max(let k):
                t -= k - 1
                let a = work + t * n
                for s in 1..<k {
                    let b = a + s * n
                    for q in 0..<n { a[q] = Swift.max(a[q], b[q]) }
                }
            }
        }
        out.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: work, count: n) }
    }

    /// f and ∂f/∂θ at every point: the values into `out` (resized to `x.count` if it has another length),
    /// ∂f/∂θₖ into column k of `jacobian` (`x.count` rows, at least `parameterCount` columns; only the
    /// first `parameterCount` are written).
    func gradients(_ theta: [Double], _ x: Inputs, values out: inout [Double], jacobian: inout Matrix) {
        let n = x.count, p = parameterCount
        if out.count != n { out = [Double](repeating: 0, count: n) }
        guard n > 0 else { return }
        precondition(jacobian.rows == n && jacobian.columns >= p, "the Jacobian must have one row per point and a column per parameter")
        // Values, derivative columns and two scratch columns (a power's value and logarithm).
        let work = UnsafeMutablePointer<Double>.allocate(capacity: (depth + depth * p + 2) * n)
        let has = UnsafeMutablePointer<Bool>.allocate(capacity: Swift.max(depth * p, 1))
        defer { work.deallocate(); has.deallocate() }
        let derivatives = work + depth * n
        let scratch = derivatives + depth * p * n
        @inline(__always) func value(_ s: Int) -> UnsafeMutablePointer<Double> { work + s * n }
        @inline(__always) func der(_ s: Int, _ k: Int) -> UnsafeMutablePointer<Double> { derivatives + (s * p + k) * n }
        @inline(__always) func clear(_ s: Int) { (has + s * p).initialize(repeating: false, count: p) }

        var t = -1
        for op in code {
            switch op {
            case .constant(let v):
                t += 1; value(t).initialize(repeating: v, count: n); clear(t)
            case .variable(let i):
                t += 1
                x.columns[i].withUnsafeBufferPointer { value(t).initialize(from: $0.baseAddress!, count: n) }
                clear(t)
            case .parameter(let j):
                t += 1
                value(t).initialize(repeating: theta[j], count: n)
                clear(t)
                has[t * p + j] = true
                der(t, j).initialize(repeating: 1, count: n)
            case .negate:
                let a = value(t)
                for q in 0..<n { a[q] = -a[q] }
                for k in 0..<p where has[t * p + k] {
                    let d = der(t, k)
                    for q in 0..<n { d[q] = -d[q] }
                }
            case .add, .subtract:
                t -= 1
                let sign = op == .add ? 1.0 : -1.0
                let a = value(t), b = value(t + 1)
                for q in 0..<n { a[q] = a[q] + sign * b[q] }
                for k in 0..<p where has[(t + 1) * p + k] {
                    let d = der(t, k), db = der(t + 1, k)
                    if !has[t * p + k] {
                        has[t * p + k] = true
                        d.initialize(repeating: 0, count: n)
                    }
                    for q in 0..<n { d[q] = d[q] + sign * db[q] }
                }
            case .multiply:
                t -= 1
                let a = value(t), b = value(t + 1)
                for k in 0..<p {
                    let hasA = has[t * p + k], hasB = has[(t + 1) * p + k]
                    let d = der(t, k), db = der(t + 1, k)
                    switch (hasA, hasB) {
                    case (false, false): continue
                    case (true, true): for q in 0..<n { d[q] = a[q] * db[q] + b[q] * d[q] }
                    case (true, false): for q in 0..<n { d[q] = a[q] * 0 + b[q] * d[q] }
                    case (false, true): for q in 0..<n { d[q] = a[q] * db[q] + b[q] * 0 }
                    }
                    has[t * p + k] = true
                }
                for q in 0..<n { a[q] = a[q] * b[q] }
            case .divide:
                t -= 1
                let a = value(t), b = value(t + 1)
                for k in 0..<p {
                    let hasA = has[t * p + k], hasB = has[(t + 1) * p + k]
                    let d = der(t, k), db = der(t + 1, k)
                    switch (hasA, hasB) {
                    case (false, false): continue
                    case (true, true): for q in 0..<n { d[q] = (d[q] * b[q] - a[q] * db[q]) / (b[q] * b[q]) }
                    case (true, false): for q in 0..<n { d[q] = (d[q] * b[q] - a[q] * 0) / (b[q] * b[q]) }
                    case (false, true): for q in 0..<n { d[q] = (0 * b[q] - a[q] * db[q]) / (b[q] * b[q]) }
                    }
                    has[t * p + k] = true
                }
                for q in 0..<n { a[q] = a[q] / b[q] }
            case .power:
                t -= 1
                let a = value(t), b = value(t + 1)
                let v = scratch, logA = scratch + n
                for q in 0..<n { v[q] = Foundation.pow(a[q], b[q]) }
                // log(a) only where the exponent varies at that point, as in `gradient`.
                logA.initialize(repeating: 0, count: n)
                for k in 0..<p where has[(t + 1) * p + k] {
                    let db = der(t + 1, k)
                    for q in 0..<n where db[q] != 0 && logA[q] == 0 { logA[q] = Foundation.log(a[q]) }
                }
                for k in 0..<p {
                    let hasA = has[t * p + k], hasB = has[(t + 1) * p + k]
                    guard hasA || hasB else { continue }
                    let d = der(t, k), db = der(t + 1, k)
                    for q in 0..<n {
                        let dai = hasA ? d[q] : 0, dbi = hasB ? db[q] : 0
                        let dBase = a[q] == 0 ? (b[q] == 1 ? 1 : 0) : b[q] * v[q] / a[q]
                        d[q] = (dai == 0 ? 0 : dBase * dai) + (dbi == 0 ? 0 : v[q] * logA[q] * dbi)
                    }
                    has[t * p + k] = true
                }
                a.update(from: v, count: n)
            case .variablePower(let i):
                let v = value(t)
                x.columns[i].withUnsafeBufferPointer { a in
                    x.logColumns[i].withUnsafeBufferPointer { logA in
                        for q in 0..<n { v[q] = a[q] > 0 ? Foundation.exp(v[q] * logA[q]) : Foundation.pow(a[q], v[q]) }
                        for k in 0..<p where has[t * p + k] {
                            let d = der(t, k)
                            for q in 0..<n {
                                // ln a as the per-point code computes it (NaN or −∞ where a ≤ 0).
                                let la = a[q] > 0 ? logA[q] : Foundation.log(a[q])
                                d[q] = d[q] == 0 ? 0 : v[q] * la * d[q]
                            }
                        }
                    }
                }
            case .exp:
                let v = value(t)
                for q in 0..<n { v[q] = Foundation.exp(v[q]) }
                for k in 0..<p where has[t * p + k] {
                    let d = der(t, k)
                    for q in 0..<n { d[q] = d[q] * v[q] }
                }
            case .log:
                let a = value(t)
                for k in 0..<p where has[t * p + k] {
                    let d = der(t, k)
                    for q in 0..<n { d[q] = d[q] / a[q] }
                }
                for q in 0..<n { a[q] = Foundation.log(a[q]) }
            case .sqrt:
                let v = value(t)
                for q in 0..<n { v[q] = v[q].squareRoot() }
                for k in 0..<p where has[t * p + k] {
                    let d = der(t, k)
                    for q in 0..<n { d[q] = d[q] / (2 * v[q]) }
                }
            case .min(let count), .max(let count):
                t -= count - 1
                let isMin: Bool = { if case .min = op { return true } else { return false } }()
                // The argument each point takes (the first of equals), as in `gradient`.
                var best = [Int](repeating: 0, count: n)
                for q in 0..<n {
                    for s in 1..<count {
                        let candidate = value(t + s)[q], current = value(t + best[q])[q]
                        if isMin ? candidate < current : candidate > current { best[q] = s }
                    }
                }
                for k in 0..<p where (0..<count).contains(where: { has[(t + $0) * p + k] }) {
                    let d = der(t, k)
                    for q in 0..<n {
                        let s = best[q]
                        d[q] = has[(t + s) * p + k] ? der(t + s, k)[q] : 0
                    }
                    has[t * p + k] = true
                }
                let a = value(t)
                for q in 0..<n where best[q] != 0 { a[q] = value(t + best[q])[q] }
            }
        }
        out.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: work, count: n) }
        jacobian.storage.withUnsafeMutableBufferPointer { j in
            for k in 0..<p {
                let column = j.baseAddress! + k * n
                if has[k] { column.update(from: der(0, k), count: n) } else { column.update(repeating: 0, count: n) }
            }
        }
    }

    /// The parameters the program reads.
    var parametersRead: Set<Int> {
        Set(code.compactMap { if case .parameter(let j) = $0 { return j } else { return nil } })
    }
}
