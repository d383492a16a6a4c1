import Foundation
import ShoalFormats

/// Writes a prepared corpus (``PreparedCorpus``) from the token streams of its files, in file
/// order: rank 0's half of `shoal data prepare`.
///
/// - **Split.** Documents are counted from 0 in file order; with validation fraction f,
///   document i validates when ⌈(i + 1)·f⌉ > ⌈i·f⌉. So the first document validates (when
///   f > 0), then about every 1/f-th, and ⌈f·N⌉ of N documents do (f counted in millionths,
///   so the rule is exact integer arithmetic on every machine): a rule that needs no count
///   of the documents in advance, and draws validation text from the whole corpus rather than
///   from its first file.
/// - **Shards.** Each split fills `val_000000.bin`, `val_000001.bin`, … and `train_000000.bin`,
///   … with exactly `shardTokens` tokens each but its last, as llm.c fills its shards: a
///   document may run on into the next shard.
/// - **All or nothing.** Everything is written into a hidden temporary directory beside the
///   output (`.NAME.tmp-PID`), which ``finish()`` renames to the output once the shards,
///   `tokenizer.json` and `manifest.json` are durable. ``discard()`` removes it; a failed
///   append or finish leaves it for the caller to discard.
///
/// ```swift
/// let tokenizer = try BytePairEncoder(path: "gpt2")
/// let documents = try CorpusDocuments(tokenizer: tokenizer, separator: "\n%\n")
/// let writer = try PreparedCorpusWriter(directory: "data/fortunes-gpt2", documents: documents,
///                                       validationFraction: 0.01, shardTokens: 100_000_000)
/// for file in try textFiles(at: "/usr/share/games/fortunes") {
///     let tokens = try documents.encode(file: file)
///     try tokens.withUnsafeBufferPointer { try writer.append($0) }
/// }
/// let manifest = try writer.finish()
/// ```
public final class PreparedCorpusWriter {
    /// The directory that ``finish()`` makes.
    public let directory: String
    public let documents: CorpusDocuments
    public let validationFraction: Double
    public let shardTokens: Int

    private let temporary: String
    private let tokenWidth: Int
    /// Bytes of text each token decodes to; special tokens none, they are not document text.
    private let textBytesOfToken: [Int32]
    private var train: SplitShards
    private var validation: SplitShards
    private var documentCount = 0
    private var inValidation = false

    /// Checks that `directory` does not exist or is empty, and creates the temporary directory
    /// beside it (and any missing parent).
    ///
    /// - Throws: ``DataError/invalidArgument(_:)`` for an output that exists and is not an empty
    ///   directory, a fraction other than 0 or in [0.000001, 1), or a shard size outside
    ///   1...Int32.max; ``FileSystemError``.
    public init(directory: String, documents: CorpusDocuments, validationFraction: Double, shardTokens: Int) throws {
        guard validationFraction == 0 || (1e-6..<1).contains(validationFraction) else {
            throw DataError.invalidArgument("the validation fraction must be 0 or in [0.000001, 1), got \(validationFraction)")
        }
        guard shardTokens >= 1 && shardTokens <= Int(Int32.max) else {
            throw DataError.invalidArgument("the shard size must be in 1...\(Int32.max) tokens (a shard's header counts in 32 bits), got \(shardTokens)")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            let empty = isDirectory.boolValue && ((try? FileManager.default.contentsOfDirectory(atPath: directory))?.isEmpty ?? false)
            guard empty else {
                throw DataError.invalidArgument("\(directory) exists and is not an empty directory; prepare writes a new one "
                    + "(remove it, or choose another output)")
            }
        }
        let url = URL(fileURLWithPath: directory)
        try DurableIO.makeDirectories(url.deletingLastPathComponent())
        temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        try DurableIO.makeDirectory(URL(fileURLWithPath: temporary))
        self.directory = directory
        self.documents = documents
        self.validationFraction = validationFraction
        self.shardTokens = shardTokens
        let tokenizer = documents.tokenizer
        tokenWidth = TokenShard.tokenWidth(vocabularySize: tokenizer.vocabularySize)
        let special = Set(tokenizer.specialTokens.values)
        textBytesOfToken = (0..<tokenizer.vocabularySize).map { special.contains(Int32($0)) ? 0 : Int32(tokenizer.tokens[$0].count) }
        train = SplitShards(split: .train)
        validation = SplitShards(split: .val)
    }

    /// Appends one file's tokens, as ``CorpusDocuments/encode(file:)`` gives them: each
    /// `<|endoftext|>` starts a document.
    ///
    /// - Throws: ``TokenShardError`` or ``FileSystemError`` from writing a shard.
    public func append(_ tokens: UnsafeBufferPointer<Int32>) throws {
        var start = 0
        while start < tokens.count {
            if tokens[start] == documents.endOfText {
                inValidation = Self.validates(document: documentCount, fraction: validationFraction)
                documentCount += 1
            }
            var end = start + 1
            while end < tokens.count && tokens[end] != documents.endOfText { end += 1 }
            let piece = UnsafeBufferPointer(rebasing: tokens[start..<end])
            if inValidation {
                try validation.append(piece, into: self)
            } else {
                try train.append(piece, into: self)
            }
            start = end
        }
    }

    /// Whether document `i` (0-based) validates: ⌈(i + 1)·f⌉ > ⌈i·f⌉, in integers over f in
    /// millionths, so that 10 × 0.3 is 3 (in Double it is 3.0000000000000004, and ⌈·⌉ 4).
    static func validates(document i: Int, fraction f: Double) -> Bool {
        let millionths = Int((f * 1e6).rounded())
        func ceiling(_ n: Int) -> Int { (n * millionths + 999_999) / 1_000_000 }
        return ceiling(i + 1) > ceiling(i)
    }

    /// Writes the last shards, `tokenizer.json` and `manifest.json`, and renames the temporary
    /// directory to ``directory``. Returns the manifest written.
    ///
    /// - Throws: ``DataError/invalidArgument(_:)`` when no document was read, or none is left
    ///   for training; ``FileSystemError``.
    @discardableResult
    public func finish() throws -> PreparedCorpusManifest {
        guard documentCount > 0 else {
            throw DataError.invalidArgument("the corpus holds no document: every file is empty"
                + (documents.separator == nil ? "" : " or holds only separators"))
        }
        try validation.finishShard()
        try train.finishShard()
        guard train.documents > 0 else {
            throw DataError.invalidArgument("all \(documentCount) documents validate (validation fraction \(validationFraction)), "
                + "none is left for training; lower --val-fraction or add text")
        }
        let tokenizer = documents.tokenizer
        let tokenizerSHA256 = try DurableIO.writeFile(at: URL(fileURLWithPath: temporary + "/" + PreparedCorpusManifest.tokenizerFile),
                                                      data: Data(tokenizer.tokenizerJSON()))
        let manifest = PreparedCorpusManifest(
            tokenizerSHA256: tokenizerSHA256, vocabularySize: tokenizer.vocabularySize, endOfText: documents.endOfText,
            tokenBytes: tokenWidth, separator: documents.separator.map { String(decoding: $0, as: UTF8.self) },
            validationFraction: validationFraction, trainDocuments: train.documents, validationDocuments: validation.documents,
            shards: validation.written + train.written)
        try DurableIO.writeFile(at: URL(fileURLWithPath: temporary + "/" + PreparedCorpus.manifestFile), data: Data(manifest.bytes))
        let url = URL(fileURLWithPath: directory)
        try DurableIO.rename(URL(fileURLWithPath: temporary), to: url)
        try DurableIO.fsyncDirectory(url.deletingLastPathComponent())
        return manifest
    }

    /// Removes the temporary directory and everything in it.
    public func discard() {
        try? FileManager.default.removeItem(atPath: temporary)
    }

    /// One split's shards: the one being filled, and those written.
    private struct SplitShards {
        let split: PreparedCorpusManifest.Split
        var written: [PreparedCorpusManifest.Shard] = []
        var current: TokenShardWriter?
        var textBytes = 0
        var documents = 0

        init(split: PreparedCorpusManifest.Split) { self.split = split }

        /// Appends a run of tokens of one document (starting with `<|endoftext|>` if it starts
        /// the document), filling shards to `writer.shardTokens`.
        mutating func append(_ tokens: UnsafeBufferPointer<Int32>, into writer: PreparedCorpusWriter) throws {
            if tokens.first == writer.documents.endOfText { documents += 1 }
            var start = 0
            while start < tokens.count {
                let index = String(written.count)
                let name = split.rawValue + "_" + String(repeating: "0", count: max(0, 6 - index.count)) + index + ".bin"
                let shard = try current ?? TokenShardWriter(path: writer.temporary + "/" + name, tokenWidth: writer.tokenWidth)
                current = shard
                let n = min(tokens.count - start, writer.shardTokens - shard.count)
                let piece = UnsafeBufferPointer(rebasing: tokens[start..<(start + n)])
                try shard.append(piece)
                for token in piece { textBytes += Int(writer.textBytesOfToken[Int(token)]) }
                start += n
                if shard.count == writer.shardTokens { try finishShard() }
            }
        }

        /// Finishes the shard being filled, if any.
        mutating func finishShard() throws {
            guard let shard = current else { return }
            let sha256 = try shard.finish()
            written.append(.init(file: URL(fileURLWithPath: shard.path).lastPathComponent, split: split, tokens: shard.count,
                                 textBytes: textBytes, sha256: sha256))
            current = nil
            textBytes = 0
        }
    }
}
