import Foundation
import Testing

/// The examples in doc comments compile: `Examples.swift` holds every ```` ```swift ```` block of
/// the library modules' `///` comments, each wrapped in a function that is never called (some
/// would need data or MPI), so building this target type-checks them. This test says when that
/// file no longer matches the comments, and rewrites it when `SHOAL_WRITE_EXAMPLES=1`.
///
/// ```sh
/// SHOAL_WRITE_EXAMPLES=1 swift test --filter DocumentationExampleTests   # regenerate
/// swift build --build-tests                                              # then compile them
/// ```
@Suite struct DocumentationExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let generatedPath = "Tests/DocumentationExampleTests/Examples.swift"
    static let regenerate = "SHOAL_WRITE_EXAMPLES=1 swift test --filter DocumentationExampleTests"

    /// One ```` ```swift ```` block: `lines` without their `///` prefix.
    struct Example {
        var module: String
        var file: String  // inside Sources/<module>/
        var index: Int    // 1, 2, … in its file
        var lines: [String]
        var line: Int     // of its opening fence, for error messages

        var functionName: String {
            let stem = file.hasSuffix(".swift") ? String(file.dropLast(6)) : file
            let name = "example_\(module)_\(stem)_\(index)"
            return String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
        }
        var isAsync: Bool { lines.contains { $0.range(of: #"\bawait\b"#, options: .regularExpression) != nil } }
    }

    /// The library targets: Package.swift's `.target(name:)` entries whose directory under
    /// Sources/ holds Swift files (not the C targets, not the executables `shoal` and
    /// `shoal-serve`, not the tests' own TestSupport under Tests/), sorted.
    static func libraryModules() throws -> [String] {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"\.target\(name: "([^"]+)""#)
        let text = manifest as NSString
        let names = pattern.matches(in: manifest, range: NSRange(location: 0, length: text.length)).map { text.substring(with: $0.range(at: 1)) }
        let sources = root.appendingPathComponent("Sources")
        return try names.filter { FileManager.default.fileExists(atPath: sources.appendingPathComponent($0).path) }
            .filter { try !swiftFiles(in: $0).isEmpty }.sorted()
    }

    /// The Swift files of Sources/<module>, as paths inside it, sorted.
    static func swiftFiles(in module: String) throws -> [String] {
        let directory = root.appendingPathComponent("Sources").appendingPathComponent(module).path
        let files = try FileManager.default.subpathsOfDirectory(atPath: directory)
        return files.filter { $0.hasSuffix(".swift") }.sorted()
    }

    /// Every ```` ```swift ```` block of `///` comments in the file, in order.
    static func examples(in text: String, module: String, file: String) throws -> [Example] {
        var examples: [Example] = []
        var open: Example?
        for (number, line) in text.components(separatedBy: "\n").enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard trimmed.hasPrefix("///") else {
                if let block = open { throw ExtractionError("Sources/\(module)/\(file):\(block.line): a ```swift block is not closed before its doc comment ends") }
                continue
            }
            var content = trimmed.dropFirst(3)
            if content.first == " " { content = content.dropFirst() }
            let fence = content.trimmingCharacters(in: .whitespaces)
            if var block = open {
                if fence == "```" {
                    examples.append(block)
                    open = nil
                } else {
                    block.lines.append(String(content))
                    open = block
                }
            } else if fence == "```swift" {
                open = Example(module: module, file: file, index: examples.count + 1, lines: [], line: number + 1)
            }
        }
        if let block = open { throw ExtractionError("Sources/\(module)/\(file):\(block.line): a ```swift block is not closed") }
        return examples
    }

    /// Every example of every library module: modules sorted, files sorted, blocks in order.
    static func allExamples() throws -> (modules: [String], examples: [Example]) {
        let modules = try libraryModules()
        var examples: [Example] = []
        for module in modules {
            for file in try swiftFiles(in: module) {
                let url = root.appendingPathComponent("Sources").appendingPathComponent(module).appendingPathComponent(file)
                examples += try Self.examples(in: String(contentsOf: url, encoding: .utf8), module: module, file: file)
            }
        }
        return (modules, examples)
    }

    /// The text of Examples.swift for these examples.
    static func render(modules: [String], examples: [Example]) -> String {
        var out = """
        // GENERATED from the ```swift blocks of the doc comments under Sources/ (library modules):
        // do not edit. Regenerate with \(regenerate)
        // Each example is a function that is never called: compiling this file is the check.


        """
        for module in modules { out += "@testable import \(module)\n" }
        out += "import Foundation\n"
        for example in examples {
            out += "\n// Sources/\(example.module)/\(example.file)\n"
            out += "func \(example.functionName)() \(example.isAsync ? "async throws" : "throws") {\n"
            for line in example.lines { out += line.isEmpty ? "\n" : "    \(line)\n" }
            out += "}\n"
        }
        return out
    }

    struct ExtractionError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func examplesFileMatchesTheDocComments() throws {
        let (modules, examples) = try Self.allExamples()
        #expect(examples.count > 100)
        let names = examples.map(\.functionName)
        #expect(Set(names).count == names.count, "two examples have the same function name")
        let expected = Self.render(modules: modules, examples: examples)
        let url = Self.root.appendingPathComponent(Self.generatedPath)
        if ProcessInfo.processInfo.environment["SHOAL_WRITE_EXAMPLES"] == "1" {
            try expected.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let current = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        if current != expected {
            let have = current.components(separatedBy: "\n"), want = expected.components(separatedBy: "\n")
            let first = (0..<min(have.count, want.count)).first { have[$0] != want[$0] } ?? min(have.count, want.count)
            let shown = first < want.count ? want[first] : "(end of file)"
            Issue.record("""
                \(Self.generatedPath) is out of date with the doc comments under Sources/ \
                (line \(first + 1) should be: \(shown)). Regenerate it: \(Self.regenerate) \
                (if the stale file no longer compiles, empty it first), then build the tests to compile the examples.
                """)
        }
    }
}
