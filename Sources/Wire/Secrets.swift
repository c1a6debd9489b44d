/// Bearer tokens that cross the replication wire, and how syntop keeps them out of everything it
/// shows, records, exports or reports.
///
/// Two commands carry them in clear: `USER_IP`, whose first field is the user's access token,
/// and `RDATA caches` rows of a cache keyed by a token: Synapse invalidates
/// `get_user_by_access_token` with the token itself as the key, on every logout, device deletion,
/// password change, deactivation and shadow ban. Old deployments still hold macaroon tokens
/// (`MDAx...`, no `syt_` prefix), so caches are recognised by name, never by what a key looks like.
public enum Secrets {
    /// What stands where a token was.
    public static let placeholder = "<token>"

    /// Synapse's streamed caches whose keys are tokens. A reading of every `@cached` function in
    /// Synapse's storage found one; `mark_access_token_as_used` is keyed by the token's row id.
    public static let tokenCaches: Set<String> = ["get_user_by_access_token"]

    /// Words that make any other cache name count as token-keyed: a module's own caches
    /// (`<module>.<function>`) are streamed with whatever keys the module gives them.
    static let secretWords = ["token", "secret", "password", "macaroon"]

    /// Asked of every `caches` row the full way takes and every line a recording scrubs, so it
    /// reads the name in place, allocating nothing.
    public static func isTokenCache(_ name: String) -> Bool {
        if tokenCaches.contains(name) { return true }
        var name = name
        return name.withUTF8 { bytes in secretWordBytes.contains { contains(bytes, lowercased: $0) } }
    }

    static let secretWordBytes = secretWords.map { Array($0.utf8) }

    /// Whether `word` (lower-case ASCII) stands in `bytes`, ignoring ASCII case.
    static func contains(_ bytes: UnsafeBufferPointer<UInt8>, lowercased word: [UInt8]) -> Bool {
        guard bytes.count >= word.count else { return false }
        for start in 0...(bytes.count - word.count) {
            var matched = true
            for (offset, letter) in word.enumerated() {
                let byte = bytes[start + offset]
                if ((0x41...0x5A).contains(byte) ? byte | 0x20 : byte) != letter {
                    matched = false
                    break
                }
            }
            if matched { return true }
        }
        return false
    }

    /// The keys of a token-keyed cache's invalidation with every key replaced; `null` (the
    /// whole cache) stays as it is, and anything else Synapse would not send becomes one key.
    public static func scrubbedKeys(_ keys: JSONValue) -> JSONValue {
        if keys.isNull { return keys }
        guard let items = keys.array else { return .array([.string(placeholder)]) }
        return .array(items.map { _ in .string(placeholder) })
    }

    /// What of a row the wire state may keep: a token-keyed cache's row and a pusher's row
    /// (its pushkey is a push token) as decoded, which dropped the secret; any other row as
    /// published.
    public static func keptRow(_ row: StreamRow, as published: ArraySlice<UInt8>) -> [UInt8] {
        switch row {
        case .cacheInvalidation(let function, let keys, let at) where isTokenCache(function):
            return Array(JSONText.encode(.array([.string(function), keys] + (at.map { [.integer($0)] } ?? []))).utf8)
        case .pusher(let userID, let appID, let deleted):
            return Array(JSONText.encode(.array([.string(userID), .string(appID), .null, .bool(deleted)])).utf8)
        default:
            return Array(published)
        }
    }

    /// A replication message as published, with any token in it replaced: what a recording
    /// holds and what an excerpt of a bad line starts from.
    public static func scrub(_ payload: [UInt8]) -> [UInt8] {
        if payload.starts(with: userIPPrefix) { return scrubUserIP(payload) }
        if payload.starts(with: cachesPrefix) { return scrubCacheInvalidation(payload) }
        return payload
    }

    static let userIPPrefix = Array("USER_IP ".utf8)
    static let cachesPrefix = Array("RDATA caches ".utf8)

    /// `USER_IP <user> ["<token>",...]`: the first JSON string is the user's access token.
    static func scrubUserIP(_ payload: [UInt8]) -> [UInt8] {
        let rest = payload[userIPPrefix.count...]
        // No user ID before the list (or no list at all): nothing after the name is kept.
        guard let first = rest.first, first != UInt8(ascii: "["), first != UInt8(ascii: "\""),
              let space = rest.firstIndex(of: UInt8(ascii: " ")) else {
            return userIPPrefix + Array(placeholder.utf8)
        }
        let start = space + 1
        guard start + 1 < payload.count, payload[start] == UInt8(ascii: "["),
              payload[start + 1] == UInt8(ascii: "\"") else {
            // Not the shape Synapse sends: nothing after the user ID can be trusted to be harmless.
            return Array(payload[..<start]) + Array(placeholder.utf8)
        }
        let quoted = Array("\"\(placeholder)\"".utf8)
        guard let close = closingQuote(payload, from: start + 2) else {
            return Array(payload[...start]) + quoted
        }
        return Array(payload[...start]) + quoted + Array(payload[(close + 1)...])
    }

    /// `RDATA caches <instance> <token> [<cache>, [keys...], <ts>]`: the row of a token-keyed
    /// cache is written again with its keys replaced. A line that does not parse but names such a
    /// cache keeps nothing after the stream's name: in a broken line a key may stand anywhere,
    /// even before the cache's name.
    static func scrubCacheInvalidation(_ payload: [UInt8]) -> [UInt8] {
        var spaces = 0
        var rowStart = cachesPrefix.count
        while rowStart < payload.count && spaces < 2 {
            if payload[rowStart] == UInt8(ascii: " ") { spaces += 1 }
            rowStart += 1
        }
        // Fields missing: the row may start anywhere after the stream name.
        if spaces < 2 { rowStart = cachesPrefix.count }
        let row = payload[rowStart...]
        if let value = try? JSONReader.parse(row), let items = value.array, items.count >= 2,
           let name = items[0].string {
            guard isTokenCache(name) else { return payload }
            var scrubbed = items
            scrubbed[1] = scrubbedKeys(items[1])
            return Array(payload[..<rowStart]) + Array(JSONText.encode(.array(scrubbed)).utf8)
        }
        // Unparsable, so the row may start anywhere (a field glued to the next, a space in a
        // key): a token-keyed cache's name anywhere after the stream drops all of it.
        let rest = payload[cachesPrefix.count...]
        let lowered = rest.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        let names = tokenCaches.map { Array($0.lowercased().utf8) } + secretWords.map { Array($0.utf8) }
        guard names.contains(where: { end(of: $0, in: lowered) != nil }) else { return payload }
        return Array(payload[..<cachesPrefix.count]) + Array(placeholder.utf8)
    }

    /// Where the first occurrence of `needle` in `haystack` ends.
    static func end(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start] == needle[0] && haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start + needle.count
        }
        return nil
    }

    static func closingQuote(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: "\"") { return index }
            index += 1
        }
        return nil
    }

    /// Free text that came from outside (an excerpt of a bad line, an unknown command's argument):
    /// anything shaped like an access or refresh token (`syt_`, `syr_`, `mat_`, `mar_`) or a macaroon
    /// (`MDAx` and base64) is replaced. A second line of defence behind the rules above.
    public static func redactTokenShapes(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        var changed = false
        while index < bytes.count {
            if let end = tokenShape(bytes, at: index) {
                out += placeholder.utf8
                index = end
                changed = true
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    /// Synapse's access and refresh tokens, and those of Matrix Authentication Service.
    static let tokenPrefixes = [Array("syt_".utf8), Array("syr_".utf8), Array("mat_".utf8), Array("mar_".utf8)]
    static let macaroonPrefix = Array("MDAx".utf8)

    /// Where a token that starts at `index` ends. A macaroon is long: "MDAx" in a short word is none.
    static func tokenShape(_ bytes: [UInt8], at index: Int) -> Int? {
        for prefix in tokenPrefixes + [macaroonPrefix] where bytes[index...].starts(with: prefix) {
            var end = index + prefix.count
            while end < bytes.count && isTokenByte(bytes[end]) { end += 1 }
            let minimum = prefix == macaroonPrefix ? 24 : prefix.count + 1
            return end - index >= minimum ? end : nil
        }
        return nil
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || "_-+/=".utf8.contains(byte)
    }
}

/// Writes a JSON value as Synapse does: no spaces, ASCII only.
public enum JSONText {
    public static func encode(_ value: JSONValue) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    static func write(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .integer(let number): out += String(number)
        case .double(let number): out += number.isFinite ? String(number) : "null"
        case .string(let text): writeString(text, to: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                writeString(key, to: &out)
                out += ":"
                write(members[key]!, to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ text: String, to out: inout String) {
        out += "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        out += "\""
    }
}
