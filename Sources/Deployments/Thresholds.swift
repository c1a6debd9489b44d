import Observation
import Settings

extension AlertThresholds {
    /// The alerts' thresholds the settings give, syntop's defaults elsewhere.
    public static func from(_ settings: Settings) -> AlertThresholds {
        var thresholds = AlertThresholds()
        if let staleAfter = settings.number(.staleAfter) { thresholds.staleAfter = staleAfter }
        if let behind = settings.number(.behind) { thresholds.behindWarning = Int64(behind) }
        if let (warning, critical) = settings.pair(.pokes) {
            (thresholds.pendingWarning, thresholds.pendingCritical) = (Int(warning), Int(critical))
        }
        if let (warning, critical) = settings.pair(.pokeAge) {
            (thresholds.oldestPendingWarning, thresholds.oldestPendingCritical) = (warning, critical)
        }
        if let (warning, critical) = settings.pair(.unconverted) {
            (thresholds.unconvertedWarning, thresholds.unconvertedCritical) = (Int(warning), Int(critical))
        }
        if let (warning, critical) = settings.pair(.extremities) {
            (thresholds.extremitiesWarning, thresholds.extremitiesCritical) = (Int(warning), Int(critical))
        }
        return thresholds
    }
}
