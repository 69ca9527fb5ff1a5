import ArgumentParser
import Foundation

/// `corral events`: the cluster's events as they happen, one per line.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Stream cluster events: leader changes, agents joining and leaving, task state changes, framework fail-overs.",
        discussion: """
            Follows the leader's operator SUBSCRIBE stream, and the leader itself across masters: when it dies or \
            steps down, the next leader is found and followed, and what changed in between is reported. Runs until \
            interrupted.

            Example: corral events --masters 127.0.0.1:5051,127.0.0.1:5052 --json
            """
    )

    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let json = cluster.json
        let follower = EventsFollower(
            masters: try cluster.endpoints(), tls: try cluster.tls(), authorization: try cluster.credentials()?.authorization
        ) { events in
            for event in events {
                let now = Date()
                say(json ? event.json(at: now) : event.line(at: now))
            }
        }
        await follower.run()
    }
}
