/// Synapse's replication channels on Redis: every process publishes and listens on
/// `<server_name>`; client IP activity goes to `<server_name>/USER_IP`.
public enum ReplicationChannels {
    public static let userIPSuffix = "/USER_IP"

    /// The channels syntop listens on: the main one, and USER_IP when asked.
    public static func names(serverName: String, userIP: Bool) -> [String] {
        userIP ? [serverName, serverName + userIPSuffix] : [serverName]
    }

    /// Both channels, for counting their subscribers.
    public static func all(serverName: String) -> [String] {
        names(serverName: serverName, userIP: true)
    }

    /// Whether a channel's name is the main one (every process subscribes to it).
    public static func isMain(_ channel: String) -> Bool {
        !channel.hasSuffix(userIPSuffix)
    }
}
