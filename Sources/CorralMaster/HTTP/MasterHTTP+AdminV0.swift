import CorralModel
import CorralSecurity
import CorralProtobuf
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension MasterHTTP {
    /// The v0 endpoints beside the state ones: state summary, flags, roles, weights, quota,
    /// teardown, maintenance, and `/logging/toggle`. Each path is also served without the
    /// `/master` prefix, as a Mesos master serves them.
    func addAdminRoutesV0(to router: Router<MasterRequestContext>) {
        for prefix in ["/master", ""] {
            router.get(RouterPath("\(prefix)/state-summary")) { request, context in
                await v0(request, context) { snapshot, _ in MasterEndpointsV0.stateSummary(snapshot) }
            }
            router.get(RouterPath("\(prefix)/roles")) { request, context in await v0(request, context) { snapshot, _ in MasterEndpointsV0.roles(snapshot) } }
            router.get(RouterPath("\(prefix)/weights")) { request, context in await v0(request, context) { snapshot, _ in MasterEndpointsV0.weights(snapshot) } }
            router.get(RouterPath("\(prefix)/quota")) { request, context in await v0(request, context) { snapshot, _ in MasterEndpointsV0.quota(snapshot) } }
            router.get(RouterPath("\(prefix)/maintenance/schedule")) { request, context in
                await v0(request, context) { snapshot, _ in MasterEndpointsV0.maintenanceSchedule(snapshot) }
            }
            router.post(RouterPath("\(prefix)/maintenance/schedule")) { request, _ in await updateSchedule(request) }
            router.get(RouterPath("\(prefix)/maintenance/status")) { request, context in
                await v0(request, context) { snapshot, _ in MasterEndpointsV0.maintenanceStatus(snapshot) }
            }
            router.post(RouterPath("\(prefix)/machine/down")) { request, _ in await machines(request, down: true) }
            router.post(RouterPath("\(prefix)/machine/up")) { request, _ in await machines(request, down: false) }
            router.post(RouterPath("\(prefix)/teardown")) { request, context in await teardownV0(request, context) }
        }
        // Flags are this master's own, answered without a leader (as Mesos answers them).
        for path in ["/master/flags", "/flags"] {
            router.get(RouterPath(path)) { _, _ in jsonResponse(MasterEndpointsV0.flags(master.config)) }
        }
        router.get("/logging/toggle") { request, _ in loggingToggle(request) }
        router.post("/logging/toggle") { request, _ in loggingToggle(request) }
    }

    /// `POST /master/teardown` with `frameworkId=ID` (form body or query): removes the
    /// framework and kills its tasks; 200 once committed.
    private func teardownV0(_ request: Request, _ context: MasterRequestContext) async -> Response {
        let body = (try? await request.body.collect(upTo: Self.maxBodyBytes)).map { String(buffer: $0) } ?? ""
        var fields = Self.formFields(body)
        for (key, value) in request.uri.queryParameters where fields[String(key)] == nil { fields[String(key)] = String(value) }
        guard let id = fields["frameworkId"], !id.isEmpty else {
            return problem(.badRequest, "Missing 'frameworkId' in the request body, e.g. frameworkId=<id from /master/frameworks>")
        }
        if let refusal = authorize([(.teardownFrameworks, frameworkPrincipal(FrameworkID(id)))], context.principal) { return refusal }
        return await answerLeader(request) {
            guard let command = try? OperatorCall(teardown: .init(frameworkID: FrameworkID(id))).command(for: .teardown) else {
                throw MasterError(code: .request, message: "cannot tear down \(id)")
            }
            try await master.leader.commitOperator(command)
            return Response(status: .ok)
        }
    }

    /// `POST /master/maintenance/schedule` with a `maintenance.Schedule` JSON body.
    private func updateSchedule(_ request: Request) async -> Response {
        let schedule: MaintenanceSchedule
        switch await decodeBody(MaintenanceSchedule.self, request) {
        case .success(let decoded): schedule = decoded
        case .failure(let refusal): return refusal.response
        }
        let command: @Sendable (UInt64) -> RegistryCommand
        do {
            command = try OperatorCall(updateMaintenanceSchedule: .init(schedule: schedule)).command(for: .updateMaintenanceSchedule)
        } catch {
            return problem(.badRequest, error.message)
        }
        return await answerLeader(request) {
            try await master.leader.commitOperator(command)
            return Response(status: .ok)
        }
    }

    /// `POST /master/machine/down` (START_MAINTENANCE) and `/master/machine/up`
    /// (STOP_MAINTENANCE) with a JSON list of `MachineID`s.
    private func machines(_ request: Request, down: Bool) async -> Response {
        let machines: [MaintenanceSchedule.MachineID]
        switch await decodeBody([MaintenanceSchedule.MachineID].self, request) {
        case .success(let decoded): machines = decoded
        case .failure(let refusal): return refusal.response
        }
        guard !machines.isEmpty else {
            return problem(.badRequest, "the list of machines is empty: send [{\"hostname\": ..., \"ip\": ...}, ...]")
        }
        return await answerLeader(request) {
            try await master.leader.commitOperator { at in
                down ? .startMaintenance(machines: machines, atNanos: at) : .stopMaintenance(machines: machines, atNanos: at)
            }
            return Response(status: .ok)
        }
    }

    // MARK: - Logging level

    /// GET_LOGGING_LEVEL and SET_LOGGING_LEVEL: this master's own logger, leader or not.
    func loggingLevel(_ kind: OperatorCall.Kind, _ call: OperatorCall, _ format: MessageFormat) -> Response {
        if kind == .getLoggingLevel {
            let level: JSONValue = ["type": "GET_LOGGING_LEVEL", "get_logging_level": ["level": .number(Double(master.logLevels.verbosity))]]
            return answer(level, format, as: Mesos_V1_Master_Response.self)
        }
        guard let set = call.setLoggingLevel else {
            return problem(.badRequest, "SET_LOGGING_LEVEL needs \"set_logging_level\": {\"level\": N, \"duration\": {\"nanoseconds\": D}}")
        }
        do {
            try master.logLevels.set(verbosity: set.level, for: .nanoseconds(set.duration.nanoseconds))
        } catch {
            return problem(.badRequest, error.message)
        }
        master.logger.notice("logging level changed", metadata: ["verbosity": "\(set.level)", "level": "\(master.logLevels.level)"])
        return Response(status: .accepted)
    }

    /// `/logging/toggle?level=N&duration=D` (libprocess): D as Mesos writes durations (`30secs`, `5mins`).
    private func loggingToggle(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        guard let levelText = query["level"].map(String.init), let level = UInt32(levelText) else {
            return problem(.badRequest, "expecting 'level=N' (a verbosity, 0 = as configured) in the query")
        }
        guard let durationText = query["duration"].map(String.init), let duration = Self.mesosDuration(durationText) else {
            return problem(.badRequest, "expecting 'duration=' in the query, e.g. duration=5mins (ns, us, ms, secs, mins, hrs, days, weeks)")
        }
        do {
            try master.logLevels.set(verbosity: level, for: duration)
        } catch {
            return problem(.badRequest, error.message)
        }
        master.logger.notice("logging level changed", metadata: ["verbosity": "\(level)", "level": "\(master.logLevels.level)"])
        return Response(status: .ok)
    }

    /// A Mesos duration such as `10secs`, `1.5mins` or `100ms`.
    static func mesosDuration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [
            ("ns", 1e-9), ("us", 1e-6), ("ms", 1e-3), ("secs", 1), ("mins", 60), ("hrs", 3600), ("days", 86400), ("weeks", 604800),
        ]
        for (unit, seconds) in units where text.hasSuffix(unit) {
            guard let value = Double(text.dropLast(unit.count)), value.isFinite, value >= 0 else { return nil }
            return .nanoseconds(Int64(min(value * seconds * 1e9, 9e18)))
        }
        return nil
    }

    /// `a=1&b=2` (an `application/x-www-form-urlencoded` body).
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ") }
            guard let key = parts.first?.removingPercentEncoding else { continue }
            fields[key] = parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : ""
        }
        return fields
    }
}
