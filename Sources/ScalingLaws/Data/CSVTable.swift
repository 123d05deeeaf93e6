/// A CSV file read into a header and raw rows, each row remembering its line number.
///
/// Accepts RFC 4180 quoting (`"a,b"`, doubled `""`), LF, CRLF or CR line ends, a UTF-8 byte-order mark,
/// blank lines, and comment lines (first non-blank character `#`) above the header only; below it every
/// line is data. Column names must be distinct (case-insensitively), and every row must have as many
/// fields as the header. See `CSVRecordParser` for the exact rules.
public struct CSVTable: Sendable {
    /// Name used in error messages (usually the path).
    public let source: String
    /// Header fields, trimmed.
    public let header: [String]
    /// Data rows (fields trimmed), in file order.
    public let rows: [[String]]
    /// 1-based line number of each row.
    public let lines: [Int]

    /// Parses `text`, exactly as ``init(contentsOf:)`` parses a file.
    /// - Throws: ``ScalingLawsError/malformedFile(file:line:message:)`` for an empty file, an unterminated
    ///   quote, a header with an empty or repeated column name, or a row whose field count differs from
    ///   the header's.
    public init(text: String, source: String) throws(ScalingLawsError) {
        try self.init(reader: try CSVReader(bytes: Array(text.utf8), source: source))
    }

    /// Parses the UTF-8 bytes `bytes` (invalid UTF-8 is reported with its line).
    public init(bytes: [UInt8], source: String) throws(ScalingLawsError) {
        try self.init(reader: try CSVReader(bytes: bytes, source: source))
    }

    /// Reads every remaining row of `reader`.
    init(reader: CSVReader) throws(ScalingLawsError) {
        var rows: [[String]] = []
        var lines: [Int] = []
        while try reader.nextRow() {
            rows.append(reader.strings)
            lines.append(reader.line)
        }
        self.source = reader.source
        self.header = reader.header
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

    /// Reads and parses the file at `path` (any readable file, `/dev/stdin` included) with the same
    /// reader as ``CSVStream``.
    public init(contentsOf path: String) throws(ScalingLawsError) {
        try self.init(reader: try CSVReader(contentsOf: path))
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
