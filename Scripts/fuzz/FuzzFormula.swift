// libFuzzer target for the formula parser and compiler (built by Scripts/fuzz/fuzz.sh into the
// ScalingLaws module). Invariants, each a crash when broken:
//   1. parsing and compiling never trap or overflow the stack, whatever the text;
//   2. an error is three lines (message, formula window, caret) with no raw control character and a
//      bounded length;
//   3. a formula that compiles evaluates (value and gradient) without trapping, at ordinary and at
//      extreme parameter values.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormula(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let law = try FormulaLaw(text, columns: ["params", "tokens", "flops", "x"])
        for scale in [1.0, -2.5, 0, 1e200] {
            let theta = law.parameterNames.indices.map { Double($0 + 1) * scale }
            for x in [1e-3, 1.0, 7e9, 1e300] {
                _ = law.program.value(theta) { x * Double($0 + 1) }
                var g = [Double](repeating: 0, count: theta.count)
                _ = law.program.gradient(theta, { x * Double($0 + 1) }, into: &g)
            }
        }
    } catch {
        let message = error.description
        let lines = message.split(separator: "\n", omittingEmptySubsequences: false)
        precondition(lines.count == 3 || lines.count == 1, "error of \(lines.count) lines")
        precondition(!message.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "raw control character in the error")
        precondition(message.utf8.count < 4_000, "error of \(message.utf8.count) bytes")
    }
    return 0
}
