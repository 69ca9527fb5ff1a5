import CorralMetrics
import CorralModel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension MasterHTTP {
    /// `GET /metrics` (Prometheus text) and `GET /metrics/snapshot` (Mesos's JSON).
    func addMetricsRoutes(to router: Router<MasterRequestContext>) {
        router.get("/metrics") { _, _ in await prometheus() }
        router.get("/metrics/snapshot") { _, _ in
            let figures = await master.figures()
            return jsonResponse(.object(Dictionary(figures.mesosKeys.map { ($0.name, JSONValue.number($0.value)) }) { _, last in last }))
        }
    }

    /// Counts the requests of every route added after it (Hummingbird applies a middleware
    /// to the routes added later), so it is added first.
    func addRequestCounting(to router: Router<MasterRequestContext>) {
        if let metrics = master.metrics {
            router.add(middleware: RequestCountingMiddleware(requests: metrics.requests))
        }
    }

    /// The Prometheus exposition: this master's registry (counters and histograms), then
    /// the gauges read now: Raft status and counters, registry figures, process figures.
    private func prometheus() async -> Response {
        guard let metrics = master.metrics else {
            return problem(.notFound, "this master measures nothing: it was started with --no-metrics")
        }
        var text = MetricsText()
        text.append(exposition: metrics.registry.emitToString())
        await master.server.metricsSample.write(to: &text)
        await master.figures().write(to: &text)
        ProcessFigures.read().write(to: &text)
        var headers = HTTPFields()
        headers[.contentType] = MetricsText.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text.text)))
    }
}

extension MasterProcess {
    /// This master's figures now (see `MasterFigures`).
    func figures() async -> MasterFigures {
        let facts = await leader.metricsFacts()
        let raft = await server.status
        let uptime = (ContinuousClock.now - started).metricSeconds
        return machine.withRegistry { MasterFigures(registry: $0, leader: facts, raft: raft, uptimeSeconds: uptime) }
    }
}

extension MasterLeader {
    /// What only the leader knows, for the metrics; nil unless this master leads.
    func metricsFacts() -> MasterFigures.LeaderFacts? {
        guard (try? requireLeading()) != nil else { return nil }
        return MasterFigures.LeaderFacts(
            connectedAgents: core.agents.count, connectedFrameworks: core.schedulers.count,
            outstandingOffers: core.offers.count, operatorSubscribers: operators.count)
    }
}

/// Counts every answered request by route and status code in the master's registry.
struct RequestCountingMiddleware: RouterMiddleware {
    typealias Context = MasterRequestContext
    let requests: RequestMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            let response = try await next(request, context)
            count(request, response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            count(request, error.status.code)
            throw error
        } catch {
            count(request, 500)
            throw error
        }
    }

    /// A route, never a raw path: keys and unknown paths do not become label values.
    private func count(_ request: Request, _ code: Int) {
        let path = request.uri.path
        let endpoint = path.hasPrefix("/v1/kv/") ? "/v1/kv/{key}" : code == 404 || path.count > 64 ? "other" : path
        requests.request(endpoint: endpoint, code: code)
    }
}
