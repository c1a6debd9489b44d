// swift-tools-version:6.0
// Benchmark harnesses, kept out of the main package; scripts/bench-ingest builds and runs them.
import Foundation
import PackageDescription

// A path dependency is named after its folder, which is whatever the checkout is called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "syntop-bench",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "ParseBench",
            dependencies: [.product(name: "Wire", package: root.lastPathComponent)]),
        .executableTarget(
            name: "FrameBench",
            dependencies: [.product(name: "Console", package: root.lastPathComponent),
                           .product(name: "Config", package: root.lastPathComponent),
                           .product(name: "Terminal", package: root.lastPathComponent),
                           .product(name: "Wire", package: root.lastPathComponent)]),
        .executableTarget(
            name: "StoreBench",
            dependencies: [.product(name: "Store", package: root.lastPathComponent),
                           .product(name: "Postgres", package: root.lastPathComponent),
                           .product(name: "EventLoop", package: root.lastPathComponent)]),
    ],
    swiftLanguageModes: [.v6]
)
