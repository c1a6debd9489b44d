import Foundation

/// How times and ages read on every screen: one place, so they read the same everywhere.
public enum TimeText {
    public static func clock(_ time: Double, utcOffset: Int) -> String {
        guard time.isFinite, abs(time) < 1e12 else { return "--:--:--" }
        let seconds = (Int64(time.rounded(.down)) + Int64(utcOffset)) % 86_400
        let day = seconds < 0 ? seconds + 86_400 : seconds
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(day / 3600)):\(two(day / 60 % 60)):\(two(day % 60))"
    }

    /// "2026-11-27 22:40" in the local time zone, for times that may be days old.
    public static func dateTime(_ time: Double, utcOffset: Int) -> String {
        guard time.isFinite, abs(time) < 1e12 else { return "----------" }
        let local = Int64(time.rounded(.down)) + Int64(utcOffset)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let seconds = local - days * 86_400
        // Days since 1970-01-01 to a civil date (proleptic Gregorian calendar).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(seconds / 3600)):\(two(seconds / 60 % 60))"
    }

    public static func age(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86_400 { return "\(s / 3600)h" }
        return "\(s / 86_400)d"
    }
}

/// How sizes read on every screen: 512B, 3.4K, 81M.
public enum SizeText {
    public static func bytes(_ value: Double?) -> String {
        guard let value else { return "-" }
        let units = ["B", "K", "M", "G", "T"]
        var size = value
        var unit = 0
        while size >= 1024, unit < units.count - 1 {
            size /= 1024
            unit += 1
        }
        return (size < 10 && unit > 0 ? String(format: "%.1f", size) : "\(Int(size.rounded()))") + units[unit]
    }
}
