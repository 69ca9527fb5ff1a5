import CorralModel
import NIOCore
import NIOHTTP1

extension SchedulerClient {
    /// The scheduler endpoint on every master.
    static let path = "/api/v1/scheduler"

    /// `Content-Type` and `Accept` for JSON.
    static var jsonHeaders: HTTPHeaders {
        ["Content-Type": "application/json", "Accept": "application/json"]
    }

    /// `jsonHeaders` and, with credentials configured, `Authorization`.
    var requestHeaders: HTTPHeaders {
        var headers = Self.jsonHeaders
        if let credentials = configuration.credentials { headers.add(name: "Authorization", value: credentials.authorization) }
        return headers
    }

    // MARK: - One subscription

    /// Subscribes to `master` and reads its event stream until it ends.
    func subscribe(to master: MasterAddress) async -> Outcome {
        var info = updatedFramework ?? configuration.framework
        info.id = knownFrameworkID
        if info.principal == nil { info.principal = configuration.credentials?.principal }
        let body: [UInt8]
        do {
            var call = SchedulerCall.subscribe(info)
            call.subscribe?.offerConstraints = updatedConstraints ?? configuration.offerConstraints
            body = try MesosJSON.encode(call)
        } catch {
            return .failed("cannot encode SUBSCRIBE: \(error)")
        }
        let request = HTTPStreamRequest(method: .POST, path: Self.path, headers: requestHeaders, body: body)
        logger.debug(
            "subscribing",
            metadata: ["master": "\(master)", "framework": "\(info.id?.value ?? "new")"]
        )
        do {
            return try await http.stream(request, host: master.host, port: master.port) { response in
                await self.consume(response, from: master)
            }
        } catch {
            return .failed("SUBSCRIBE to \(master) failed: \(error)")
        }
    }

    /// Reads an answer to SUBSCRIBE: a redirect, a refusal, or the event stream.
    private func consume(_ response: HTTPStreamResponse, from master: MasterAddress) async -> Outcome {
        switch response.status.code {
        case 200:
            break
        case 307:
            let location = response.headers.first(name: "Location") ?? ""
            return .redirected(MasterAddress(location: location))
        case 503:
            return .failed("\(master) answered 503: no leading master yet")
        case 401, 403:
            let text = await prefix(of: response.body, limitBytes: 1024)
            return .refused("\(master) answered \(response.status.code) to SUBSCRIBE: \(text)")
        default:
            let text = await prefix(of: response.body, limitBytes: 1024)
            return .failed("\(master) answered \(response.status.code) to SUBSCRIBE: \(text)")
        }
        guard let streamID = response.headers.first(name: "Mesos-Stream-Id"), !streamID.isEmpty else {
            return .failed("\(master) answered SUBSCRIBE without a Mesos-Stream-Id header")
        }
        var decoder = RecordIODecoder()
        var subscribed = false
        do {
            for try await chunk in response.body {
                for record in try decoder.decode(chunk.readableBytesView) {
                    let event = try MesosJSON.decode(SchedulerEvent.self, from: record)
                    if !subscribed {
                        guard let payload = event.subscribed, event.type == .subscribed else {
                            return .failed(
                                "\(master) sent \(event.type?.rawValue ?? "an untyped event") before SUBSCRIBED"
                            )
                        }
                        guard case .connecting = state else { return .ended("the client stopped") }
                        subscribed = true
                        didSubscribe(payload, master: master, streamID: streamID, control: response.control)
                    } else {
                        await deliver(event)
                    }
                }
            }
            try decoder.finish()
        } catch {
            let reason = Task.isCancelled ? "the client stopped" : "\(master): \(error)"
            return subscribed ? .ended(reason) : .failed(reason)
        }
        return subscribed
            ? .ended("\(master) ended the event stream")
            : .failed("\(master) ended the stream before SUBSCRIBED")
    }

    /// Records the session, arms the heartbeat watchdog and reports SUBSCRIBED.
    private func didSubscribe(
        _ payload: SchedulerEvent.Subscribed,
        master: MasterAddress,
        streamID: String,
        control: HTTPStreamControl
    ) {
        knownFrameworkID = payload.frameworkID
        state = .subscribed(
            Session(master: master, streamID: streamID, frameworkID: payload.frameworkID, control: control)
        )
        rotation.subscribed()
        // The watchdog: a stream silent for `missedHeartbeats` intervals is closed with
        // `.timedOut`, and the loop subscribes again. Any byte counts as a sign of life.
        let interval = payload.heartbeatIntervalSeconds ?? 15
        if interval > 0, configuration.missedHeartbeats > 0 {
            control.setReadTimeout(.seconds(interval * Double(configuration.missedHeartbeats)))
        } else {
            control.setReadTimeout(nil)
        }
        logger.info(
            "subscribed",
            metadata: [
                "master": "\(master)", "framework": "\(payload.frameworkID)", "heartbeat": "\(interval)",
            ]
        )
        eventSink.yield(.subscribed(payload, master: master.description))
    }

    /// Yields an event, and acknowledges an UPDATE when acknowledgements are implicit.
    ///
    /// The acknowledgement is sent once the update is yielded, not once the scheduler has
    /// handled it (as in Mesos's driver), and before the next event is read.
    private func deliver(_ event: SchedulerEvent) async {
        logger.trace("event", metadata: ["type": "\(event.type?.rawValue ?? "?")"])
        eventSink.yield(.event(event))
        guard configuration.implicitAcknowledgements, event.type == .update,
            let status = event.update?.status, status.uuid != nil
        else { return }
        do {
            try await acknowledge(status)
        } catch {
            logger.warning(
                "implicit acknowledgement failed",
                metadata: ["task": "\(status.taskID)", "error": "\(error)"]
            )
        }
    }

    /// Up to `limitBytes` of a body as text, for error messages.
    private func prefix(of body: HTTPBodyStream, limitBytes: Int) async -> String {
        var bytes: [UInt8] = []
        do {
            for try await chunk in body {
                bytes.append(contentsOf: chunk.readableBytesView.prefix(limitBytes - bytes.count))
                if bytes.count >= limitBytes { break }
            }
        } catch {
            // The text is only for a message; a cut-off body is still useful.
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
