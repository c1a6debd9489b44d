import Config
import Contract
import Foundation
import SnapshotSupport
import Observation
import Testing
import Wire
@testable import Store

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures")
    .standardizedFileURL

func fixtureData(_ path: String) throws -> Data { try Data(contentsOf: fixtures.appendingPathComponent(path)) }

func fixture<T: Decodable>(_ path: String, _ type: T.Type) throws -> T {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(T.self, from: fixtureData(path))
}

func stackConfig() -> SynapseConfig {
    ConfigLoader.load(paths: [fixtures.path + "/config/homeserver.yaml", fixtures.path + "/config/workers"])
}

/// Hands each action to the observation, as a command's pump does.
func observe(_ observation: inout Observation, _ actions: ObservationAction...) {
    for action in actions { _ = ObservationReducer.reduce(&observation, action) }
}

/// An observation as a command that prints once leaves it: its setup, a recording read whole
/// (if any), the database connected and its session read, then `updates`, then the clock.
func observed(_ setup: ObservationSetup, recording: String? = nil, session: SessionStore.Session? = nil,
              _ updates: [DatabaseUpdate], clock: Double) throws -> Observation {
    var observation = Observation()
    observe(&observation, .start(setup))
    if let recording {
        var reader = RecordingReader(RecordingBytes(Array(try fixtureData("recordings/" + recording))))
        try ObservationReducer.replayWhole(&observation, &reader)
    }
    if let session {
        observe(&observation, .connection(.postgres, .ready(since: clock)), .database(.session(Fetched(session, at: clock))),
                .databaseRoundFinished)
    }
    for update in updates { observe(&observation, .database(update)) }
    observe(&observation, .databaseRoundFinished, .tick(clock: clock))
    return observation
}

/// Compares a document with a snapshot beside the tests, the fixtures' folder written as
/// `<fixtures>` so the file holds on any checkout. SYNTOP_RECORD_SNAPSHOTS=1 rewrites them and
/// fails the run, as the screens' do.
func expectDocument<Document: Encodable>(_ document: Document, named name: String, filePath: String = #filePath,
                                         sourceLocation: SourceLocation = #_sourceLocation) throws {
    let text = String(decoding: try JSONDocument.encode(document), as: UTF8.self)
        .replacingOccurrences(of: fixtures.path, with: "<fixtures>")
    SnapshotSupport.expectSnapshot(text, named: name + ".json", filePath: filePath, sourceLocation: sourceLocation)
}
