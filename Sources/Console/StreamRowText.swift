import Wire

/// One stream row as a line of text for the stream detail: what an operator needs to tell rows
/// apart, not every field.
enum StreamRowText {
    static func describe(_ row: StreamRow) -> String {
        switch row {
        case .event(let event):
            var parts = [event.type, event.roomID]
            if event.type == "m.room.redaction" {
                parts.append(event.redacts.map { "redacts \($0)" } ?? "redaction without a target")
            }
            if let stateKey = event.stateKey { parts.append("state key \(stateKey.isEmpty ? "\"\"" : stateKey)") }
            if let membership = event.membership { parts.append(membership) }
            if event.rejected { parts.append("rejected") }
            if event.outlier { parts.append("outlier") }
            return parts.joined(separator: " · ")
        case .currentState(let roomID, let type, let stateKey, let eventID):
            return "current state \(type) \(stateKey) in \(roomID)" + (eventID == nil ? " removed" : "")
        case .allState(let roomID):
            return "all current state of \(roomID) changed"
        case .backfill(let eventID, let roomID, let type, _, let redacts, _):
            return "\(type) \(eventID) in \(roomID)" + (redacts.map { " redacts \($0)" } ?? "")
        case .stickyEvent(let roomID, let eventID):
            return "sticky \(eventID) in \(roomID)"
        case .profileUpdate(let userID, let action, let fields):
            return "\(userID) \(action)" + (fields.map { " " + $0.joined(separator: ",") } ?? "")
        case .presence(let userID, let state, _, let active):
            return "\(userID) \(state)" + (active ? " active" : "")
        case .presenceFederation(let destination, let userID):
            return "\(userID) to \(destination)"
        case .typing(let roomID, let userIDs):
            return "\(roomID): \(userIDs.count) typing"
        case .receipt(let roomID, let type, let userID, let eventID, _):
            return "\(type) by \(userID) in \(roomID) at \(eventID)"
        case .pushRules(let userID):
            return "push rules of \(userID)"
        case .pusher(let userID, let appID, let deleted):
            return "pusher \(appID) of \(userID)" + (deleted ? " deleted" : "")
        case .cacheInvalidation(let function, let keys, _):
            return "\(function)" + (keys.isNull ? " (whole cache)" : "")
        case .deviceList(let userID, let isSignature, let hostsCalculated):
            return "\(userID) \(isSignature ? "signature" : "device")" + (hostsCalculated ? " hosts calculated" : "")
        case .toDevice(let entity):
            return "to-device for \(entity)"
        case .accountData(let userID, let roomID, let type):
            return "\(type) of \(userID)" + (roomID.map { " in \($0)" } ?? "")
        case .threadSubscription(let userID, let roomID, let eventID):
            return "\(userID) thread \(eventID) in \(roomID)"
        case .unPartialStatedRoom(let roomID):
            return "\(roomID) fully joined"
        case .unPartialStatedEvent(let eventID, _):
            return "\(eventID) fully stated"
        case .quarantinedMedia(let origin, let mediaID, let quarantined):
            return "\(origin ?? "local")/\(mediaID) " + (quarantined ? "quarantined" : "released")
        case .federation(let type, _):
            return "federation \(type)"
        case .unknown:
            return "(a row syntop does not know)"
        }
    }
}
