import CorralAgent
import CorralMaster
import CorralRegistry
import CorralSecurity
import Foundation

// MARK: - /files requests, registry uploads and routes, request limits

extension FuzzTargets {
    static let limits: [FuzzTarget] = [
        FuzzTarget(
            name: "files-request", summary: "an agent /files request (path and query) over a sandbox with escaping symlinks",
            format: .text, seeds: LimitSeeds.files.map { [UInt8](utf8: $0) }
        ) { input, scratch in
            let sandbox = try LimitSeeds.sandbox(in: scratch)
            let (status, served) = AgentInputs.filesRequest(String(decoding: input, as: UTF8.self), files: sandbox.files)
            // The oracle: whatever was served lies inside the one attached sandbox.
            for path in served {
                precondition(path == sandbox.root || path.hasPrefix(sandbox.root + "/"), "/files served \(path) outside its sandbox")
            }
            guard status == 200 else { throw FuzzRefusal("answered \(status)") }
        },
        FuzzTarget(
            name: "registry-upload", summary: "registry upload chunks (Content-Range|Content-Length|body bytes per line) under a blob cap",
            format: .text, seeds: LimitSeeds.uploads.map { [UInt8](utf8: $0) }
        ) { input, _ in
            let chunks = String(decoding: input, as: UTF8.self).split(separator: "\n").map {
                line -> (contentRange: String?, contentLength: String?, bodyBytes: Int64) in
                let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                func field(_ index: Int) -> String? { index < fields.count && !fields[index].isEmpty ? fields[index] : nil }
                return (contentRange: field(0), contentLength: field(1), bodyBytes: field(2).flatMap { Int64($0) } ?? 0)
            }
            let uploaded = try RegistryInputs.uploadChunks(chunks, maxBlobBytes: LimitSeeds.maxBlobBytes)
            precondition((0...LimitSeeds.maxBlobBytes).contains(uploaded), "an upload grew to \(uploaded) bytes past its cap")
        },
        FuzzTarget(
            name: "registry-route", summary: "registry request paths mapped to storage paths, which must stay under the root",
            format: .text, seeds: LimitSeeds.routes.map { [UInt8](utf8: $0) }
        ) { input, scratch in
            let storage = try RegistryStorage(root: scratch + "/root")
            guard let paths = try RegistryInputs.storagePaths(String(decoding: input, as: UTF8.self), storage: storage) else {
                throw FuzzRefusal("no route")
            }
            let base = (storage.root as NSString).standardizingPath
            for path in paths {
                let standard = (path as NSString).standardizingPath
                precondition(
                    standard.hasPrefix(base + "/") && !path.contains("/../") && !path.contains("/./") && !path.contains("\0"),
                    "a registry route reached \(path) outside \(storage.root)")
            }
        },
        FuzzTarget(
            name: "master-limits", summary: "a master's [limits] section, then its rate limiter and slow-client timer",
            format: .text, seeds: LimitSeeds.limits.map { [UInt8](utf8: $0) }
        ) { input, _ in
            let limits = try MasterConfig.parse(String(decoding: input, as: UTF8.self), source: "fuzz").limits
            try limits.validate()
            for family in MasterLimits.BodyFamily.allCases { precondition(limits.maxBodyBytes(for: family) >= 1_024) }
            let start = ContinuousClock.now
            let limiter = RateLimiter(rate: limits.rate, pruneThreshold: 4)
            for step in 0..<20 {
                if let wait = limiter.admit("client-\(step % 6)", at: start + .milliseconds(step * 7)) {
                    precondition((1...86_400).contains(wait.retryAfterSeconds), "Retry-After \(wait.retryAfterSeconds)")
                }
            }
            var timer = SlowClientTimer(timeouts: limits.timeouts, now: start)
            timer.head(at: start)
            _ = timer.expired(at: start + .seconds(86_400 * 2))
            timer.requestEnd()
            timer.responseEnd(at: start)
            _ = timer.deadline
        },
    ]
}

/// A parser's refusal of a fuzz input that is not an error of its own (a status, no route).
struct FuzzRefusal: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
