/// A `scaling: warning:` line on stderr, for warnings that must not go into JSON on stdout.
func warnOnStderr(_ message: String) {
    var stderr = StandardError()
    print("scaling: warning: \(message)", to: &stderr)
}
