import Foundation
import Testing

/// `shoal data prepare` under mpirun: the same bytes from any number of ranks, and bad input
/// said once, with exit status 1, no signal, and no output directory, whole or half-written.
@Suite(.serialized) struct DataPrepareTests {
    /// A byte-level BPE tokenizer.json: the 256 bytes in GPT-2's alphabet, a few English
    /// merges, and `<|endoftext|>` last (omitted with `endOfText: false`).
    static func tokenizerJSON(endOfText: Bool = true, modelType: String = "BPE") -> String {
        // GPT-2's byte → character table: printable Latin-1 stands for itself, the rest from U+0100.
        var printable = Array(33...126) + Array(161...172) + Array(174...255)
        var characters = printable.map { Character(Unicode.Scalar(UInt32($0))!) }
        for b in 0..<256 where !printable.contains(b) {
            printable.append(b)
            characters.append(Character(Unicode.Scalar(UInt32(256 + characters.count - 188))!))
        }
        let merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("e", "r"), ("Ġ", "a"), ("o", "u"), ("Ġ", "s")]
        let tokens = characters.map(String.init) + merges.map { $0.0 + $0.1 }
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        let vocab = tokens.enumerated().map { "\(quoted($1)): \($0)" } + (endOfText ? ["\"<|endoftext|>\": \(tokens.count)"] : [])
        let added = endOfText ? #"[{"id": \#(tokens.count), "content": "<|endoftext|>", "special": true}]"# : "[]"
        return """
            {"version": "1.0", "added_tokens": \(added), "normalizer": null,
             "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}, "post_processor": null,
             "decoder": {"type": "ByteLevel"},
             "model": {"type": "\(modelType)", "vocab": {\(vocab.joined(separator: ", "))},
                       "merges": [\(merges.map { quoted("\($0.0) \($0.1)") }.joined(separator: ", "))]}}
            """
    }

    /// A fresh directory holding `tokenizer.json`; returns (directory, tokenizer path).
    static func workspace(_ tokenizer: String = tokenizerJSON()) throws -> (String, String) {
        let directory = TrainingRun.makeDirectory()
        let path = directory + "/tokenizer.json"
        try tokenizer.write(toFile: path, atomically: true, encoding: .utf8)
        return (directory, path)
    }

    /// The entries of `directory` (hidden ones included): what a failed prepare must not leave.
    static func entries(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    @Test func shardsFromOneAndThreeRanksAreByteIdentical() throws {
        let (directory, tokenizer) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var outputs: [String] = []
        for ranks in [1, 3] {
            let output = directory + "/fortunes-\(ranks)"
            let result = try ShoalProcess.mpirun(ranks: ranks, ["data", "prepare", "/usr/share/games/fortunes", "--tokenizer", tokenizer,
                                                                "--separator", "\\n%\\n", "--shard-tokens", "300000", "-o", output])
            try #require(result.status == 0, "\(result.combined)")
            #expect(result.output.components(separatedBy: "prepared \(output): ").count == 2, "said once: \(result.output)")
            outputs.append(output)
        }
        let names = Self.entries(outputs[0])
        // 2,576,627 characters of fortunes make about 2.3 M tokens here: several shards a split.
        #expect(names.filter { $0.hasPrefix("train_") }.count >= 4, "\(names)")
        #expect(names.contains("val_000000.bin") && names.contains("manifest.json") && names.contains("tokenizer.json"))
        #expect(Self.entries(outputs[1]) == names)
        for name in names {
            let one = try Data(contentsOf: URL(fileURLWithPath: outputs[0] + "/" + name))
            let three = try Data(contentsOf: URL(fileURLWithPath: outputs[1] + "/" + name))
            #expect(one == three, "\(name) differs between 1 and 3 ranks")
        }
        #expect(Self.entries(directory) == ["fortunes-1", "fortunes-3", "tokenizer.json"], "no temporary directory is left")
        let verify = try ShoalProcess.run(["data", "verify", outputs[1]])
        #expect(verify.status == 0 && verify.output.contains("verified"), "\(verify.combined)")
    }

    /// Runs prepare on 2 ranks with `arguments` after the inputs and expects a clean failure
    /// saying `message` once, leaving `directory` with the entries it had.
    static func expectRefusal(_ directory: String, _ arguments: [String], saying message: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = entries(directory)
        let result = try ShoalProcess.mpirun(ranks: 2, ["data", "prepare"] + arguments + ["-o", directory + "/out"])
        BadInputTests.expectCleanFailure(result, saying: message, sourceLocation: sourceLocation)
        #expect(entries(directory) == before, "nothing is left behind", sourceLocation: sourceLocation)
    }

    @Test func aBadFileMidwayLeavesNoOutputAndNoTemporaryDirectory() throws {
        let (directory, tokenizer) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = directory + "/corpus"
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        try String(repeating: "the first file is fine\n", count: 2000).write(toFile: corpus + "/a.txt", atomically: true, encoding: .utf8)
        try Data(Array(String(repeating: "the second is not UTF-8 ", count: 2000).utf8) + [0xC3, 0x28])
            .write(to: URL(fileURLWithPath: corpus + "/b.txt"))
        // Rank 1 owns b.txt (the second half of the bytes) and says what is wrong with it.
        try Self.expectRefusal(directory, [corpus, "--tokenizer", tokenizer],
                               saying: "\(corpus)/b.txt: cannot read: not UTF-8 text: invalid byte sequence near byte 48000")
    }

    @Test func anExistingOutputDirectoryIsRefused() throws {
        let (directory, tokenizer) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/out", withIntermediateDirectories: true)
        try "keep me".write(toFile: directory + "/out/notes.txt", atomically: true, encoding: .utf8)
        try Self.expectRefusal(directory, ["/usr/share/games/fortunes/art", "--tokenizer", tokenizer],
                               saying: "\(directory)/out exists and is not an empty directory; prepare writes a new one")
        #expect(Self.entries(directory + "/out") == ["notes.txt"])
    }

    @Test func anEmptyCorpusIsRefused() throws {
        let (directory, tokenizer) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = directory + "/corpus"
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        try "".write(toFile: corpus + "/empty.txt", atomically: true, encoding: .utf8)
        try "\n%\n\n%\n".write(toFile: corpus + "/separators.txt", atomically: true, encoding: .utf8)
        try Self.expectRefusal(directory, [corpus, "--tokenizer", tokenizer, "--separator", "\\n%\\n"],
                               saying: "the corpus holds no document: every file is empty or holds only separators")
    }

    @Test func aTokenizerThatIsNotByteLevelBPEIsRefused() throws {
        let (directory, tokenizer) = try Self.workspace(Self.tokenizerJSON(modelType: "WordPiece"))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.expectRefusal(directory, ["/usr/share/games/fortunes/art", "--tokenizer", tokenizer],
                               saying: "\(tokenizer): not a byte-level BPE tokenizer: model.type is \"WordPiece\"")
    }

    @Test func aTokenizerWithoutEndOfTextIsRefused() throws {
        let (directory, tokenizer) = try Self.workspace(Self.tokenizerJSON(endOfText: false))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.expectRefusal(directory, ["/usr/share/games/fortunes/art", "--tokenizer", tokenizer],
                               saying: "the tokenizer has no <|endoftext|> special token, which goes before every document")
    }

    @Test func aMergesLineThatDoesNotParseIsRefused() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let gpt2 = directory + "/gpt2"
        try FileManager.default.createDirectory(atPath: gpt2, withIntermediateDirectories: true)
        try #"{"a": 0, "b": 1}"#.write(toFile: gpt2 + "/encoder.json", atomically: true, encoding: .utf8)
        try "#version: 0.2\na b c\n".write(toFile: gpt2 + "/vocab.bpe", atomically: true, encoding: .utf8)
        try Self.expectRefusal(directory, ["/usr/share/games/fortunes/art", "--tokenizer", gpt2],
                               saying: "\(gpt2)/vocab.bpe:2: \"a b c\" is not two tokens separated by one space")
    }
}
