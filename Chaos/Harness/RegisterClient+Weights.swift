import CorralHistory
import Foundation

extension RegisterClient {
    /// The prefix of a register kept as a role's weight through the Operator API.
    public static let weightPrefix = "weight:"

    /// The role of a `weight:ROLE` register, or nil for a KV key.
    static func weightRole(_ key: String) -> String? {
        key.hasPrefix(weightPrefix) ? String(key.dropFirst(weightPrefix.count)) : nil
    }

    /// A register kept as `role`'s weight: a write is UPDATE_WEIGHTS (the value, a positive
    /// integer, is the weight), a read is GET_WEIGHTS (the weight as an integer; none set
    /// reads as a missing key). Both on `POST /api/v1`, following 307s like the KV API.
    func perform(_ kind: ClientOperation.Kind, weightOf role: String, value: String?, first: Int) -> Result {
        let call: [String: Any] =
            kind == .write
            ? ["type": "UPDATE_WEIGHTS", "update_weights": ["weight_infos": [["role": role, "weight": Double(value ?? "") ?? 0]]]]
            : ["type": "GET_WEIGHTS"]
        let body = (try? JSONSerialization.data(withJSONObject: call)).map { [UInt8]($0) } ?? []
        let request = Request(
            method: "POST", path: "/api/v1", body: body, headers: ["Content-Type": "application/json", "Accept": "application/json"])
        return exchange(request, first: first) { response in
            switch (kind, response.status) {
            case (.write, 200...299): return .ok(nil)
            case (.read, 200):
                guard let weight = Self.weight(of: role, in: response.body) else { return .malformed }
                return .ok(weight)
            default: return nil
            }
        }
    }

    /// The weight GET_WEIGHTS lists for `role` as an integer string, `.some(nil)` (no value)
    /// when it lists none, nil when the body is not a GET_WEIGHTS answer.
    static func weight(of role: String, in body: [UInt8]) -> String?? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let answer = object["get_weights"] as? [String: Any]
        else { return nil }
        let infos = answer["weight_infos"] as? [[String: Any]] ?? []
        guard let info = infos.first(where: { $0["role"] as? String == role }) else { return .some(nil) }
        guard let weight = info["weight"] as? Double else { return nil }
        return .some(String(Int(weight.rounded())))
    }
}
