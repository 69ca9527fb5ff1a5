import CorralContainer
import CorralModel
import Dispatch
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Fetches a task's `CommandInfo.uris` into its sandbox before it runs, as Mesos's fetcher
/// does: local paths (`/…`, `file://…`) are copied, `http://` and `https://` URLs are
/// downloaded; `executable` makes the file executable; `extract` (the default) unpacks a
/// `.tar`, `.tar.gz`, `.tgz` or `.zip` into the sandbox, keeping the archive; `cache` keeps a copy
/// per agent so the next task with the same URI reads it from there. Blocking: call it off the
/// cooperative pool.
struct UriFetcher {
    /// Where cached downloads live (`<work-dir>/fetcher-cache`).
    let cacheDirectory: String
    /// How long one download may take.
    var timeout: TimeInterval = 120

    /// Fetches every URI into `sandbox`; the error names the URI and what went wrong.
    func fetch(_ uris: [CommandInfo.URI], into sandbox: String) throws(FetchError) {
        for uri in uris { try fetch(uri, into: sandbox) }
    }

    private func fetch(_ uri: CommandInfo.URI, into sandbox: String) throws(FetchError) {
        let name = try Self.outputName(uri)
        let target = "\(sandbox)/\(name)"
        if uri.cache == true {
            let cached = "\(cacheDirectory)/\(Self.cacheKey(uri.value))"
            if !FileManager.default.fileExists(atPath: cached) {
                try retrieve(uri.value, to: cached)
            }
            try copy(cached, to: target, uri: uri.value)
        } else {
            try retrieve(uri.value, to: target)
        }
        if uri.executable == true, chmod(target, 0o755) != 0 {
            throw FetchError(uri.value, "cannot make \(name) executable: \(String(cString: strerror(errno)))")
        }
        if uri.extract ?? true, uri.executable != true, ArchiveExtractor.handles(name) {
            do { try ArchiveExtractor.extract(target, into: sandbox) } catch {
                throw FetchError(uri.value, "cannot extract \(name): \(error)")
            }
        }
    }

    /// The file name in the sandbox: `output_file`, else the URI's last path component.
    static func outputName(_ uri: CommandInfo.URI) throws(FetchError) -> String {
        let candidate: String
        if let output = uri.outputFile, !output.isEmpty {
            candidate = output
        } else {
            let path = URL(string: uri.value)?.path ?? uri.value
            candidate = path.split(separator: "/").last.map(String.init) ?? ""
        }
        let parts = candidate.split(separator: "/")
        guard !candidate.hasPrefix("/"), !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." }) else {
            throw FetchError(uri.value, "\"\(candidate)\" is not a file name inside the sandbox; set output_file to a relative name")
        }
        return candidate
    }

    /// A file name for the cache: the URI's bytes as hex of a 64-bit FNV-1a hash plus its length.
    static func cacheKey(_ value: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in value.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16) + "-\(value.utf8.count)"
    }

    /// Copies a local file or downloads a URL to `target`, through a temporary file and a rename.
    private func retrieve(_ value: String, to target: String) throws(FetchError) {
        let directory = (target as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw FetchError(value, "cannot create \(directory): \(error.localizedDescription)")
        }
        if value.hasPrefix("http://") || value.hasPrefix("https://") {
            guard let url = URL(string: value) else { throw FetchError(value, "not a valid URL") }
            let data = try download(url)
            let temporary = target + ".fetching"
            guard FileManager.default.createFile(atPath: temporary, contents: data) else {
                throw FetchError(value, "cannot write \(temporary) (is the disk full?)")
            }
            guard rename(temporary, target) == 0 else {
                throw FetchError(value, "cannot move the download into place: \(String(cString: strerror(errno)))")
            }
        } else if value.hasPrefix("/") || value.hasPrefix("file://") {
            let path = value.hasPrefix("file://") ? (URL(string: value)?.path ?? "") : value
            try copy(path, to: target, uri: value)
        } else {
            throw FetchError(value, "only local paths, file://, http:// and https:// URIs can be fetched")
        }
    }

    private func copy(_ source: String, to target: String, uri: String) throws(FetchError) {
        guard FileManager.default.fileExists(atPath: source) else { throw FetchError(uri, "\(source) does not exist") }
        let temporary = target + ".fetching"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
        } catch {
            throw FetchError(uri, "cannot copy \(source): \(error.localizedDescription)")
        }
        guard rename(temporary, target) == 0 else {
            throw FetchError(uri, "cannot move the copy into place: \(String(cString: strerror(errno)))")
        }
    }

    private func download(_ url: URL) throws(FetchError) -> Data {
        let result = Mutex<Result<Data, FetchError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            let outcome: Result<Data, FetchError>
            if let error {
                outcome = .failure(FetchError(url.absoluteString, "download failed: \(error.localizedDescription)"))
            } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                outcome = .failure(FetchError(url.absoluteString, "the server answered \(http.statusCode)"))
            } else {
                outcome = .success(data ?? Data())
            }
            result.withLock { $0 = outcome }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout + 5) == .timedOut {
            task.cancel()
            throw FetchError(url.absoluteString, "no answer within \(Int(timeout)) s")
        }
        switch result.withLock({ $0 }) {
        case .success(let data)?: return data
        case .failure(let error)?: throw error
        case nil: throw FetchError(url.absoluteString, "the download ended without a result")
        }
    }
}

/// A URI that could not be fetched.
struct FetchError: Error, CustomStringConvertible {
    let uri: String
    let message: String
    init(_ uri: String, _ message: String) {
        self.uri = uri
        self.message = message
    }
    var description: String { "cannot fetch \(uri): \(message)" }
}
