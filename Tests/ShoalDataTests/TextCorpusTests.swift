import Foundation
import Testing
import TestSupport

@testable import ShoalData

@Suite("Text corpus")
struct TextCorpusTests {
    @Test("the Debian fortunes corpus: 43 files in name order, 2,576,627 characters, 113 distinct")
    func fortunes() throws {
        let corpus = try TextCorpus.load(path: "/usr/share/games/fortunes")
        #expect(corpus.files.count == 43)
        #expect(corpus.files == corpus.files.sorted())
        #expect(!corpus.files.contains { $0.hasSuffix(".dat") || $0.hasSuffix(".u8") })
        #expect(corpus.tokens.count == 2_576_627)
        #expect(corpus.vocabulary.count == 113)
        #expect(corpus.vocabulary.characters == corpus.vocabulary.characters.sorted())
        let splits = try TextSplits(corpus: corpus, validationFraction: 0.1, blockSize: 128, seed: 1337)
        #expect(splits.windows.stream.count == 2_318_964)  // ⌊0.9 × 2,576,627⌋
        // The same add-one-smoothed unigram cross-entropy computed independently in Python.
        let baseline = try #require(splits.unigramBaseline)
        #expect(abs(baseline - 3.375568802788601) < 1e-9, "\(baseline)")
        #expect(splits.validationWindows.count == (2_576_627 - 2_318_964 - 1) / 128)
    }

    @Test("a directory skips hidden files, .dat files, links and subdirectories; characters are Unicode scalars")
    func directoryRules() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("b.txt", text: "ba\u{301}")        // a + combining acute: two scalars
        _ = try dir.write("a.txt", text: "ab ")
        _ = try dir.write("a.dat", bytes: [0xFF, 0x00])
        _ = try dir.write(".hidden", text: "zzz")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/a.u8", withDestinationPath: dir.path + "/a.txt")
        try FileManager.default.createDirectory(atPath: dir.path + "/sub", withIntermediateDirectories: false)
        let corpus = try TextCorpus.load(path: dir.path)
        #expect(corpus.files == [dir.path + "/a.txt", dir.path + "/b.txt"])
        #expect(corpus.vocabulary.characters == [" ", "a", "b", "\u{301}"])
        #expect(corpus.vocabulary.decode(corpus.tokens) == "ab ba\u{301}")
        #expect(corpus.tokens.count == 6)
    }

    @Test("unreadable text is an error naming the file and the place")
    func badText() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("bad.txt", bytes: Array("héllo".utf8) + [0xC3, 0x28])
        #expect(throws: DataError.unreadable(file: file, reason: "not UTF-8 text: invalid byte sequence near byte 6")) {
            try TextCorpus.load(path: file)
        }
        #expect(throws: DataError.unreadable(file: dir.path + "/none", reason: "no such file or directory (data.text.path)")) {
            try TextCorpus.load(path: dir.path + "/none")
        }
        let empty = try dir.write("empty.txt", text: "")
        #expect(throws: DataError.invalidArgument("\(empty): the text is empty")) { try TextCorpus.load(path: empty) }
        let only = try TemporaryDirectory()
        defer { only.remove() }
        _ = try only.write("x.dat", text: "abc")
        #expect(throws: DataError.unreadable(file: only.path, reason: "the directory holds no text file")) {
            try TextCorpus.load(path: only.path)
        }
    }

    @Test("the vocabulary encodes, decodes, round-trips through its joined form and names an unknown character")
    func vocabulary() throws {
        let v = Vocabulary(characters: ["\n", " ", "a", "b"])
        #expect(try v.encode("ab a") == [2, 3, 1, 2])
        #expect(v.decode([3, 2, 0]) == "ba\n")
        #expect(Vocabulary(joined: v.joined) == v)
        #expect(Vocabulary(joined: "ba") == nil)
        #expect(Vocabulary(joined: "aa") == nil)
        #expect(throws: DataError.invalidArgument("\"c\" (U+0063) at character 2 is not in the model's vocabulary of 4 characters")) {
            try v.encode("abc")
        }
    }

    @Test("training windows: inputs and next-token targets from a start keyed by (seed, step, slot), always in range")
    func windows() throws {
        let tokens = (0..<50).map { Int32($0 % 7) }
        let w = try TokenWindows(tokens: tokens, blockSize: 8, seed: 3)
        #expect(w.count == 6)
        var features = [Float](repeating: -1, count: 24), targets = [Float](repeating: -1, count: 24)
        features.withUnsafeMutableBufferPointer { f in
            targets.withUnsafeMutableBufferPointer { t in w.gather(step: 4, slots: 2..<5, features: f, targets: t) }
        }
        for (row, slot) in (2..<5).enumerated() {
            let s = w.start(step: 4, slot: slot)
            #expect(s >= 0 && s + 8 < tokens.count)
            #expect(features[row * 8..<row * 8 + 8].map(Int32.init) == Array(tokens[s..<s + 8]))
            #expect(targets[row * 8..<row * 8 + 8].map(Int32.init) == Array(tokens[s + 1...s + 8]))
        }
        let starts = (0..<2000).map { w.start(step: $0 / 10, slot: $0 % 10) }
        #expect(Set(starts) == Set(0...41), "every start 0 ... count − blockSize − 1 occurs")
        #expect(try TokenWindows(tokens: tokens, blockSize: 8, seed: 4).start(step: 4, slot: 2) != w.start(step: 4, slot: 2)
                || TokenWindows(tokens: tokens, blockSize: 8, seed: 4).start(step: 4, slot: 3) != w.start(step: 4, slot: 3))
        #expect(throws: DataError.self) { try TokenWindows(tokens: tokens, blockSize: 50, seed: 1) }
    }
}
