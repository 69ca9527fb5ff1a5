import CorralModel

// MARK: - Operation feedback: statuses kept until acknowledged

extension Registry {
    /// Records an operation's status with its framework (replacing an older one of the same
    /// operation) until the framework acknowledges it.
    mutating func operationStatus(_ status: OperationStatus, of frameworkID: FrameworkID, changes: inout [RegistryChange])
        -> RegistryOutcome
    {
        guard var record = frameworks[frameworkID], !record.isRemoved else {
            return RegistryOutcome(error: "framework \(frameworkID) is not registered")
        }
        guard let operationID = status.operationID, status.uuid?.value != nil else {
            return RegistryOutcome(error: "an operation status to keep needs an operation_id and a uuid")
        }
        var operations = record.operations ?? []
        operations.removeAll { $0.operationID == operationID }
        operations.append(status)
        record.operations = operations
        frameworks[frameworkID] = record
        touch(.framework(frameworkID))
        changes.append(.operationUpdated(frameworkID, status))
        return .ok
    }

    /// Forgets the operation's status if `uuid` is its UUID; an acknowledgement of an older or
    /// unknown status changes nothing (it may come twice).
    mutating func acknowledgeOperation(
        _ operationID: OperationID, uuid: [UInt8], of frameworkID: FrameworkID, changes: inout [RegistryChange]
    ) -> RegistryOutcome {
        guard var record = frameworks[frameworkID],
            let index = record.operations?.firstIndex(where: { $0.operationID == operationID && $0.uuid?.value == uuid })
        else { return .ok }
        record.operations?.remove(at: index)
        if record.operations?.isEmpty == true { record.operations = nil }
        frameworks[frameworkID] = record
        touch(.framework(frameworkID))
        return .ok
    }
}
