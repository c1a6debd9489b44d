/// The order operators read names in: runs of digits compare as numbers, so `client_reader2`
/// comes before `client_reader10`, and `event_persister9` before `event_persister10`.
public enum NaturalOrder {
    public static func less(_ a: String, _ b: String) -> Bool {
        // Native strings are contiguous UTF-8: read in place, since sorts call this a lot.
        var a = a
        var b = b
        return a.withUTF8 { x in b.withUTF8 { y in compare(x, y) < 0 } }
    }

    /// Negative, zero or positive, as a is before, the same as, or after b. Names that differ only
    /// in leading zeros (`w01`, `w1`) fall back to byte order, so the order stays total.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            if isDigit(a[i]) && isDigit(b[j]) {
                let (aStart, aEnd) = digitRun(a, from: i)
                let (bStart, bEnd) = digitRun(b, from: j)
                // Without leading zeros, a longer run is a larger number.
                let aLength = aEnd - aStart
                let bLength = bEnd - bStart
                if aLength != bLength { return aLength - bLength }
                for k in 0..<aLength where a[aStart + k] != b[bStart + k] {
                    return Int(a[aStart + k]) - Int(b[bStart + k])
                }
                i = aEnd
                j = bEnd
                continue
            }
            if a[i] != b[j] { return Int(a[i]) - Int(b[j]) }
            i += 1
            j += 1
        }
        if i < a.count || j < b.count { return (a.count - i) - (b.count - j) }
        return a.lexicographicallyPrecedes(b) ? -1 : (a.elementsEqual(b) ? 0 : 1)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// The digits from `start` on, leading zeros skipped: (first significant digit, end).
    static func digitRun(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (Int, Int) {
        var end = start
        while end < bytes.count && isDigit(bytes[end]) { end += 1 }
        var significant = start
        while significant < end - 1 && bytes[significant] == 0x30 { significant += 1 }
        return (significant, end)
    }
}
