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
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var quoted = false
        var line = 1
        var recordLine = 1
        var atRecordStart = true
        var isComment = false
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")
        let cr = UInt8(ascii: "\r"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), hash = UInt8(ascii: "#")

        func isBlank(_ b: UInt8) -> Bool { b == space || b == tab }
        func endField() {
            if quoted {
                fields.append(String(decoding: field, as: UTF8.self))
            } else {
                var lo = 0, hi = field.count
                while lo < hi && isBlank(field[lo]) { lo += 1 }
                while hi > lo && isBlank(field[hi - 1]) { hi -= 1 }
                fields.append(String(decoding: field[lo..<hi], as: UTF8.self))
            }
            field.removeAll(keepingCapacity: true)
            quoted = false
        }
        func endRecord() {
            let wasQuoted = quoted
            endField()
            let blank = fields.count == 1 && fields[0].isEmpty && !wasQuoted
            if !blank { records.append((recordLine, fields)) }
            fields = []
        }

        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            if atRecordStart {
                recordLine = line
                if isBlank(c) { field.append(c); continue }
                atRecordStart = false
                isComment = c == hash
            }
            if isComment {
                if c == newline { line += 1; atRecordStart = true; isComment = false; field.removeAll(keepingCapacity: true) }
                continue
            }
            if inQuotes {
                if c == quote {
                    if i < bytes.count && bytes[i] == quote { field.append(quote); i += 1 } else { inQuotes = false }
                } else {
                    if c == newline { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case quote where field.allSatisfy(isBlank):
                field.removeAll(keepingCapacity: true)
                inQuotes = true
                quoted = true
            case comma:
                endField()
            case cr:
                continue
            case newline:
                endRecord()
                line += 1
                atRecordStart = true
            default:
                field.append(c)
            }
        }
        if inQuotes {
            throw .malformedFile(file: source, line: recordLine, message: "a quoted field is not closed: add the closing \"")
        }
        if !atRecordStart && !isComment { endRecord() }

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
