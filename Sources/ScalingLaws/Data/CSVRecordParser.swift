/// The byte-level CSV state machine shared by ``CSVTable`` (whole text) and ``CSVStream`` (a file read in
/// chunks): RFC 4180 quoting (`"a,b"`, doubled `""`), LF or CRLF line ends, blank lines and lines whose
/// first non-blank character is `#` (comments) skipped. Unquoted fields are trimmed of blanks.
///
/// Bytes may arrive in pieces of any size; a record is emitted, with the 1-based line it starts on, as
/// soon as its line ends.
struct CSVRecordParser {
    private var fields: [String] = []
    private var field: [UInt8] = []
    private var inQuotes = false
    private var quoted = false
    /// Inside quotes, a `"` was just read: the next byte decides between `""` (a literal quote) and the
    /// end of the quoted part.
    private var pendingQuote = false
    private var line = 1
    private(set) var recordLine = 1
    private var atRecordStart = true
    private var isComment = false

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), hash = UInt8(ascii: "#")

    private static func isBlank(_ b: UInt8) -> Bool { b == space || b == tab }

    private mutating func endField() {
        if quoted {
            fields.append(String(decoding: field, as: UTF8.self))
        } else {
            var lo = 0, hi = field.count
            while lo < hi && Self.isBlank(field[lo]) { lo += 1 }
            while hi > lo && Self.isBlank(field[hi - 1]) { hi -= 1 }
            fields.append(String(decoding: field[lo..<hi], as: UTF8.self))
        }
        field.removeAll(keepingCapacity: true)
        quoted = false
    }

    private mutating func endRecord<E: Error>(_ emit: (Int, [String]) throws(E) -> Void) throws(E) {
        let wasQuoted = quoted
        endField()
        let blank = fields.count == 1 && fields[0].isEmpty && !wasQuoted
        let record = fields
        fields = []
        if !blank { try emit(recordLine, record) }
    }

    /// Consumes `bytes`, emitting every record that ends within them.
    mutating func feed<E: Error>(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Int, [String]) throws(E) -> Void) throws(E) {
        for c in bytes {
            if pendingQuote {
                pendingQuote = false
                if c == Self.quote { field.append(Self.quote); continue }
                inQuotes = false   // the quoted part ended; `c` is read as unquoted text below
            }
            if atRecordStart {
                recordLine = line
                if Self.isBlank(c) { field.append(c); continue }
                atRecordStart = false
                isComment = c == Self.hash
            }
            if isComment {
                if c == Self.newline { line += 1; atRecordStart = true; isComment = false; field.removeAll(keepingCapacity: true) }
                continue
            }
            if inQuotes {
                if c == Self.quote {
                    pendingQuote = true
                } else {
                    if c == Self.newline { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case Self.quote where field.allSatisfy(Self.isBlank):
                field.removeAll(keepingCapacity: true)
                inQuotes = true
                quoted = true
            case Self.comma:
                endField()
            case Self.cr:
                continue
            case Self.newline:
                try endRecord(emit)
                line += 1
                atRecordStart = true
            default:
                field.append(c)
            }
        }
    }

    /// Ends the input: emits a last record without a line end. Returns false when a quoted field was
    /// never closed (``recordLine`` says where it started).
    mutating func finish<E: Error>(_ emit: (Int, [String]) throws(E) -> Void) throws(E) -> Bool {
        if pendingQuote { pendingQuote = false; inQuotes = false }
        if inQuotes { return false }
        if !atRecordStart && !isComment { try endRecord(emit) }
        return true
    }
}
