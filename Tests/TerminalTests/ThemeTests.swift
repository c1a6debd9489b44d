import Foundation
import Testing
@testable import Terminal

@Suite struct ThemeParserTests {
    @Test func readsColoursAttributesAndBackgrounds() {
        let (theme, issues) = ThemeParser.parse("""
            # a comment
            header = bold underline #87d7ff
            selected = reverse white on 24   # trailing comment
            muted = 244
            ok = default on default
            """, name: "t", file: "t.theme")
        #expect(issues.isEmpty)
        #expect(theme.styles[.header] == ElementStyle(.rgb(0x87, 0xd7, 0xff), on: .terminalDefault,
                                                      [.bold, .underline]))
        #expect(theme.styles[.selected] == ElementStyle(.ansi(7), on: .indexed(24), .reverse))
        #expect(theme.styles[.muted] == ElementStyle(.indexed(244)))
        #expect(theme.styles[.ok] == ElementStyle())
    }

    @Test func reportsProblemsWithTheirLineAndFallsBack() {
        let (theme, issues) = ThemeParser.parse("""
            frame = #5f87af
            framez = red
            title = purple
            warn = red green
            crit = bold on
            no equals sign here
            """, name: "t", file: "bad.theme")
        #expect(issues.map(\.line) == [2, 3, 4, 5, 6])
        #expect(issues[0].description.hasPrefix("bad.theme:2: unknown element 'framez'"))
        #expect(issues[1].message.contains("bad value 'purple'"))
        #expect(theme.styles[.frame] == ElementStyle(.rgb(0x5f, 0x87, 0xaf)))
        #expect(theme.styles[.title] == nil)
        #expect(theme.style(.title) == Theme.builtinDefault.style(.title))
    }

    @Test func paletteIndicesBelowSixteenAreANSI() {
        #expect(ThemeParser.parseColour("9") == .ansi(9))
        #expect(ThemeParser.parseColour("bright-red") == .ansi(9))
        #expect(ThemeParser.parseColour("256") == nil)
        #expect(ThemeParser.parseColour("#12345") == nil)
    }
}

@Suite struct ColorMappingTests {
    @Test func rgbMapsToTheNearestCubeOrGreyEntry() {
        #expect(ColorMapping.nearest256(255, 0, 0) == 196)
        #expect(ColorMapping.nearest256(0x5f, 0x87, 0xaf) == 67)
        #expect(ColorMapping.nearest256(0x80, 0x80, 0x80) == 244)
        #expect(ColorMapping.nearest256(0, 0, 0) == 16)
    }

    @Test func rgbMapsToTheNearestANSIColourOnSixteenColours() {
        #expect(ColorMapping.index(of: .rgb(0xff, 0x5f, 0x5f), depth: .ansi16) == 9)
        #expect(ColorMapping.index(of: .rgb(0x30, 0x30, 0x30), depth: .ansi16) == 0)
        #expect(ColorMapping.index(of: .indexed(196), depth: .ansi16) == 9)
        #expect(ColorMapping.index(of: .indexed(196), depth: .ansi8) == 1)
    }

    @Test func brightColoursFoldOnEightColours() {
        #expect(ColorMapping.index(of: .ansi(12), depth: .ansi8) == 4)
        #expect(ColorMapping.index(of: .ansi(12), depth: .ansi16) == 12)
    }

    @Test func monoAndDefaultMeanNoColour() {
        #expect(ColorMapping.index(of: .rgb(1, 2, 3), depth: .mono) == -1)
        #expect(ColorMapping.index(of: .terminalDefault, depth: .palette256) == -1)
    }

    @Test func depthDetection() {
        #expect(ColorDepth.detect(colors: 256, noColor: nil) == .palette256)
        #expect(ColorDepth.detect(colors: 256, noColor: "1") == .mono)
        #expect(ColorDepth.detect(colors: 256, noColor: "") == .palette256)
        #expect(ColorDepth.detect(colors: 8, noColor: nil) == .ansi8)
        #expect(ColorDepth.detect(colors: 0, noColor: nil) == .mono)
    }
}

/// The bundled themes folder at the top of the repository.
let bundledThemes = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../themes").standardizedFileURL.path

@Suite struct BundledThemeTests {
    @Test(arguments: ["default", "ansi16", "light", "mono"])
    func bundledThemeParsesCleanlyAndSetsEveryElement(name: String) throws {
        let (theme, issues) = ThemeCatalog.load(path: "\(bundledThemes)/\(name).theme", name: name)
        #expect(issues.isEmpty, "\(issues)")
        let parsed = try #require(theme)
        #expect(Set(parsed.styles.keys) == Set(ThemeElement.allCases))
    }

    @Test func defaultFileMatchesTheBuiltInFallback() {
        let (theme, _) = ThemeCatalog.load(path: "\(bundledThemes)/default.theme", name: "default")
        #expect(theme == Theme.builtinDefault)
    }

    @Test func monoFileMatchesTheBuiltInMonoAndUsesNoColour() {
        let (theme, _) = ThemeCatalog.load(path: "\(bundledThemes)/mono.theme", name: "mono")
        #expect(theme == Theme.builtinMono)
        #expect(theme?.usesColour == false)
    }

    @Test func ansi16UsesOnlyPaletteColours() throws {
        let (theme, _) = ThemeCatalog.load(path: "\(bundledThemes)/ansi16.theme", name: "ansi16")
        for style in try #require(theme).styles.values {
            for colour in [style.foreground, style.background] {
                switch colour {
                case .terminalDefault, .ansi: break
                default: Issue.record("ansi16 uses \(colour)")
                }
            }
        }
    }
}

@Suite struct ThemeCatalogTests {
    func scratchDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "syntop-themes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aUserThemeHidesTheBundledOneOfTheSameName() throws {
        let user = try scratchDirectory()
        try "title = bold red\n".write(toFile: user + "/default.theme", atomically: true, encoding: .utf8)
        let catalog = ThemeCatalog(userDirectory: user, bundledDirectory: bundledThemes)
        let choice = catalog.choose(nil)
        #expect(choice.source == user + "/default.theme")
        #expect(choice.theme.style(.title) == ElementStyle(.ansi(1), on: .terminalDefault, .bold))
        #expect(catalog.files().map(\.name) == ["ansi16", "default", "light", "mono"])
    }

    @Test func aPathIsLoadedAsGiven() {
        let catalog = ThemeCatalog(userDirectory: nil, bundledDirectory: nil)
        let choice = catalog.choose(bundledThemes + "/light.theme")
        #expect(choice.theme.name == "light")
        #expect(choice.issues.isEmpty)
    }

    @Test func anUnknownNameFallsBackWithANotice() {
        let catalog = ThemeCatalog(userDirectory: nil, bundledDirectory: bundledThemes)
        let choice = catalog.choose("solarized")
        #expect(choice.theme == Theme.builtinDefault)
        #expect(choice.notice == "no theme named 'solarized'; using the built-in default")
    }

    @Test func anUnreadableFileFallsBackWithANotice() {
        let catalog = ThemeCatalog(userDirectory: nil, bundledDirectory: nil)
        let choice = catalog.choose("/nonexistent/x.theme")
        #expect(choice.source == "built-in")
        #expect(choice.issues.first?.message == "cannot be read")
        #expect(choice.notice?.contains("using the built-in default") == true)
    }

    @Test func aThemeWithProblemsIsUsedAndReported() throws {
        let user = try scratchDirectory()
        try "title = bold\nbogus = red\n".write(toFile: user + "/mine.theme", atomically: true,
                                                 encoding: .utf8)
        let choice = ThemeCatalog(userDirectory: user, bundledDirectory: nil).choose("mine")
        #expect(choice.theme.style(.title).attributes == .bold)
        #expect(choice.issues.count == 1)
        #expect(choice.notice == "theme mine: 1 problem(s), see 'syntop themes'")
    }

    @Test func userDirectoryFollowsXDG() {
        #expect(ThemeCatalog.userDirectory(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"])
                == "/x/syntop/themes")
        #expect(ThemeCatalog.userDirectory(environment: ["HOME": "/h"]) == "/h/.config/syntop/themes")
    }
}
