import ArgumentParser
import Settings

/// When findings become warnings or critical, for the console's alerts and `syntop check`.
struct AlertOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds a writer may stay silent while its stream moves on (database or other writers; default: 60).",
                               valueName: "s"))
    var staleAfter: Double?

    @Option(help: ArgumentHelp("Stream ids the other writers of a stream may get ahead of a silent writer (default: 100).",
                               valueName: "n"))
    var behind: Int64?

    @Option(help: ArgumentHelp("Waiting pokes for one destination: warning, critical (default: 1000,10000).", valueName: "n,n"))
    var pokes: String?

    @Option(help: ArgumentHelp("Age of a destination's oldest waiting poke in seconds: warning, critical (default: 3600,86400).",
                               valueName: "s,s"))
    var pokeAge: String?

    @Option(help: ArgumentHelp("Room device-list changes not yet turned into pokes: warning, critical (default: 1000,10000).",
                               valueName: "n,n"))
    var unconverted: String?

    @Option(help: ArgumentHelp("Forward extremities of one room: warning, critical (default: 10,50).", valueName: "n,n"))
    var extremities: String?

    func given() throws -> [SettingKey: SettingValue] {
        var given: [SettingKey: SettingValue] = [:]
        given[.staleAfter] = try SettingKey.staleAfter.given(staleAfter)
        given[.behind] = try SettingKey.behind.given(behind)
        given[.pokes] = try SettingKey.pokes.given(pokes)
        given[.pokeAge] = try SettingKey.pokeAge.given(pokeAge)
        given[.unconverted] = try SettingKey.unconverted.given(unconverted)
        given[.extremities] = try SettingKey.extremities.given(extremities)
        return given
    }

    func validate() throws {
        _ = try given()
    }
}
