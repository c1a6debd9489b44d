/// A time in a recording as an operator types it (`--from`, `--to`, `:seek`): a clock time
/// `HH:MM` or `HH:MM:SS` in the local zone, the first such moment from the recording's start;
/// a step from `now` (`+90`, `-30s`, `+5m`, `+1h`); or unix seconds.
public enum ReplayTime {
    public static func parse(_ text: String, start: Double, now: Double, utcOffset: Int) -> Double? {
        let text = String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        guard let first = text.first else { return nil }
        if first == "+" || first == "-" {
            var number = String(text.dropFirst())
            var unit = 1.0
            switch number.last {
            case "s": number.removeLast()
            case "m": number.removeLast(); unit = 60
            case "h": number.removeLast(); unit = 3600
            default: break
            }
            guard let amount = Double(number), amount.isFinite, amount >= 0, amount < 1e9 else { return nil }
            return now + (first == "+" ? 1 : -1) * amount * unit
        }
        if text.contains(":") {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 || parts.count == 3 else { return nil }
            let numbers = parts.compactMap { part in
                !part.isEmpty && part.allSatisfy({ $0.isASCII && $0.isNumber }) ? Int(part) : nil
            }
            guard numbers.count == parts.count, numbers.allSatisfy({ $0 >= 0 }),
                  numbers[0] < 24, numbers[1] < 60, numbers.count == 2 || numbers[2] < 60 else { return nil }
            let seconds = Double(numbers[0] * 3600 + numbers[1] * 60 + (numbers.count == 3 ? numbers[2] : 0))
            let local = start + Double(utcOffset)
            let day = (local / 86400).rounded(.down) * 86400 - Double(utcOffset)
            let moment = day + seconds
            // Before the recording's first second on its first day: the next day's.
            return moment < start.rounded(.down) ? moment + 86400 : moment
        }
        guard let unix = Double(text), unix.isFinite, unix >= 0, unix < 95_617_584_000 else { return nil }
        return unix
    }
}
