import ArgumentParser
import Foundation
import ShoalComm
import ShoalData
import ShoalFormats

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Tokenize text into llm.c-format shards, and check them.",
        subcommands: [Prepare.self, Verify.self]
    )

    struct Prepare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tokenize text files into a directory of token shards, a manifest and the tokenizer.",
            discussion: """
            Example: launch/mpirun -n 2 .build/release/shoal data prepare /usr/share/games/fortunes --tokenizer gpt2 --separator '\\n%\\n' -o data/fortunes-gpt2

            Each file is a document, or with --separator the non-empty pieces between separators; a directory's files are read in name order (hidden files, subdirectories, links and .dat files skipped). Every document is <|endoftext|> then its tokens; text never yields a special token.
            Document i (from 0, in file order) validates when ceil((i+1)·f) > ceil(i·f): the first, then about every 1/f-th, ceil(f·N) of N.
            Each split fills val_000000.bin, ..., train_000000.bin, ... with exactly --shard-tokens tokens but its last (documents run on across shards).
            The output appears only when complete: it is written to a hidden directory beside it and renamed. Under mpirun the ranks tokenize disjoint files and rank 0 writes: the same bytes for any number of ranks.
            """
        )

        @Argument(help: "Text files or directories of text files.")
        var paths: [String]

        @Option(help: "A tokenizer.json, or a directory holding tokenizer.json, encoder.json + vocab.bpe, or vocab.json + merges.txt.")
        var tokenizer: String

        @Option(name: [.customShort("o"), .customLong("output")], help: "The directory to make; it must not exist, or be empty.")
        var output: String

        @Option(name: .customLong("val-fraction"),
                help: "The fraction of documents that validate: 0, or in [0.000001, 1). 1% of FineWeb-10B is about llm.c's one 100 M-token validation shard.")
        var valFraction = 0.01

        @Option(name: .customLong("shard-tokens"), help: "Tokens per shard (llm.c's FineWeb shards hold 100 M).")
        var shardTokens = 100_000_000

        @Option(help: "Split each file into documents at this text; \\n, \\t, \\r and \\\\ are read as escapes (e.g. '\\n%\\n' for fortunes).")
        var separator: String?

        /// The separator's escapes are checked here; the fraction and the shard size by
        /// ``PreparedCorpusWriter``, their one place.
        func validate() throws {
            _ = try separator.map(unescaped)
        }

        func run() throws {
            try withWorld { world in try prepare(world) }
        }

        /// Every rank: load the tokenizer; rank 0 also lists the files and opens the output. Then,
        /// round by round (``PreparationPlan``), each rank encodes its files, the ranks agree that
        /// all did before any sends, and each file's tokens go from its owner to rank 0 in file
        /// order. A write failure of rank 0 is held until the next agreement, so no rank is left
        /// waiting in a broadcast.
        private func prepare(_ world: any Communicator) throws {
            let started = world.wallTime()
            let (documents, writer, listed) = try agreeOnSetup(world) { () throws -> (CorpusDocuments, PreparedCorpusWriter?, [InputFile]) in
                let documents = try CorpusDocuments(tokenizer: try BytePairEncoder(path: tokenizer), separator: try separator.map(unescaped))
                guard world.rank == 0 else { return (documents, nil, []) }
                let files = try paths.flatMap { try textFiles(at: $0) }.map { file in
                    do { return InputFile(path: file, bytes: try regularFileSize(file)) } catch {
                        throw CommandError(description: "\(file): cannot read: \(error)")
                    }
                }
                let writer = try PreparedCorpusWriter(directory: output, documents: documents, validationFraction: valFraction,
                                                      shardTokens: shardTokens)
                return (documents, writer, files)
            }
            do {
                let files = try InputFile.broadcast(listed, world)
                let plan = PreparationPlan(fileSizes: files.map(\.bytes), ranks: world.size)
                var writeFailure: (any Error)?
                for round in plan.rounds {
                    let encoded = try agreeOnSetup(world) { () throws -> [Int: [Int32]] in
                        if let writeFailure { throw writeFailure }
                        var encoded: [Int: [Int32]] = [:]
                        for i in round where plan.owners[i] == world.rank { encoded[i] = try documents.encode(file: files[i].path) }
                        return encoded
                    }
                    for i in round {
                        let tokens = try broadcast(encoded[i] ?? [], root: plan.owners[i], world)
                        guard let writer, writeFailure == nil else { continue }
                        do { try tokens.withUnsafeBufferPointer { try writer.append($0) } } catch { writeFailure = error }
                    }
                }
                let manifest = try agreeOnSetup(world) { () throws -> PreparedCorpusManifest? in
                    if let writeFailure { throw writeFailure }
                    return try writer?.finish()
                }
                if let manifest { report(manifest, seconds: world.wallTime() - started) }
            } catch {
                writer?.discard()
                throw error
            }
        }

        private func report(_ manifest: PreparedCorpusManifest, seconds: Double) {
            func total(_ split: PreparedCorpusManifest.Split?, _ value: (PreparedCorpusManifest.Shard) -> Int) -> Int {
                manifest.shards.filter { split == nil || $0.split == split }.reduce(0) { $0 + value($1) }
            }
            let megabytes = Double(total(nil, \.textBytes)) / 1e6
            print("prepared \(output): \(manifest.trainDocuments + manifest.validationDocuments) documents "
                + "(train \(manifest.trainDocuments), val \(manifest.validationDocuments)), "
                + "\(total(nil, \.tokens)) tokens (train \(total(.train, \.tokens)), val \(total(.val, \.tokens))) "
                + "in \(manifest.shards.count) shards of \(manifest.tokenBytes)-byte tokens; "
                + String(format: "%.1f MB of text in %.1f s, %.2f MB/s", megabytes, seconds, megabytes / max(seconds, 1e-9)))
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a prepared corpus: every shard's SHA-256 against its manifest and every token against the vocabulary.",
            discussion: "A directory of llm.c's own shards (no manifest) needs --tokenizer, and has only its tokens checked."
        )

        @Argument(help: "A directory made by shoal data prepare, or of llm.c's shards.")
        var directory: String

        @Option(help: "The tokenizer of llm.c's shards (as data prepare takes it).")
        var tokenizer: String?

        func run() throws {
            guard World.launchRank == 0 else { return }
            do {
                let corpus = try PreparedCorpus(directory: directory, tokenizer: tokenizer)
                try corpus.verify()
                let tokens = (corpus.train.reduce(0) { $0 + $1.count }, corpus.validation.reduce(0) { $0 + $1.count })
                print("\(directory): verified: \(corpus.train.count) train shards (\(tokens.0) tokens), \(corpus.validation.count) val shards "
                    + "(\(tokens.1) tokens), vocabulary \(corpus.vocabularySize), manifest hash \(corpus.manifestHash)")
            } catch {
                throw CommandError(description: "\(error)")
            }
        }
    }
}

/// A file to tokenize, as rank 0 listed it: the ranks follow rank 0's list, not their own.
private struct InputFile {
    let path: String
    let bytes: Int

    /// Rank 0's list on every rank.
    static func broadcast(_ files: [InputFile], _ world: any Communicator) throws -> [InputFile] {
        let json = StrictJSON.array(files.map { .array([.string($0.path), StrictJSON($0.bytes)]) })
        let bytes = try shoal.broadcast(Array(json.serialized.utf8), root: 0, world)
        guard case .array(let items) = try StrictJSON.parse(bytes) else { return [] }
        return items.compactMap { item in
            guard case .array(let pair) = item, pair.count == 2, case .string(let path) = pair[0], let size = pair[1].integer else { return nil }
            return InputFile(path: path, bytes: size)
        }
    }
}

/// `values` of rank `root` on every rank: their count first, so the others can make room.
private func broadcast<T: BitwiseCopyable>(_ values: [T], root: Int, _ world: any Communicator) throws -> [T] {
    var count = Int64(values.count)
    try withUnsafeMutableBytes(of: &count) { try world.broadcast($0, root: root) }
    var received = world.rank == root ? values : [T](unsafeUninitializedCapacity: Int(count)) { _, n in n = Int(count) }
    try received.withUnsafeMutableBytes { try world.broadcast($0, root: root) }
    return received
}

/// `text` with `\n`, `\t`, `\r` and `\\` read as the characters they stand for.
private func unescaped(_ text: String) throws -> String {
    var out = "", escaping = false
    for c in text {
        if escaping {
            switch c {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "\\": out.append("\\")
            default: throw ValidationError("--separator: \\\(c) is not an escape; use \\n, \\t, \\r or \\\\")
            }
            escaping = false
        } else if c == "\\" {
            escaping = true
        } else {
            out.append(c)
        }
    }
    guard !escaping else { throw ValidationError("--separator ends in a lone \\; write \\\\ for a backslash") }
    guard !out.isEmpty else { throw ValidationError("--separator is empty; leave it out to read each file as one document") }
    return out
}
