import Foundation
import Testing

/// Package.swift says what the code imports: every Swift target's dependencies are exactly the
/// modules its files import (system and toolchain modules aside).
@Suite struct PackageManifestTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let toolchain: Set<String> = ["Foundation", "FoundationXML", "Glibc", "Darwin", "Dispatch", "Testing", "XCTest", "Synchronization"]
    /// Modules a package builds for its product without making them products: declaring the
    /// product declares them. (ShoalConfig reads libyaml's events to bound alias expansion.)
    static let insideProducts: [String: String] = ["CYaml": "Yams"]

    /// (target name, its directory, declared dependencies) for every Swift target in Package.swift.
    static func targets() throws -> [(name: String, directory: String, dependencies: Set<String>)] {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"\.(target|executableTarget|testTarget)\(name: "([^"]+)"(, dependencies: \[([^\]]*)\])?"#)
        let quoted = try NSRegularExpression(pattern: #""([^"]+)""#)
        let text = manifest as NSString
        return pattern.matches(in: manifest, range: NSRange(location: 0, length: text.length)).map { match in
            let kind = text.substring(with: match.range(at: 1)), name = text.substring(with: match.range(at: 2))
            let list = (match.range(at: 4).location == NSNotFound ? "" : text.substring(with: match.range(at: 4))) as NSString
            // "Name" entries and .product(name: "Module", package: "…") entries both name a module.
            let modules = list.replacingOccurrences(of: #"package: "[^"]+""#, with: "", options: .regularExpression, range: NSRange(location: 0, length: list.length)) as NSString
            let names = quoted.matches(in: modules as String, range: NSRange(location: 0, length: modules.length))
                .map { modules.substring(with: $0.range(at: 1)) }
            return (name, (kind == "testTarget" ? "Tests/" : "Sources/") + name, Set(names))
        }
    }

    static func imports(in directory: String) throws -> Set<String> {
        let url = root.appendingPathComponent(directory)
        var modules = Set<String>()
        for case let file as String in FileManager.default.enumerator(atPath: url.path) ?? FileManager.DirectoryEnumerator() where file.hasSuffix(".swift") {
            let text = try String(contentsOf: url.appendingPathComponent(file), encoding: .utf8)
            // Imports stand at the top of a file, before its first declaration.
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ").filter { $0 != "@testable" }
                if words.first?.hasPrefix("#") == true || words.first?.hasPrefix("//") == true { continue }
                guard words.first == "import", words.count == 2 else { break }
                let module = String(words[1].split(separator: ".")[0])
                if !toolchain.contains(module) && !module.hasPrefix("_") { modules.insert(module) }
            }
        }
        return modules
    }

    @Test func everySwiftTargetDependsOnExactlyWhatItImports() throws {
        let targets = try Self.targets()
        #expect(targets.count > 15)
        for target in targets {
            let imported = Set(try Self.imports(in: target.directory).map { Self.insideProducts[$0] ?? $0 })
            // C targets (MPIShim, ShoalKernels) import no Swift modules; their headers are checked by the compiler.
            if imported.isEmpty && target.dependencies.allSatisfy({ $0.hasPrefix("C") }) { continue }
            #expect(imported == target.dependencies, "\(target.name): imports \(imported.sorted()), declares \(target.dependencies.sorted())")
        }
    }
}
