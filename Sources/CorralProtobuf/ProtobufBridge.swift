import CorralModel
import Foundation
import SwiftProtobuf

/// Converts between the Mesos protobuf messages (`Protos/`, generated into `Generated/`) and
/// Corral's Codable types, through Mesos's JSON form.
///
/// Corral's types already speak Mesos's JSON (proto field names, enums as names, bytes as
/// base64), which is the canonical JSON mapping of the same messages; so a protobuf body is
/// decoded into its generated message, printed as that JSON and decoded by the one Codable
/// mapping Corral has, and an answer goes the other way. There is no second field-by-field
/// mapping to keep in step: the `.proto` files only add the field numbers.
///
/// Fields a client sends that Corral's `.proto` subset lacks are ignored, as a Mesos master
/// ignores unknown fields; fields Corral writes that the subset lacks are left out of the
/// protobuf answer (the tests check that every field Corral writes has a number).
public enum ProtobufBridge {
    /// Decodes a protobuf-encoded `M` into Corral's `T`.
    ///
    /// - Throws: `ProtobufError.malformedProtobuf` when the bytes are not an `M`, and
    ///   `.invalidContent` when the message lacks or mistypes a field Corral requires (the
    ///   message names the field's path).
    public static func decode<T: Decodable, M: SwiftProtobuf.Message>(
        _ type: T.Type, as message: M.Type, from bytes: some Collection<UInt8>
    ) throws(ProtobufError) -> T {
        let json = try json(of: message, from: bytes)
        do {
            return try MesosJSON.decode(T.self, from: json)
        } catch {
            throw ProtobufError(.invalidContent, "\(M.protoMessageName): \(error.message)", cause: error.cause)
        }
    }

    /// Decodes a protobuf-encoded `M` and prints it as Mesos JSON (proto field names,
    /// 64-bit integers as numbers).
    public static func json<M: SwiftProtobuf.Message>(
        of message: M.Type, from bytes: some Collection<UInt8>
    ) throws(ProtobufError) -> [UInt8] {
        let decoded: M
        do {
            // Required fields are checked by the Codable type, which names the missing one.
            decoded = try M(serializedBytes: [UInt8](bytes), partial: true)
        } catch {
            throw ProtobufError(
                .malformedProtobuf,
                "the body is not a valid protobuf \(M.protoMessageName) (\(bytes.count) bytes); send a serialized \(M.protoMessageName) or use application/json",
                cause: "\(error)"
            )
        }
        do {
            return try decoded.jsonUTF8Bytes(options: jsonEncoding)
        } catch {
            throw ProtobufError(.invalidContent, "\(M.protoMessageName) cannot be read as JSON", cause: "\(error)")
        }
    }

    /// Encodes Corral's `value` as a protobuf `M`.
    public static func encode<M: SwiftProtobuf.Message>(
        _ value: some Encodable, as message: M.Type
    ) throws(ProtobufError) -> [UInt8] {
        let json: [UInt8]
        do {
            json = try MesosJSON.encode(value)
        } catch {
            throw ProtobufError(.encodingFailed, "cannot encode \(type(of: value))", cause: error.description)
        }
        return try protobuf(fromJSON: json, as: message)
    }

    /// Encodes Mesos JSON as a protobuf `M`; fields the `.proto` lacks are left out.
    public static func protobuf<M: SwiftProtobuf.Message>(
        fromJSON json: some Collection<UInt8>, as message: M.Type
    ) throws(ProtobufError) -> [UInt8] {
        do {
            let decoded = try M(jsonUTF8Bytes: [UInt8](json), options: lenientJSONDecoding)
            return try decoded.serializedBytes(partial: true)
        } catch {
            throw ProtobufError(.encodingFailed, "cannot write \(M.protoMessageName) from JSON", cause: "\(error)")
        }
    }

    /// Like `protobuf(fromJSON:as:)`, but a field the `.proto` lacks is an error: what the
    /// tests use to prove that nothing Corral writes is dropped.
    public static func strictProtobuf<M: SwiftProtobuf.Message>(
        fromJSON json: some Collection<UInt8>, as message: M.Type
    ) throws(ProtobufError) -> M {
        do {
            return try M(jsonUTF8Bytes: [UInt8](json))
        } catch {
            throw ProtobufError(.encodingFailed, "\(M.protoMessageName) lacks a field Corral writes", cause: "\(error)")
        }
    }

    /// Mesos's JSON: proto field names, 64-bit integers as numbers.
    static var jsonEncoding: JSONEncodingOptions {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        options.alwaysPrintInt64sAsNumbers = true
        return options
    }

    static var lenientJSONDecoding: JSONDecodingOptions {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return options
    }
}
