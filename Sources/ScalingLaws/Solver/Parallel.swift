import Dispatch
import Foundation

/// Evaluates `body(0..<count)` on all cores and returns the results in index order.
///
/// The work is split into contiguous chunks, one task per chunk; each result slot is written by exactly
/// one task, so the output is deterministic whatever the scheduling.
func parallelMap<T: Sendable>(_ count: Int, chunks: Int? = nil, _ body: @Sendable (Int) -> T) -> [T] {
    if count == 0 { return [] }
    let pieces = max(1, min(count, chunks ?? ProcessInfo.processInfo.activeProcessorCount * 4))
    if pieces == 1 { return (0..<count).map(body) }
    let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
    let slots = SendableBuffer(buffer: buffer)
    DispatchQueue.concurrentPerform(iterations: pieces) { piece in
        let lo = piece * count / pieces
        let hi = (piece + 1) * count / pieces
        for i in lo..<hi {
            (slots.buffer.baseAddress! + i).initialize(to: body(i))
        }
    }
    let result = Array(buffer)
    _ = buffer.deinitialize()
    buffer.deallocate()
    return result
}

/// Wraps a buffer whose slots are written by disjoint tasks.
private struct SendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
}
