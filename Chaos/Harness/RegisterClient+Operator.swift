import CorralHistory
import Foundation

extension RegisterClient {
    /// A register kept in the registry through the Operator API, named `weight:ROLE` (the
    /// role's weight) or `quota:ROLE` (the role's mem limit) in the history.
    enum OperatorRegister {
        case weight(role: String)
        case quota(role: String)

        init?(key: String) {
            if key.hasPrefix(RegisterClient.weightPrefix) {
                self = .weight(role: String(key.dropFirst(RegisterClient.weightPrefix.count)))
            } else if key.hasPrefix(RegisterClient.quotaPrefix) {
                self = .quota(role: String(key.dropFirst(RegisterClient.quotaPrefix.count)))
            } else {
                return nil
            }
        }

        /// The call that writes `value` (a positive integer).
        func write(_ value: Double) -> [String: Any] {
            switch self {
            case .weight(let role):
                ["type": "UPDATE_WEIGHTS", "update_weights": ["weight_infos": [["role": role, "weight": value]]]]
            case .quota(let role):
                ["type": "UPDATE_QUOTA", "update_quota": ["force": true, "quota_configs": [["role": role, "limits": ["mem": ["value": value]]]]]]
            }
        }

        /// The call that reads it.
        var read: [String: Any] {
            switch self {
            case .weight: ["type": "GET_WEIGHTS"]
            case .quota: ["type": "GET_QUOTA"]
            }
        }

        /// The value a read's answer holds as an integer string, `.some(nil)` (no value) when
        /// it lists none for the role, nil when the body is not that call's answer.
        func value(in body: [UInt8]) -> String?? {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
            let number: Any?
            switch self {
            case .weight(let role):
                guard let answer = object["get_weights"] as? [String: Any] else { return nil }
                let infos = answer["weight_infos"] as? [[String: Any]] ?? []
                guard let info = infos.first(where: { $0["role"] as? String == role }) else { return .some(nil) }
                number = info["weight"]
            case .quota(let role):
                guard let answer = object["get_quota"] as? [String: Any], let status = answer["status"] as? [String: Any] else { return nil }
                let configs = status["configs"] as? [[String: Any]] ?? []
                guard let config = configs.first(where: { $0["role"] as? String == role }) else { return .some(nil) }
                number = ((config["limits"] as? [String: Any])?["mem"] as? [String: Any])?["value"]
            }
            guard let value = number as? Double else { return nil }
            return .some(String(Int(value.rounded())))
        }
    }

    /// The prefixes of the registers kept through the Operator API.
    public static let weightPrefix = "weight:"
    public static let quotaPrefix = "quota:"

    /// Whether `key` names a register kept through the Operator API (its values are numbers).
    static func isOperatorRegister(_ key: String) -> Bool { OperatorRegister(key: key) != nil }

    /// A register kept through the Operator API: a write is UPDATE_WEIGHTS or UPDATE_QUOTA
    /// (the value, a positive integer, is the weight or the mem limit), a read is GET_WEIGHTS
    /// or GET_QUOTA; none set for the role reads as a missing key. Both on `POST /api/v1`,
    /// following 307s like the KV API.
    func perform(_ kind: ClientOperation.Kind, on register: OperatorRegister, value: String?, first: Int) -> Result {
        let call = kind == .write ? register.write(Double(value ?? "") ?? 0) : register.read
        let body = (try? JSONSerialization.data(withJSONObject: call)).map { [UInt8]($0) } ?? []
        let request = Request(
            method: "POST", path: "/api/v1", body: body, headers: ["Content-Type": "application/json", "Accept": "application/json"])
        return exchange(request, first: first) { response in
            switch (kind, response.status) {
            case (.write, 200...299): return .ok(nil)
            case (.read, 200):
                guard let value = register.value(in: response.body) else { return .malformed }
                return .ok(value)
            default: return nil
            }
        }
    }
}
