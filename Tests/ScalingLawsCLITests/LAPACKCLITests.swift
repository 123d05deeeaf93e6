import Foundation
import Testing

/// Issue 11, defect 1: reference LAPACK's XERBLA stops the process with status 0 when a NaN reaches it.
/// The `scaling` executable must export ScalingLaws' own `xerbla_`, and the triggers of the issue must
/// end with a clear error or a full report, never with status 0 and nothing printed.
@Suite("scaling command line: LAPACK never ends the process")
struct LAPACKCLITests {
    @Test("The executable exports xerbla_, so LAPACK's calls bind to ScalingLaws' handler")
    func exported() throws {
        let nm = Process()
        nm.executableURL = URL(fileURLWithPath: "/usr/bin/nm")
        guard FileManager.default.isExecutableFile(atPath: nm.executableURL!.path) else { return }
        nm.arguments = ["-D", "--defined-only", scalingBinary.path]
        let out = Pipe()
        nm.standardOutput = out
        try nm.run()
        let symbols = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        nm.waitUntilExit()
        #expect(symbols.split(separator: "\n").contains { $0.hasSuffix(" T xerbla_") }, "xerbla_ is not in the dynamic symbol table")
    }

    /// A 30-run Chinchilla ladder with every loss multiplied by `scale`.
    static func ladder(scale: Double) -> String {
        var rows = ["params,tokens,loss"]
        for n in [1e7, 3e7, 1e8, 3e8, 1e9] {
            for r in [2.0, 5, 10, 20, 50, 100] {
                rows.append("\(n),\(r * n),\((1.69 + 406.4 * pow(n, -0.34) + 410.7 * pow(r * n, -0.28)) * scale)")
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    @Test("The triggers of the issue: an error line or a whole report, never silence", arguments: [
        (["fit", "runs.csv", "--law", "kaplan"], 1e-10),
        (["fit", "runs.csv", "--init", "alpha=nan"], 1.0),
        (["fit", "runs.csv", "--formula", "E + A/(N-N)"], 1.0),
        (["fit", "runs.csv", "--formula", "E + A*N^-alpha + B*D^-beta", "--init", "alpha=1e300"], 1.0),
    ])
    func triggers(arguments: [String], scale: Double) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.ladder(scale: scale).write(to: dir.appendingPathComponent("runs.csv"), atomically: true, encoding: .utf8)
        let r = try scaling(arguments + ["--save", "fit.json"], in: dir)
        #expect(r.exited)
        #expect(!r.stderr.contains("On entry to"), "LAPACK's XERBLA message: \(r.stderr)")
        let saved = FileManager.default.fileExists(atPath: dir.appendingPathComponent("fit.json").path)
        if r.status == 0 {
            #expect(r.stdout.contains("parameter"), "status 0 without a report")
            #expect(saved, "status 0 without the --save file")
        } else {
            #expect(r.status == 1)
            #expect(r.stderr.hasPrefix("scaling: error: ") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(!saved)
        }
    }

    @Test("A single subnormal loss is refused with its line (it used to reach DLASCL as a NaN)")
    func subnormal() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rows = Self.ladder(scale: 1).split(separator: "\n").map(String.init)
        rows[4] = rows[4].split(separator: ",").dropLast().joined(separator: ",") + ",5e-324"
        try (rows.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("runs.csv"), atomically: true, encoding: .utf8)
        let r = try scaling(["fit", "runs.csv"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("runs.csv, line 5, column 3 (\"loss\")"), "\(r.stderr)")
    }

    @Test("/dev/stdin is read like a file")
    func standardInput() throws {
        let process = Process()
        process.executableURL = scalingBinary
        process.arguments = ["fit", "/dev/stdin", "--format", "json"]
        process.standardInput = FileHandle(forReadingAtPath: exampleCSV)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try jsonObject(String(decoding: data, as: UTF8.self))["runs"] as? Int == 240)
    }
}
