import Foundation
import ScalingLaws
import Testing

/// The streaming reader on a log of a few read chunks (1 MiB each): rows, quoted fields and line breaks
/// that straddle chunk boundaries parse as they do in the whole text. The million-row logs of
/// ``StreamingCSVTests`` are in the slow set (SCALING_SLOW_TESTS).
@Suite("A log larger than one read chunk")
struct LargeLogTests {
    @Test("A 2.4 MB log streams to the same curves as the table reader, and its last run is whole")
    func severalChunks() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("chunks-\(UUID()).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        // 60 runs × 1,000 points of about 40 bytes; every 7th run name is quoted with a comma inside, and
        // CRLF line ends, so that chunk boundaries fall inside quotes and between \r and \n.
        var text = "run,params,tokens,loss\r\n"
        for r in 0..<60 {
            let name = r % 7 == 0 ? "\"run \(r), quoted\"" : "r\(r)"
            for p in 1...1000 { text += "\(name),\(1e7 * Double(r + 1)),\(p * 1_000_000),\(2 + 1 / Double(p))\r\n" }
        }
        #expect(text.utf8.count > 2 << 20)
        try text.write(to: url, atomically: false, encoding: .utf8)
        let streamed = try CurveTable.curves(contentsOf: url.path)
        let table = try CurveTable.curves(from: try CSVTable(text: text, source: url.path))
        #expect(streamed == table)
        #expect(streamed.count == 60)
        #expect(streamed.allSatisfy { $0.tokens.count == 1000 && $0.losses.last == 2.001 })
        #expect(streamed.contains { $0.run == "run 0, quoted" })
    }
}
