import ArgumentParser
import Foundation
import ShoalData
import ShoalFormats

struct TokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Make subword tokenizers.",
        subcommands: [TokenizerTrainCommand.self]
    )
}

struct TokenizerTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Learn a byte-level BPE tokenizer (GPT-2's kind) from text, written as a Hugging Face tokenizer.json.",
        discussion: """
        Example: shoal tokenizer train /usr/share/games/fortunes --vocab-size 8192 -o runs/fortunes-bpe

        Text is split by GPT-2's pattern; from the 256 bytes (token id b is byte b), the most frequent adjacent pair is merged, ties going to the pair whose left, then right, token's bytes sort first, until the vocabulary is full or no pair occurs twice. The special tokens take the last ids. Writes DIR/tokenizer.json (creating DIR), which Hugging Face tokenizers loads, and prints one line: the vocabulary, merges, corpus bytes and seconds.
        """
    )

    @Argument(help: ArgumentHelp("UTF-8 text files, or directories whose files are read in name order (hidden files, links, subdirectories and .dat files skipped).", valueName: "path"))
    var paths: [String]

    @Option(name: .customLong("vocab-size"), help: ArgumentHelp("Tokens in the vocabulary, special tokens included: 257 + the special tokens at least.", valueName: "n"))
    var vocabularySize: Int

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The directory to write tokenizer.json into; created if missing.", valueName: "dir"))
    var output: String

    @Option(name: .customLong("special"), help: ArgumentHelp("A special token, given the last ids in the order given; repeat for several (default: <|endoftext|>).", valueName: "token"))
    var specialTokens: [String] = []

    func validate() throws {
        do { _ = try makeTrainer() } catch { throw ValidationError(error.description) }
    }

    func makeTrainer() throws(TokenizerError) -> BytePairTrainer {
        try BytePairTrainer(vocabularySize: vocabularySize,
                            specialTokens: specialTokens.isEmpty ? BytePairTrainer.defaultSpecialTokens : specialTokens)
    }

    func run() throws {
        let clock = ContinuousClock(), start = clock.now
        var trainer = try makeTrainer()
        // Every file is read and checked before training starts: a bad file late in the list
        // fails at once, not after minutes of merging.
        var fileCount = 0
        for path in paths {
            for file in try textFiles(at: path) {
                trainer.add(try readText(file: file))
                fileCount += 1
            }
        }
        guard trainer.corpusBytes > 0 else {
            throw CommandError(description: "\(paths.joined(separator: ", ")): no text to train on (the files are empty)")
        }
        let tokenizer = try trainer.train()
        let directory = URL(fileURLWithPath: output)
        try DurableIO.makeDirectories(directory)
        let file = directory.appendingPathComponent("tokenizer.json").path
        try tokenizer.write(tokenizerFile: file)
        let seconds = (clock.now - start) / .seconds(1)
        let short = tokenizer.vocabularySize < vocabularySize ? " (of \(vocabularySize) asked: no pair occurs twice more)" : ""
        print("\(file): \(tokenizer.vocabularySize) tokens\(short), \(tokenizer.mergeCount) merges, "
            + "\(trainer.specialTokens.count) special, from \(trainer.corpusBytes) bytes in \(fileCount) file\(fileCount == 1 ? "" : "s"), "
            + String(format: "%.1f s", seconds))
    }
}
