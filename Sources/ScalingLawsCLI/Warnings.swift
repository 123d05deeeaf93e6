/// A `scaling: warning:` line on stderr, for warnings that must not go into JSON on stdout.
func warnOnStderr(_ message: String) {
    var stderr = StandardError()
    print("scaling: warning: \(message)", to: &stderr)
}

/// A `scaling: note:` line on stderr: something done to the input that the reader should know about.
func noteOnStderr(_ message: String) {
    var stderr = StandardError()
    print("scaling: note: \(message)", to: &stderr)
}

/// The one-line warning of a deprecated flag spelling that is still read.
func warnDeprecated(_ old: String, use new: String) {
    warnOnStderr("\(old) is deprecated: use \(new)")
}
