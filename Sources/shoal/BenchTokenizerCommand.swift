import ArgumentParser
import Foundation
import ShoalData

/// `shoal bench tokenizer`: the Shoal side of benchmarks/tokenizer.sh, which runs tiktoken and
/// Hugging Face `tokenizers` on the same files beside it.
struct BenchTokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Byte-level BPE encode throughput on one core, in MB of UTF-8 text per second.",
        discussion: """
        Each file is read whole and encoded as one text with no special tokens (tiktoken's encode_ordinary), on this thread only. Prints the tokens, the megabytes and the median time of --runs runs (and every run's time).
        """
    )

    @Option(help: "The tokenizer: a tokenizer.json, or a directory with one or with GPT-2's encoder.json and vocab.bpe.")
    var tokenizer: String

    @Option(help: "Timed runs; the line shows their median.")
    var runs = 5

    @Argument(help: "UTF-8 text files, encoded one after another in each run.")
    var files: [String]

    func validate() throws {
        guard runs > 0 else { throw ValidationError("--runs must be at least 1, got \(runs)") }
        guard !files.isEmpty else { throw ValidationError("give at least one text file") }
    }

    func run() throws {
        let encoder = try BytePairEncoder(path: tokenizer)
        let texts = try files.map { file in
            do { return try readText(file: file) } catch { throw CommandError(description: "\(error)") }
        }
        let megabytes = Double(texts.reduce(0) { $0 + $1.utf8.count }) / 1e6
        var seconds: [Double] = [], tokens = 0
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            tokens = texts.reduce(0) { $0 + encoder.encode($1).count }
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let median = seconds.sorted()[runs / 2]
        print(String(format: "shoal: %d tokens, %.3f MB, median %.4f s, %.2f MB/s (all: %@)", tokens, megabytes, median,
                     megabytes / median, seconds.map { String(format: "%.4f", $0) }.joined(separator: " ")))
    }
}
