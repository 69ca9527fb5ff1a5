import CorralFuzz
import CorralModel
import CorralTestSupport
import Foundation
import Testing

/// Every input under `FuzzRegressions/<target>/` once crashed Corral (see each file's name
/// and README-fuzz.md); each must now be refused with an error, in this process.
@Suite("Fuzz regressions", .offCooperativePool)
struct FuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzRegressions").path

    /// `target/file` for every saved input.
    static var inputs: [String] {
        let targets = (try? FileManager.default.contentsOfDirectory(atPath: directory).sorted()) ?? []
        return targets.flatMap { target in
            ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/" + target).sorted()) ?? []).map { "\(target)/\($0)" }
        }
    }

    @Test("there are saved findings to replay")
    func inputsExist() {
        #expect(Self.inputs.count >= 9, "\(Self.inputs)")
    }

    @Test("a saved finding is refused, not a crash", arguments: inputs)
    func replays(_ input: String) throws {
        let target = try FuzzCatalog.target(named: String(input.split(separator: "/")[0]))
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.directory + "/" + input)))
        let scratch = try ScratchDirectory(prefix: "fuzz-regression")
        defer { scratch.remove() }
        let refusal = try FuzzRunner.replay(target, bytes, scratch: scratch.path)
        #expect(refusal != nil, "\(input) was accepted")
    }

    @Test("the TOML abort guard passes valid TOML with brackets in values, strings and comments")
    func guardPassesValidTOML() {
        let valid = """
            # [%not a header]
            a = [ [1, 2], [ 3 ] ]
            b = [
              { x = 1 },   # [%comment]
              { y = "[%]" },
            ]
            c = \"\"\"
            [%inside a multi-line string]
            \"\"\"
            d = '[[[x]]]'
            [ "quoted table" ]
            [[ peers ]]
            [-dash.'x']
            e = []
            """
        #expect(TOMLAbortGuard.problem(in: valid) == nil)
        #expect(TOMLAbortGuard.problem(in: "x = 1\n[%a]") == "line 2: a table header's name must start with a letter, digit, '_', '-' or a quote")
        #expect(TOMLAbortGuard.problem(in: "x = [\n1,\n}]") == "line 3: '}' where the array expects a value or ']'")
    }
}
