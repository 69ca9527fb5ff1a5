import CorralRaft

/// Storage and transport for a `RaftEffectInterpreter` under test: records every write and
/// every send, in one list, in the order they happened.
final class ShellIODouble: RaftStorageQueue, RaftMessageSender {
    enum Event: Equatable {
        case write(RaftStorageWrite)
        case send(Message)
    }

    private(set) var events: [Event] = []

    func submit(_ write: RaftStorageWrite) {
        events.append(.write(write))
    }

    func send(_ messages: [Message]) {
        events += messages.map { .send($0) }
    }

    var writes: [RaftStorageWrite] {
        events.compactMap { if case .write(let write) = $0 { write } else { nil } }
    }

    var sent: [Message] {
        events.compactMap { if case .send(let message) = $0 { message } else { nil } }
    }

    /// The position of the first send of a message with this body, if any.
    func positionOfSend(where matches: (MessageBody) -> Bool) -> Int? {
        events.firstIndex { if case .send(let message) = $0 { matches(message.body) } else { false } }
    }
}
