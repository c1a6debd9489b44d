/// Settings that may hold a password, as they may be shown: the password replaced by `<set>`.
public enum MaskedSecret {
    public static let placeholder = "<set>"

    /// libpq's keywords that hold a secret.
    static let secretKeywords: Set<String> = ["password", "sslpassword"]

    /// A libpq connection string, as `keyword=value` pairs or as a `postgresql://` URI.
    public static func conninfo(_ text: String) -> String {
        isURI(text) ? scanURL(text, bareUserIsPassword: false).masked : scanKeywords(text).masked
    }

    /// A Redis URL: `redis://secret@host` is a password without a user, as Redis clients take it.
    public static func url(_ text: String) -> String {
        scanURL(text, bareUserIsPassword: true).masked
    }

    static func isURI(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Whether a value of the file holds a password, which it never needs.
    static func holdsPassword(_ value: SettingValue, key: SettingKey) -> Bool {
        guard case .text(let text) = value else { return false }
        switch key {
        case .redis: return scanURL(text, bareUserIsPassword: true).found
        case .db: return isURI(text) ? scanURL(text, bareUserIsPassword: false).found : scanKeywords(text).found
        default: return false
        }
    }

    /// A value as `syntop config` shows it.
    public static func shown(_ value: SettingValue, key: SettingKey) -> String {
        guard case .text(let text) = value else { return SettingKey.describe(value) }
        switch key {
        case .redis: return url(text)
        case .db: return conninfo(text)
        default: return text
        }
    }

    /// The user info ends at the last `@`, as syntop's Redis URL parser reads it, so a `/` or
    /// `?` in a password does not hide it from the mask.
    private static func scanURL(_ text: String, bareUserIsPassword: Bool) -> (masked: String, found: Bool) {
        guard let scheme = text.range(of: "://") else { return (text, false) }
        var result = String(text[..<scheme.upperBound])
        var found = false
        var rest = text[scheme.upperBound...]
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                result += userInfo[...colon] + placeholder
                found = true
            } else if bareUserIsPassword {
                result += placeholder
                found = true
            } else {
                result += userInfo
            }
            result += "@"
            rest = rest[rest.index(after: at)...]
        }
        guard let query = rest.firstIndex(of: "?") else { return (result + rest, found) }
        result += rest[...query]
        let parameters = rest[rest.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false)
        result += parameters.map { parameter -> String in
            guard let equals = parameter.firstIndex(of: "="),
                  secretKeywords.contains(String(parameter[..<equals])) else { return String(parameter) }
            found = true
            return parameter[...equals] + placeholder
        }.joined(separator: "&")
        return (result, found)
    }

    /// libpq's `keyword = value` form: a value is quoted with `'` or runs to the next space,
    /// and `\` escapes the next character in both.
    private static func scanKeywords(_ text: String) -> (masked: String, found: Bool) {
        let characters = Array(text)
        var result = ""
        var found = false
        var index = 0
        func skipSpaces() {
            while index < characters.count, characters[index].isWhitespace {
                result.append(characters[index])
                index += 1
            }
        }
        while index < characters.count {
            skipSpaces()
            var keyword = ""
            while index < characters.count, characters[index] != "=", !characters[index].isWhitespace {
                keyword.append(characters[index])
                index += 1
            }
            result += keyword
            skipSpaces()
            guard index < characters.count, characters[index] == "=" else { continue }
            result.append("=")
            index += 1
            skipSpaces()
            var value = ""
            let quoted = index < characters.count && characters[index] == "'"
            if quoted {
                value.append("'")
                index += 1
            }
            while index < characters.count {
                let character = characters[index]
                if character == "\\", index + 1 < characters.count {
                    value.append(character)
                    value.append(characters[index + 1])
                    index += 2
                    continue
                }
                if quoted ? character == "'" : character.isWhitespace { break }
                value.append(character)
                index += 1
            }
            if quoted, index < characters.count {
                value.append("'")
                index += 1
            }
            if secretKeywords.contains(keyword) {
                result += placeholder
                found = true
            } else {
                result += value
            }
        }
        return (result, found)
    }
}
