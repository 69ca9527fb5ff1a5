import ArgumentParser
import CorralMaster
import CorralSecurity
import Foundation

/// `corral quorum …`: operator commands against a running quorum.
struct QuorumCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quorum",
        abstract: "Inspect and change a running master quorum.",
        discussion: """
            Replacing a member that lost its data: a master whose Raft log or state store is wiped,
            lost or damaged refuses to start (rejoining as if new, it could vote twice in one term or
            forget entries it helped commit). Node ids are never reused. With the others still a quorum:
              1. corral quorum remove OLD_ID             (on any running master; it redirects to the leader)
              2. start a master with a new node id, an empty data directory and --join
                 (it may listen on the old member's addresses once OLD_ID is removed)
              3. corral quorum add-learner NEW_ID --raft HOST:PORT --http HOST:PORT
              4. corral quorum promote NEW_ID            (once `corral quorum status` shows it caught up)
            A new cluster's founding masters start once with --bootstrap, each on an empty directory.

            Example: corral quorum status (see the subcommands' --help for theirs)
            """,
        subcommands: [Status.self, AddLearner.self, Promote.self, Remove.self, TransferLeader.self]
    )

    struct Endpoints: ParsableArguments {
        @Option(help: "Masters' HTTP host:port (https://host:port on HTTPS), comma-separated.")
        var endpoints: String = "127.0.0.1:5051,127.0.0.1:5052,127.0.0.1:5053"
        @Option(help: "The cluster's CA certificate (PEM) to trust for HTTPS; the masters are then reached over HTTPS. Default: $CORRAL_CA_CERT.")
        var caCert: String?

        var list: [String] { endpoints.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

        /// A client for the masters, trusting `--ca-cert` when given.
        func client(timeoutSeconds: Int) throws -> MasterClient {
            let file = caCert ?? ProcessInfo.processInfo.environment["CORRAL_CA_CERT"]
            guard let file, !file.isEmpty else { return MasterClient(timeoutSeconds: timeoutSeconds) }
            do {
                return MasterClient(timeoutSeconds: timeoutSeconds, tls: try TLSIdentity(files: TLSFiles(ca: file)))
            } catch {
                throw ValidationError("--ca-cert: \(error)")
            }
        }

        /// Posts to the first endpoint that answers; redirects lead to the leader. A change
        /// that was not applied is tried on the next endpoint; one whose outcome is unknown
        /// (504) is not sent again, since it may have taken effect.
        func post(_ path: String, _ body: MemberBody) throws -> QuorumStatus {
            let client = try self.client(timeoutSeconds: 15)
            let data = Array(try JSONEncoder().encode(body))
            var lastError: (any Error)?
            for endpoint in list {
                do {
                    return try client.json(QuorumStatus.self, "POST", endpoint, path, body: data)
                } catch where error.code == .outcomeUnknown {
                    throw ValidationError(
                        "\(path): the outcome is unknown (the leader changed before it learned whether the change was committed): \(error.message); run `corral quorum status` to see whether it took effect before trying again")
                } catch {
                    lastError = error
                }
            }
            throw ValidationError("no master accepted \(path): \(lastError.map { "\($0)" } ?? "no endpoints")")
        }
    }

    /// The body of a membership request: the node id as a JSON number, as the master reads it.
    struct MemberBody: Encodable {
        var id: UInt64
        var raft: String?
        var http: String?
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every master's role, term, leader, commit and applied index, and each follower's lag.",
            discussion: "Example: corral quorum status --endpoints 127.0.0.1:5051,127.0.0.1:5052,127.0.0.1:5053")
        @OptionGroup var endpoints: Endpoints
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let client = try endpoints.client(timeoutSeconds: 3)
            var rows: [[String]] = [["MASTER", "ENDPOINT", "ROLE", "TERM", "LEADER", "COMMIT", "APPLIED", "LAST"]]
            var statuses: [QuorumStatus] = []
            var followers: [String] = []
            for endpoint in endpoints.list {
                do {
                    let status = try client.json(QuorumStatus.self, "GET", endpoint, "/quorum/status")
                    statuses.append(status)
                    let raft = status.raft
                    let role = raft.failure == nil ? raft.role : "STOPPED: \(raft.failure ?? "")"
                    rows.append(["\(raft.id)", endpoint, role, "\(raft.term)", "\(raft.leader)", "\(raft.commitIndex)", "\(raft.appliedIndex)", "\(raft.lastIndex)"])
                    for follower in raft.followers {
                        followers.append("  master \(follower.id): match \(follower.match), lag \(follower.lag), \(follower.state)\(follower.learner ? ", learner" : "")\(follower.active ? "" : ", inactive")")
                    }
                } catch {
                    rows.append(["?", endpoint, "unreachable: \(error)", "", "", "", "", ""])
                }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(statuses), as: UTF8.self))
                return
            }
            printTable(rows)
            if !followers.isEmpty {
                print("followers (as the leader sees them):")
                followers.forEach { print($0) }
            }
        }
    }

    struct AddLearner: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-learner", abstract: "Add a master as a learner: it receives the log but does not vote.",
            discussion: "Example: corral quorum add-learner 4 --raft 127.0.0.1:7104 --http 127.0.0.1:5054")
        @OptionGroup var endpoints: Endpoints
        @Argument(help: "The new master's node id.") var id: UInt64
        @Option(help: "Its Raft host:port.") var raft: String
        @Option(help: "Its HTTP host:port.") var http: String

        func run() throws {
            let status = try endpoints.post("/quorum/add-learner", MemberBody(id: id, raft: raft, http: http))
            print("master \(id) added as a learner; learners: \(status.raft.learners)")
        }
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Promote a caught-up learner to a voter.", discussion: "Example: corral quorum promote 4")
        @OptionGroup var endpoints: Endpoints
        @Argument(help: "The learner's node id.") var id: UInt64

        func run() throws {
            let status = try endpoints.post("/quorum/promote", MemberBody(id: id))
            print("master \(id) promoted; voters: \(status.raft.voters)")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a master from the quorum.", discussion: "Example: corral quorum remove 2")
        @OptionGroup var endpoints: Endpoints
        @Argument(help: "The master's node id.") var id: UInt64

        func run() throws {
            let status = try endpoints.post("/quorum/remove", MemberBody(id: id))
            print("master \(id) removed; voters: \(status.raft.voters)")
        }
    }

    struct TransferLeader: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "transfer-leader", abstract: "Hand leadership to another voter.",
            discussion: "Example: corral quorum transfer-leader 3")
        @OptionGroup var endpoints: Endpoints
        @Argument(help: "The voter to lead next.") var id: UInt64

        func run() throws {
            _ = try endpoints.post("/quorum/transfer-leader", MemberBody(id: id))
            print("leadership transfer to master \(id) requested")
        }
    }
}

func printTable(_ rows: [[String]]) {
    guard let columns = rows.map(\.count).max() else { return }
    let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
    for row in rows {
        let cells = row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }
        print(cells.joined(separator: "  "))
    }
}
