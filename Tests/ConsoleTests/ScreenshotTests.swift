import Foundation
import Metrics
import Observation
import Redis
import Terminal
import Testing
@testable import Console
@testable import Store

/// The README's pictures (docs/images/<screen>.png), drawn from the snapshot tests' fixtures.
/// Beside each picture is the screen it was drawn from (<screen>.txt: the text, then the
/// element of every cell); a picture whose screen no longer draws the same fails here, and
/// `scripts/screenshots` draws them all again (SYNTOP_SCREENSHOTS names a folder for the HTML
/// it photographs, and the texts are written anew).
@Suite struct ScreenshotTests {
    static let images = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/images").standardizedFileURL

    /// Every screen as the stack's fixtures leave it: the recording beside the database, the
    /// processes' answers, the kicked user's history, the rooms.
    static func screens() throws -> [(String, ConsoleState)] {
        var state = try stackState()
        let probes = state.observation.probes
        // The page was read at another time than the recording: its processes are shown three
        // hours after their start.
        let page = try metricsPage()
        let started = page.first { $0.name == "process_start_time_seconds" }?.value ?? 0
        for probe in probes {
            guard let target = probe.health.first else { continue }
            let outcome: ProcessAnswer.Outcome = probe.instance == "federation_sender1" ? .failed("Connection refused")
                : .healthy(milliseconds: 2 + Double(probe.instance.count % 5))
            state.observe(.processAnswered([ProcessAnswer(instance: probe.instance, kind: .health, target: target,
                                                          at: state.now - 30, outcome: outcome)]))
            if let metrics = probe.metrics {
                state.observe(.processAnswered([ProcessAnswer(instance: probe.instance, kind: .metrics, target: metrics,
                                                              at: started + 3 * 3600, outcome: .metrics(page, milliseconds: 4))]))
            }
        }
        var shots: [(String, ConsoleState)] = []
        for screen in [ScreenID.pokes, .roles, .positions] {
            _ = ConsoleReducer.reduce(&state, .showScreen(screen))
            state.observe()
            shots.append((screen.command, state))
        }
        var history = state
        try withHistory(&history, "history-kicked.json")
        shots.append(("history", history))
        var rooms = state
        _ = ConsoleReducer.reduce(&rooms, .showScreen(.rooms))
        struct Rooms: Decodable { var rooms: [RoomStore.Room]; var roomsKnown: Int? }
        let list = try fixture("rooms.json", Rooms.self)
        rooms.observe(.database(.rooms(Fetched(RoomStore.RoomList(match: "", rooms: list.rooms, roomsKnown: list.roomsKnown),
                                               at: rooms.now))))
        shots.append(("rooms", rooms))
        return shots
    }

    static func metricsPage() throws -> [MetricSample] {
        var reader = PrometheusReader(names: ProcessMetrics.names)
        reader.feed(String(decoding: try Data(contentsOf: databaseFixtures.appendingPathComponent("../metrics/synapse-1.163.2.txt")),
                           as: UTF8.self))
        reader.finish()
        return reader.samples
    }

    @Test func everyPictureShowsWhatItsScreenDraws() throws {
        let folder = ProcessInfo.processInfo.environment["SYNTOP_SCREENSHOTS"]
        for (name, state) in try Self.screens() {
            let screen = ConsoleView.render(state)
            let text = Snapshot.text(screen)
            let file = Self.images.appendingPathComponent(name + ".txt")
            if let folder {
                try text.write(to: file, atomically: true, encoding: .utf8)
                try HTMLScreen.page(screen, theme: .builtinDefault).write(
                    to: URL(fileURLWithPath: folder).appendingPathComponent(name + ".html"), atomically: true, encoding: .utf8)
                continue
            }
            let drawn = try? String(contentsOf: file, encoding: .utf8)
            #expect(drawn == text, "docs/images/\(name).png shows another screen than its screen draws now: run scripts/screenshots")
        }
    }
}

/// A screen as an HTML page in the theme's colours, for a browser to photograph.
enum HTMLScreen {
    static func css(_ color: Color, default fallback: String) -> String {
        switch color {
        case .terminalDefault: return fallback
        case .ansi(let index), .indexed(let index):
            let (r, g, b) = ColorMapping.rgb(ofIndex: index)
            return String(format: "#%02x%02x%02x", r, g, b)
        case .rgb(let r, let g, let b): return String(format: "#%02x%02x%02x", r, g, b)
        }
    }

    static func style(_ element: ThemeElement, _ theme: Theme) -> String {
        let style = theme.style(element)
        var foreground = css(style.foreground, default: "#d0d0d0")
        var background = css(style.background, default: "#1c1c1c")
        if style.attributes.contains(.reverse) { swap(&foreground, &background) }
        var css = "color:\(foreground);background:\(background)"
        if style.attributes.contains(.bold) { css += ";font-weight:bold" }
        if style.attributes.contains(.dim) { css += ";opacity:0.6" }
        if style.attributes.contains(.underline) { css += ";text-decoration:underline" }
        return css
    }

    static func page(_ screen: ScreenBuffer, theme: Theme) -> String {
        var html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>body{margin:0;background:#1c1c1c}"
            + "pre{margin:0;padding:8px;font:14px/17px \"DejaVu Sans Mono\",monospace}</style></head><body><pre>"
        for y in 0..<screen.size.height {
            var x = 0
            while x < screen.size.width {
                let element = screen[x, y].element
                var run = ""
                while x < screen.size.width && screen[x, y].element == element {
                    run += screen[x, y].text
                    x += 1
                }
                let escaped = run.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                    .replacingOccurrences(of: ">", with: "&gt;")
                html += "<span style=\"\(style(element, theme))\">\(escaped)</span>"
            }
            html += "\n"
        }
        return html + "</pre></body></html>\n"
    }
}
