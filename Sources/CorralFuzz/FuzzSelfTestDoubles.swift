import Glibc

/// Test doubles of targets, used only by the harness's own tests (reachable only with
/// `CORRAL_FUZZ_SELFTEST=1`): parsers that trap, hang or allocate without bound on one byte
/// pattern. They ship in the binary because the tests must run them through the real
/// `corral fuzz` child process to prove it reports each kind of finding.
enum FuzzSelfTestDoubles {
    /// A byte the seeds lack that the mutator's interesting values include, so it is found
    /// within a few hundred iterations.
    static let trigger: UInt8 = 0xff
    static let seeds: [[UInt8]] = [Array("double-seed-input".utf8), Array("abcdefgh".utf8)]

    static let targets: [FuzzTarget] = [
        FuzzTarget(name: "selftest-crash", summary: "test double: traps on a 0xff byte", format: .binary, seeds: seeds) {
            input, _ in
            if input.contains(trigger) { fatalError("selftest-crash double: found the trigger byte") }
            throw FuzzError("selftest-crash double: refused")
        },
        FuzzTarget(name: "selftest-hang", summary: "test double: loops for ever on a 0xff byte", format: .binary, seeds: seeds) {
            input, _ in
            while input.contains(trigger) { usleep(10_000) }
        },
        FuzzTarget(
            name: "selftest-alloc", summary: "test double: allocates without bound on a 0xff byte", format: .binary, seeds: seeds
        ) { input, _ in
            guard input.contains(trigger) else { return }
            var chunks: [[UInt8]] = []
            while chunks.count >= 0 { chunks.append([UInt8](repeating: 1, count: 16 << 20)) }
        },
    ]
}
