@testable import CorralChaos
import Testing

/// `NetTool.run` reads a tool's output and its errors at once.
@Suite struct NetToolTests {
    /// A tool that fills the error pipe (64 KiB) before it prints anything would block forever
    /// if its errors were read only after its output.
    @Test(.timeLimit(.minutes(1))) func aToolThatSaysALotOnStderrDoesNotBlock() throws {
        let printed = try NetTool.run("sh", ["-c", "head -c 300000 /dev/zero | tr '\\\\0' x >&2; echo done"])
        #expect(printed == "done\n")
    }

    @Test func aFailingToolNamesItsCommandAndWhatItSaid() {
        #expect {
            try NetTool.run("sh", ["-c", "echo 'no such device' >&2; exit 3"])
        } throws: { error in
            let text = "\(error)"
            return text.contains("sh -c") && text.contains("status 3") && text.contains("no such device")
        }
    }
}
