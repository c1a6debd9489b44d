// swift-tools-version:6.0
// libFuzzer targets for syntop's parsers of untrusted bytes. Kept out of the main package so
// that `swift test` never builds them; scripts/fuzz builds and runs them.
import Foundation
import PackageDescription

// A path dependency is named after its folder, which is whatever the checkout is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let fuzzing: [SwiftSetting] = [.unsafeFlags(["-parse-as-library", "-sanitize=fuzzer,address"])]
let linking: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]

let package = Package(
    name: "syntop-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        // libFuzzer's driver, handed each target's entry point.
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "FuzzWire",
            dependencies: ["FuzzDriver", .product(name: "Wire", package: root.lastPathComponent)],
            swiftSettings: fuzzing, linkerSettings: linking),
        .executableTarget(
            name: "FuzzConfig",
            dependencies: ["FuzzDriver", .product(name: "Config", package: root.lastPathComponent),
                           .product(name: "Settings", package: root.lastPathComponent)],
            swiftSettings: fuzzing, linkerSettings: linking),
        .executableTarget(
            name: "FuzzRedis",
            dependencies: ["FuzzDriver", .product(name: "Redis", package: root.lastPathComponent)],
            swiftSettings: fuzzing, linkerSettings: linking),
        .executableTarget(
            name: "FuzzMetrics",
            dependencies: ["FuzzDriver", .product(name: "Metrics", package: root.lastPathComponent)],
            swiftSettings: fuzzing, linkerSettings: linking),
    ],
    swiftLanguageModes: [.v6]
)
