import Foundation
import Testing

/// Result of running the built `scaling` binary.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// True when the process ended by exiting (not by a signal such as a trap).
    var exited: Bool
}

/// Repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let exampleCSV = repositoryRoot.appendingPathComponent("Examples/data/chinchilla_fig4_fitset.csv").path

/// The `scaling` executable built next to the test bundle.
let scalingBinary: URL = URL(fileURLWithPath: Bundle.main.bundlePath).appendingPathComponent("scaling")

/// Runs `scaling` with `arguments`, returning its exit status and output.
func scaling(_ arguments: [String], in directory: URL? = nil) throws -> CommandResult {
    try runProcess(scalingBinary, arguments, in: directory)
}

/// Runs `executable` with `arguments` (in `directory`, with `environment` when given), returning its exit
/// status and output.
func runProcess(_ executable: URL, _ arguments: [String], in directory: URL? = nil,
                environment: [String: String]? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes fully before waiting, so a large output cannot block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self),
                         exited: process.terminationReason == .exit)
}

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("scaling-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Parses stdout as one JSON object.
func jsonObject(_ text: String) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(value as? [String: Any])
}
