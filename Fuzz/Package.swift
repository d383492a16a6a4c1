// swift-tools-version:6.0
// libFuzzer targets for Shoal's readers, built apart from the main package so that its build
// and tests never see the sanitizers. Run them with scripts/fuzz.sh.
import Foundation
import PackageDescription

// A path dependency is known by its directory's name, which depends on the checkout.
let shoal = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

func fuzzTarget(_ name: String) -> Target {
    .executableTarget(name: "Fuzz\(name)", dependencies: ["FuzzDriver", .product(name: "Shoal", package: shoal)], path: name)
}

let package = Package(
    name: "ShoalFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "..")],
    targets: [.target(name: "FuzzDriver", path: "Driver")] + ["SafeTensors", "Config", "Override", "IDX", "CSV"].map(fuzzTarget)
)
