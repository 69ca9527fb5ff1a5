import CorralContainer
import CorralStore
import CorralTestSupport
import Foundation
import Testing

/// Durability across a real crash: a child process commits entries and prints each key once
/// its commit has returned; the test SIGKILLs it mid-stream, reopens the environment, and
/// expects every printed key to be there.
@Suite("CorralStore crash durability")
struct CrashDurabilityTests {
    /// How many acknowledgements to wait for before killing the writer.
    static let acknowledgementsBeforeKill = 40
    /// Must match `DebugCommand.StoreCrashWriter`.
    static let databaseName = "crash"
    static let valueBytes = 512

    @Test("every acknowledged entry survives SIGKILL")
    func acknowledgedEntriesSurviveKill() throws {
        let binary = try CorralBinary.locate()
        try withTemporaryDirectory { dir in
            let envPath = dir + "/env"
            let child = Process()
            child.executableURL = URL(fileURLWithPath: binary)
            child.arguments = ["debug", "store-crash-writer", "--path", envPath, "--value-bytes", "\(Self.valueBytes)"]
            let stdout = Pipe()
            let stderrPath = dir + "/stderr.txt"
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
            child.standardOutput = stdout
            child.standardError = FileHandle(forWritingAtPath: stderrPath)
            try child.runWithoutInheritedFiles()
            var output = Data()
            var killed = false
            defer {
                if !killed, child.isRunning { kill(child.processIdentifier, SIGKILL) }
            }
            // Wait for N acknowledged lines (no sleeping, no timing luck), then kill mid-stream.
            while output.filter({ $0 == UInt8(ascii: "\n") }).count < Self.acknowledgementsBeforeKill {
                let chunk = stdout.fileHandleForReading.availableData
                if chunk.isEmpty {
                    let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
                    Issue.record("the writer exited before \(Self.acknowledgementsBeforeKill) acks: \(stderr)")
                    return
                }
                output.append(chunk)
            }
            kill(child.processIdentifier, SIGKILL)
            killed = true
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal)
            output.append(stdout.fileHandleForReading.readDataToEndOfFile())

            // Only complete lines were acknowledged; a torn last line was not.
            let text = String(decoding: output, as: UTF8.self)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            lines.removeLast()
            let acknowledged = lines.compactMap { UInt64($0) }
            #expect(acknowledged.count == lines.count)
            #expect(acknowledged.count >= Self.acknowledgementsBeforeKill)
            #expect(acknowledged == Array(0..<UInt64(acknowledged.count)))

            let env = try StoreEnvironment(path: envPath)
            let db = try env.openDatabase(Self.databaseName, flags: [])
            try env.read { txn throws in
                for key in acknowledged {
                    let value = try txn.get(BigEndianKey.encode(key), in: db)
                    let expected = (0..<Self.valueBytes).map { UInt8(truncatingIfNeeded: key &+ UInt64($0)) }
                    #expect(value == expected, "acknowledged key \(key) lost or damaged")
                }
                #expect(try txn.count(in: db) >= acknowledged.count)
            }
        }
    }
}
