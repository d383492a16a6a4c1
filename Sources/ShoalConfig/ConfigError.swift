/// A config that cannot be used, with where and why: the file, the line, the key path and the
/// reason, in the form compilers use so editors can jump to it.
///
/// ```swift
/// do {
///     _ = try RunConfig.load(path: "configs/x.yaml")
/// } catch let error as ConfigError {
///     print(error)   // configs/x.yaml:12: optimizer.lr: must be > 0, got -0.1
/// }
/// ```
///
/// A value that came from a `--set` override names the override instead of a line:
/// `configs/x.yaml (--set optimizer.lr=-1): optimizer.lr: must be > 0, got -1`.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The class of mistake, for callers that react to it.
    public enum Kind: Equatable, Sendable {
        /// The file cannot be read.
        case unreadable
        /// The text is not valid YAML.
        case syntax
        /// A key the schema does not have.
        case unknownKey
        /// A value of the wrong kind (text where a number belongs, a list where a mapping does).
        case wrongType
        /// A value of the right kind outside its allowed range or set.
        case invalidValue
        /// A key that must be given is absent.
        case missingKey
        /// A `--set` argument that is malformed or does not lead to a key.
        case badOverride
        /// The text exceeds a bound of ``ConfigLimits``: file size, or nodes once aliases expand.
        case tooLarge
    }

    public let kind: Kind
    /// The config file (or `<default>`, `<string>`); empty for a `--set` whose own text is wrong.
    public let file: String
    /// 1-based line in `file`, when the value has one.
    public let line: Int?
    /// The key path of the offending value, e.g. `model.layers[3].conv2d.kernel`; empty for the file.
    public let keyPath: String
    /// The `--set` argument the value came from, if any.
    public let override: String?
    /// What is wrong and, where possible, what would be right.
    public let reason: String

    public init(kind: Kind, file: String, line: Int?, keyPath: String, reason: String, override: String? = nil) {
        self.kind = kind
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.reason = reason
        self.override = override
    }

    public var description: String {
        var s = file
        if let override { s += file.isEmpty ? "--set \(override)" : " (--set \(override))" } else if let line { s += ":\(line)" }
        s += ": "
        if !keyPath.isEmpty { s += keyPath + ": " }
        return s + reason
    }
}
