import Foundation

/// The `Encoder` a value writes itself through: containers write into the shared writer.
struct StreamingEncoder: Encoder {
    let writer: JSONStreamWriter
    /// Where this value's containers sit in the writer's stack.
    let depth: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let state = ContainerState(depth: depth)
        writer.push(UInt8(ascii: "{"), UInt8(ascii: "}"), owner: state, depth: depth)
        return KeyedEncodingContainer(StreamingKeyedContainer<Key>(writer: writer, state: state, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let state = ContainerState(depth: depth)
        writer.push(UInt8(ascii: "["), UInt8(ascii: "]"), owner: state, depth: depth)
        return StreamingUnkeyedContainer(writer: writer, state: state, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        StreamingSingleValueContainer(writer: writer, state: ContainerState(depth: depth), codingPath: codingPath)
    }
}

/// One container's place in the stack, how many entries it wrote, and (keyed) which keys.
final class ContainerState {
    let depth: Int
    var count = 0
    var keys: [String] = []
    init(depth: Int) { self.depth = depth }
}

struct StreamingKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONStreamWriter
    let state: ContainerState
    let codingPath: [any CodingKey]

    /// Writes `,"key":` after checking this container may still write.
    private func writeKey(_ key: Key) throws {
        try writer.prepareWrite(owner: state, depth: state.depth)
        let name = key.stringValue
        if state.keys.contains(name) {
            throw writer.fail("the key \(name) was written twice")
        }
        state.keys.append(name)
        if state.count > 0 { writer.bytes.append(UInt8(ascii: ",")) }
        state.count += 1
        writer.writeString(name)
        writer.bytes.append(UInt8(ascii: ":"))
    }

    mutating func encodeNil(forKey key: Key) throws {
        try writeKey(key)
        writer.writeNull()
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try writeKey(key)
        try writer.encodeValue(value, depth: state.depth, codingPath: [])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        do { try writeKey(key) } catch { return writer.unsupported(error, keyedBy: keyType) }
        return StreamingEncoder(writer: writer, depth: state.depth + 1, codingPath: []).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        do { try writeKey(key) } catch { return writer.unsupportedUnkeyed(error) }
        return StreamingEncoder(writer: writer, depth: state.depth + 1, codingPath: []).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { writer.unsupportedEncoder("superEncoder") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { writer.unsupportedEncoder("superEncoder(forKey:)") }
}

struct StreamingUnkeyedContainer: UnkeyedEncodingContainer {
    let writer: JSONStreamWriter
    let state: ContainerState
    let codingPath: [any CodingKey]
    var count: Int { state.count }

    private func writeSeparator() throws {
        try writer.prepareWrite(owner: state, depth: state.depth)
        if state.count > 0 { writer.bytes.append(UInt8(ascii: ",")) }
        state.count += 1
    }

    mutating func encodeNil() throws {
        try writeSeparator()
        writer.writeNull()
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try writeSeparator()
        try writer.encodeValue(value, depth: state.depth, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        do { try writeSeparator() } catch { return writer.unsupported(error, keyedBy: keyType) }
        return StreamingEncoder(writer: writer, depth: state.depth + 1, codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        do { try writeSeparator() } catch { return writer.unsupportedUnkeyed(error) }
        return StreamingEncoder(writer: writer, depth: state.depth + 1, codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { writer.unsupportedEncoder("superEncoder") }
}

struct StreamingSingleValueContainer: SingleValueEncodingContainer {
    let writer: JSONStreamWriter
    let state: ContainerState
    let codingPath: [any CodingKey]

    private func claim() throws {
        guard state.count == 0 else {
            throw writer.fail("a single-value container was written twice")
        }
        state.count = 1
        writer.close(deeperThan: state.depth - 1)
    }

    mutating func encodeNil() throws {
        try claim()
        writer.writeNull()
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try claim()
        try writer.encodeValue(value, depth: state.depth - 1, codingPath: codingPath)
    }
}

extension JSONStreamWriter {
    /// Records that the value used what streaming cannot write (the encode then fails with
    /// it) and hands back a container whose writes go nowhere.
    func unsupported<Key: CodingKey>(_ error: any Error, keyedBy: Key.Type) -> KeyedEncodingContainer<Key> {
        record(error)
        return DiscardingWriter().container(keyedBy: Key.self)
    }

    func unsupportedUnkeyed(_ error: any Error) -> any UnkeyedEncodingContainer {
        record(error)
        return DiscardingWriter().unkeyedContainer()
    }

    func unsupportedEncoder(_ what: String) -> any Encoder {
        record(StreamingJSONEncoder.Unsupported(description: "\(what) is not supported"))
        return DiscardingWriter()
    }

    /// Records an `Unsupported` error (the encode fails with the first one) and returns it.
    func fail(_ description: String) -> StreamingJSONEncoder.Unsupported {
        let error = StreamingJSONEncoder.Unsupported(description: description)
        record(error)
        return error
    }

    private func record(_ error: any Error) {
        if failure == nil { failure = error }
    }
}

/// Where writes go once the encoding is known to fail: a fresh writer nobody reads.
private struct DiscardingWriter: Encoder {
    let inner = StreamingEncoder(writer: JSONStreamWriter(), depth: 1, codingPath: [])
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> { inner.container(keyedBy: type) }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { inner.unkeyedContainer() }
    func singleValueContainer() -> any SingleValueEncodingContainer { inner.singleValueContainer() }
}
