import Foundation
import Testing

@testable import CorralContainer

/// The tar reader against GNU tar's gnu and pax formats, and against Corral's own writer.
@Suite struct TarReaderTests {
    private func entries(_ bytes: [UInt8]) throws -> [(TarEntry, String)] {
        let reader = TarReader(MemorySource(bytes))
        var result: [(TarEntry, String)] = []
        while let entry = try reader.next() {
            let content = try reader.readAll(limit: 1 << 20, what: entry.path)
            result.append((entry, String(decoding: content, as: UTF8.self)))
        }
        return result
    }

    @Test(arguments: ["gnu", "pax"])
    func readsGNUTarFormats(format: String) throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let longDirectory = String(repeating: "d", count: 60) + "/" + String(repeating: "e", count: 60)
        let tree = temporary.path + "/tree"
        try Syscall.makeDirectories(tree + "/" + longDirectory)
        try Syscall.writeAtomically(Array("hello".utf8), to: tree + "/" + longDirectory + "/file.txt")
        try ImageTestSupport.run("/bin/ln", ["-s", longDirectory + "/file.txt", tree + "/link"])
        try ImageTestSupport.run("/bin/ln", [tree + "/" + longDirectory + "/file.txt", tree + "/hard"])
        try ImageTestSupport.run("/bin/mkfifo", [tree + "/fifo"])
        let archive = temporary.path + "/a.tar"
        try ImageTestSupport.run("/bin/tar", ["--format=\(format)", "-C", tree, "-cf", archive, "."])
        let read = try entries(try Syscall.readFile(archive))
        let byPath = Dictionary(
            read.map { ($0.0.path.hasPrefix("./") ? String($0.0.path.dropFirst(2)) : $0.0.path, $0) }
        ) { a, _ in a }
        let file = try #require(byPath[longDirectory + "/file.txt"] ?? byPath["hard"])
        #expect(file.1 == "hello" || file.0.kind == .hardlink(target: "./hard"))
        #expect(byPath["link"]?.0.kind == .symlink(target: longDirectory + "/file.txt"))
        #expect(byPath["fifo"]?.0.kind == .fifo)
        let links = read.filter { if case .hardlink = $0.0.kind { return true } else { return false } }
        #expect(links.count == 1)
    }

    @Test func writerRoundTripsLongNamesDevicesAndGzip() throws {
        let long = String(repeating: "x", count: 120) + "/" + String(repeating: "y", count: 150)
        let prefixed = String(repeating: "p", count: 120) + "/" + String(repeating: "q", count: 90)
        var device = TarEntry(path: "dev/null", kind: .characterDevice(major: 1, minor: 3), mode: 0o666)
        device.uid = 7
        device.gid = 100_000_000
        let input: [TarEntry] = [
            ImageTestSupport.directory("dev"), device, ImageTestSupport.file(long),
            TarEntry(path: "s", kind: .symlink(target: String(repeating: "t", count: 200)), mode: 0o777),
            ImageTestSupport.file(prefixed),
        ]
        let tar = try ImageTestSupport.tar(input, contents: [long: "content"])
        let gz = try ImageTestSupport.gzip(tar)
        let unzipped = try GzipSource(MemorySource(gz)).readAll(limit: 1 << 20, what: "test")
        #expect(unzipped == tar)
        let read = try entries(unzipped)
        #expect(read.map(\.0.path) == input.map(\.path))
        #expect(read[1].0.kind == .characterDevice(major: 1, minor: 3))
        #expect(read[1].0.uid == 7)
        #expect(read[1].0.gid == 100_000_000)
        #expect(read[2].1 == "content")
        #expect(read[3].0.kind == .symlink(target: String(repeating: "t", count: 200)))
        #expect(TarWriter.split(prefixed).name != nil)
    }

    @Test func refusesCorruptHeaderAndTruncatedGzip() throws {
        var tar = try ImageTestSupport.tar([ImageTestSupport.file("a")], contents: ["a": "x"])
        tar[10] ^= 0xff
        #expect(throws: ContainerError.self) { _ = try entries(tar) }
        let gz = try ImageTestSupport.gzip(
            try ImageTestSupport.tar([ImageTestSupport.file("a")], contents: ["a": "x"])
        )
        #expect(throws: ContainerError.self) {
            _ = try GzipSource(MemorySource(Array(gz.prefix(gz.count / 2)))).readAll(
                limit: 1 << 20,
                what: "test"
            )
        }
    }
}
