import Foundation
import Testing

@testable import CorralContainer

/// Launches read an image once per version of the store's index.
@Suite struct ImageLaunchCacheTests {
    /// A one-file rootfs image named `name`, with `cmd` as its command.
    static func importImage(_ store: ImageStore, _ name: String, cmd: String, under directory: String) throws {
        let rootfs = directory + "/rootfs-\(name)-\(cmd)"
        try Syscall.makeDirectories(rootfs + "/etc")
        try Syscall.writeAtomically(Array("\(cmd)\n".utf8), to: rootfs + "/etc/marker")
        var config = ImageConfig.rootfsDefault
        config.cmd = [cmd]
        _ = try store.importRootfs(name: name, directory: rootfs, config: config)
    }

    @Test func anImageIsReadOnceAndAgainOnlyWhenTheIndexChanges() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let root = temporary.path + "/state"
        let store = try ImageStore(root: root)
        try Self.importImage(store, "one", cmd: "first", under: temporary.path)
        let cache = ImageLaunchCache(root: root)

        let first = try cache.image("one")
        #expect(first.layers == (try store.lowerDirectories(forImage: "one")))
        #expect(first.config == (try store.config(forImage: "one")))
        #expect(first.config.cmd == ["first"])
        #expect(cache.count == 1)
        #expect(try cache.image("one") == first)

        // Re-importing under the same name is seen at once: the new config and layer.
        try Self.importImage(store, "one", cmd: "second", under: temporary.path)
        let second = try cache.image("one")
        #expect(second.config.cmd == ["second"])
        #expect(second.layers != first.layers)
        #expect(second.layers == (try store.lowerDirectories(forImage: "one")))

        // A removed image is gone for the cache too.
        try store.remove("one")
        #expect(throws: ContainerError.self) { try cache.image("one") }
        do {
            _ = try cache.image("one")
        } catch let error as ContainerError {
            #expect(error.code == .notFound)
        }
        #expect(cache.count == 0)
    }

    @Test func aMissingImageIsNotFoundAndNotCached() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let cache = ImageLaunchCache(root: temporary.path + "/state")
        do {
            _ = try cache.image("absent")
            Issue.record("an absent image was found")
        } catch let error as ContainerError {
            #expect(error.code == .notFound)
        }
        #expect(cache.count == 0)
    }
}
