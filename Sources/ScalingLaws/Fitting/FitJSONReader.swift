import CScalingSupport
import Foundation

/// Reads a saved fit's `training_runs` straight into a ``RunStore`` (by column), without `JSONDecoder`'s
/// tree of a million runs or an array of ``Run``.
///
/// ``FitResult/init(contentsOf:)`` cuts the top-level `training_runs` member out of the file, decodes the
/// rest with `JSONDecoder` as before, and parses the runs here. The parser takes only what ``JSON/encode(_:)``
/// writes and its plain variants (any whitespace and key order; numbers, or "inf", "-inf", "nan"; string
/// escapes): anything else (null, an unknown key, a duplicate key, a number out of range, invalid JSON) makes
/// it give up, and the file is decoded whole by `JSONDecoder`, which then reports the error as it always has.
/// What it accepts it reads as `JSONDecoder` reads it, to the bit.
enum RunsJSONReader {
    /// The record without its training runs, and the runs; nil when the fast path does not apply.
    static func read(_ data: Data, decoder: JSONDecoder) -> (record: FitRecord, runs: RunStore)? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> (record: FitRecord, runs: RunStore)? in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
            var scanner = Scanner(p: base, end: raw.count)
            guard let (cut, array) = scanner.locateTrainingRuns() else { return nil }
            var rest = Data(capacity: raw.count - cut.count)
            rest.append(base, count: cut.lowerBound)
            rest.append(base + cut.upperBound, count: raw.count - cut.upperBound)
            guard let record = try? decoder.decode(FitRecord.self, from: rest), record.trainingRuns == nil else { return nil }
            let k = record.flopsPerParamToken.isFinite && record.flopsPerParamToken > 0 ? record.flopsPerParamToken : 6
            var parser = Scanner(p: base, end: array.upperBound, i: array.lowerBound)
            guard let runs = parser.runs(flopsPerParamToken: k) else { return nil }
            return (record, runs)
        }
    }

    struct Scanner {
        let p: UnsafePointer<UInt8>
        let end: Int
        var i = 0

        init(p: UnsafePointer<UInt8>, end: Int, i: Int = 0) {
            self.p = p
            self.end = end
            self.i = i
        }

        private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), comma = UInt8(ascii: ",")
        private static let colon = UInt8(ascii: ":"), openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
        private static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")

        @inline(__always) private var byte: UInt8? { i < end ? p[i] : nil }

        @inline(__always) private mutating func skipWhitespace() {
            while i < end {
                switch p[i] {
                case 0x20, 0x09, 0x0A, 0x0D: i += 1
                default: return
                }
            }
        }

        /// Past a string starting at a quote (escapes skipped, not checked); false at a raw control
        /// character or the end.
        private mutating func skipString() -> Bool {
            i += 1
            while i < end {
                let b = p[i]
                if b == Self.quote { i += 1; return true }
                if b == Self.backslash { i += 2; continue }
                if b < 0x20 { return false }
                i += 1
            }
            return false
        }

        /// Past one value, checking only that brackets and strings close (what is left is decoded by
        /// JSONDecoder, which checks the rest).
        private mutating func skipValue() -> Bool {
            guard let b = byte else { return false }
            if b == Self.quote { return skipString() }
            if b == Self.openBrace || b == Self.openBracket {
                var depth = 0
                while i < end {
                    let c = p[i]
                    if c == Self.quote {
                        guard skipString() else { return false }
                        continue
                    }
                    if c == Self.openBrace || c == Self.openBracket { depth += 1 }
                    if c == Self.closeBrace || c == Self.closeBracket {
                        depth -= 1
                        if depth == 0 { i += 1; return true }
                    }
                    i += 1
                }
                return false
            }
            let start = i
            while i < end {
                switch p[i] {
                case Self.comma, Self.closeBrace, Self.closeBracket, 0x20, 0x09, 0x0A, 0x0D: return i > start
                default: i += 1
                }
            }
            return i > start
        }

        /// The top-level member `"training_runs" : [...]`: the bytes to cut (the member and one comma
        /// next to it) and the array's bytes. Nil when the document is not an object, the key is
        /// absent or written twice, or its value is not an array.
        mutating func locateTrainingRuns() -> (cut: Range<Int>, array: Range<Int>)? {
            skipWhitespace()
            guard byte == Self.openBrace else { return nil }
            i += 1
            skipWhitespace()
            if byte == Self.closeBrace { return nil }
            let key = Array("training_runs".utf8)
            var found: (memberStart: Int, value: Range<Int>, commaBefore: Int?, commaAfter: Int?)? = nil
            var lastComma: Int? = nil
            while true {
                guard byte == Self.quote else { return nil }
                let memberStart = i
                guard skipString() else { return nil }
                let isKey = i - memberStart - 2 == key.count && (0..<key.count).allSatisfy { p[memberStart + 1 + $0] == key[$0] }
                skipWhitespace()
                guard byte == Self.colon else { return nil }
                i += 1
                skipWhitespace()
                let valueStart = i
                guard skipValue() else { return nil }
                let valueEnd = i
                skipWhitespace()
                let comma: Int? = byte == Self.comma ? i : nil
                if isKey {
                    guard found == nil, p[valueStart] == Self.openBracket else { return nil }
                    found = (memberStart, valueStart..<valueEnd, lastComma, comma)
                }
                if let comma {
                    lastComma = comma
                    i = comma + 1
                    skipWhitespace()
                    continue
                }
                guard byte == Self.closeBrace else { return nil }
                break
            }
            guard let found else { return nil }
            if let after = found.commaAfter { return (found.memberStart..<(after + 1), found.value) }
            if let before = found.commaBefore { return (before..<found.value.upperBound, found.value) }
            return (found.memberStart..<found.value.upperBound, found.value)
        }

        /// The array of runs starting here, stored by column where they allow it; nil at anything
        /// this reader does not take (see ``RunsJSONReader``).
        mutating func runs(flopsPerParamToken k: Double) -> RunStore? {
            guard byte == Self.openBracket else { return nil }
            i += 1
            var builder = RunStore.Builder(flopsPerParamToken: k)
            skipWhitespace()
            if byte == Self.closeBracket { i += 1; return finished(builder) }
            var group: (bytes: [UInt8], label: String)? = nil
            while true {
                guard let run = run(group: &group) else { return nil }
                builder.append(run)
                skipWhitespace()
                if byte == Self.comma { i += 1; skipWhitespace(); continue }
                guard byte == Self.closeBracket else { return nil }
                i += 1
                return finished(builder)
            }
        }

        private mutating func finished(_ builder: RunStore.Builder) -> RunStore? {
            skipWhitespace()
            return i == end ? builder.finish() : nil
        }

        /// One run object; `group` is the previous label (reused when the bytes repeat, as checkpoints
        /// of one run do).
        private mutating func run(group: inout (bytes: [UInt8], label: String)?) -> Run? {
            guard byte == Self.openBrace else { return nil }
            i += 1
            skipWhitespace()
            var run = Run()
            var seen: UInt8 = 0
            var hasValues = false
            if byte == Self.closeBrace { return nil }   // no "values": JSONDecoder names the missing key
            while true {
                guard byte == Self.quote else { return nil }
                let keyStart = i + 1
                guard skipString() else { return nil }
                let key = UnsafeBufferPointer(start: p + keyStart, count: i - keyStart - 1)
                skipWhitespace()
                guard byte == Self.colon else { return nil }
                i += 1
                skipWhitespace()
                let bit: UInt8
                switch Self.field(key) {
                case 1: bit = 1; guard let v = number() else { return nil }; run.params = v
                case 2: bit = 2; guard let v = number() else { return nil }; run.tokens = v
                case 3: bit = 4; guard let v = number() else { return nil }; run.flops = v
                case 4: bit = 8; guard let v = number() else { return nil }; run.loss = v
                case 5: bit = 16; guard let v = number() else { return nil }; run.weight = v
                case 6:
                    bit = 32
                    let start = i
                    guard byte == Self.quote, skipString() else { return nil }
                    let raw = UnsafeBufferPointer(start: p + start, count: i - start)
                    if let g = group, g.bytes.elementsEqual(raw) {
                        run.group = g.label
                    } else {
                        i = start
                        guard let label = string() else { return nil }
                        group = (Array(raw), label)
                        run.group = label
                    }
                case 7:
                    bit = 64
                    guard let values = values() else { return nil }
                    run.values = values
                    hasValues = true
                default:
                    return nil
                }
                guard seen & bit == 0 else { return nil }
                seen |= bit
                skipWhitespace()
                if byte == Self.comma { i += 1; skipWhitespace(); continue }
                guard byte == Self.closeBrace else { return nil }
                i += 1
                return hasValues ? run : nil
            }
        }

        /// Which field a key names: 1…7 for params, tokens, flops, loss, weight, group, values; 0 otherwise.
        private static func field(_ key: UnsafeBufferPointer<UInt8>) -> Int {
            func equals(_ s: StaticString) -> Bool {
                key.count == s.utf8CodeUnitCount && memcmp(key.baseAddress!, s.utf8Start, key.count) == 0
            }
            switch key.count {
            case 4: return equals("loss") ? 4 : 0
            case 5: return equals("flops") ? 3 : equals("group") ? 6 : 0
            case 6: return equals("params") ? 1 : equals("tokens") ? 2 : equals("values") ? 7 : equals("weight") ? 5 : 0
            default: return 0
            }
        }

        /// `{ "name" : number, … }`; nil at a duplicate name or anything but a number.
        private mutating func values() -> [String: Double]? {
            guard byte == Self.openBrace else { return nil }
            i += 1
            skipWhitespace()
            var values = [String: Double]()
            if byte == Self.closeBrace { i += 1; return values }
            while true {
                guard let name = string() else { return nil }
                skipWhitespace()
                guard byte == Self.colon else { return nil }
                i += 1
                skipWhitespace()
                guard let v = number(), values.updateValue(v, forKey: name) == nil else { return nil }
                skipWhitespace()
                if byte == Self.comma { i += 1; skipWhitespace(); continue }
                guard byte == Self.closeBrace else { return nil }
                i += 1
                return values
            }
        }

        /// A JSON number as a finite double (correctly rounded, as JSONDecoder reads it), or one of the
        /// strings "inf", "-inf", "nan".
        private mutating func number() -> Double? {
            guard let first = byte else { return nil }
            if first == Self.quote {
                let start = i + 1
                guard skipString() else { return nil }
                let s = UnsafeBufferPointer(start: p + start, count: i - start - 1)
                if s.elementsEqual("inf".utf8) { return .infinity }
                if s.elementsEqual("-inf".utf8) { return -.infinity }
                if s.elementsEqual("nan".utf8) { return .nan }
                return nil
            }
            // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
            let start = i
            func digits() -> Int {
                let s = i
                while i < end, p[i] >= 0x30, p[i] <= 0x39 { i += 1 }
                return i - s
            }
            if byte == UInt8(ascii: "-") { i += 1 }
            guard let lead = byte else { return nil }
            if lead == UInt8(ascii: "0") { i += 1 } else { guard digits() > 0 else { return nil } }
            if byte == UInt8(ascii: ".") { i += 1; guard digits() > 0 else { return nil } }
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                i += 1
                if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { return nil }
            }
            var value = 0.0
            guard scaling_strtod(p + start, i - start, &value) != 0, value.isFinite else { return nil }
            return value
        }

        /// A string with its escapes undone; nil at a raw control character, a lone surrogate or bytes
        /// that are not UTF-8.
        private mutating func string() -> String? {
            guard byte == Self.quote else { return nil }
            i += 1
            var bytes = [UInt8]()
            func hex4() -> UInt32? {
                guard i + 4 <= end else { return nil }
                var v: UInt32 = 0
                for j in 0..<4 {
                    let c = p[i + j]
                    switch c {
                    case 0x30...0x39: v = v << 4 | UInt32(c - 0x30)
                    case 0x41...0x46: v = v << 4 | UInt32(c - 0x41 + 10)
                    case 0x61...0x66: v = v << 4 | UInt32(c - 0x61 + 10)
                    default: return nil
                    }
                }
                i += 4
                return v
            }
            while i < end {
                let b = p[i]
                if b == Self.quote {
                    i += 1
                    return String(validating: bytes, as: UTF8.self)
                }
                if b < 0x20 { return nil }
                if b != Self.backslash { bytes.append(b); i += 1; continue }
                guard i + 1 < end else { return nil }
                let e = p[i + 1]
                i += 2
                switch e {
                case Self.quote, Self.backslash, UInt8(ascii: "/"): bytes.append(e)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    guard var code = hex4() else { return nil }
                    if (0xD800...0xDBFF).contains(code) {
                        guard i + 2 <= end, p[i] == Self.backslash, p[i + 1] == UInt8(ascii: "u") else { return nil }
                        i += 2
                        guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        return nil
                    }
                    guard let scalar = Unicode.Scalar(code) else { return nil }
                    bytes.append(contentsOf: String(Character(scalar)).utf8)
                default:
                    return nil
                }
            }
            return nil
        }
    }
}
