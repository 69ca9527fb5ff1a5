import CorralModel
import CorralProtobuf

/// The master's parsers of request bodies, opened to the fuzz harness (`corral fuzz`).
public enum MasterInputs {
    /// Decodes an operator API call (`POST /api/v1`) from Mesos JSON, as the master does.
    public static func decodeOperatorCall(json bytes: [UInt8]) throws {
        _ = try MesosJSON.decode(OperatorCall.self, from: bytes)
    }

    /// Decodes an operator API call from protobuf (`Content-Type: application/x-protobuf`).
    public static func decodeOperatorCall(protobuf bytes: [UInt8]) throws {
        _ = try ProtobufBridge.decode(OperatorCall.self, as: Mesos_V1_Master_Call.self, from: bytes)
    }

    /// Decodes a scheduler API call (`POST /api/v1/scheduler`) from protobuf.
    public static func decodeSchedulerCall(protobuf bytes: [UInt8]) throws {
        _ = try ProtobufBridge.decode(SchedulerCall.self, as: Mesos_V1_Scheduler_Call.self, from: bytes)
    }
}
