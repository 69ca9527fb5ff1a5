import CorralTestSupport
import Foundation
import Testing

@testable import CorralAgent

/// `/files` serves sandboxes and nothing else.
@Suite struct SandboxFilesTests {
    struct Layout {
        let scratch: ScratchDirectory
        let sandbox: String
        let outside: String
        let files = SandboxFiles()

        init() throws {
            scratch = try ScratchDirectory()
            sandbox = scratch.path + "/sandboxes/f1/t1"
            outside = scratch.path + "/secret"
            let manager = FileManager.default
            try manager.createDirectory(atPath: sandbox + "/sub", withIntermediateDirectories: true)
            try manager.createDirectory(atPath: outside, withIntermediateDirectories: true)
            try Data("hello world\n".utf8).write(to: URL(fileURLWithPath: sandbox + "/stdout"))
            try Data("inner".utf8).write(to: URL(fileURLWithPath: sandbox + "/sub/file"))
            try Data("do not read".utf8).write(to: URL(fileURLWithPath: outside + "/key"))
            try manager.createSymbolicLink(atPath: sandbox + "/escape", withDestinationPath: outside)
            try manager.createSymbolicLink(atPath: sandbox + "/escape-file", withDestinationPath: outside + "/key")
            try manager.createSymbolicLink(atPath: sandbox + "/inside", withDestinationPath: sandbox + "/sub/file")
            files.attach(sandbox, as: "/frameworks/f1/executors/t1/runs/latest")
        }
    }

    func code(_ body: () throws(FilesError) -> some Any) -> FilesError.Code? {
        do {
            _ = try body()
            return nil
        } catch {
            return error.code
        }
    }

    @Test func aSandboxIsServedByItsRealAndItsVirtualPath() throws {
        let layout = try Layout()
        defer { layout.scratch.remove() }
        let real = try SandboxFileReader.read(layout.files, path: layout.sandbox + "/stdout", offset: 0, length: nil)
        #expect(real == SandboxFileReader.Chunk(data: "hello world\n", offset: 0))
        let virtual = try SandboxFileReader.read(
            layout.files, path: "/frameworks/f1/executors/t1/runs/latest/stdout", offset: 6, length: 5)
        #expect(virtual == SandboxFileReader.Chunk(data: "world", offset: 6))
        #expect(try SandboxFileReader.read(layout.files, path: layout.sandbox + "/stdout", offset: -1, length: nil).offset == 12)
        let names = try SandboxFileReader.browse(layout.files, path: "/frameworks/f1/executors/t1/runs/latest").map(\.path)
        #expect(names.contains("/frameworks/f1/executors/t1/runs/latest/stdout"))
        #expect(names.contains("/frameworks/f1/executors/t1/runs/latest/sub"))
        #expect(try SandboxFileReader.read(layout.files, path: layout.sandbox + "/inside", offset: 0, length: nil).data == "inner")
    }

    @Test func escapesAreRefusedWith403() throws {
        let layout = try Layout()
        defer { layout.scratch.remove() }
        let sandbox = layout.sandbox
        #expect(code { () throws(FilesError) in try layout.files.resolve(sandbox + "/../t1/stdout") } == .forbidden)
        #expect(code { () throws(FilesError) in try layout.files.resolve(sandbox + "/sub/../../../../secret/key") } == .forbidden)
        #expect(code { () throws(FilesError) in try layout.files.resolve(sandbox + "/escape/key") } == .forbidden)
        #expect(code { () throws(FilesError) in try layout.files.resolve(sandbox + "/escape-file") } == .forbidden)
        #expect(code { () throws(FilesError) in try SandboxFileReader.browse(layout.files, path: sandbox + "/escape") } == .forbidden)
        #expect(code { () throws(FilesError) in try layout.files.resolve(layout.outside + "/key") } == .notFound)
        #expect(code { () throws(FilesError) in try layout.files.resolve("/etc/passwd") } == .notFound)
        #expect(code { () throws(FilesError) in try layout.files.resolve("relative/stdout") } == .badRequest)
        #expect(code { () throws(FilesError) in try layout.files.resolve(sandbox + "/missing") } == .notFound)
    }

    @Test func aDetachedSandboxIsNoLongerServed() throws {
        let layout = try Layout()
        defer { layout.scratch.remove() }
        layout.files.detach(layout.sandbox)
        #expect(layout.files.attached.isEmpty)
        #expect(code { () throws(FilesError) in try layout.files.resolve(layout.sandbox + "/stdout") } == .notFound)
    }
}
