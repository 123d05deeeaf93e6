import Foundation

/// Safe output files for `--save` and `--plot`: checked before any long computation, never written onto
/// an input, and replaced atomically.
///
/// A write creates a hidden temporary file next to the target (`.NAME.scaling-PID-XXXXXX`), writes and
/// `fsync`s it, gives it the permissions of the file it replaces, and renames it into place, so a reader
/// sees either the old file or the complete new one, and a crash or a full disk leaves the old file
/// intact. If SIGINT, SIGTERM or SIGHUP arrives while the temporary file exists, it is removed before
/// the process ends with that signal (the handlers reach the temporary path through the one piece of
/// process-wide state in ScalingLaws, as a signal handler can reach nothing else).
///
/// **Symbolic links** are kept: when the target is a symlink, the file it points to is replaced (the
/// temporary file is made in that file's directory) and the link still points to it.
///
/// Refused targets: an empty path, a directory, a path in a missing or unwritable directory, anything
/// that exists but is not a regular file (a device such as `/dev/null`, a FIFO), and any file that is
/// also an input of the command (compared by device and inode, so another spelling or a link to the
/// input is caught too).
public enum AtomicFile {
    /// Checks that `path` can be written as the output of `option` without touching any of `inputs`.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` saying what is wrong with the path.
    public static func checkDestination(_ path: String, option: Setting, inputs: [String] = []) throws(ScalingLawsError) {
        guard !path.isEmpty else {
            throw .invalidOption(option: option, message: "expected a file name, got an empty path")
        }
        let target = resolved(path)
        var info = stat()
        if stat(target, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFDIR {
                throw .invalidOption(option: option, message: "\(path) is a directory; give a file name inside it")
            }
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                throw .invalidOption(option: option, message: "\(path) exists and is not a regular file (a device or a pipe); give a file name")
            }
            for input in inputs {
                var other = stat()
                if stat(input, &other) == 0, other.st_dev == info.st_dev, other.st_ino == info.st_ino {
                    throw .invalidOption(option: option, message: "\(path) is an input of this command (\(input)); writing it would destroy the input: choose another file name")
                }
            }
        }
        let parent = directory(of: target)
        var dirInfo = stat()
        guard stat(parent, &dirInfo) == 0, (dirInfo.st_mode & S_IFMT) == S_IFDIR else {
            throw .invalidOption(option: option, message: "cannot write \(path): the directory \(parent) does not exist")
        }
        guard access(parent, W_OK) == 0 else {
            throw .invalidOption(option: option, message: "cannot write \(path): the directory \(parent) is not writable (\(String(cString: strerror(errno))))")
        }
    }

    /// Writes `data` to `path` atomically (see ``AtomicFile``), after ``checkDestination(_:option:inputs:)``.
    public static func write(_ data: Data, to path: String, option: Setting, inputs: [String] = []) throws(ScalingLawsError) {
        try write(to: path, option: option, inputs: inputs) { (write) throws(ScalingLawsError) in
            var failure: ScalingLawsError?
            data.withUnsafeBytes { bytes in
                do throws(ScalingLawsError) { try write(bytes) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    /// Writes to `path` atomically (see ``AtomicFile``), after ``checkDestination(_:option:inputs:)``, what
    /// `contents` hands in order to the function it is given, which writes each piece to the temporary file
    /// as it comes (so that a large file need not be held in memory). An error thrown by `contents` leaves
    /// the old file as it was.
    public static func write(to path: String, option: Setting, inputs: [String] = [],
                             contents: (_ write: (UnsafeRawBufferPointer) throws(ScalingLawsError) -> Void) throws(ScalingLawsError) -> Void)
        throws(ScalingLawsError) {
        try checkDestination(path, option: option, inputs: inputs)
        let target = resolved(path)
        let parent = directory(of: target)
        let name = lastComponent(of: target)
        var template = Array("\(parent)/.\(name).scaling-\(getpid())-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw .io(path: path, message: "cannot create a temporary file in \(parent) (\(String(cString: strerror(errno))))")
        }
        let temporary = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        TemporaryFileGuard.register(temporary)
        var committed = false
        defer {
            if !committed { unlink(temporary) }
            TemporaryFileGuard.clear()
        }
        func fail(_ what: String) -> ScalingLawsError {
            let reason = String(cString: strerror(errno))
            close(fd)
            return .io(path: path, message: "cannot write the file: \(what) failed (\(reason))")
        }
        // Keep the permissions of the file being replaced; a new file gets 0666 less the umask.
        var existing = stat()
        let mode: mode_t
        if stat(target, &existing) == 0 {
            mode = existing.st_mode & 0o7777
        } else {
            let mask = umask(0)
            umask(mask)
            mode = 0o666 & ~mask
        }
        guard fchmod(fd, mode) == 0 else { throw fail("setting the permissions") }
        var closed = false
        do throws(ScalingLawsError) {
            try contents { (raw) throws(ScalingLawsError) in
                var offset = 0
                while offset < raw.count {
                    let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        closed = true
                        throw fail("writing")
                    }
                    offset += n
                }
            }
        } catch {
            if !closed { close(fd) }
            throw error
        }
        #if DEBUG
        // Tests interrupt a write half-way (see the CLI's data-safety tests); compiled out of release builds.
        if let pause = ProcessInfo.processInfo.environment["SCALING_TEST_WRITE_PAUSE_MS"], let ms = UInt32(pause) {
            usleep(ms * 1000)
        }
        #endif
        guard fsync(fd) == 0 else { throw fail("fsync") }
        guard close(fd) == 0 else {
            throw .io(path: path, message: "cannot write the file: close failed (\(String(cString: strerror(errno))))")
        }
        guard rename(temporary, target) == 0 else {
            throw .io(path: path, message: "cannot write the file: rename failed (\(String(cString: strerror(errno))))")
        }
        committed = true
        // Make the rename itself durable.
        let dirFD = open(parent, O_RDONLY)
        if dirFD >= 0 { fsync(dirFD); close(dirFD) }
    }

    /// The file `path` names, following symbolic links (the path itself when it does not exist yet).
    static func resolved(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return current }
            guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { return current }
            current = destination.hasPrefix("/") ? destination : directory(of: current) + "/" + destination
        }
        return current
    }

    /// The directory holding `path` ("." for a bare file name). Written out rather than with
    /// `NSString.deletingLastPathComponent`, which traps in swift-corelibs-foundation on a
    /// one-character path such as `x` or `-`.
    static func directory(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        let parent = withoutTrailingSlashes(String(trimmed[..<slash]))
        return parent.isEmpty ? "/" : parent
    }

    /// The last component of `path` (see ``directory(of:)`` for why not `NSString.lastPathComponent`).
    static func lastComponent(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        let name = String(trimmed[trimmed.index(after: slash)...])
        return name.isEmpty ? "/" : name
    }

    /// `path` without trailing slashes, except a lone "/".
    private static func withoutTrailingSlashes(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }
}

/// The temporary file being written, for the signal handlers (the only state they can reach).
enum TemporaryFileGuard {
    nonisolated(unsafe) private static var path: UnsafeMutablePointer<CChar>? = nil
    nonisolated(unsafe) private static var installed = false
    private static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    static func register(_ temporary: String) {
        install()
        let copy = strdup(temporary)
        let old = path
        path = copy
        free(old)
    }

    static func clear() {
        let old = path
        path = nil
        free(old)
    }

    private static func install() {
        guard !installed else { return }
        installed = true
        for s in signals {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { signal in
                if let p = TemporaryFileGuard.path { unlink(p) }
                Glibc.signal(signal, SIG_DFL)
                raise(signal)
            }
            #else
            action.__sigaction_u.__sa_handler = { signal in
                if let p = TemporaryFileGuard.path { unlink(p) }
                Darwin.signal(signal, SIG_DFL)
                raise(signal)
            }
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(s, &action, nil)
        }
    }
}
