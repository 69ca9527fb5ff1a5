/// An object's members, found by comparing key bytes in order (objects are small).
struct JSONKeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: JSONNodeDecoder
    let object: Int

    // A key given twice counts the first time, as in JSONDecoder.

    private var document: JSONDocument { decoder.document }
    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        memberKeys().compactMap { document.string($0).flatMap(Key.init(stringValue:)) }
    }

    /// The key node of each member, in order.
    private func memberKeys() -> [Int] {
        let nodes = document.nodes
        var keys: [Int] = []
        keys.reserveCapacity(Int(nodes[object].count))
        var node = object + 1
        for _ in 0..<nodes[object].count {
            keys.append(node)
            node = Int(nodes[node + 1].after)
        }
        return keys
    }

    /// The value node of `key`, if the object has it.
    private func value(_ key: Key) -> Int? {
        let nodes = document.nodes
        let name = key.stringValue
        var node = object + 1
        for _ in 0..<nodes[object].count {
            if document.stringEquals(node, name) { return node + 1 }
            node = Int(nodes[node + 1].after)
        }
        return nil
    }

    private func required(_ key: Key) throws -> Int {
        guard let node = value(key) else { throw JSONBytesDecoder.Failure() }
        return node
    }

    func contains(_ key: Key) -> Bool { value(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { document.nodes[try required(key)].kind == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.read(type, at: try required(key), key: key)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let node = value(key), document.nodes[node].kind != .null else { return nil }
        return try decoder.read(type, at: node, key: key)
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.readString(try required(key)) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.readBool(try required(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.readInteger(try required(key), Int.self) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try decoder.readInteger(try required(key), UInt64.self)
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.readDouble(try required(key)) }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let node = value(key), document.nodes[node].kind != .null else { return nil }
        return try decoder.readString(node)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder.child(try required(key), key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(try required(key), key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        throw JSONBytesDecoder.Failure()
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        throw JSONBytesDecoder.Failure()
    }
}

/// An array's elements, in order.
struct JSONUnkeyedReader: UnkeyedDecodingContainer {
    let decoder: JSONNodeDecoder
    let array: Int
    private var node: Int
    private(set) var currentIndex = 0

    init(decoder: JSONNodeDecoder, array: Int) {
        self.decoder = decoder
        self.array = array
        self.node = array + 1
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { Int(decoder.document.nodes[array].count) }
    var isAtEnd: Bool { currentIndex >= count ?? 0 }

    /// The next element's node, moving past it.
    private mutating func next() throws -> (node: Int, key: JSONIndexKey) {
        guard !isAtEnd else { throw JSONBytesDecoder.Failure() }
        let current = node
        let key = JSONIndexKey(currentIndex)
        node = Int(decoder.document.nodes[current].after)
        currentIndex += 1
        return (current, key)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw JSONBytesDecoder.Failure() }
        guard decoder.document.nodes[node].kind == .null else { return false }
        _ = try next()
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (element, key) = try next()
        return try decoder.read(type, at: element, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (element, key) = try next()
        return try decoder.child(element, key: key).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (element, key) = try next()
        return try decoder.child(element, key: key).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        throw JSONBytesDecoder.Failure()
    }
}
