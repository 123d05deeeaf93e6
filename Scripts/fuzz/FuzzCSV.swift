// libFuzzer target for the CSV reader (built by Scripts/fuzz/fuzz.sh into the ScalingLaws module, so it
// reaches the internal state machine). Invariants, each a crash when broken:
//   1. parsing never traps, whatever the bytes;
//   2. the bytes fed in pieces of any size give the same records as the whole input (table and stream
//      readers agree);
//   3. every error is one line with no raw control character, and at most a few hundred bytes even
//      when the input holds a huge field;
//   4. turning a parsed table into runs (one row per run, long format, training curves) never traps.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = Result { () throws(ScalingLawsError) -> CSVTable in try CSVTable(bytes: bytes, source: "fuzz.csv") }

    // 2. The same bytes in pieces of 1 + (first byte % 13) bytes, through the raw state machine.
    let piece = 1 + Int(bytes.first ?? 0) % 13
    var parser = CSVRecordParser()
    var records = [(Int, [String])]()
    var i = 0
    while i < bytes.count {
        let chunk = Array(bytes[i..<min(i + piece, bytes.count)])
        chunk.withUnsafeBufferPointer { parser.feed($0) { records.append(($0, $1)) } }
        i += piece
    }
    let closed = parser.finish { records.append(($0, $1)) }
    if case .success(let table) = whole {
        precondition(closed && parser.encodingError == nil, "the whole input parsed but the pieces did not")
        precondition(records.first?.1 == table.header, "headers differ")
        precondition(records.dropFirst().map(\.1) == table.rows, "rows differ")
        precondition(records.dropFirst().map(\.0) == table.lines, "line numbers differ")
    }

    func checkMessage(_ error: ScalingLawsError) {
        let text = error.description
        precondition(!text.contains("\n"), "multi-line error: \(text.prefix(200))")
        precondition(!text.unicodeScalars.contains { $0.value < 0x20 }, "raw control character in: \(text.prefix(200))")
        precondition(text.utf8.count < 4_000, "error of \(text.utf8.count) bytes")
    }

    switch whole {
    case .failure(let error):
        checkMessage(error)
    case .success(let table):
        // 4. Downstream readers.
        for variables in [ChinchillaLaw().variables, [Variable.flops], ["x"]] {
            do { _ = try RunTable.runs(from: table, variables: variables) } catch { checkMessage(error) }
            do { _ = try LongFormat.runs(from: table, variables: variables, use: .final) } catch { checkMessage(error) }
            do { _ = try LongFormat.runs(from: table, variables: variables, use: .checkpoints) } catch { checkMessage(error) }
        }
        _ = LongFormat.isLongFormat(table)
    }
    return 0
}
