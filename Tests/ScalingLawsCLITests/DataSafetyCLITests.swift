import Foundation
import Testing

/// `--save` and `--plot` never destroy data: no writing onto an input, atomic replacement that keeps
/// permissions and symlinks, no temporary file left by SIGINT/SIGTERM, and a failed stdout is an error.
@Suite("scaling command line: data safety of --save and --plot")
struct DataSafetyCLITests {
    static let csv = try! String(contentsOfFile: exampleCSV, encoding: .utf8)

    /// A directory holding runs.csv (a copy of the example data).
    func workspace() throws -> URL {
        let dir = try temporaryDirectory()
        try Self.csv.write(to: dir.appendingPathComponent("runs.csv"), atomically: false, encoding: .utf8)
        return dir
    }

    func listing(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    @Test("--save or --plot onto an input is refused and the input is untouched", arguments: [
        ["fit", "runs.csv", "--save", "runs.csv"],
        ["fit", "runs.csv", "--save", "./runs.csv"],
        ["fit", "runs.csv", "--plot", "runs.csv"],
        ["fit", "runs.csv", "--plot=runs.csv"],
        ["fit", "link.csv", "--save", "runs.csv"],
        ["fit", "runs.csv", "--save", "link.csv"],
    ])
    func refusesInputs(arguments: [String]) throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("link.csv").path, withDestinationPath: "runs.csv")
        let r = try scaling(arguments, in: dir)
        #expect(r.exited && r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("is an input of this command"), "\(r.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("runs.csv"), encoding: .utf8) == Self.csv)
        #expect(try listing(dir) == ["link.csv", "runs.csv"])
    }

    @Test("Replacing a file keeps its permissions; a symlink is kept and the file it points to is replaced")
    func permissionsAndSymlinks() throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let real = dir.appendingPathComponent("real.json")
        try "old".write(to: real, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: real.path)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("fit.json").path, withDestinationPath: "real.json")
        let r = try scaling(["fit", "runs.csv", "--save", "fit.json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: real.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir.appendingPathComponent("fit.json").path) == "real.json")
        #expect(try String(contentsOf: real, encoding: .utf8).contains("\"parameters\""))
        #expect(try listing(dir) == ["fit.json", "real.json", "runs.csv"], "no temporary file is left")
    }

    @Test("SIGINT or SIGTERM during a write leaves neither the target nor the temporary file", arguments: [SIGINT, SIGTERM])
    func interruptedWrite(signal: Int32) throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        // posix_spawn with an empty signal mask and default dispositions: Foundation's Process passes on
        // the test runner's blocked signals, and a blocked SIGTERM would never reach the handler.
        // Debug builds pause between writing the temporary file and renaming it when asked to.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [scalingBinary.path, "fit", dir.appendingPathComponent("runs.csv").path,
                         "--save", dir.appendingPathComponent("fit.json").path]
        let environment = ProcessInfo.processInfo.environment.map { "\($0)=\($1)" } + ["SCALING_TEST_WRITE_PAUSE_MS=20000"]
        var argv = arguments.map { strdup($0) } + [nil]
        var envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, scalingBinary.path, &actions, &attributes, &argv, &envp)
        try #require(spawned == 0)
        var sawTemporary = false
        for _ in 0..<600 {   // up to 60 s for the fit on a loaded machine
            if try listing(dir).contains(where: { $0.hasPrefix(".fit.json.scaling-") }) { sawTemporary = true; break }
            usleep(100_000)
        }
        #expect(sawTemporary, "the temporary file never appeared")
        kill(pid, signal)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Ended by the signal itself (WIFSIGNALED, WTERMSIG == signal), as an interrupted program should.
        #expect(status & 0x7F == signal, "wait status \(status)")
        #expect(try listing(dir) == ["runs.csv"])
    }

    @Test("A report that cannot be written to stdout is an error")
    func fullStdout() throws {
        guard let full = FileHandle(forWritingAtPath: "/dev/full") else { return }   // Linux only
        let process = Process()
        process.executableURL = scalingBinary
        process.arguments = ["fit", exampleCSV]
        process.standardOutput = full
        let err = Pipe()
        process.standardError = err
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 1)
        #expect(message.contains("cannot write the output to stdout"), "\(message)")
    }

    @Test("The --save destination is checked before the fit (and its bootstrap) runs")
    func checkedFirst() throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let started = Date()
        let r = try scaling(["fit", "runs.csv", "--bootstrap", "100000", "--save", "missing/fit.json"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("--save") && r.stderr.contains("does not exist"), "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 60, "the bootstrap ran before the check")
    }
}
