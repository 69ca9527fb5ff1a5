import CorralSecurity
import Testing

@testable import CorralScheduler

/// Which masters the scheduler SDK reaches over HTTPS: `https://` addresses, or `tls` files.
@Suite struct SchedulerTLSConfigurationTests {
    @Test func httpsMastersOrTLSFilesMeanTLSAndPlainAddressesMeanHTTP() throws {
        let (secured, identity) = try SchedulerClient.masters(testConfiguration(masters: ["https://127.0.0.1:5051", "HTTPS://h:5052/"]))
        #expect(secured.map(\.description) == ["127.0.0.1:5051", "h:5052"])
        #expect(identity != nil && identity?.files == TLSFiles())
        let (plain, none) = try SchedulerClient.masters(testConfiguration(masters: ["127.0.0.1:5051", "http://127.0.0.1:5052"]))
        #expect(plain.count == 2 && none == nil)
    }

    @Test func mixedSchemesAndUnreadableFilesAreRefused() {
        let mixed = #expect(throws: SchedulerError.self) {
            try SchedulerClient(testConfiguration(masters: ["https://a:5051", "http://b:5051"]))
        }
        #expect(mixed?.code == .invalidArgument && mixed?.message.contains("mix http:// and https://") == true)
        var withFiles = testConfiguration(masters: ["http://a:5051"])
        withFiles.tls = TLSFiles(ca: "/nonexistent/ca.pem")
        let plainWithFiles = #expect(throws: SchedulerError.self) { try SchedulerClient(withFiles) }
        #expect(plainWithFiles?.message.contains("write them https://") == true, "\(String(describing: plainWithFiles))")
        withFiles.masters = ["a:5051"]
        let missing = #expect(throws: SchedulerError.self) { try SchedulerClient(withFiles) }
        #expect(missing?.message.contains("/nonexistent/ca.pem") == true, "\(String(describing: missing))")
    }
}
