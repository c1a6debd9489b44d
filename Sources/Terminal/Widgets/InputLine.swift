/// A one-line text input after a prompt (`/` or `:`); shows the end of text that is too long
/// and puts the cursor after it.
public struct InputLine: Sendable {
    public var prompt: String
    public var text: String

    public init(prompt: String, text: String) {
        self.prompt = prompt
        self.text = text
    }

    public func render(into buffer: inout ScreenBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        buffer.fill(area.row(0), element: .input)
        let promptWidth = buffer.put(prompt, x: area.x, y: area.y, element: .input)
        let room = area.width - promptWidth - 1
        guard room > 0 else { return }
        var shown = text
        while TextWidth.of(shown) > room { shown.removeFirst() }
        let used = buffer.put(shown, x: area.x + promptWidth, y: area.y, maxWidth: room,
                              element: .input)
        buffer.cursor = (area.x + promptWidth + used, area.y)
    }
}
