import Foundation

/// Reads a CSV file one record at a time, with each field as UTF-8 bytes: no `String` per field.
///
/// The format is ``CSVRecordParser``'s, which stays the one definition of it: the reader hands every line
/// that needs its care (anything above the header, quotes, a carriage return that is not part of a
/// CRLF, bytes outside ASCII, a line longer than the read buffer) to a ``CSVRecordParser``, and splits
/// only plain lines itself, directly in its read buffer: cut at each comma, blanks trimmed, a line of
/// blanks skipped. Both paths keep one line count, so every record keeps the line it starts on.
/// Streaming tests pin that the two paths give the same records for any chunking of any file.
///
/// The file is read through one buffer of 1 MiB (a line longer than that goes to the parser in pieces),
/// so memory does not depend on the number of rows. ``init(contentsOf:)`` reads up to the header;
/// ``nextRow()`` then moves from row to row, and ``field(_:)`` gives a field's bytes until the next call.
final class CSVReader {
    /// Name used in error messages (usually the path).
    let source: String
    /// Header fields.
    @exclusivity(unchecked) private(set) var header: [String] = []
    /// 1-based line the current row starts on.
    @exclusivity(unchecked) private(set) var line = 0

    // The reader is used from one place at a time (it is not Sendable), so the run-time exclusivity
    // checks on its properties, a third of the time of a row, are turned off.
    @exclusivity(unchecked) private var buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    @exclusivity(unchecked) private var start = 0, end = 0
    @exclusivity(unchecked) private var atEnd = false
    /// Bytes read from the file so far, and the file's size when it is a regular file.
    @exclusivity(unchecked) private var bytesRead = 0
    private var fileSize: Int? = nil
    private let refill: (UnsafeMutablePointer<UInt8>, Int) throws(ScalingLawsError) -> Int
    private let close: () -> Void

    @exclusivity(unchecked) private var parser = CSVRecordParser()
    @exclusivity(unchecked) private var finished = false
    /// Records the parser emitted that have not been returned yet.
    @exclusivity(unchecked) private var pending: [(line: Int, fields: [String])] = []
    @exclusivity(unchecked) private var pendingIndex = 0

    /// The current row's fields: byte ranges in `fieldBase` (start and end of field i at 2i and 2i + 1).
    @exclusivity(unchecked) private var ranges: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) private var rangeCapacity: Int
    /// Number of fields of the current row (the header's, for every row).
    @exclusivity(unchecked) private(set) var fieldCount = 0
    /// Whether the parser stood at a clean line start after the last plain line (see
    /// ``CSVRecordParser/atCleanLineStart``): plain lines keep it there.
    @exclusivity(unchecked) private var clean = false
    @exclusivity(unchecked) private var fieldBase: UnsafePointer<UInt8>
    /// The bytes of a row that came from the parser (as strings), laid end to end.
    @exclusivity(unchecked) private var slowBytes: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var slowCapacity: Int
    @exclusivity(unchecked) private var slowStrings: [String] = []
    @exclusivity(unchecked) private var slowRow = false
    /// The last string made by ``label(_:)`` and its bytes.
    @exclusivity(unchecked) private var labelBytes: [UInt8] = []
    @exclusivity(unchecked) private var labelString = ""

    private static let comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
    private static let quote = UInt8(ascii: "\"")

    /// Opens `path` (any readable file, `/dev/stdin` included) and reads up to the end of the header.
    ///
    /// - Throws: ``ScalingLawsError`` as ``CSVStream/read(contentsOf:header:row:)``.
    convenience init(contentsOf path: String, bufferSize: Int = 1 << 20) throws(ScalingLawsError) {
        try CSVStream.checkReadable(path, what: "a CSV file")
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw .io(path: path, message: "cannot read the file (\(reason))")
        }
        self.init(source: path, bufferSize: bufferSize, refill: { (target, count) throws(ScalingLawsError) -> Int in
            while true {
                let n = read(fd, target, count)
                if n >= 0 { return n }
                if errno == EINTR { continue }
                throw .io(path: path, message: "cannot read the file (\(String(cString: strerror(errno))))")
            }
        }, close: { _ = Foundation.close(fd) })
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG { fileSize = Int(info.st_size) }
        try readHeader()
    }

    /// Reads `bytes` as a file named `source`, handing them over `bufferSize` bytes at a time (tests use
    /// small sizes to put line ends at every position of the buffer).
    convenience init(bytes: [UInt8], source: String, bufferSize: Int = 1 << 20) throws(ScalingLawsError) {
        var offset = 0
        self.init(source: source, bufferSize: bufferSize, refill: { (target, count) throws(ScalingLawsError) -> Int in
            let n = min(count, bytes.count - offset)
            bytes.withUnsafeBufferPointer { source in
                if n > 0 { target.update(from: source.baseAddress! + offset, count: n) }
            }
            offset += n
            return n
        }, close: {})
        try readHeader()
    }

    private init(source: String, bufferSize: Int,
                 refill: @escaping (UnsafeMutablePointer<UInt8>, Int) throws(ScalingLawsError) -> Int,
                 close: @escaping () -> Void) {
        self.source = source
        capacity = max(bufferSize, 4)
        buffer = .allocate(capacity: capacity)
        slowCapacity = 256
        slowBytes = .allocate(capacity: slowCapacity)
        rangeCapacity = 16
        ranges = .allocate(capacity: 2 * rangeCapacity)
        fieldBase = UnsafePointer(buffer)
        self.refill = refill
        self.close = close
    }

    /// Reads the header and checks its names.
    private func readHeader() throws(ScalingLawsError) {
        guard try nextRecord() else {
            throw .malformedFile(file: source, line: nil, message: "the file is empty: expected a header row such as \"params,tokens,loss\" and one row per run or logged point")
        }
        var names = [String]()
        for i in 0..<fieldCount { names.append(string(i)) }
        var seen = [String: Int]()
        for (i, name) in names.enumerated() {
            if name.isEmpty {
                throw .malformedFile(file: source, line: line, message: "header column \(i + 1) has no name")
            }
            if let j = seen[name.lowercased()] {
                throw .malformedFile(file: source, line: line, message: "header columns \(j + 1) and \(i + 1) are both named \(displayQuoted(name)); rename or remove one")
            }
            seen[name.lowercased()] = i
        }
        header = names
    }

    deinit {
        close()
        buffer.deallocate()
        slowBytes.deallocate()
        ranges.deallocate()
    }

    /// The bytes of field `i` of the current row (trimmed as ``CSVRecordParser`` trims), valid until the
    /// next call to ``nextRow()``.
    @inline(__always)
    func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: fieldBase + ranges[2 * i], count: ranges[2 * i + 1] - ranges[2 * i])
    }

    /// Field `i` of the current row as a string.
    func string(_ i: Int) -> String {
        if slowRow { return slowStrings[i] }
        // Fast-path rows are ASCII.
        return String(decoding: field(i), as: UTF8.self)
    }

    /// Field `i` as a string, reusing the last string made here when the bytes are the same (run labels:
    /// a log's rows mostly repeat the label of the row before).
    func label(_ i: Int) -> String {
        let bytes = field(i)
        if bytes.count == labelBytes.count,
           bytes.count == 0 || labelBytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) {
            return labelString
        }
        labelBytes.removeAll(keepingCapacity: true)
        labelBytes.append(contentsOf: bytes)
        labelString = string(i)
        return labelString
    }

    /// The current row's fields as strings.
    var strings: [String] { (0..<fieldCount).map(string) }

    /// Moves to the next data row; false at the end of the file.
    ///
    /// - Throws: ``ScalingLawsError/malformedFile(file:line:message:)`` for a row whose field count differs
    ///   from the header's, text that is not UTF-8, or an unterminated quote; ``ScalingLawsError/io(path:message:)``
    ///   when reading fails.
    func nextRow() throws(ScalingLawsError) -> Bool {
        guard try nextRecord() else { return false }
        guard fieldCount == header.count else {
            let comment = fieldCount > 0 && string(0).hasPrefix("#") ? "; comment lines (#) are allowed only above the header" : ""
            throw .malformedFile(file: source, line: line, message: "expected \(header.count) fields as in the header, found \(fieldCount)\(comment)")
        }
        return true
    }

    /// Moves to the next record (the header first), whatever its field count.
    private func nextRecord() throws(ScalingLawsError) -> Bool {
        while true {
            if pendingIndex < pending.count {
                let record = pending[pendingIndex]
                pendingIndex += 1
                if pendingIndex == pending.count { pending.removeAll(keepingCapacity: true); pendingIndex = 0 }
                useParsed(record)
                return true
            }
            if clean || parser.atCleanLineStart {
                clean = true
                if try plainLine() { return true }
                clean = false
            }
            try checkEncoding()
            if finished { return false }
            try feedParser()
        }
    }

    /// Room for `count` fields in `ranges`.
    private func reserveFields(_ count: Int) {
        guard count > rangeCapacity else { return }
        let bigger = UnsafeMutablePointer<Int>.allocate(capacity: 2 * count * 2)
        bigger.update(from: ranges, count: 2 * fieldCount)
        ranges.deallocate()
        ranges = bigger
        rangeCapacity = count * 2
    }

    /// Splits the plain line at `start` in place, if it is one (true: a row is ready). False when the
    /// line needs the parser, or is not in the buffer yet and the buffer has been refilled (or ended).
    private func plainLine() throws(ScalingLawsError) -> Bool {
        while true {
            let b = buffer, stop = end
            var i = start
            var count = 0
            var fieldStart = i
            var contentEnd = -1, next = 0
            while i < stop {
                let c = b[i]
                // Every byte that needs a look is below "-" (comma, quote, CR, LF, blanks) or above 0x7F.
                if c &- 0x2D < 0x53 { i += 1; continue }
                if c == Self.comma {
                    if count == rangeCapacity { fieldCount = count; reserveFields(count + 1) }
                    var s = fieldStart, e = i
                    while s < e && (b[s] == 0x20 || b[s] == 0x09) { s += 1 }
                    while e > s && (b[e - 1] == 0x20 || b[e - 1] == 0x09) { e -= 1 }
                    ranges[2 * count] = s
                    ranges[2 * count + 1] = e
                    count += 1
                    fieldStart = i + 1
                } else if c == Self.newline {
                    contentEnd = i; next = i + 1
                    break
                } else if c == Self.quote || c >= 0x80 {
                    return false
                } else if c == Self.cr {
                    guard i + 1 < stop else {
                        if atEnd { return false }   // a CR at the very end of the file: the parser's
                        break                       // the LF may be in the next read
                    }
                    guard b[i + 1] == Self.newline else { return false }
                    contentEnd = i; next = i + 2
                    break
                }
                i += 1
            }
            if contentEnd < 0 {
                if atEnd {
                    if start == stop { return false }
                    contentEnd = stop; next = stop   // the last line, without a line end
                } else if start == 0 && stop == capacity {
                    return false   // a line longer than the buffer: the parser reads it in pieces
                } else {
                    try fill()
                    continue
                }
            }
            if count == rangeCapacity { fieldCount = count; reserveFields(count + 1) }
            var s = fieldStart, e = contentEnd
            while s < e && (b[s] == 0x20 || b[s] == 0x09) { s += 1 }
            while e > s && (b[e - 1] == 0x20 || b[e - 1] == 0x09) { e -= 1 }
            ranges[2 * count] = s
            ranges[2 * count + 1] = e
            count += 1
            start = next
            let recordLine = parser.skipLine()
            if count == 1 && s == e { continue }   // a line of blanks
            fieldCount = count
            line = recordLine
            fieldBase = UnsafePointer(b)
            slowRow = false
            return true
        }
    }

    /// Moves the unread bytes to the front of the buffer and reads more after them.
    private func fill() throws(ScalingLawsError) {
        if start > 0 {
            if end > start { buffer.update(from: buffer + start, count: end - start) }
            end -= start
            start = 0
        }
        let n = try refill(buffer + end, capacity - end)
        if n == 0 { atEnd = true } else { end += n }
        bytesRead += n
    }

    /// The number of data rows the file probably has, from its size and the bytes the first `rows` rows
    /// took (nil when the size is unknown: a pipe). A hint for reserving storage, never a count.
    func estimatedRows(afterReading rows: Int) -> Int? {
        guard let fileSize, rows > 0 else { return nil }
        let consumed = bytesRead - (end - start)
        guard consumed > 0 else { return nil }
        return min(fileSize / 2, Int((Double(fileSize) * Double(rows) / Double(consumed)).rounded(.up)))
    }

    /// Hands the parser the bytes up to the next line end (or all that are buffered), or ends the input.
    private func feedParser() throws(ScalingLawsError) {
        if start == end {
            if atEnd {
                finished = true
                let complete = parser.finish { line, fields in pending.append((line, fields)) }
                guard complete || parser.encodingError != nil else {
                    throw .malformedFile(file: source, line: parser.recordLine, message: "a quoted field is not closed: add the closing \"")
                }
                return
            }
            try fill()
            return
        }
        var i = start
        while i < end && buffer[i] != Self.newline { i += 1 }
        let stop = i < end ? i + 1 : end
        parser.feed(UnsafeBufferPointer(start: buffer + start, count: stop - start)) { line, fields in
            pending.append((line, fields))
        }
        start = stop
    }

    private func checkEncoding() throws(ScalingLawsError) {
        if let bad = parser.encodingError {
            throw .malformedFile(file: source, line: bad.line, message: "field \(bad.column) is not UTF-8 text; save the file as UTF-8")
        }
    }

    private func useParsed(_ record: (line: Int, fields: [String])) {
        line = record.line
        slowStrings = record.fields
        slowRow = true
        let total = record.fields.reduce(0) { $0 + $1.utf8.count }
        if total > slowCapacity {
            slowBytes.deallocate()
            slowCapacity = max(total, slowCapacity * 2)
            slowBytes = .allocate(capacity: slowCapacity)
        }
        fieldCount = 0
        reserveFields(record.fields.count)
        var at = 0
        for (f, field) in record.fields.enumerated() {
            ranges[2 * f] = at
            for byte in field.utf8 { slowBytes[at] = byte; at += 1 }
            ranges[2 * f + 1] = at
        }
        fieldCount = record.fields.count
        fieldBase = UnsafePointer(slowBytes)
    }
}

/// One row's fields as the readers hand them over: a ``CSVTable`` row of strings, or the current row of
/// a ``CSVReader`` read as bytes. Code that reduces rows is written once against this and gives the same
/// values and errors whichever way the file was read.
protocol RowFields {
    /// Field `i` read by ``parseQuantity(_:)``.
    func quantity(_ i: Int) -> Double?
    /// Field `i` as text (for messages and labels).
    func text(_ i: Int) -> String
    /// Field `i` as a label that often repeats from row to row.
    func label(_ i: Int) -> String
    /// Whether field `i` is empty or white space only.
    func isBlank(_ i: Int) -> Bool
    /// Copies the row into `saved`, reusing its storage.
    func save(into saved: inout SavedRow)
}

/// A copy of one row's fields as bytes, kept while the rest of the file is read (the latest point of a
/// run, for instance) at the cost of a copy instead of parsing it.
struct SavedRow: RowFields {
    var bytes: [UInt8] = []
    /// Start and end of field i in `bytes` at 2i and 2i + 1.
    var ranges: [Int] = []

    func quantity(_ i: Int) -> Double? {
        bytes.withUnsafeBufferPointer { parseQuantity(bytes: UnsafeBufferPointer(rebasing: $0[ranges[2 * i]..<ranges[2 * i + 1]])) }
    }
    func text(_ i: Int) -> String { String(decoding: bytes[ranges[2 * i]..<ranges[2 * i + 1]], as: UTF8.self) }
    func label(_ i: Int) -> String { text(i) }
    func isBlank(_ i: Int) -> Bool { isBlankField(bytes[ranges[2 * i]..<ranges[2 * i + 1]]) { text(i) } }
    func save(into saved: inout SavedRow) { saved = self }
}

/// Whether `bytes` are empty or white space only (as `Character.isWhitespace` says of their text).
private func isBlankField<C: Collection<UInt8>>(_ bytes: C, text: () -> String) -> Bool {
    for byte in bytes {
        if byte >= 0x80 { return text().allSatisfy(\.isWhitespace) }
        // Unicode white space within ASCII: tab, LF, VT, FF, CR, space.
        guard byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) else { return false }
    }
    return true
}

extension Array: RowFields where Element == String {
    func quantity(_ i: Int) -> Double? { parseQuantity(self[i]) }
    func text(_ i: Int) -> String { self[i] }
    func label(_ i: Int) -> String { self[i] }
    func isBlank(_ i: Int) -> Bool { self[i].allSatisfy(\.isWhitespace) }
    func save(into saved: inout SavedRow) {
        saved.bytes.removeAll(keepingCapacity: true)
        saved.ranges.removeAll(keepingCapacity: true)
        for field in self {
            saved.ranges.append(saved.bytes.count)
            saved.bytes.append(contentsOf: field.utf8)
            saved.ranges.append(saved.bytes.count)
        }
    }
}

extension CSVReader: RowFields {
    @inline(__always)
    func quantity(_ i: Int) -> Double? { parseQuantity(bytes: field(i)) }
    func text(_ i: Int) -> String { string(i) }
    func isBlank(_ i: Int) -> Bool { isBlankField(field(i)) { string(i) } }
    func save(into saved: inout SavedRow) {
        guard fieldCount > 0 else {
            saved.bytes.removeAll(keepingCapacity: true)
            saved.ranges.removeAll(keepingCapacity: true)
            return
        }
        // A row's fields lie in order in one stretch of bytes: copy the stretch, and the ranges relative to it.
        let first = ranges[0], last = ranges[2 * fieldCount - 1]
        saved.bytes.replaceSubrange(saved.bytes.indices, with: UnsafeBufferPointer(start: fieldBase + first, count: last - first))
        if saved.ranges.count != 2 * fieldCount {
            saved.ranges = [Int](repeating: 0, count: 2 * fieldCount)
        }
        saved.ranges.withUnsafeMutableBufferPointer { target in
            for k in 0..<(2 * fieldCount) { target[k] = ranges[k] - first }
        }
    }
}
