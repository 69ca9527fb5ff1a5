import Testing

@testable import CorralContainer

/// Pulls download under `<store>/downloads`; garbage collection removes what dead pulls left.
@Suite struct DownloadDirectoryTests {
    @Test func garbageCollectionRemovesAbandonedDownloadsButNotALiveOne() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = try ImageStore(root: temporary.path)
        let live = try DownloadDirectory(in: store.downloadsDirectory)
        try Syscall.writeAtomically(Array("half a layer".utf8), to: live.path + "/partial")
        // What a pull killed with SIGKILL leaves: a directory nobody holds a lock on.
        try Syscall.makeDirectories(store.downloadsDirectory + "/pull-dead/layout/blobs")

        try store.collectGarbage()
        #expect(try Syscall.listDirectory(store.downloadsDirectory) == [String(live.path.split(separator: "/").last ?? "")])
        #expect(try Syscall.readFile(live.path + "/partial") == Array("half a layer".utf8))

        live.remove()
        #expect(try Syscall.listDirectory(store.downloadsDirectory).isEmpty)
    }
}
