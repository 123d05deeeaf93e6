import Foundation

/// Reads a CSV file record by record, in 1 MiB chunks, without holding the file or its rows in memory:
/// for logs of millions of rows that are reduced as they are read (training curves, for instance).
/// The format is ``CSVTable``'s; both go through the same reader (`CSVReader`), so every file reads the
/// same way in every command.
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
        let reader = try CSVReader(contentsOf: path)
        try header(reader.header)
        while try reader.nextRow() { try row(reader.line, reader.strings) }
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
}
