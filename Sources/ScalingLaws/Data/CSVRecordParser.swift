/// The byte-level CSV state machine behind every CSV file ScalingLaws reads (through ``CSVReader``, which
/// splits plain lines itself and hands this parser every other one, so a file reads the same way
/// whichever command reads it):
///
/// - RFC 4180 quoting (`"a,b"`, doubled `""`); unquoted fields are trimmed of blanks (spaces, tabs);
/// - LF, CRLF or CR-only line ends (a CR-only file is not one long line);
/// - a UTF-8 byte-order mark at the very start is skipped;
/// - text must be UTF-8: the first field that is not is reported with its line and column
///   (``encodingError``), and nothing after it is emitted;
/// - blank lines are skipped anywhere;
/// - **comments**: lines whose first non-blank character is `#` are skipped *only above the header*
///   (a preamble such as a source note). Below the header every line is data, so a run named `#2` is a
///   run, and a stray `# note` line is reported as a malformed row instead of silently dropping data.
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
    /// The last byte was a CR that ended a line: an LF right after it belongs to the same line end.
    private var afterCR = false
    private var line = 1
    private(set) var recordLine = 1
    private var atRecordStart = true
    private var isComment = false
    /// Whether a record (the header) has been emitted: comments are recognised only before it.
    private var emittedAny = false
    /// How many bytes of a leading UTF-8 byte-order mark have been matched (3: done or none).
    private var bomMatched = 0
    /// Set when the input holds bytes that are not UTF-8: line and (1-based) field of the first one.
    private(set) var encodingError: (line: Int, column: Int)? = nil

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), hash = UInt8(ascii: "#")
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    private static func isBlank(_ b: UInt8) -> Bool { b == space || b == tab }

    private mutating func endField() {
        var lo = 0, hi = field.count
        if !quoted {
            while lo < hi && Self.isBlank(field[lo]) { lo += 1 }
            while hi > lo && Self.isBlank(field[hi - 1]) { hi -= 1 }
        }
        if let text = String(validating: field[lo..<hi], as: UTF8.self) {
            fields.append(text)
        } else {
            if encodingError == nil { encodingError = (line, fields.count + 1) }
            fields.append("")
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
        if !blank && encodingError == nil {
            emittedAny = true
            try emit(recordLine, record)
        }
    }

    /// A line end outside quotes (LF, CRLF or a lone CR).
    private mutating func endLine<E: Error>(_ emit: (Int, [String]) throws(E) -> Void) throws(E) {
        if isComment {
            isComment = false
            field.removeAll(keepingCapacity: true)
        } else if !atRecordStart {
            try endRecord(emit)
        } else {
            field.removeAll(keepingCapacity: true)   // a line of blanks
        }
        line += 1
        atRecordStart = true
    }

    /// Consumes `bytes`, emitting every record that ends within them. After an encoding error nothing
    /// more is emitted; check ``encodingError``.
    mutating func feed<E: Error>(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Int, [String]) throws(E) -> Void) throws(E) {
        for c in bytes {
            if encodingError != nil { return }
            if bomMatched < 3 {
                if c == Self.bom[bomMatched] { bomMatched += 1; continue }
                // Not a byte-order mark after all: replay the bytes taken for one.
                let taken = Self.bom[0..<bomMatched]
                bomMatched = 3
                for b in taken { try consume(b, emit) }
            }
            try consume(c, emit)
        }
    }

    private mutating func consume<E: Error>(_ c: UInt8, _ emit: (Int, [String]) throws(E) -> Void) throws(E) {
        if afterCR {
            afterCR = false
            if c == Self.newline {   // the LF of a CRLF: the line was already counted
                if inQuotes && !pendingQuote { field.append(c) }
                return
            }
        }
        if pendingQuote {
            pendingQuote = false
            if c == Self.quote { field.append(Self.quote); return }
            inQuotes = false   // the quoted part ended; `c` is read as unquoted text below
        }
        if inQuotes {
            if c == Self.quote {
                pendingQuote = true
            } else {
                if c == Self.newline { line += 1 }
                if c == Self.cr { line += 1; afterCR = true }
                field.append(c)
            }
            return
        }
        if c == Self.newline { try endLine(emit); return }
        if c == Self.cr { try endLine(emit); afterCR = true; return }
        if atRecordStart {
            recordLine = line
            if Self.isBlank(c) { field.append(c); return }
            atRecordStart = false
            isComment = !emittedAny && c == Self.hash
        }
        if isComment { return }
        switch c {
        case Self.quote where field.allSatisfy(Self.isBlank):
            field.removeAll(keepingCapacity: true)
            inQuotes = true
            quoted = true
        case Self.comma:
            endField()
        default:
            field.append(c)
        }
    }

    /// Whether the parser stands at the start of a line below the header with nothing pending (no open
    /// quote, no CR whose LF may follow, no partial field): the point where ``CSVReader`` may split a plain
    /// line itself.
    var atCleanLineStart: Bool {
        emittedAny && atRecordStart && bomMatched == 3 && !inQuotes && !pendingQuote && !afterCR && !isComment
            && field.isEmpty && fields.isEmpty && encodingError == nil
    }

    /// Counts a line that ``CSVReader`` read itself (from a clean line start, see ``atCleanLineStart``);
    /// returns its number.
    mutating func skipLine() -> Int {
        recordLine = line
        line += 1
        return recordLine
    }

    /// Ends the input: emits a last record without a line end. Returns false when a quoted field was
    /// never closed (``recordLine`` says where it started).
    mutating func finish<E: Error>(_ emit: (Int, [String]) throws(E) -> Void) throws(E) -> Bool {
        if encodingError != nil { return true }
        if bomMatched < 3 {
            // A file of one or two bytes that began like a byte-order mark: read them as text.
            let taken = Self.bom[0..<bomMatched]
            bomMatched = 3
            for b in taken { try consume(b, emit) }
        }
        if pendingQuote { pendingQuote = false; inQuotes = false }
        if inQuotes { return false }
        if !atRecordStart && !isComment { try endRecord(emit) }
        return true
    }
}
