public enum Key: Hashable, Sendable {
    case character(Character)
    /// Ctrl and a letter, given as the lower-case letter.
    case control(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case function(Int)
}

public enum MouseAction: Equatable, Sendable {
    case press
    case wheelUp
    case wheelDown
}

public struct MouseEvent: Equatable, Sendable {
    public var action: MouseAction
    public var x: Int
    public var y: Int

    public init(_ action: MouseAction, x: Int, y: Int) {
        self.action = action
        self.x = x
        self.y = y
    }
}

public enum InputEvent: Equatable, Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize
}
