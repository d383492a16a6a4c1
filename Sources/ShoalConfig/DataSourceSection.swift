/// A data source together with the section of `data` it reads: `data.csv` for `csv`, `data.text`
/// for `text`, nothing more than `data.path` for `fashion_mnist`.
///
/// ```swift
/// let config = try RunConfig.load(path: "configs/char-gpt.yaml")
/// switch try config.data.sourceSection() {
/// case .fashionMNIST(let directory): print("IDX files in", directory)
/// case .csv(let csv): print("CSV file", csv.path)
/// case .text(let text): print("text from", text.path)
/// case .tokens(let tokens): print("token shards in", tokens.path)
/// }
/// ```
public enum DataSourceSection: Equatable, Sendable {
    case fashionMNIST(directory: String)
    case csv(CSVConfig)
    case text(TextConfig)
    case tokens(TokensConfig)
}

/// `data.source` names a source whose section is absent, e.g. `source: text` without `text:`.
public struct MissingDataSection: Error, Equatable, CustomStringConvertible {
    /// The missing key under `data`: `text` or `csv`.
    public let key: String
    /// What is wrong and the smallest section that would do, e.g. "missing required key 'text'
    /// for source: text, e.g. text: {path: /usr/share/games/fortunes}".
    public let reason: String

    public var description: String { "data.\(key): \(reason)" }
}

extension DataConfig {
    /// The source with the section it reads. This is the one check that a source has its section:
    /// the config reader refuses a file without it through this, and a config built in code
    /// (`config.data.source = .text`) meets the same check, with the same message, when its data
    /// is loaded.
    ///
    /// ```swift
    /// var data = DataConfig()
    /// data.source = .text
    /// try data.sourceSection()   // throws: data.text: missing required key 'text' for source: text, e.g. ...
    /// ```
    /// - Throws: ``MissingDataSection`` naming the key and an example section.
    public func sourceSection() throws(MissingDataSection) -> DataSourceSection {
        switch source {
        case .fashionMNIST: return .fashionMNIST(directory: path)
        case .csv:
            guard let csv else { throw source.missingSection }
            return .csv(csv)
        case .text:
            guard let text else { throw source.missingSection }
            return .text(text)
        case .tokens:
            guard let tokens else { throw source.missingSection }
            return .tokens(tokens)
        }
    }
}

extension DataConfig.Source {
    /// The key of the section this source reads under `data`, and the smallest such section as a
    /// YAML flow mapping; nil for a source that reads none. The example serves twice: in the
    /// message for a missing section, and as the section `shoal config reference` reads so that
    /// every key of every source is documented (ConfigReferenceTests fails for a source without
    /// one whose keys are then missing).
    var section: (key: String, example: String)? {
        switch self {
        case .fashionMNIST: nil
        case .csv: ("csv", "{path: data/x.csv, target: label}")
        case .text: ("text", "{path: /usr/share/games/fortunes}")
        case .tokens: ("tokens", "{path: data/fortunes-tokens}")
        }
    }

    fileprivate var missingSection: MissingDataSection {
        let key = section?.key ?? rawValue
        return MissingDataSection(
            key: key, reason: "missing required key '\(key)' for source: \(rawValue)" + (section.map { ", e.g. \($0.key): \($0.example)" } ?? ""))
    }
}
