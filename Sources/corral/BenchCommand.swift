import ArgumentParser
import CorralContainer
import Foundation

/// `corral bench …`: measurements to put next to a peer's.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks.",
        discussion: "Example: corral bench tasks --tasks 1000 (build with -c release for numbers worth comparing)",
        subcommands: [
            BenchLaunch.self, BenchTasks.self, BenchReplicate.self, BenchFailover.self, BenchAllocator.self, BenchModel.self,
        ]
    )
}

/// `corral bench launch --count N --rootfs DIR`: launch `/bin/true` N times in a row,
/// each time from overlay mount to cgroup and overlay removal.
struct BenchLaunch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Time container launches of /bin/true (rootfs setup and teardown included).",
        discussion: "Example: corral bench launch --count 100"
    )

    @Option(help: "Launches to time.") var count = 100
    @Option(help: "The image to launch from (see `corral image import-rootfs`).") var image = "busybox"
    @Option(help: "A rootfs directory used as the single lower layer instead of --image.") var rootfs: String?
    @Option(help: "State root for the benchmark's containers (default: a fresh directory in /dev/shm).")
    var root: String?
    @Option(help: "Network: none (a new namespace, as runc's default spec) or host.") var net: String = "none"
    @Option(help: "Untimed launches first.") var warmup = 3
    @Option(help: "The state root whose image store holds --image (default: $CORRAL_ROOT or /var/lib/corral).")
    var imageRoot: String?

    func run() throws {
        guard let network = NetworkMode(rawValue: net) else {
            throw ValidationError("--net must be none or host")
        }
        guard count > 0 else { throw ValidationError("--count must be positive") }
        // Default on tmpfs, as runc keeps its state in /run: the numbers then measure
        // the launch path rather than the journal of a disk shared with other work.
        let scratch =
            FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory()
        let stateRoot = root ?? scratch + "corral-bench-\(getpid())"
        defer { if root == nil { try? FileManager.default.removeItem(atPath: stateRoot) } }
        let layers: [String]
        if let rootfs {
            layers = [rootfs]
        } else {
            do {
                layers = try ImageStore(root: ContainerStore.resolveRoot(option: imageRoot)).lowerDirectories(forImage: image)
            } catch {
                throw ValidationError(
                    "\(error)\nImport the image first, e.g. corral image import-rootfs busybox DIR (a rootfs with /bin/busybox and /bin/true)")
            }
        }
        let clock = ContinuousClock()
        var samples: [Duration] = []
        for index in 0..<(warmup + count) {
            let spec = LaunchSpec(
                id: "bench-\(getpid())-\(index)",
                rootfs: .overlay(lowerDirectories: layers),
                arguments: ["/bin/true"],
                network: network
            )
            let paths = ContainerPaths(root: stateRoot, id: spec.id)
            let started = clock.now
            let exit = try Container(spec: spec, paths: paths).run()
            try FileManager.default.removeItem(atPath: paths.directory)
            let elapsed = clock.now - started
            guard exit.status == .exited(0) else {
                throw ValidationError("launch \(index) ended with \(exit.status)")
            }
            if index >= warmup { samples.append(elapsed) }
        }
        samples.sort()
        let milliseconds = { (duration: Duration) in
            Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        }
        let median = milliseconds(samples[samples.count / 2])
        let p95 = milliseconds(samples[min(samples.count - 1, samples.count * 95 / 100)])
        let mean = samples.map(milliseconds).reduce(0, +) / Double(samples.count)
        print(
            String(
                format: "corral launch /bin/true: count=%d median=%.2f ms p95=%.2f ms mean=%.2f ms",
                count,
                median,
                p95,
                mean
            )
        )
    }
}
