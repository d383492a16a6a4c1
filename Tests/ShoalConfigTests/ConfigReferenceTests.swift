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

    @Test("every key a resolved config has is in the reference, for every data source")
    func everyRenderedKeyIsInTheReference() throws {
        let documented = Set(ConfigReference.keys.map(\.path))
        for source in DataConfig.Source.allCases {
            var config = RunConfig.default
            config.data.source = source
            switch source {
            case .fashionMNIST: break
            case .csv: config.data.csv = CSVConfig(path: "x.csv", target: .name("label"))
            case .text: config.data.text = TextConfig(path: "corpus.txt")
            case .tokens: config.data.tokens = TokensConfig(path: "prepared")
            }
            config.data.classNames = ["a", "b"]
            config.model.initializerRules = [InitializerRule(match: "*.weight", initializer: .glorotUniform)]
            for (path, _) in config.tree.flattened() {
                let general = path.replacingOccurrences(of: #"\[\d+\]"#, with: "[]", options: .regularExpression)
                // Items of a documented list (model.input[0], a layer's arguments) are documented with it.
                if general.hasPrefix("model.layers[]") || (general.hasSuffix("[]") && documented.contains(String(general.dropLast(2)))) { continue }
                #expect(documented.contains(general), "source \(source.rawValue): \(general) is rendered but not in the reference: document its read")
            }
        }
    }

    /// The reference once documented only the keys read on the default and CSV paths, so
    /// data.text.path and data.text.eval_windows were missing. Each source is read here on its
    /// own, with the section it needs, and every key the reader looks up must be documented.
    @Test("every key the reader looks up, for every value of data.source, is in the reference")
    func everyKeyOfEverySourceIsInTheReference() throws {
        let documented = ConfigReference.keys.map(\.path)
        #expect(documented.contains("data.text.path") && documented.contains("data.text.eval_windows"))
        for source in DataConfig.Source.allCases {
            // A source that needs a section and declares no example cannot be read here: say so.
            let overrides = ["data.source=\(source.rawValue)"] + (source.section.map { ["data.\($0.key)=\($0.example)"] } ?? [])
            let recorder: ConfigRecorder
            do {
                recorder = try ConfigReference.record([overrides])
            } catch {
                Issue.record("source \(source.rawValue) does not read with \(overrides): \(error); give it DataConfig.Source.section")
                continue
            }
            // A section (data, training.early_stopping) is documented by its keys.
            let undocumented = recorder.asked.filter { path in !documented.contains { $0 == path || $0.hasPrefix(path + ".") } }
            #expect(undocumented.isEmpty, "source \(source.rawValue): read but not in the reference: \(undocumented)")
            if let section = source.section {
                let keys = recorder.asked.filter { $0.hasPrefix("data.\(section.key).") }
                #expect(!keys.isEmpty, "source \(source.rawValue) read no key of data.\(section.key)")
                // Its keys follow their section in the reference, as the reader reads them.
                let at = try #require(documented.firstIndex(of: "data.\(section.key)"))
                #expect(Array(documented[(at + 1)...].prefix(keys.count)) == keys)
            }
        }
    }

    @Test("a source without its section is refused with one message, by the reader and in code")
    func aMissingSectionIsOneMessage() throws {
        var data = DataConfig()
        data.source = .text
        #expect(throws: MissingDataSection(key: "text", reason: "missing required key 'text' for source: text, e.g. text: {path: /usr/share/games/fortunes}")) {
            try data.sourceSection()
        }
        data.source = .csv
        #expect((try? data.sourceSection()) == nil)
        data.csv = CSVConfig(path: "x.csv", target: .index(-1))
        #expect(try data.sourceSection() == .csv(CSVConfig(path: "x.csv", target: .index(-1))))
        #expect(try DataConfig().sourceSection() == .fashionMNIST(directory: "/usr/share/datasets/fashion-mnist"))
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
