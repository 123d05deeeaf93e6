/// Σᵢ a[i]·b[i] over `count` values, in four interleaved partial sums (so the compiler can keep them in
/// one SIMD register): the order of the additions differs from a plain left-to-right loop, so the result
/// can differ from it in the last bits.
@inline(__always)
func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
    var s = SIMD4<Double>(repeating: 0)
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    let stride = MemoryLayout<Double>.stride
    while i + 4 <= count {
        s += ra.loadUnaligned(fromByteOffset: i * stride, as: SIMD4<Double>.self)
            * rb.loadUnaligned(fromByteOffset: i * stride, as: SIMD4<Double>.self)
        i += 4
    }
    var total = (s[0] + s[1]) + (s[2] + s[3])
    while i < count {
        total += a[i] * b[i]
        i += 1
    }
    return total
}
