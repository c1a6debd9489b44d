import Deployments
import ArgumentParser
import Foundation
import Settings

/// `--context`, which every command takes, and the reading of syntop's config file with it.
struct ContextOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A deployment named under contexts: in syntop's config file (else $SYNTOP_CONTEXT, else the file's context:).",
        valueName: "name"))
    var context: String?

    /// The context asked for on the command line or in the environment.
    var request: Settings.ContextRequest? {
        if let context { return Settings.ContextRequest(context, by: "--context") }
        if let name = ProcessInfo.processInfo.environment["SYNTOP_CONTEXT"], !name.isEmpty {
            return Settings.ContextRequest(name, by: "$SYNTOP_CONTEXT")
        }
        return nil
    }

    /// Every setting for a command: its options, then the context, the file and the defaults.
    /// `replaying`: a `--replay` is the deployment, and the file's default context is not.
    func settings(_ given: [SettingKey: SettingValue]..., replaying: Bool = false) throws -> Settings {
        try loadSettings(request: request, commandLine: given.reduce(into: [:]) { $0.merge($1) { _, new in new } },
                         commandLineNamesDeployment: replaying)
    }
}

func loadSettings(request: Settings.ContextRequest?, commandLine: [SettingKey: SettingValue],
                  commandLineNamesDeployment: Bool = false) throws -> Settings {
    let environment = ProcessInfo.processInfo.environment
    let path = SettingsFile.location(environment: environment)
    let file = path.flatMap { SettingsFile.load(path: $0, home: environment["HOME"]) }
    do {
        return try Settings.resolve(file: file, filePath: path, commandLine: commandLine,
                                    commandLineNamesDeployment: commandLineNamesDeployment, request: request)
    } catch {
        throw ValidationError(error.message)
    }
}

extension Settings {
    /// The JSON commands say what is wrong with the file on stderr, and go on.
    func reportProblems() {
        for problem in problems {
            FileHandle.standardError.write(Data("syntop: \(problem)\n".utf8))
        }
        if file?.ignored == true, let path = file?.path {
            FileHandle.standardError.write(Data("syntop: \(path) is not used; the defaults apply\n".utf8))
        }
    }
}

extension SettingKey {
    /// A command-line value, checked as the file's are.
    func given(_ text: String?) throws -> SettingValue? {
        guard let text else { return nil }
        do {
            return try value(commandLine: text)
        } catch {
            throw ValidationError(error.message)
        }
    }

    func given(_ number: (some Numeric & LosslessStringConvertible)?) throws -> SettingValue? {
        try given(number.map { String($0) })
    }
}
