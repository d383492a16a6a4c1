import Foundation
import ShoalFormats

/// A tokenized corpus ready for training: a directory of token shards in llm.c's format
/// (``TokenShard``), memory-mapped, with the tokenizer that made them.
///
/// Two kinds of directory are read:
///
/// - What `shoal data prepare` writes: `manifest.json` (``PreparedCorpusManifest``),
///   `tokenizer.json` and the shards it lists. Opening checks the tokenizer's SHA-256 and
///   every shard's token count and width against the manifest; ``manifestHash`` is the
///   SHA-256 of `manifest.json`'s bytes, which name every shard's SHA-256.
/// - llm.c's own shards, as its `dev/data` scripts write them, with no manifest: every
///   `.bin` file whose name, split at underscores, has a part `train` or `val`
///   (`fineweb_train_000001.bin`, `tinyshakespeare_val.bin`, `val_000000.bin`), in name order. Their
///   tokenizer is not named by the files, so `tokenizer` must be given. ``manifestHash`` is then
///   the SHA-256 of one line per shard, `NAME BYTES TOKEN_WIDTH TOKENS\n`, in name order: it
///   changes when a shard is added, removed, renamed or resized, not when tokens change in place.
///
/// Opening reads headers only, never gigabytes: ``validateTokens()`` scans every token against
/// the vocabulary (at memory speed; the trainer calls it once at setup), and ``verify()`` also
/// hashes every shard against the manifest (`shoal data verify`).
///
/// ```swift
/// let corpus = try PreparedCorpus(directory: "data/fortunes-gpt2")
/// corpus.train.count                  // 3 shards
/// corpus.vocabularySize               // 50257
/// try corpus.validateTokens()
/// let llmc = try PreparedCorpus(directory: "dev/data/fineweb10B", tokenizer: "gpt2")
/// ```
public struct PreparedCorpus: Sendable {
    public let directory: String
    /// What the start agreement of a training run compares (hex): see above.
    public let manifestHash: String
    /// The manifest, or nil for a directory of llm.c's shards.
    public let manifest: PreparedCorpusManifest?
    public let train: [TokenShard]
    public let validation: [TokenShard]
    public let tokenizer: BytePairEncoder
    /// `DIRECTORY/tokenizer.json`, or the tokenizer given for llm.c's shards.
    public let tokenizerPath: String
    public var vocabularySize: Int { tokenizer.vocabularySize }
    /// The UTF-8 bytes of text of each split's documents (for bits per byte), from the
    /// manifest; nil for llm.c's shards, which do not record it.
    public var trainTextBytes: Int? { textBytes(.train) }
    public var validationTextBytes: Int? { textBytes(.val) }

    public static let manifestFile = "manifest.json"

    /// Opens `directory`, of either kind above.
    ///
    /// - Parameter tokenizer: for llm.c's shards, the tokenizer as ``BytePairEncoder/init(path:)``
    ///   takes it; must be nil for a directory with a manifest, which names its own.
    /// - Throws: ``DataError/badManifest(file:reason:)`` (a manifest field, a shard that
    ///   disagrees with it, a missing tokenizer, a width too narrow for the vocabulary, no
    ///   training tokens), ``TokenShardError`` or ``TokenizerError``, each naming the file.
    public init(directory: String, tokenizer: String? = nil) throws {
        self.directory = directory
        let manifestPath = directory + "/" + Self.manifestFile
        if fileExists(manifestPath) {
            let bytes = try readTextFile(manifestPath)
            let manifest = try PreparedCorpusManifest(bytes: bytes, file: manifestPath)
            guard tokenizer == nil else {
                throw DataError.badManifest(file: manifestPath, reason: "the manifest names the corpus's own tokenizer "
                    + "(\(PreparedCorpusManifest.tokenizerFile)); give no other")
            }
            tokenizerPath = directory + "/" + PreparedCorpusManifest.tokenizerFile
            let tokenizerSHA256 = try sha256Hex(ofFileAt: URL(fileURLWithPath: tokenizerPath))
            guard tokenizerSHA256 == manifest.tokenizerSHA256 else {
                throw DataError.badManifest(file: tokenizerPath, reason: "its SHA-256 is \(tokenizerSHA256), "
                    + "the manifest says \(manifest.tokenizerSHA256): the tokenizer changed after the corpus was prepared")
            }
            self.tokenizer = try BytePairEncoder(tokenizerFile: tokenizerPath)
            guard self.tokenizer.vocabularySize == manifest.vocabularySize else {
                throw DataError.badManifest(file: tokenizerPath, reason: "it has \(self.tokenizer.vocabularySize) tokens, "
                    + "the manifest says \(manifest.vocabularySize)")
            }
            var opened: [PreparedCorpusManifest.Split: [TokenShard]] = [:]
            for entry in manifest.shards {
                let shard = try TokenShard(path: directory + "/" + entry.file)
                guard shard.count == entry.tokens, shard.tokenWidth == manifest.tokenBytes else {
                    throw DataError.badManifest(file: shard.path, reason: "it holds \(shard.count) tokens of \(shard.tokenWidth) bytes, "
                        + "the manifest says \(entry.tokens) of \(manifest.tokenBytes)")
                }
                opened[entry.split, default: []].append(shard)
            }
            guard Set(manifest.shards.map(\.file)).count == manifest.shards.count else {
                throw DataError.badManifest(file: manifestPath, reason: "a shard is listed twice")
            }
            self.manifest = manifest
            manifestHash = bytes.withUnsafeBytes { sha256Hex(of: $0) }
            train = opened[.train] ?? []
            validation = opened[.val] ?? []
        } else {
            let names = try Self.llmcShardNames(in: directory)
            guard let tokenizer else {
                throw DataError.badManifest(file: directory, reason: "no \(Self.manifestFile): llm.c's shards do not say which "
                    + "tokenizer made them; give the tokenizer")
            }
            tokenizerPath = tokenizer
            self.tokenizer = try BytePairEncoder(path: tokenizer)
            var listing = ""
            var train: [TokenShard] = [], validation: [TokenShard] = []
            for name in names {
                let shard = try TokenShard(path: directory + "/" + name)
                guard shard.tokenWidth >= TokenShard.tokenWidth(vocabularySize: self.tokenizer.vocabularySize) else {
                    throw DataError.badManifest(file: shard.path, reason: "its \(shard.tokenWidth)-byte tokens cannot hold the "
                        + "\(self.tokenizer.vocabularySize) ids of \(tokenizer): the shards were made with another tokenizer")
                }
                if let first = (train + validation).first, first.tokenWidth != shard.tokenWidth {
                    throw DataError.badManifest(file: shard.path, reason: "it holds \(shard.tokenWidth)-byte tokens, "
                        + "\(first.path) \(first.tokenWidth)-byte ones: the shards are not of one corpus")
                }
                listing += "\(name) \(TokenShard.headerBytes + shard.count * shard.tokenWidth) \(shard.tokenWidth) \(shard.count)\n"
                if name.split(separator: "_").contains("val") { validation.append(shard) } else { train.append(shard) }
            }
            manifest = nil
            manifestHash = sha256Hex(of: Data(listing.utf8))
            self.train = train
            self.validation = validation
        }
        guard train.contains(where: { $0.count > 0 }) else {
            throw DataError.badManifest(file: directory, reason: "the corpus has no training tokens")
        }
    }

    /// The `.bin` files of `directory` whose names have `train` or `val` between underscores
    /// (or at the start), sorted.
    private static func llmcShardNames(in directory: String) throws(DataError) -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw .unreadable(file: directory, reason: "cannot list the directory: \(error.localizedDescription)")
        }
        let shards = names.filter { name in
            guard name.hasSuffix(".bin"), !name.hasPrefix(".") else { return false }
            let parts = name.dropLast(4).split(separator: "_", omittingEmptySubsequences: false)
            return parts.contains("train") || parts.contains("val")
        }.sorted()
        guard !shards.isEmpty else {
            throw .badManifest(file: directory, reason: "neither a \(manifestFile) nor llm.c's shards (NAME_train_N.bin, NAME_val_N.bin)")
        }
        return shards
    }

    private func textBytes(_ split: PreparedCorpusManifest.Split) -> Int? {
        manifest.map { $0.shards.filter { $0.split == split }.reduce(0) { $0 + $1.textBytes } }
    }

    /// Checks every token of every shard against the vocabulary: one scan of all shards.
    ///
    /// ```swift
    /// try PreparedCorpus(directory: "dev/data/fineweb10B", tokenizer: "gpt2").validateTokens()
    /// ```
    /// - Throws: ``TokenShardError/tokenOutOfRange(file:token:vocabularySize:position:)``.
    public func validateTokens() throws(TokenShardError) {
        for shard in validation + train { try shard.validate(vocabularySize: vocabularySize) }
    }

    /// ``validateTokens()``, and for a directory with a manifest every shard's SHA-256 against
    /// it: reads every byte of the corpus.
    ///
    /// ```swift
    /// try PreparedCorpus(directory: "data/fortunes-gpt2").verify()
    /// ```
    /// - Throws: ``DataError/badManifest(file:reason:)`` naming a shard whose bytes changed,
    ///   ``TokenShardError``, or ``FileSystemError``.
    public func verify() throws {
        if let manifest {
            for entry in manifest.shards {
                let path = directory + "/" + entry.file
                let sha256 = try sha256Hex(ofFileAt: URL(fileURLWithPath: path))
                guard sha256 == entry.sha256 else {
                    throw DataError.badManifest(file: path, reason: "its SHA-256 is \(sha256), the manifest says \(entry.sha256): "
                        + "the shard changed after the corpus was prepared")
                }
            }
        }
        try validateTokens()
    }
}
