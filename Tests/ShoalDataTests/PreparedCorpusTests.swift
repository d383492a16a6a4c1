import Foundation
import ShoalFormats
import Testing
import TestSupport

@testable import ShoalData

/// A prepared corpus: documents split and encoded as documented, shards filled exactly, the
/// manifest and reader agreeing, llm.c's own directories read, and every disagreement refused.
@Suite struct PreparedCorpusTests {
    /// The toy tokenizer (``ToyTokenizer``, 265 ids, `<|endoftext|>` = 264) and a corpus of
    /// two files split on "\n%\n": documents "hello", "xyz", "hello world", "yz".
    static func corpus(_ dir: TemporaryDirectory) throws -> (documents: CorpusDocuments, files: [String]) {
        let tokenizerFile = try dir.write("toy.json", text: ToyTokenizer.tokenizerJSON())
        try FileManager.default.createDirectory(atPath: dir.path + "/text", withIntermediateDirectories: true)
        let a = try dir.write("text/a.txt", text: "hello\n%\nxyz\n%\n")
        let b = try dir.write("text/b.txt", text: "\n%\nhello world\n%\nyz")
        let documents = try CorpusDocuments(tokenizer: try BytePairEncoder(path: tokenizerFile), separator: "\n%\n")
        return (documents, [a, b])
    }

    static func prepare(_ dir: TemporaryDirectory, fraction: Double, shardTokens: Int) throws -> PreparedCorpusManifest {
        let (documents, files) = try corpus(dir)
        let writer = try PreparedCorpusWriter(directory: dir.path + "/prepared", documents: documents,
                                              validationFraction: fraction, shardTokens: shardTokens)
        for file in files { try documents.encode(file: file).withUnsafeBufferPointer { try writer.append($0) } }
        return try writer.finish()
    }

    static func tokens(_ shards: [TokenShard]) -> [Int32] { shards.flatMap { s in (0..<s.count).map { s[$0] } } }

    @Test func documentsAreSplitEncodedAfterEndOfTextAndShardedExactly() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // Document 0 validates (⌈0.25⌉ > ⌈0⌉), 1..3 train: ⌈4 · 0.25⌉ = 1.
        let manifest = try Self.prepare(dir, fraction: 0.25, shardTokens: 4)
        let corpus = try PreparedCorpus(directory: dir.path + "/prepared")
        let bpe = corpus.tokenizer, eot: Int32 = 264
        let train = [eot] + bpe.encode("xyz") + [eot] + bpe.encode("hello world") + [eot] + bpe.encode("yz")
        #expect(Self.tokens(corpus.validation) == [eot] + bpe.encode("hello"))
        #expect(Self.tokens(corpus.train) == train)
        #expect(corpus.train.dropLast().allSatisfy { $0.count == 4 } && corpus.train.last!.count == (train.count - 1) % 4 + 1)
        #expect(manifest.shards.map(\.file) == ["val_000000.bin"] + (0..<corpus.train.count).map { "train_00000\($0).bin" })
        #expect((manifest.trainDocuments, manifest.validationDocuments) == (3, 1))
        #expect(corpus.trainTextBytes == "xyzhello worldyz".utf8.count && corpus.validationTextBytes == 5)
        #expect(corpus.manifestHash == sha256Hex(of: Data(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/prepared/manifest.json")))))
        #expect(try PreparedCorpusManifest(bytes: manifest.bytes, file: "m") == manifest)
        try corpus.verify()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["prepared", "text", "toy.json"])
    }

    @Test func aDocumentValidatesWhenTheCeilingOfItsShareGrows() {
        let rule = { (n: Int, f: Double) in (0..<n).filter { PreparedCorpusWriter.validates(document: $0, fraction: f) } }
        #expect(rule(1000, 0.01) == (0..<10).map { $0 * 100 })
        #expect(rule(10, 0.3) == [0, 3, 6])   // ⌈10 · 0.3⌉ = 3, in integers: 10 × 0.3 is 3.0000000000000004 in Double
        #expect(rule(10, 0).isEmpty)
        #expect(rule(1, 0.001) == [0])        // at least one when f > 0
    }

    @Test func theSeparatorRuleDropsEmptyDocumentsAndTextNeverEndsADocument() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (documents, _) = try Self.corpus(dir)
        #expect(documents.documents(of: Array("\n%\na\n%\n\n%\nb".utf8)).map { String(decoding: $0, as: UTF8.self) } == ["", "a", "", "b"])
        let file = try dir.write("special.txt", text: "a<|endoftext|>b")
        #expect(try documents.encode(file: file) == [264] + documents.tokenizer.encode("a<|endoftext|>b"))
        #expect(!documents.tokenizer.encode("a<|endoftext|>b").contains(264))
        #expect(try documents.encode(file: try dir.write("empty.txt", text: "")).isEmpty)
        #expect(throws: DataError.invalidArgument("the separator is empty; leave it out to read each file as one document")) {
            try CorpusDocuments(tokenizer: documents.tokenizer, separator: "")
        }
    }

    @Test func nothingIsLeftWhenPreparationStopsOrFindsNothingToTrainOn() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (documents, files) = try Self.corpus(dir)
        let output = dir.path + "/prepared"
        let stopped = try PreparedCorpusWriter(directory: output, documents: documents, validationFraction: 0.5, shardTokens: 2)
        try documents.encode(file: files[0]).withUnsafeBufferPointer { try stopped.append($0) }
        stopped.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["text", "toy.json"])

        let allValidate = try PreparedCorpusWriter(directory: output, documents: documents, validationFraction: 0.99, shardTokens: 2)
        try Array(documents.encode(file: files[0]).prefix(3)).withUnsafeBufferPointer { try allValidate.append($0) }
        #expect(throws: DataError.invalidArgument("all 2 documents validate (validation fraction 0.99), none is left for training; "
                                                  + "lower --val-fraction or add text")) { try allValidate.finish() }
        allValidate.discard()
        let empty = try PreparedCorpusWriter(directory: output, documents: documents, validationFraction: 0.5, shardTokens: 2)
        #expect(throws: DataError.invalidArgument("the corpus holds no document: every file is empty or holds only separators")) {
            try empty.finish()
        }
        empty.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["text", "toy.json"])

        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        _ = try dir.write("prepared/keep.txt", text: "x")
        #expect(throws: DataError.invalidArgument("\(output) exists and is not an empty directory; prepare writes a new one "
                                                  + "(remove it, or choose another output)")) {
            try PreparedCorpusWriter(directory: output, documents: documents, validationFraction: 0.5, shardTokens: 2)
        }
    }

    @Test func aShardOrTokenizerThatDisagreesWithTheManifestIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try Self.prepare(dir, fraction: 0.25, shardTokens: 4)
        let prepared = dir.path + "/prepared"
        // Same size, other tokens: opening does not hash, verify does.
        let shard = prepared + "/train_000000.bin"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: shard)))
        bytes[TokenShard.headerBytes] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: shard))
        let corpus = try PreparedCorpus(directory: prepared)
        #expect(throws: (any Error).self) { try corpus.verify() }
        do { try corpus.verify() } catch { #expect("\(error)".hasPrefix("\(shard): its SHA-256 is "), "\(error)") }
        // Another token count than the manifest says.
        _ = try [Int32](repeating: 1, count: 3).withUnsafeBufferPointer { try TokenShard.write($0, tokenWidth: 2, to: shard) }
        #expect(throws: DataError.badManifest(file: shard, reason: "it holds 3 tokens of 2 bytes, the manifest says 4 of 2")) {
            try PreparedCorpus(directory: prepared)
        }
        #expect(throws: DataError.badManifest(file: prepared + "/manifest.json", reason: "the manifest names the corpus's own "
                                              + "tokenizer (tokenizer.json); give no other")) {
            try PreparedCorpus(directory: prepared, tokenizer: dir.path + "/toy.json")
        }
        _ = try dir.write("prepared/tokenizer.json", text: ToyTokenizer.tokenizerJSON(pairMerges: true))
        do {
            _ = try PreparedCorpus(directory: prepared)
            Issue.record("a changed tokenizer was accepted")
        } catch {
            #expect("\(error)".contains("the tokenizer changed after the corpus was prepared"), "\(error)")
        }
    }

    @Test func llmcShardsAreReadWithTheTokenizerGivenAndCheckedAgainstIt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let tokenizer = try dir.write("toy.json", text: ToyTokenizer.tokenizerJSON())
        let shards = dir.path + "/tiny"
        try FileManager.default.createDirectory(atPath: shards, withIntermediateDirectories: true)
        _ = try [Int32]([264, 1, 2, 3]).withUnsafeBufferPointer { try TokenShard.write($0, tokenWidth: 2, to: shards + "/tiny_val_000000.bin") }
        _ = try [Int32]([264, 4, 300]).withUnsafeBufferPointer { try TokenShard.write($0, tokenWidth: 2, to: shards + "/tiny_train_000001.bin") }
        _ = try dir.write("tiny/README.txt", text: "not a shard")
        #expect(throws: DataError.badManifest(file: shards, reason: "no manifest.json: llm.c's shards do not say which tokenizer "
                                              + "made them; give the tokenizer")) { try PreparedCorpus(directory: shards) }
        let corpus = try PreparedCorpus(directory: shards, tokenizer: tokenizer)
        #expect(corpus.train.map(\.path) == [shards + "/tiny_train_000001.bin"] && corpus.validation.count == 1)
        #expect(corpus.manifest == nil && corpus.trainTextBytes == nil && corpus.tokenizerPath == tokenizer)
        #expect(corpus.manifestHash == sha256Hex(of: Data("tiny_train_000001.bin 1030 2 3\ntiny_val_000000.bin 1032 2 4\n".utf8)))
        #expect(throws: TokenShardError.tokenOutOfRange(file: shards + "/tiny_train_000001.bin", token: 300, vocabularySize: 265, position: 2)) {
            try corpus.validateTokens()
        }
        #expect(throws: DataError.badManifest(file: dir.path, reason: "neither a manifest.json nor llm.c's shards (NAME_train_N.bin, NAME_val_N.bin)")) {
            try PreparedCorpus(directory: dir.path, tokenizer: tokenizer)
        }
    }

    @Test func filesAreOwnedInContiguousBlocksBalancedByBytesRoundByRound() {
        let plan = PreparationPlan(fileSizes: [100, 100, 100, 700], ranks: 2, bytesPerRank: 1000)
        #expect(plan.rounds == [0..<4] && plan.owners == [0, 0, 0, 1])
        let rounds = PreparationPlan(fileSizes: [60, 60, 60, 500, 10], ranks: 2, bytesPerRank: 100)
        #expect(rounds.rounds == [0..<3, 3..<4, 4..<5])
        #expect(rounds.owners == [0, 1, 1, 1, 1])
        #expect(PreparationPlan(fileSizes: [0, 0], ranks: 3).owners == [0, 0])
        let many = PreparationPlan(fileSizes: Array(repeating: 10, count: 9), ranks: 3)
        #expect(many.owners == [0, 0, 0, 1, 1, 1, 2, 2, 2])
    }

    @Test func aTokenizerIsFoundInAFileOrADirectoryOfEitherKind() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let toy = try ToyTokenizer.gpt2Files()
        defer { toy.directory.remove() }
        let fromPair = try BytePairEncoder(path: toy.directory.path)   // vocab.json + merges.txt
        _ = try dir.write("tokenizer.json", text: ToyTokenizer.tokenizerJSON())
        let fromDirectory = try BytePairEncoder(path: dir.path)
        let fromFile = try BytePairEncoder(path: dir.path + "/tokenizer.json")
        for bpe in [fromPair, fromDirectory, fromFile] { #expect(bpe.encode("hello xyz") == fromFile.encode("hello xyz")) }
        #expect(throws: TokenizerError.unreadable(file: dir.path + "/none", reason: "no such file or directory")) {
            try BytePairEncoder(path: dir.path + "/none")
        }
        let empty = try TemporaryDirectory()
        defer { empty.remove() }
        #expect(throws: TokenizerError.unreadable(file: empty.path, reason: "the directory holds no tokenizer: neither tokenizer.json, "
                                                  + "nor encoder.json + vocab.bpe, nor vocab.json + merges.txt")) {
            try BytePairEncoder(path: empty.path)
        }
    }
}
