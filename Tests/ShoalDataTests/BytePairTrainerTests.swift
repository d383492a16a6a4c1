import Foundation
import Testing
import TestSupport

@testable import ShoalData

@Suite("BPE training")
struct BytePairTrainerTests {
    /// The merges of `tokenizer`, by rank, as text.
    static func merges(_ tokenizer: BytePairEncoder) -> [String] {
        tokenizer.mergesByRank.map { String(decoding: tokenizer.tokens[Int($0.left)], as: UTF8.self)
            + "+" + String(decoding: tokenizer.tokens[Int($0.right)], as: UTF8.self) }
    }

    static func train(_ texts: [String], vocabularySize: Int, specialTokens: [String] = ["<|endoftext|>"]) throws -> BytePairEncoder {
        var trainer = try BytePairTrainer(vocabularySize: vocabularySize, specialTokens: specialTokens)
        for text in texts { trainer.add(text) }
        return try trainer.train()
    }

    /// "low", " lower", " lowest": l+o and o+w occur 3 times, l comes first; then lo+w (3). At 2
    /// occurrences " "+low and low+e tie, " " (0x20) comes first; then " low"+e (2). Every other
    /// pair occurs once, so training stops at 260 tokens and <|endoftext|> is 260.
    @Test("a hand-checked corpus: the most frequent pair first, ties by the left token's bytes, stop when no pair occurs twice")
    func handChecked() throws {
        let bpe = try Self.train(["low lower lowest"], vocabularySize: 1000)
        #expect(Self.merges(bpe) == ["l+o", "lo+w", " +low", " low+e"])
        #expect(bpe.vocabularySize == 261)
        #expect(bpe.specialTokens == ["<|endoftext|>": 260])
        #expect(bpe.encode(" lowest") == [259, 115, 116])
        #expect(bpe.encode("low<|endoftext|>", allowedSpecial: ["<|endoftext|>"]) == [257, 260])
    }

    /// a+b and a+c occur twice each: the left tokens are equal, b < c. a+x before ab+x: a prefix
    /// comes first. Pieces are counted, not ordered: the texts in any order give the same merges.
    @Test("ties: equal left tokens are ordered by the right one's bytes, a prefix first; the order of the text does not matter")
    func ties() throws {
        #expect(Self.merges(try Self.train(["ac\nab\nac\nab"], vocabularySize: 300, specialTokens: [])) == ["a+b", "a+c"])
        // ab+x needs a+b first; then a+x (2) ties with ab+x (2): "a" is a prefix of "ab", so a+x.
        let texts = ["abx", "abx", "ax", "ax", "ab"]
        let expected = ["a+b", "a+x", "ab+x"]
        #expect(Self.merges(try Self.train(texts, vocabularySize: 300, specialTokens: [])) == expected)
        #expect(Self.merges(try Self.train(texts.reversed(), vocabularySize: 300, specialTokens: [])) == expected)
    }

    @Test("the vocabulary size is reached exactly, special tokens last in the order given")
    func size() throws {
        let text = String(decoding: try GPT2Reference.fortunes().prefix(200_000), as: UTF8.self)
        let bpe = try Self.train([text], vocabularySize: 600, specialTokens: ["<|endoftext|>", "<|pad|>"])
        #expect(bpe.vocabularySize == 600)
        #expect(bpe.mergesByRank.count == 600 - 256 - 2)
        #expect(bpe.specialTokens == ["<|endoftext|>": 598, "<|pad|>": 599])
        #expect(Array(bpe.tokens[65]) == [65], "token b is byte b")
    }

    @Test("training is deterministic: two runs write the same tokenizer.json; decode(encode(x)) is x")
    func deterministic() throws {
        let corpus = try GPT2Reference.fortunes()
        let texts = [String(decoding: corpus.prefix(150_000), as: UTF8.self), String(decoding: corpus.suffix(150_000), as: UTF8.self)]
        let first = try Self.train(texts, vocabularySize: 1000), second = try Self.train(texts.reversed(), vocabularySize: 1000)
        #expect(first.tokenizerJSON() == second.tokenizerJSON())
        for text in texts + RandomText.strings(count: 500, seed: 7) {
            #expect(try first.decode(first.encode(text)) == Array(text.utf8))
        }
    }

    @Test("a vocabulary size out of range, an empty corpus and a bad special token are refused with the reason")
    func refusals() throws {
        #expect(throws: TokenizerError.cannotTrain(reason: "a vocabulary size of 257: it must hold the 256 bytes, at least one merge "
            + "and 1 special token, so 258 to 16777216")) { try BytePairTrainer(vocabularySize: 257) }
        #expect(throws: TokenizerError.cannotTrain(reason: "a vocabulary size of 16777217: it must hold the 256 bytes, at least one merge "
            + "and 0 special tokens, so 257 to 16777216")) { try BytePairTrainer(vocabularySize: 1 << 24 + 1, specialTokens: []) }
        #expect(throws: TokenizerError.cannotTrain(reason: "special token 2 is empty")) {
            try BytePairTrainer(vocabularySize: 300, specialTokens: ["<|a|>", ""])
        }
        #expect(throws: TokenizerError.cannotTrain(reason: "special token <|a|> is given twice")) {
            try BytePairTrainer(vocabularySize: 300, specialTokens: ["<|a|>", "<|a|>"])
        }
        #expect(throws: TokenizerError.cannotTrain(reason: "the corpus is empty")) { try BytePairTrainer(vocabularySize: 300).train() }
        #expect(throws: TokenizerError.cannotTrain(reason: "special token lo would be written as learned token 256 is, and the two "
            + "could not be told apart in tokenizer.json; choose one that no text piece can be, such as <|lo|>")) {
            try Self.train(["low lower lowest"], vocabularySize: 300, specialTokens: ["lo"])
        }
        #expect(TokenizerError.cannotTrain(reason: "the corpus is empty").description == "cannot train a tokenizer: the corpus is empty")
    }
}

/// The trained tokenizer against Hugging Face `tokenizers`, which reads the tokenizer.json it is
/// written as: skipped, saying why, without `$SHOAL_PYTHON`.
@Suite("BPE training against Hugging Face tokenizers",
       .enabled(if: GPT2Reference.unavailable == nil, Comment(rawValue: GPT2Reference.unavailable ?? "")))
struct BytePairTrainerReferenceTests {
    @Test("a tokenizer trained on the fortunes, written as tokenizer.json, encodes them in tokenizers as in Shoal")
    func sameAsTokenizers() throws {
        let dir = try TemporaryDirectory(prefix: "shoal-bpe-train")
        defer { dir.remove() }
        let corpus = String(decoding: try GPT2Reference.fortunes(), as: UTF8.self)
        var trainer = try BytePairTrainer(vocabularySize: 2000, specialTokens: ["<|endoftext|>", "<|im start|>"])
        trainer.add(corpus)
        let bpe = try trainer.train()
        let path = dir.path + "/tokenizer.json"
        try bpe.write(tokenizerFile: path)
        let texts = [corpus, "a<|endoftext|>b<|im start|>c"] + RandomText.strings(count: 1000, seed: 11)
        let ids = texts.map { bpe.encode($0, allowedSpecial: Set(bpe.specialTokens.keys)) }
        let theirs = try GPT2Reference.huggingFaceIDs(tokenizerFile: path, texts: texts, in: dir)
        try #require(theirs.count == texts.count)
        let differ = texts.indices.filter { ids[$0] != theirs[$0] }
        #expect(differ.isEmpty, "\(differ.count) texts differ, e.g. \(differ.prefix(3).map { texts[$0].prefix(80).debugDescription })")
        #expect(ids[1].contains(1998) && ids[1].contains(1999))
        #expect(try BytePairEncoder(tokenizerFile: path).encode(corpus) == bpe.encode(corpus))
    }
}
