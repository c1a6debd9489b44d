// swift-tools-version:6.0
// libFuzzer targets for syntop's parsers of untrusted bytes. Kept out of the main package so
// that `swift test` never builds them; scripts/fuzz-wire builds and runs them.
import Foundation
import PackageDescription

// A path dependency is named after its folder, which is whatever the checkout is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "syntop-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzWire",
            dependencies: [.product(name: "Wire", package: root.lastPathComponent)],
            swiftSettings: [.unsafeFlags(["-parse-as-library", "-sanitize=fuzzer,address"])],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])]),
    ],
    swiftLanguageModes: [.v6]
)
