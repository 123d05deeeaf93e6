import Foundation

/// Reads a CSV file record by record, in 1 MiB chunks, without holding the file or its rows in memory:
/// for logs of millions of rows that are reduced as they are read (training curves, for instance).
/// The format is ``CSVTable``'s, parsed by the same state machine.
public enum CSVStream {
    /// Calls `header` with the first record, then `row` with each later record and the line it starts on.
    ///
    /// - Throws: ``ScalingLawsError`` for a file that cannot be read, is empty, has an unterminated quote
    ///   or a row whose field count differs from the header's, or whatever `header` and `row` throw.
    public static func read(contentsOf path: String,
                            header: ([String]) throws(ScalingLawsError) -> Void,
                            row: (Int, [String]) throws(ScalingLawsError) -> Void) throws(ScalingLawsError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw .io(path: path, message: "cannot read the file (\(reason))")
        }
        defer { try? handle.close() }
        var parser = CSVRecordParser()
        var columns: Int? = nil
        func emit(_ line: Int, _ fields: [String]) throws(ScalingLawsError) {
            guard let count = columns else {
                for (i, name) in fields.enumerated() where name.isEmpty {
                    throw .malformedFile(file: path, line: line, message: "header column \(i + 1) has no name")
                }
                columns = fields.count
                try header(fields)
                return
            }
            guard fields.count == count else {
                throw .malformedFile(file: path, line: line, message: "expected \(count) fields as in the header, found \(fields.count)")
            }
            try row(line, fields)
        }
        while true {
            let chunk: Data
            do {
                guard let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else { break }
                chunk = data
            } catch {
                throw .io(path: path, message: "cannot read the file (\(CSVTable.reason(error)))")
            }
            var failure: ScalingLawsError? = nil
            chunk.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                do throws(ScalingLawsError) {
                    try parser.feed(raw.bindMemory(to: UInt8.self), emit)
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        }
        guard try parser.finish(emit) else {
            throw .malformedFile(file: path, line: parser.recordLine, message: "a quoted field is not closed: add the closing \"")
        }
        if columns == nil {
            throw .malformedFile(file: path, line: nil, message: "the file is empty: expected a header row and one row per logged point")
        }
    }
}
