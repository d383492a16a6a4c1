import Foundation
import Testing

/// A GPT trained on subword token shards by real ranks (issue 26): a tokenizer trained by
/// `shoal tokenizer train`, the fortunes corpus prepared by `shoal data prepare`, trained from
/// the memory-mapped shards with `data.source: tokens`, then sampled from.
@Suite(.serialized) struct TokenTrainingTests {
    static let config = ShoalProcess.root.appendingPathComponent("Tests/MultiProcessTests/Fixtures/tiny-token-gpt.yaml").path

    /// The suite's tokenizer (320 tokens) and prepared corpus, made once.
    static let prepared = Result<Prepared, any Error> { try Prepared() }

    struct Prepared: Sendable {
        let directory = TrainingRun.makeDirectory()
        var tokenizer: String { directory + "/tokenizer" }
        var shards: String { directory + "/fortunes" }

        init() throws {
            let trained = try ShoalProcess.run(["tokenizer", "train", "/usr/share/games/fortunes", "--vocab-size", "320", "-o", tokenizer])
            guard trained.status == 0 else { throw PreparationFailed(output: trained.combined) }
            // Shards of 300,000 tokens: training windows cross from one shard into the next.
            let prepared = try ShoalProcess.run(["data", "prepare", "/usr/share/games/fortunes", "--tokenizer", tokenizer, "-o", shards,
                                                 "--separator", "\\n%\\n", "--shard-tokens", "300000", "--val-fraction", "0.02"])
            guard prepared.status == 0 else { throw PreparationFailed(output: prepared.combined) }
        }
    }

    struct PreparationFailed: Error, CustomStringConvertible {
        let output: String
        var description: String { "preparing the corpus failed: \(output)" }
    }

    @Test func aStepReadsTheSameWindowsOnAnyRankCountAndResumesOnAnotherWithTheSameBits() throws {
        let corpus = try Self.prepared.get()
        let data = ["data.tokens.path=\(corpus.shards)", "distributed.reduction=exact"]
        let one = try TrainingRun.launch(Self.config, ranks: 1, data)
        #expect(one.result.status == 0, "\(one.result.combined)")
        let reference = try #require(one.parameterHash, "\(one.result.combined)")
        // "validation loss 5.1234 nats/token, 2.3456 bits/byte"
        let line = try #require(one.result.output.split(separator: "\n").first { $0.hasPrefix("validation loss ") }, "\(one.result.combined)")
        #expect(line.contains(" nats/token, ") && line.hasSuffix(" bits/byte"), "\(line)")
        #expect(one.result.output.contains("training tokens (vocabulary of 320)"), "\(one.result.combined)")
        let two = try TrainingRun.launch(Self.config, ranks: 2, data)
        #expect(two.parameterHash == reference, "\(two.result.combined)")

        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try TrainingRun.launch(Self.config, ranks: 2, data, directory: directory, flags: ["--stop-after", "10"])
        #expect(first.result.output.contains("checkpoint written: step 10"), "\(first.result.combined)")
        let resumed = try TrainingRun.launch(Self.config, ranks: 3, data, directory: directory, flags: ["--resume", "auto"])
        #expect(resumed.result.output.contains("resumed from step 10"), "\(resumed.result.combined)")
        #expect(resumed.parameterHash == reference, "\(resumed.result.combined)")

        // The checkpoint carries the tokenizer: generate encodes the prompt and decodes the output with it.
        let checkpoints = directory + "/tiny-token-gpt/version_0/checkpoints"
        let arguments = ["generate", checkpoints, "--prompt", "The cat", "--tokens", "20", "--seed", "5"]
        let once = try ShoalProcess.run(arguments), twice = try ShoalProcess.run(arguments)
        #expect(once.status == 0, "\(once.combined)")
        #expect(once.output.hasPrefix("The cat") && once.output.count > "The cat".count + 5, "\(once.output)")
        #expect(twice.output == once.output)
        let beyondCharacters = try ShoalProcess.run(["generate", checkpoints, "--prompt", "€ and ✓", "--tokens", "5"])
        #expect(beyondCharacters.status == 0, "a byte-level tokenizer encodes any text: \(beyondCharacters.combined)")
    }

    /// Memory does not grow with the corpus: a training shard of 256 MiB costs no more resident
    /// memory than one of 0.6 MiB, because only the windows' pages are read.
    @Test func aCorpusLargerThanTheMemoryBoundTrainsWithinIt() throws {
        let corpus = try Self.prepared.get()
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // llm.c's layout (no manifest): *_val_*.bin and *_train_*.bin, the tokenizer given apart.
        func corpusDirectory(_ name: String, trainTokens: Int) throws -> String {
            let path = directory + "/" + name
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: corpus.shards + "/val_000000.bin", toPath: path + "/\(name)_val_000000.bin")
            try Self.writeShard(path + "/\(name)_train_000000.bin", tokens: trainTokens, vocabulary: 320)
            return path
        }
        let small = try corpusDirectory("small", trainTokens: 300_000), large = try corpusDirectory("large", trainTokens: 128 << 20)
        var peaks: [Double] = []
        for path in [small, large] {
            let run = try TrainingRun.launch(Self.config, ranks: 1, [
                "data.tokens.path=\(path)", "data.tokens.tokenizer=\(corpus.tokenizer)/tokenizer.json", "training.eval_every=0",
            ])
            #expect(run.result.status == 0, "\(run.result.combined)")
            let line = try #require(run.result.output.split(separator: "\n").first { $0.hasPrefix("peak resident memory ") }, "\(run.result.combined)")
            peaks.append(try #require(Double(line.split(separator: " ")[3]), "\(line)"))
        }
        #expect(peaks[1] < peaks[0] + 16, "peak resident MiB with 0.6 MiB and 256 MiB of training tokens: \(peaks)")
        #expect(peaks[1] < 256, "\(peaks)")
    }

    /// Bad shards are refused before the first step, on every rank alike: the file and what is
    /// wrong with it said once, exit status 1, no signal (under mpirun -np 2).
    @Test func badShardsAreRefusedNamingTheFile() throws {
        let corpus = try Self.prepared.get()
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func damaged(_ name: String, _ damage: (String) throws -> Void) throws -> String {
            let copy = directory + "/" + name
            try FileManager.default.copyItem(atPath: corpus.shards, toPath: copy)
            try damage(copy)
            return copy
        }
        func overwrite(_ file: String, at offset: UInt64, _ bytes: [UInt8]) throws {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
            defer { try? handle.close() }
            try handle.seek(toOffset: offset)
            try handle.write(contentsOf: Data(bytes))
        }
        let magic = try damaged("magic") { try overwrite($0 + "/train_000000.bin", at: 0, [0, 0, 0, 0]) }
        let truncated = try damaged("truncated") { path in
            let file = path + "/train_000001.bin"
            let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as! UInt64
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
            try handle.truncate(atOffset: size - 3)
            try handle.close()
        }
        // Token 5 of the validation shard becomes 400, beyond the 320-token vocabulary.
        let outOfRange = try damaged("range") { try overwrite($0 + "/val_000000.bin", at: 1024 + 10, [0x90, 0x01]) }
        for (path, message) in [
            (magic, "\(magic)/train_000000.bin: not a token shard: the magic number is 0, expected 20240520"),
            (truncated, "\(truncated)/train_000001.bin: truncated: the header announces"),
            (outOfRange, "\(outOfRange)/val_000000.bin: token 400 at position 5 is not in the tokenizer's vocabulary of 320 tokens"),
        ] {
            let run = try TrainingRun.launch(Self.config, ranks: 2, ["data.tokens.path=\(path)"])
            BadInputTests.expectCleanFailure(run.result, saying: message)
        }
    }

    /// A shard in llm.c's 2-byte format whose tokens cycle through the vocabulary, written 1 MiB at a time.
    static func writeShard(_ path: String, tokens: Int, vocabulary: Int) throws {
        var header = [Int32](repeating: 0, count: 256)
        header[0] = 20240520
        header[1] = 1
        header[2] = Int32(tokens)
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.write(contentsOf: header.withUnsafeBytes { Data($0) })
        let chunk = (0..<(1 << 19)).map { UInt16($0 % vocabulary) }
        var left = tokens
        while left > 0 {
            let n = min(left, chunk.count)
            try handle.write(contentsOf: chunk[..<n].withUnsafeBytes { Data($0) })
            left -= n
        }
    }
}
