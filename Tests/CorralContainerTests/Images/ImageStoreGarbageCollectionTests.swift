import Foundation
import Testing

@testable import CorralContainer

/// `rm` removes the name and garbage-collects blobs and layer directories nothing references.
@Suite struct ImageStoreGarbageCollectionTests {
    typealias Support = ImageTestSupport

    @Test func removeCollectsWhatNoImageReferences() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let base = try LayoutBuilder.gzipLayer(
            try Support.tar([Support.file("base")], contents: ["base": "shared"])
        )
        let onlyA = try LayoutBuilder.gzipLayer(try Support.tar([Support.file("a")], contents: ["a": "a"]))
        let onlyB = LayoutBuilder.plainLayer(try Support.tar([Support.file("b")], contents: ["b": "b"]))
        let layoutA = try LayoutBuilder(path: temporary.path + "/a")
        try layoutA.image(name: "a", layers: [base, onlyA], config: ImageConfig(cmd: ["a"]))
        let layoutB = try LayoutBuilder(path: temporary.path + "/b")
        try layoutB.image(name: "b", layers: [base, onlyB], config: ImageConfig(cmd: ["b"]))

        let store = try ImageStore(root: temporary.path + "/state")
        try store.importImage(from: layoutA.path)
        try store.importImage(from: layoutB.path)
        #expect(try store.list().map(\.name) == ["a", "b"])
        #expect(try Syscall.listDirectory(store.layersDirectory).count == 3)
        #expect(try Syscall.listDirectory(store.blobsDirectory).count == 7)

        try store.remove("a")
        #expect(try store.list().map(\.name) == ["b"])
        #expect(Set(try Syscall.listDirectory(store.layersDirectory)) == [base.diffID.hex, onlyB.diffID.hex])
        #expect(try Syscall.listDirectory(store.blobsDirectory).count == 4)
        #expect(try store.lowerDirectories(forImage: "b").count == 2)
        let gone = #expect(throws: ContainerError.self) { try store.lowerDirectories(forImage: "a") }
        #expect(gone?.code == .notFound)

        // Re-importing a name replaces it; the old manifest and config are collected.
        try layoutB.image(name: "b", layers: [base], config: ImageConfig(cmd: ["b2"]))
        try store.importImage(from: layoutB.path)
        #expect(try store.config(forImage: "b").cmd == ["b2"])
        #expect(try Syscall.listDirectory(store.layersDirectory) == [base.diffID.hex])
        #expect(try Syscall.listDirectory(store.blobsDirectory).count == 3)

        try store.remove("b")
        #expect(try store.list().isEmpty)
        #expect(try Syscall.listDirectory(store.layersDirectory).isEmpty)
        #expect(try Syscall.listDirectory(store.blobsDirectory).isEmpty)
        #expect(try Syscall.listDirectory(store.stagingDirectory).isEmpty)
        let again = #expect(throws: ContainerError.self) { try store.remove("b") }
        #expect(again?.code == .notFound)
    }

    @Test func concurrentImportsOfTheSameImageUnpackEachLayerOnce() async throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let layer = try LayoutBuilder.gzipLayer(try Support.tar([Support.file("x")], contents: ["x": "x"]))
        let layout = try LayoutBuilder(path: temporary.path + "/layout")
        try layout.image(name: "same", layers: [layer])
        let root = temporary.path + "/state"
        let path = layout.path
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { try ImageStore(root: root).importImage(from: path) }
            }
            try await group.waitForAll()
        }
        let store = try ImageStore(root: root)
        #expect(try store.list().map(\.name) == ["same"])
        #expect(try Syscall.listDirectory(store.layersDirectory) == [layer.diffID.hex])
        #expect(try Syscall.listDirectory(store.stagingDirectory).isEmpty)
    }
}
