import Config
import Findings
import NaturalOrder
import Observation
import Store
import Terminal
import Wire

/// The drill-downs Enter opens, one file each in Details/: a destination's waiting pokes, a
/// user's devices, a process's streams and locks, a stream's writers and recent rows, a
/// membership event's fields.
enum DetailContent {
    static func add(_ detail: Detail, _ state: ConsoleState, _ add: PanelAdder) {
        switch detail {
        case .destination(let destination): addDestination(destination, state, add)
        case .user(let user): addUser(user, state, add)
        case .process(let instance): addProcess(instance, state, add)
        case .stream(let stream): addStream(stream, state, add)
        case .membership(let eventID): addMembership(eventID, state, add)
        case .token(let token): addToken(token, state, add)
        case .room(let room): addRoom(room, state, add)
        }
    }

    static func fetched(_ detail: Detail, _ state: ConsoleState) -> Fetched<DetailData>? {
        state.database.detail.flatMap { $0.value.detail == detail ? $0 : nil }
    }
}
