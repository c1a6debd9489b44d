import Config
import Testing
@testable import Settings

private let twoContexts = """
    # defaults for every command
    theme: dracula
    stale_after: 30
    pokes: [500, 5000]
    context: prod
    contexts:
      prod:
        config_paths: [/etc/matrix-synapse/homeserver.yaml, workers]
        db: service=synapse-prod
        redis: redis://redis.prod.internal:6379
        redis_password_file: ~/secrets/prod-redis
        user_ip: true
      staging:
        config_paths: /srv/staging/homeserver.yaml
        db: host=db.staging dbname=synapse user=syntop_ro
        stale_after: 120
        theme: themes/light.theme
    """

private func file(_ text: String) -> SettingsFile {
    SettingsFile.parse(text, path: "/home/op/.config/syntop/config.yaml", home: "/home/op")
}

private func resolve(_ file: SettingsFile?, _ commandLine: [SettingKey: SettingValue] = [:],
                     context: String? = nil) throws -> Settings {
    try Settings.resolve(file: file, filePath: "/home/op/.config/syntop/config.yaml", commandLine: commandLine,
                         request: context.map { Settings.ContextRequest($0, by: "--context") })
}

@Suite struct SettingsFileTests {
    @Test func readsDefaultsAndContexts() {
        let parsed = file(twoContexts)
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        #expect(parsed.contexts.map(\.name) == ["prod", "staging"])
        #expect(parsed.defaultContext?.name == "prod")
        #expect(parsed.defaults[.theme]?.value == .text("dracula"))
        #expect(parsed.defaults[.pokes]?.value == .text("500,5000"))
        #expect(parsed.defaults[.staleAfter]?.line == 3)
        let prod = parsed.context(named: "prod")
        // Relative to the file's folder, and ~ is the home folder.
        #expect(prod?.values[.configPaths]?.value
            == .paths(["/etc/matrix-synapse/homeserver.yaml", "/home/op/.config/syntop/workers"]))
        #expect(prod?.values[.redisPasswordFile]?.value == .text("/home/op/secrets/prod-redis"))
        #expect(prod?.values[.userIP]?.value == .flag(true))
        let staging = parsed.context(named: "staging")
        #expect(staging?.values[.configPaths]?.value == .paths(["/srv/staging/homeserver.yaml"]))
        #expect(staging?.values[.theme]?.value == .text("/home/op/.config/syntop/themes/light.theme"))
    }

    @Test func aThemeNameIsNotAPath() {
        #expect(file("theme: nord").defaults[.theme]?.value == .text("nord"))
    }

    @Test func badKeysAndValuesAreReportedWithLineAndKeyAndIgnored() {
        let parsed = file("""
            stale_afer: 30
            behind: -3
            pokes: 10,5
            color_depth: 24bit
            contexts:
              prod:
                refresh: soon
                context: other
              "bad name": {}
              flat: 3
            """)
        let described = parsed.problems.map(\.description)
        #expect(described.count == 8, "\(described)")
        #expect(described[0] == "/home/op/.config/syntop/config.yaml:1: stale_afer: unknown key (ignored); did you mean stale_after?")
        #expect(described[1] == "/home/op/.config/syntop/config.yaml:2: behind: takes a whole number from 1 to 1000000000 "
            + "(ignored; 100 applies)")
        #expect(described[2].contains(":3: pokes: takes WARNING,CRITICAL with WARNING <= CRITICAL"))
        #expect(described[3].contains(":4: color_depth: takes one of mono, 8, 16, 256"))
        #expect(described[4].contains(":7: contexts.prod.refresh: takes seconds, above 0 and up to 1000000000 (ignored; 2 applies)"))
        #expect(described[5].contains(":8: contexts.prod.context: unknown key (ignored); the keys are theme, color_depth"))
        #expect(described[6].contains(":9: contexts: a context's name must be text without spaces"))
        #expect(described[7].contains(":10: contexts.flat: must be a mapping of settings (ignored)"))
        #expect(parsed.problems.allSatisfy { $0.severity == .warning })
        #expect(parsed.defaults.isEmpty)
        #expect(!parsed.ignored)
        #expect(parsed.contexts.map(\.name) == ["prod"])
    }

    @Test func aFileThatIsNotYAMLIsIgnoredWholeAndSaysWhere() {
        let parsed = file("theme: dracula\ncontexts:\n  prod: [unclosed\n")
        #expect(parsed.ignored)
        #expect(parsed.problems.count == 1)
        #expect(parsed.problems[0].severity == .critical)
        #expect(parsed.problems[0].line != nil)
        #expect(parsed.problems[0].message.hasPrefix("YAML:"))
        let list = file("- theme\n- dracula\n")
        #expect(list.ignored)
        #expect(list.problems.first?.message == "the top level must be a mapping of keys")
        #expect(!file("").ignored)
        #expect(file("").problems.isEmpty)
    }

    @Test func aDefaultContextThatIsNotThereIsReported() {
        let parsed = file("context: prod\ncontexts:\n  staging: {}\n")
        #expect(parsed.defaultContext == nil)
        #expect(parsed.problems.first?.description.contains(":1: context: no context 'prod' under contexts") == true)
    }

    @Test func aPasswordInTheFileIsAWarningAndTheValueStillApplies() {
        let parsed = file("""
            db: host=db password='s3cret' user=syntop
            contexts:
              prod:
                redis: redis://syntop:hunter2@redis:6379
            """)
        #expect(parsed.problems.count == 2)
        #expect(parsed.problems.allSatisfy { $0.message.contains("holds a password") })
        #expect(parsed.problems.allSatisfy { !$0.description.contains("s3cret") && !$0.description.contains("hunter2") })
        #expect(parsed.defaults[.db] != nil)
    }

    @Test func theFileIsWhereXDGSays() {
        #expect(SettingsFile.location(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/syntop/config.yaml")
        #expect(SettingsFile.location(environment: ["HOME": "/h"]) == "/h/.config/syntop/config.yaml")
        // The XDG spec ignores a relative XDG_CONFIG_HOME.
        #expect(SettingsFile.location(environment: ["XDG_CONFIG_HOME": "rel", "HOME": "/h"]) == "/h/.config/syntop/config.yaml")
        #expect(SettingsFile.location(environment: [:]) == nil)
    }

    @Test func nothingCrashesOnOddShapes() {
        for text in ["contexts: 3", "contexts:\n  a:\n    theme: [1, 2]", "? [a, b]\n: c", "theme: !!binary aGk=",
                     "context: [a]", "pokes: [1, 2, 3]", "config_paths: [a, {b: c}]", "listen: -1", "refresh: .nan",
                     "a: &x 1\nb: *x", "\u{FEFF}theme: x", "theme:\n", "contexts:\n  a:\n"] {
            _ = file(text)
        }
        #expect(file("listen: 0").defaults[.listen] == nil)
        #expect(file("statement_timeout: 9223372036854775807").defaults[.statementTimeout] == nil)
        #expect(file("pokes: 1e19,1e19").defaults[.pokes] == nil)
        #expect(file("listen: 1e16").defaults[.listen] == nil)
        #expect(file("refresh: .nan").defaults[.refresh] == nil)
        #expect(file("theme:\n").defaults[.theme] == nil)
        #expect(file("contexts:\n  a:\n").contexts.map(\.name) == ["a"])
    }
}

@Suite struct SettingsResolutionTests {
    @Test func commandLineThenContextThenFileThenDefault() throws {
        let settings = try resolve(file(twoContexts), [.staleAfter: .number(5)])
        #expect(settings.context == "prod")
        #expect(settings.contextChosenBy == "the file's context: key, line 5")
        #expect(settings.number(.staleAfter) == 5)
        #expect(settings.values[.staleAfter]?.origin == .commandLine)
        #expect(settings.text(.db) == "service=synapse-prod")
        #expect(settings.values[.db]?.origin == .context("prod", line: 9))
        #expect(settings.text(.theme) == "dracula")
        #expect(settings.values[.theme]?.origin == .file(line: 2))
        #expect(settings.number(.behind) == 100)
        #expect(settings.values[.behind]?.origin == .builtIn)
        #expect(settings.pair(.pokes)! == (500, 5000))
        #expect(settings.flag(.userIP))
        #expect(settings.text(.redis) == "redis://redis.prod.internal:6379")
        #expect(settings.originText(.db) == "context prod, config.yaml:9")
        #expect(settings.originText(.redis) == "context prod, config.yaml:10")
        #expect(settings.originText(.theme) == "config.yaml:2")
        #expect(settings.originText(.behind) == "default")
        #expect(settings.originText(.serverName) == "default: the Synapse config's, else $SYNTOP_SERVER_NAME")
    }

    @Test func askingForAContextWinsOverTheFilesChoice() throws {
        let settings = try resolve(file(twoContexts), context: "staging")
        #expect(settings.context == "staging")
        #expect(settings.contextChosenBy == "--context")
        #expect(settings.number(.staleAfter) == 120)
        #expect(settings.text(.redis) == nil)
        #expect(!settings.flag(.userIP))
        #expect(settings.contextNames == ["prod", "staging"])
    }

    @Test func anUnknownContextIsAnErrorThatListsTheOthers() {
        #expect(throws: SettingError("--context qa: no such context in /home/op/.config/syntop/config.yaml; it has prod, staging")) {
            try resolve(file(twoContexts), context: "qa")
        }
        #expect(throws: SettingError.self) { try resolve(nil, context: "qa") }
    }

    @Test func aBrokenFileGivesTheDefaultsButNoContextAskedFor() throws {
        let settings = try resolve(file("contexts: [\n"))
        #expect(settings.context == nil)
        #expect(settings.number(.staleAfter) == 60)
        #expect(settings.problems.count == 1)
        // Asked for by name, a context the file cannot give is an error, not the defaults.
        #expect(throws: SettingError.self) { try resolve(file("contexts: [\n"), context: "prod") }
    }

    @Test func theDeploymentComesWholeFromOneLayer() throws {
        let parsed = file("""
            db: service=top
            context: prod
            contexts:
              prod:
                db: service=prod
                redis: redis://prod:6379
              staging:
                server_name: staging.example
            """)
        // -c on the command line points at another deployment: nothing of the file's default
        // context (nor of its top level) goes with it.
        let pointed = try resolve(parsed, [.configPaths: .paths(["/srv/other/homeserver.yaml"])])
        #expect(pointed.paths(.configPaths) == ["/srv/other/homeserver.yaml"])
        #expect(pointed.text(.db) == nil && pointed.text(.redis) == nil)
        // A replay too.
        let replayed = try Settings.resolve(file: parsed, filePath: nil, commandLine: [:], commandLineNamesDeployment: true,
                                            request: nil)
        #expect(replayed.text(.db) == nil)
        // Asked for by name, the context is the deployment and the command line overrides it key by key.
        let overridden = try resolve(parsed, [.db: .text("service=other")], context: "prod")
        #expect(overridden.text(.db) == "service=other" && overridden.text(.redis) == "redis://prod:6379")
        // A context that names any deployment key gives all of them: the top level's db stays out.
        let staging = try resolve(parsed, context: "staging")
        #expect(staging.text(.serverName) == "staging.example" && staging.text(.db) == nil)
        // Without a context, the top level is the deployment.
        let top = try resolve(file("db: service=top\n"))
        #expect(top.text(.db) == "service=top")
    }

    @Test func aTypoOfContextsIsSuggested() {
        #expect(file("contxts: {}\n").problems.first?.message == "unknown key (ignored); did you mean contexts?")
    }

    @Test func withoutAFileEverythingIsDefault() throws {
        let settings = try resolve(nil)
        #expect(settings.context == nil)
        #expect(settings.number(.refresh) == 2)
        #expect(settings.flag(.color))
        #expect(settings.paths(.configPaths) == [])
        #expect(settings.text(.theme) == nil)
    }

    @Test func commandLineValuesAreCheckedAsTheFilesAre() throws {
        #expect(throws: SettingError("--pokes takes WARNING,CRITICAL with WARNING <= CRITICAL, e.g. 1000,10000")) {
            try SettingKey.pokes.value(commandLine: "9,1")
        }
        #expect(throws: SettingError("--color-depth takes one of mono, 8, 16, 256")) {
            try SettingKey.colorDepth.value(commandLine: "24")
        }
        #expect(try SettingKey.pokeAge.value(commandLine: "60, 120") == .text("60,120"))
        #expect(throws: SettingError.self) { try SettingKey.listen.value(commandLine: "0") }
    }
}

@Suite struct MaskedSecretTests {
    @Test func conninfoKeywords() {
        #expect(MaskedSecret.conninfo("host=db password=secret user=x") == "host=db password=<set> user=x")
        #expect(MaskedSecret.conninfo("password = 'se cr\\'et' dbname=s") == "password = <set> dbname=s")
        #expect(MaskedSecret.conninfo("host=db") == "host=db")
        #expect(MaskedSecret.conninfo("password=") == "password=<set>")
        #expect(MaskedSecret.conninfo("service=prod") == "service=prod")
    }

    @Test func aRedisPasswordWithoutAUserOrWithASlashIsMasked() {
        #expect(MaskedSecret.url("redis://hunter2@redis:6379") == "redis://<set>@redis:6379")
        #expect(MaskedSecret.url("redis://u:pa/ss@h") == "redis://u:<set>@h")
        #expect(MaskedSecret.url("redis://u:pa?ss@h:1/0") == "redis://u:<set>@h:1/0")
        #expect(MaskedSecret.shown(.text("redis://hunter2@h"), key: .redis) == "redis://<set>@h")
        #expect(file("redis: redis://hunter2@h\n").problems.first?.message.contains("holds a password") == true)
    }

    @Test func aConninfoIsAURIOnlyWhenItStartsAsOne() {
        #expect(MaskedSecret.conninfo("host=db password=ab://cd") == "host=db password=<set>")
        #expect(MaskedSecret.conninfo("sslpassword=key host=db") == "sslpassword=<set> host=db")
        #expect(MaskedSecret.conninfo("postgres://u@db/s?sslpassword=k") == "postgres://u@db/s?sslpassword=<set>")
    }

    @Test func uris() {
        #expect(MaskedSecret.conninfo("postgresql://syntop:pw@db:5432/synapse?sslmode=require&password=x")
            == "postgresql://syntop:<set>@db:5432/synapse?sslmode=require&password=<set>")
        #expect(MaskedSecret.url("redis://:p%40ss@redis:6379/0") == "redis://:<set>@redis:6379/0")
        #expect(MaskedSecret.url("redis://user:a@b@redis") == "redis://user:<set>@redis")
        #expect(MaskedSecret.url("redis://redis:6379") == "redis://redis:6379")
        #expect(MaskedSecret.url("unix:///run/redis.sock") == "unix:///run/redis.sock")
    }

    @Test func shownValuesNeverHoldThePassword() {
        #expect(MaskedSecret.shown(.text("redis://u:hunter2@h"), key: .redis) == "redis://u:<set>@h")
        #expect(MaskedSecret.shown(.text("password=hunter2"), key: .db) == "password=<set>")
        #expect(MaskedSecret.shown(.paths(["/a", "/b"]), key: .configPaths) == "/a, /b")
    }
}
