import ArgumentParser
import CorralModel
import Foundation

/// `corral bench model --offers N`: JSON encode and decode speed of Mesos v1 offers.
struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Encode and decode N Mesos v1 OFFERS (cpus, mem, disk, ports) with JSONEncoder/JSONDecoder, and encode them with StreamingJSONEncoder.",
        discussion: "Example: corral bench model --offers 10000"
    )

    @Option(help: "Offers per round.") var offers = 10_000
    @Option(help: "Offers per OFFERS event (the master batches offers per framework).") var perEvent = 100
    @Option(help: "Timed rounds; the best round is reported (one untimed round runs first).") var rounds = 5

    func run() throws {
        guard offers > 0, perEvent > 0, rounds > 0 else {
            throw ValidationError("--offers, --per-event and --rounds must be positive")
        }
        let events = stride(from: 0, to: offers, by: perEvent).map { first in
            SchedulerEvent.offers((first..<min(first + perEvent, offers)).map(Self.offer))
        }
        let encoder = JSONEncoder()
        let decoder = JSONDecoder()
        let clock = ContinuousClock()
        var bestEncode = Duration.seconds(1_000_000)
        var bestDecode = Duration.seconds(1_000_000)
        var bestStreaming = Duration.seconds(1_000_000)
        var bytes = 0
        for round in 0...rounds {
            var encoded: [Data] = []
            encoded.reserveCapacity(events.count)
            let encodeStart = clock.now
            for event in events { encoded.append(try encoder.encode(event)) }
            let encodeTime = clock.now - encodeStart
            let streamingStart = clock.now
            var streamedBytes = 0
            for event in events { streamedBytes += try StreamingJSONEncoder.encode(event).count }
            let streamingTime = clock.now - streamingStart
            guard streamedBytes > 0 else { throw ValidationError("the streaming encoder wrote nothing") }
            let decodeStart = clock.now
            var decodedOffers = 0
            for data in encoded {
                decodedOffers += try decoder.decode(SchedulerEvent.self, from: data).offers?.offers.count ?? 0
            }
            let decodeTime = clock.now - decodeStart
            guard decodedOffers == offers else {
                throw ValidationError("decoded \(decodedOffers) offers, expected \(offers)")
            }
            bytes = encoded.reduce(0) { $0 + $1.count }
            if round > 0 {
                bestEncode = min(bestEncode, encodeTime)
                bestDecode = min(bestDecode, decodeTime)
                bestStreaming = min(bestStreaming, streamingTime)
            }
        }
        let seconds = { (duration: Duration) in
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        let megabytes = Double(bytes) / 1_000_000
        say(
            String(
                format:
                    "corral model JSON: offers=%d per-event=%d bytes/offer=%d encode=%.0f offers/s %.1f MB/s decode=%.0f offers/s %.1f MB/s (best of %d)",
                offers,
                perEvent,
                bytes / offers,
                Double(offers) / seconds(bestEncode),
                megabytes / seconds(bestEncode),
                Double(offers) / seconds(bestDecode),
                megabytes / seconds(bestDecode),
                rounds
            )
        )
        say(
            String(
                format: "  StreamingJSONEncoder (Corral's, same events, same run): encode=%.0f offers/s, %.2fx JSONEncoder's",
                Double(offers) / seconds(bestStreaming), seconds(bestEncode) / seconds(bestStreaming)))
    }

    /// A realistic offer: allocated cpus, mem, disk and two port ranges, two attributes.
    static func offer(_ index: Int) -> Offer {
        let allocation = Resource.AllocationInfo(role: "web")
        let plain: [Resource] = [
            .scalar("cpus", Scalar(Double(index % 16) + 0.5)),
            .scalar("mem", Scalar(Double(1024 * (index % 32 + 1)))),
            .scalar("disk", 51_200),
            .ranges("ports", Ranges(31000...31004, 31006...32000)),
            .scalar("cpus", 2, role: "web"),
        ]
        let resources = plain.map { resource in
            var copy = resource
            copy.allocationInfo = allocation
            return copy
        }
        return Offer(
            id: OfferID("5c1b3d1e-8f0a-4c2e-9a57-3c1f0b6a2d4e-O\(index)"),
            frameworkID: "5c1b3d1e-8f0a-4c2e-9a57-3c1f0b6a2d4e-0001",
            agentID: AgentID("5c1b3d1e-8f0a-4c2e-9a57-3c1f0b6a2d4e-S\(index % 500)"),
            hostname: "agent-\(index % 500).corral.local",
            resources: resources,
            attributes: [.text("rack", "r\(index % 20)"), .text("zone", "z\(index % 3)")],
            allocationInfo: allocation
        )
    }
}
