import Foundation
import ShoalNN
import Testing

@testable import ShoalConfig

/// The config reference is made from the reader, documents every key, and docs/CONFIG.md is it.
@Suite("Config reference")
struct ConfigReferenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("every key the reader knows has a meaning")
    func everyKeyIsDocumented() {
        let keys = ConfigReference.keys
        #expect(keys.count > 40)
        for key in keys { #expect(!key.doc.trimmingCharacters(in: .whitespaces).isEmpty, "\(key.path) has no meaning") }
        #expect(Set(keys.map(\.path)).count == keys.count)
    }

    @Test("every key a resolved config has is in the reference")
    func everyRenderedKeyIsInTheReference() throws {
        var config = RunConfig.default
        config.data.csv = CSVConfig(path: "x.csv", target: .name("label"))
        config.data.classNames = ["a", "b"]
        let documented = Set(ConfigReference.keys.map(\.path))
        for (path, _) in config.tree.flattened() {
            let general = path.replacingOccurrences(of: #"\[\d+\]"#, with: "[]", options: .regularExpression)
            // Items of a documented list (model.input[0], a layer's arguments) are documented with it.
            if general.hasPrefix("model.layers[]") || (general.hasSuffix("[]") && documented.contains(String(general.dropLast(2)))) { continue }
            #expect(documented.contains(general), "\(general) is rendered but not in the reference: document its read")
        }
    }

    @Test("every layer kind and argument has a meaning")
    func everyLayerIsDocumented() {
        for syntax in LayerRegistry.syntaxes {
            #expect(!syntax.summary.isEmpty, "\(syntax.name)")
            for argument in syntax.arguments { #expect(!argument.doc.isEmpty, "\(syntax.name).\(argument.name)") }
            #expect(ConfigReference.markdown().contains("### `\(syntax.name)`"))
        }
    }

    @Test("docs/CONFIG.md is the current reference (regenerate: shoal config reference > docs/CONFIG.md)")
    func theFileIsCurrent() throws {
        let file = try String(contentsOf: Self.root.appendingPathComponent("docs/CONFIG.md"), encoding: .utf8)
        #expect(file == ConfigReference.markdown())
    }
}
