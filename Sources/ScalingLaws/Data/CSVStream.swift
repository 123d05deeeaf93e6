import Foundation

/// Reads a CSV file record by record, in 1 MiB chunks, without holding the file or its rows in memory:
/// for logs of millions of rows that are reduced as they are read (training curves, for instance).
/// The format is ``CSVTable``'s; both go through the same reader (``parse(source:next:header:row:)``), so
/// every file reads the same way in every command.
public enum CSVStream {
    /// Calls `header` with the first record, then `row` with each later record and the line it starts on.
    ///
    /// `path` may be any readable file, including `/dev/stdin` or a named pipe.
    ///
    /// - Throws: ``ScalingLawsError`` for a file that cannot be read (missing, a directory, no
    ///   permission), is empty, is not UTF-8 (with the line and column of the first bad field), has an
    ///   unterminated quote, a header with an empty or repeated column name, or a row whose field count
    ///   differs from the header's; or whatever `header` and `row` throw.
    public static func read(contentsOf path: String,
                            header: ([String]) throws(ScalingLawsError) -> Void,
                            row: (Int, [String]) throws(ScalingLawsError) -> Void) throws(ScalingLawsError) {
        try checkReadable(path, what: "a CSV file")
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw .io(path: path, message: "cannot read the file (\(reason))")
        }
        defer { try? handle.close() }
        func next() throws(ScalingLawsError) -> [UInt8]? {
            do {
                guard let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
                return [UInt8](data)
            } catch {
                throw .io(path: path, message: "cannot read the file (\(CSVTable.reason(error)))")
            }
        }
        try parse(source: path, next: next, header: header, row: row)
    }

    /// Refuses an empty path and a directory with a clear message (Foundation would report
    /// "NSCocoaErrorDomain error 256").
    static func checkReadable(_ path: String, what: String) throws(ScalingLawsError) {
        if path.isEmpty {
            throw .io(path: "\"\"", message: "cannot read the file (the path is empty)")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .io(path: path, message: "cannot read the file (it is a directory, not \(what))")
        }
    }

    /// The one CSV reader: feeds the chunks `next` returns (nil at the end) to the state machine,
    /// checks the header and every row's field count, and reports encoding errors with their line.
    static func parse(source: String,
                      next: () throws(ScalingLawsError) -> [UInt8]?,
                      header: ([String]) throws(ScalingLawsError) -> Void,
                      row: (Int, [String]) throws(ScalingLawsError) -> Void) throws(ScalingLawsError) {
        var parser = CSVRecordParser()
        var columns: Int? = nil
        func emit(_ line: Int, _ fields: [String]) throws(ScalingLawsError) {
            guard let count = columns else {
                var seen = [String: Int]()
                for (i, name) in fields.enumerated() {
                    if name.isEmpty {
                        throw .malformedFile(file: source, line: line, message: "header column \(i + 1) has no name")
                    }
                    if let j = seen[name.lowercased()] {
                        throw .malformedFile(file: source, line: line, message: "header columns \(j + 1) and \(i + 1) are both named \(displayQuoted(name)); rename or remove one")
                    }
                    seen[name.lowercased()] = i
                }
                columns = fields.count
                try header(fields)
                return
            }
            guard fields.count == count else {
                let comment = fields.first?.hasPrefix("#") == true
                    ? "; comment lines (#) are allowed only above the header" : ""
                throw .malformedFile(file: source, line: line, message: "expected \(count) fields as in the header, found \(fields.count)\(comment)")
            }
            try row(line, fields)
        }
        func checkEncoding() throws(ScalingLawsError) {
            if let bad = parser.encodingError {
                throw .malformedFile(file: source, line: bad.line, message: "field \(bad.column) is not UTF-8 text; save the file as UTF-8")
            }
        }
        while let chunk = try next() {
            var failure: ScalingLawsError? = nil
            chunk.withUnsafeBufferPointer { buffer in
                do throws(ScalingLawsError) {
                    try parser.feed(buffer, emit)
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
            try checkEncoding()
        }
        guard try parser.finish(emit) else {
            throw .malformedFile(file: source, line: parser.recordLine, message: "a quoted field is not closed: add the closing \"")
        }
        try checkEncoding()
        if columns == nil {
            throw .malformedFile(file: source, line: nil, message: "the file is empty: expected a header row such as \"params,tokens,loss\" and one row per run or logged point")
        }
    }
}
