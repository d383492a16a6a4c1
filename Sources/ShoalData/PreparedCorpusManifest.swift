import ShoalFormats

/// The `manifest.json` of a prepared corpus: what `shoal data prepare` made, from which
/// tokenizer, and every shard with its token count, the UTF-8 bytes of text its tokens decode
/// to (for bits per byte), and its SHA-256.
///
/// ```json
/// {
///   "format": "shoal-token-shards",
///   "version": 1,
///   "tokenizer": {"file": "tokenizer.json", "sha256": "9c2e…", "vocabulary_size": 50257, "end_of_text": 50256},
///   "token_bytes": 2,
///   "separator": "\n%\n",
///   "validation_fraction": 0.01,
///   "documents": {"train": 18791, "val": 190},
///   "shards": [
///     {"file": "val_000000.bin", "split": "val", "tokens": 9913, "text_bytes": 30788, "sha256": "…"},
///     {"file": "train_000000.bin", "split": "train", "tokens": 100000000, "text_bytes": 412771234, "sha256": "…"}
///   ]
/// }
/// ```
///
/// `separator` is null when every file is one document. The training run's start agreement
/// hashes these bytes (``PreparedCorpus/manifestHash``), which name every shard's hash.
///
/// ```swift
/// let path = "prepared/manifest.json"
/// let manifest = try PreparedCorpusManifest(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
/// manifest.shards.filter { $0.split == .train }.count     // 3
/// ```
public struct PreparedCorpusManifest: Equatable, Sendable {
    /// One shard file of the directory.
    public struct Shard: Equatable, Sendable {
        public var file: String
        public var split: Split
        public var tokens: Int
        /// The UTF-8 bytes of document text that the shard's tokens decode to (special tokens
        /// count none).
        public var textBytes: Int
        public var sha256: String

        public init(file: String, split: Split, tokens: Int, textBytes: Int, sha256: String) {
            self.file = file
            self.split = split
            self.tokens = tokens
            self.textBytes = textBytes
            self.sha256 = sha256
        }
    }

    /// A shard's split, named as in the file names (llm.c's `val`).
    public enum Split: String, Sendable {
        case train, val
    }

    public static let format = "shoal-token-shards"
    public static let version = 1
    /// The tokenizer's file name inside the directory.
    public static let tokenizerFile = "tokenizer.json"

    public var tokenizerSHA256: String
    public var vocabularySize: Int
    public var endOfText: Int32
    /// 2 or 4: every shard's token width.
    public var tokenBytes: Int
    /// What documents were split on, or nil for one document per file.
    public var separator: String?
    public var validationFraction: Double
    public var trainDocuments: Int
    public var validationDocuments: Int
    /// Validation shards first, then training shards, each in index order.
    public var shards: [Shard]

    public init(tokenizerSHA256: String, vocabularySize: Int, endOfText: Int32, tokenBytes: Int, separator: String?,
                validationFraction: Double, trainDocuments: Int, validationDocuments: Int, shards: [Shard]) {
        self.tokenizerSHA256 = tokenizerSHA256
        self.vocabularySize = vocabularySize
        self.endOfText = endOfText
        self.tokenBytes = tokenBytes
        self.separator = separator
        self.validationFraction = validationFraction
        self.trainDocuments = trainDocuments
        self.validationDocuments = validationDocuments
        self.shards = shards
    }

    /// The manifest as written: JSON with one shard a line, so that a diff of two manifests
    /// reads shard by shard. The same manifest always gives the same bytes.
    public var bytes: [UInt8] {
        func object(_ members: [(String, StrictJSON)]) -> StrictJSON { .object(members.map { (key: $0.0, value: $0.1) }) }
        let top: [(String, StrictJSON)] = [
            ("format", .string(Self.format)),
            ("version", StrictJSON(Self.version)),
            ("tokenizer", object([("file", .string(Self.tokenizerFile)), ("sha256", .string(tokenizerSHA256)),
                                  ("vocabulary_size", StrictJSON(vocabularySize)), ("end_of_text", StrictJSON(Int(endOfText)))])),
            ("token_bytes", StrictJSON(tokenBytes)),
            ("separator", separator.map { .string($0) } ?? .null),
            ("validation_fraction", .number(validationFraction.description)),
            ("documents", object([("train", StrictJSON(trainDocuments)), ("val", StrictJSON(validationDocuments))])),
        ]
        let shardLines = shards.map { shard in
            "    " + object([("file", .string(shard.file)), ("split", .string(shard.split.rawValue)), ("tokens", StrictJSON(shard.tokens)),
                             ("text_bytes", StrictJSON(shard.textBytes)), ("sha256", .string(shard.sha256))]).serialized
        }
        let text = "{\n" + top.map { "  \(jsonStringLiteral($0.0)): \($0.1.serialized),\n" }.joined()
            + "  \"shards\": [\n" + shardLines.joined(separator: ",\n") + "\n  ]\n}\n"
        return Array(text.utf8)
    }

    /// Reads a manifest's bytes, checking every field; `file` is named in errors.
    ///
    /// - Throws: ``DataError/badManifest(file:reason:)`` naming the first field that is
    ///   missing or wrong.
    public init(bytes: [UInt8], file: String) throws(DataError) {
        func bad(_ reason: String) -> DataError { .badManifest(file: file, reason: reason) }
        let json: StrictJSON
        do { json = try StrictJSON.parse(bytes) } catch { throw bad("not valid JSON: \(error)") }
        func field(_ value: StrictJSON?, _ name: String) throws(DataError) -> StrictJSON {
            guard let value else { throw bad("\(name) is missing") }
            return value
        }
        func integer(_ value: StrictJSON?, _ name: String, atLeast least: Int = 0) throws(DataError) -> Int {
            guard let n = try field(value, name).integer, n >= least else { throw bad("\(name) is not an integer ≥ \(least)") }
            return n
        }
        func text(_ value: StrictJSON?, _ name: String) throws(DataError) -> String {
            guard case .string(let s) = try field(value, name) else { throw bad("\(name) is not a string") }
            return s
        }
        guard try text(json["format"], "format") == Self.format else {
            throw bad("format is not \"\(Self.format)\": this is not a Shoal prepared corpus")
        }
        let version = try integer(json["version"], "version")
        guard version == Self.version else { throw bad("version \(version) is not one this Shoal reads (\(Self.version))") }
        let tokenizer = try field(json["tokenizer"], "tokenizer")
        guard try text(tokenizer["file"], "tokenizer.file") == Self.tokenizerFile else {
            throw bad("tokenizer.file is not \"\(Self.tokenizerFile)\"")
        }
        tokenizerSHA256 = try text(tokenizer["sha256"], "tokenizer.sha256")
        vocabularySize = try integer(tokenizer["vocabulary_size"], "tokenizer.vocabulary_size", atLeast: 1)
        guard let endOfText = Int32(exactly: try integer(tokenizer["end_of_text"], "tokenizer.end_of_text")), Int(endOfText) < vocabularySize else {
            throw bad("tokenizer.end_of_text is not an id of the vocabulary of \(vocabularySize)")
        }
        self.endOfText = endOfText
        tokenBytes = try integer(json["token_bytes"], "token_bytes")
        guard tokenBytes == TokenShard.tokenWidth(vocabularySize: vocabularySize) else {
            throw bad("token_bytes is \(tokenBytes), but a vocabulary of \(vocabularySize) takes "
                + "\(TokenShard.tokenWidth(vocabularySize: vocabularySize))-byte tokens")
        }
        switch try field(json["separator"], "separator") {
        case .null: separator = nil
        case .string(let s): separator = s
        default: throw bad("separator is neither a string nor null")
        }
        guard let fraction = try field(json["validation_fraction"], "validation_fraction").double, (0...1).contains(fraction) else {
            throw bad("validation_fraction is not a number in [0, 1]")
        }
        validationFraction = fraction
        let documents = try field(json["documents"], "documents")
        trainDocuments = try integer(documents["train"], "documents.train")
        validationDocuments = try integer(documents["val"], "documents.val")
        guard case .array(let entries) = try field(json["shards"], "shards") else { throw bad("shards is not an array") }
        var shards: [Shard] = []
        for (i, entry) in entries.enumerated() {
            let place = "shards[\(i)]"
            let name = try text(entry["file"], place + ".file")
            guard !name.contains("/"), !name.hasPrefix(".") else { throw bad("\(place).file \"\(name)\" is not a file name of the directory") }
            let splitName = try text(entry["split"], place + ".split")
            guard let split = Split(rawValue: splitName) else { throw bad("\(place).split is \"\(splitName)\", not \"train\" or \"val\"") }
            shards.append(Shard(file: name, split: split, tokens: try integer(entry["tokens"], place + ".tokens"),
                                textBytes: try integer(entry["text_bytes"], place + ".text_bytes"),
                                sha256: try text(entry["sha256"], place + ".sha256")))
        }
        self.shards = shards
    }
}
