import CNCursesW
import Terminal

/// Turns what `wget_wch` returns into input events.
public enum KeyDecoder {
    /// `code` is the value `wget_wch` stored; `isKeyCode` is true when it returned KEY_CODE_YES.
    /// Mouse reports (KEY_MOUSE) need `getmouse` and are decoded by the backend.
    public static func decode(code: UInt32, isKeyCode: Bool) -> InputEvent? {
        if isKeyCode {
            switch Int32(truncatingIfNeeded: code) {
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_HOME, KEY_A1: return .key(.home)
            case KEY_END, KEY_C1: return .key(.end)
            case KEY_ENTER: return .key(.enter)
            case KEY_BTAB: return .key(.backTab)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_DC: return .key(.delete)
            case KEY_RESIZE: return .resize
            case let f where f > KEY_F0 && f <= KEY_F0 + 24: return .key(.function(Int(f - KEY_F0)))
            default: return nil
            }
        }
        switch code {
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 1...26:
            return .key(.control(Character(Unicode.Scalar(UInt8(code) + 0x60))))
        default:
            guard let scalar = Unicode.Scalar(code) else { return nil }
            return .key(.character(Character(scalar)))
        }
    }
}
