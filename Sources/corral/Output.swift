import Foundation

/// Prints a line to standard output at once (unbuffered), so a parent process or a pipe
/// sees progress as it happens.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
