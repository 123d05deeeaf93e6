/// A CSV file read into a header and raw rows, each row remembering its line number.
///
/// Accepts RFC 4180 quoting (`"a,b"`, doubled `""`), LF or CRLF line ends, blank lines and lines whose
/// first non-blank character is `#` (comments). Every row must have as many fields as the header.
public struct CSVTable: Sendable {
    /// Name used in error messages (usually the path).
    public let source: String
    /// Header fields, trimmed.
    public let header: [String]
    /// Data rows (fields trimmed), in file order.
    public let rows: [[String]]
    /// 1-based line number of each row.
    public let lines: [Int]

    /// Parses `text`.
    /// - Throws: ``ScalingLawsError/malformedFile(file:line:message:)`` for an empty file, an unterminated
    ///   quote or a row whose field count differs from the header's.
    public init(text: String, source: String) throws(ScalingLawsError) {
        self.source = source
        var records: [(line: Int, fields: [String])] = []
        var parser = CSVRecordParser()
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { buffer in
            parser.feed(buffer) { line, fields in records.append((line, fields)) }
        }
        guard parser.finish({ line, fields in records.append((line, fields)) }) else {
            throw .malformedFile(file: source, line: parser.recordLine, message: "a quoted field is not closed: add the closing \"")
        }

        guard let first = records.first else {
            throw .malformedFile(file: source, line: nil, message: "the file is empty: expected a header row such as \"params,tokens,loss\" and one row per run")
        }
        header = first.fields
        for (i, name) in header.enumerated() where name.isEmpty {
            throw .malformedFile(file: source, line: first.line, message: "header column \(i + 1) has no name")
        }
        var rows: [[String]] = []
        var lines: [Int] = []
        for record in records.dropFirst() {
            guard record.fields.count == header.count else {
                throw .malformedFile(file: source, line: record.line, message: "expected \(header.count) fields as in the header, found \(record.fields.count)")
            }
            rows.append(record.fields)
            lines.append(record.line)
        }
        self.rows = rows
        self.lines = lines
    }

    /// A table of already-split rows (e.g. a subset of another table's rows).
    init(source: String, header: [String], rows: [[String]], lines: [Int]) {
        self.source = source
        self.header = header
        self.rows = rows
        self.lines = lines
    }

    /// Reads and parses the file at `path`.
    public init(contentsOf path: String) throws(ScalingLawsError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .io(path: path, message: "cannot read the file (\(Self.reason(error)))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .malformedFile(file: path, line: nil, message: "the file is not UTF-8 text")
        }
        try self.init(text: text, source: path)
    }

    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        if ns.domain == NSCocoaErrorDomain && ns.code == NSFileReadNoSuchFileError { return "no such file" }
        return ns.localizedDescription
    }

    /// Index of the column whose name matches one of `names`, case-insensitively.
    public func columnIndex(_ names: [String]) -> Int? {
        let lowered = header.map { $0.lowercased() }
        for name in names {
            if let i = lowered.firstIndex(of: name.lowercased()) { return i }
        }
        return nil
    }
}

import Foundation
