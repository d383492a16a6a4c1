import Foundation
import Testing

/// `shoal tokenizer train` as a user runs it: the file it writes, the line it prints, and for
/// bad input an error naming the file, a non-zero exit and nothing written.
@Suite(.serialized) struct TokenizerCommandTests {
    /// A directory `corpus` with two text files, and beside them what a directory read skips.
    static func corpus(in directory: String) throws -> String {
        let corpus = directory + "/corpus"
        try FileManager.default.createDirectory(atPath: corpus + "/nested", withIntermediateDirectories: true)
        let text = String(repeating: "the cat sat on the mat; the hat is flat.\n", count: 50)
        try text.write(toFile: corpus + "/a.txt", atomically: true, encoding: .utf8)
        try "low lower lowest\n".write(toFile: corpus + "/b.txt", atomically: true, encoding: .utf8)
        for skipped in [".hidden", "index.dat", "nested/c.txt"] {
            try Data([0xFF, 0xFE]).write(to: URL(fileURLWithPath: corpus + "/" + skipped))
        }
        try FileManager.default.createSymbolicLink(atPath: corpus + "/link", withDestinationPath: corpus + "/index.dat")
        return corpus
    }

    @Test func trainsAndWritesTokenizerJSON() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = try Self.corpus(in: directory)
        let output = directory + "/out/bpe"
        let result = try ShoalProcess.run(["tokenizer", "train", corpus, "--vocab-size", "280", "-o", output,
                                           "--special", "<|endoftext|>", "--special", "<|pad|>"])
        #expect(result.status == 0, "\(result.combined)")
        let bytes = 50 * 41 + 17
        #expect(result.output.hasPrefix("\(output)/tokenizer.json: 280 tokens, 22 merges, 2 special, from \(bytes) bytes in 2 files, "),
                "\(result.combined)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + "/tokenizer.json")))
            as? [String: Any])
        let model = try #require(json["model"] as? [String: Any])
        #expect((model["vocab"] as? [String: Int])?.count == 280)
        #expect((model["merges"] as? [[String]])?.count == 22)
        #expect((json["added_tokens"] as? [[String: Any]])?.compactMap { $0["content"] as? String } == ["<|endoftext|>", "<|pad|>"])
        #expect((json["added_tokens"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [278, 279])

        // The same text as files: the same tokenizer, byte for byte. Training stops early when no pair repeats.
        let again = try ShoalProcess.run(["tokenizer", "train", corpus + "/a.txt", corpus + "/b.txt", "--vocab-size", "280",
                                          "-o", directory + "/again", "--special", "<|endoftext|>", "--special", "<|pad|>"])
        #expect(again.status == 0, "\(again.combined)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/again/tokenizer.json"))
            == Data(contentsOf: URL(fileURLWithPath: output + "/tokenizer.json")))
        let short = try ShoalProcess.run(["tokenizer", "train", corpus + "/b.txt", "--vocab-size", "1000", "-o", directory + "/short"])
        #expect(short.status == 0, "\(short.combined)")
        #expect(short.output.contains(": 261 tokens (of 1000 asked: no pair occurs twice more), 4 merges, 1 special"), "\(short.combined)")
    }

    @Test func badInputIsNamedAndNothingIsWritten() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let corpus = try Self.corpus(in: directory)
        try Data([0x61, 0x62, 0xC3, 0x28]).write(to: URL(fileURLWithPath: directory + "/latin1.txt"))
        try Data().write(to: URL(fileURLWithPath: directory + "/empty.txt"))
        try Data().write(to: URL(fileURLWithPath: directory + "/file"))
        let out = directory + "/out"
        let cases: [(arguments: [String], message: String)] = [
            ([directory + "/missing.txt"], "Error: \(directory)/missing.txt: cannot read: no such file or directory"),
            ([corpus, directory + "/latin1.txt"], "Error: \(directory)/latin1.txt: cannot read: not UTF-8 text: invalid byte sequence near byte 2"),
            ([directory + "/empty.txt"], "Error: \(directory)/empty.txt: no text to train on (the files are empty)"),
            ([corpus, "--vocab-size", "257"], "Error: cannot train a tokenizer: a vocabulary size of 257: it must hold the 256 bytes, "
                + "at least one merge and 1 special token, so 258 to 16777216"),
            ([corpus, "--vocab-size", "99999999999"], "Error: cannot train a tokenizer: a vocabulary size of 99999999999"),
            ([corpus, "--vocab-size", "lots"], "Error: The value 'lots' is invalid for '--vocab-size <n>'"),
            ([corpus, "--special", ""], "Error: cannot train a tokenizer: special token 1 is empty"),
        ]
        for (arguments, message) in cases {
            let vocabularySize = arguments.contains("--vocab-size") ? [] : ["--vocab-size", "300"]
            let result = try ShoalProcess.run(["tokenizer", "train"] + arguments + vocabularySize + ["-o", out])
            #expect(result.status != 0, "\(arguments)")
            #expect(result.error.contains(message), "\(result.combined)")
            #expect(!result.error.contains("Fatal error") && !FileManager.default.fileExists(atPath: out), "\(arguments)")
        }
        // An output directory that cannot be made: its parent is a file.
        let unwritable = try ShoalProcess.run(["tokenizer", "train", corpus, "--vocab-size", "300", "-o", directory + "/file/out"])
        #expect(unwritable.status != 0)
        #expect(unwritable.error.contains("Error: could not use as a directory \(directory)/file: Not a directory"), "\(unwritable.combined)")
    }
}
