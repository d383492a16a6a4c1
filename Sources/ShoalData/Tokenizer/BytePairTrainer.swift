/// Learns a byte-level BPE tokenizer, GPT-2's kind, from text: the merges that
/// ``BytePairEncoder`` applies, learned the way GPT-2's were.
///
/// Text is split into pieces by GPT-2's pattern (``GPT2PreTokenizer``) and each distinct piece is
/// counted once, with its number of occurrences. The vocabulary starts as the 256 single bytes,
/// token id `b` being byte `b` (byte order, not GPT-2's `bytes_to_unicode` order). Then, again
/// and again, the most frequent pair of adjacent tokens inside a piece is merged into one new
/// token, the next id, and every occurrence of the pair is rewritten, left to right, as BPE reads
/// it. Training stops when the vocabulary, special tokens included, has `vocabularySize` tokens,
/// or earlier, when no pair occurs twice: a merge seen once would only memorise that one place,
/// so the tokenizer is then smaller than asked, and ``BytePairEncoder/vocabularySize`` says by
/// how much. The special tokens (`<|endoftext|>` unless others are given) take the last ids, in
/// the order given. A merge whose bytes are already a token (`a` + `bc` after `ab` + `c`) is
/// listed, and adds no token.
///
/// **Ties.** Among pairs with the same count, the pair merged first is the one whose left token's
/// bytes come first in lexicographic byte order, and among those, whose right token's bytes do (a
/// token that is a prefix of another comes first: `a` before `ab`). Tokens' bytes are distinct, so
/// this orders every two pairs, and a corpus always gives the same tokenizer, whatever the order
/// its pieces were counted in.
///
/// Each step costs what the merged pair touches: counts are kept for every pair and updated only
/// in the pieces that held the pair, and the pairs wait in a heap ordered by (count, the tie
/// rule), re-queued when found with a count that has since dropped.
///
/// ```swift
/// var trainer = try BytePairTrainer(vocabularySize: 8192)
/// for file in try textFiles(at: "/usr/share/games/fortunes") {
///     trainer.add(try readText(file: file))
/// }
/// let tokenizer = try trainer.train()
/// tokenizer.specialTokens                          // ["<|endoftext|>": 8191]
/// try tokenizer.write(tokenizerFile: "tokenizer/tokenizer.json")
/// ```
public struct BytePairTrainer: Sendable {
    /// The largest vocabulary it trains: token ids travel as `Float` in Shoal's token data,
    /// exact up to 2^24.
    public static let maximumVocabularySize = 1 << 24
    /// The special tokens when none are given: GPT-2's document separator.
    public static let defaultSpecialTokens = ["<|endoftext|>"]

    /// The number of tokens to reach, special tokens included.
    public let vocabularySize: Int
    /// The special tokens, given the last ids in this order.
    public let specialTokens: [String]
    /// The UTF-8 bytes added so far.
    public private(set) var corpusBytes = 0
    /// Each distinct piece of the text added so far → its occurrences.
    private var pieceCounts: [[UInt8]: Int] = [:]

    /// A trainer with nothing added yet.
    ///
    /// ```swift
    /// let trainer = try BytePairTrainer(vocabularySize: 4096, specialTokens: ["<|endoftext|>", "<|pad|>"])
    /// ```
    /// - Throws: ``TokenizerError/cannotTrain(reason:)`` when the vocabulary would not hold the
    ///   256 bytes, one merge and the special tokens, or more than ``maximumVocabularySize``; or
    ///   for a special token that is empty or given twice.
    public init(vocabularySize: Int, specialTokens: [String] = defaultSpecialTokens) throws(TokenizerError) {
        let least = 257 + specialTokens.count
        guard (least...Self.maximumVocabularySize).contains(vocabularySize) else {
            throw .cannotTrain(reason: "a vocabulary size of \(vocabularySize): it must hold the 256 bytes, at least one merge "
                + "and \(specialTokens.count) special token\(specialTokens.count == 1 ? "" : "s"), so \(least) to \(Self.maximumVocabularySize)")
        }
        for (i, text) in specialTokens.enumerated() {
            guard !text.isEmpty else { throw .cannotTrain(reason: "special token \(i + 1) is empty") }
            guard !specialTokens[..<i].contains(text) else { throw .cannotTrain(reason: "special token \(text) is given twice") }
        }
        self.vocabularySize = vocabularySize
        self.specialTokens = specialTokens
    }

    /// Counts the pieces of `text`, one document: no piece spans two calls. A special token's
    /// characters in it are text, as ``BytePairEncoder/encode(_:allowedSpecial:)`` reads them by
    /// default.
    ///
    /// ```swift
    /// var trainer = try BytePairTrainer(vocabularySize: 300)
    /// trainer.add("the cat and the hat")       // pieces "the", " cat", " and", " the", " hat"
    /// ```
    public mutating func add(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            corpusBytes += utf8.count
            var pieces = GPT2PreTokenizer(utf8: utf8)
            while let range = pieces.next() { pieceCounts[Array(utf8[range]), default: 0] += 1 }
        }
    }

    /// The tokenizer learned from the text added so far.
    ///
    /// ```swift
    /// var trainer = try BytePairTrainer(vocabularySize: 300, specialTokens: [])
    /// trainer.add("low lower lowest")
    /// let tokenizer = try trainer.train()
    /// tokenizer.encode(" lowest")                  // [259, 115, 116]: " lowe", "s", "t"
    /// tokenizer.vocabularySize                     // 260: lo, low, " low", " lowe"; then no pair occurs twice
    /// ```
    /// - Throws: ``TokenizerError/cannotTrain(reason:)`` for an empty corpus, or for a special token
    ///   that `tokenizer.json` would write as it writes a learned token (such as `hello`, when
    ///   "hello" was learned); a special token that no piece of text can be, such as
    ///   `<|name|>`, never is.
    public func train() throws(TokenizerError) -> BytePairEncoder {
        guard !pieceCounts.isEmpty else { throw .cannotTrain(reason: "the corpus is empty") }
        var state = MergeState(pieceCounts: pieceCounts)
        while state.tokens.count < vocabularySize - specialTokens.count, let next = state.mostFrequentPair(), next.count >= 2 {
            state.merge(next.pair)
        }
        var tokens = state.tokens
        var special: [String: Int32] = [:]
        for text in specialTokens {
            if let bytes = ByteLevelAlphabet.bytes(of: text), let learned = state.ids[bytes] {
                throw .cannotTrain(reason: "special token \(text) would be written as learned token \(learned) is, "
                    + "and the two could not be told apart in tokenizer.json; choose one that no text piece can be, such as <|\(text)|>")
            }
            special[text] = Int32(tokens.count)
            tokens.append(Array(text.utf8))
        }
        return try BytePairEncoder(tokens: tokens, merges: state.merges, specialTokens: special, file: "the trained tokenizer")
    }
}

/// The training in progress: the distinct pieces as token sequences, every adjacent pair's
/// count, and the queue of pairs to merge.
private struct MergeState {
    /// `tokens[id]` is token `id`'s bytes; `ids` the reverse.
    var tokens: [[UInt8]]
    var ids: [[UInt8]: Int32]
    /// By rank.
    var merges: [(left: Int32, right: Int32, merged: Int32)] = []
    /// The distinct pieces, sorted by bytes, each as its current tokens, and its occurrences.
    var words: [[Int32]]
    let occurrences: [Int]
    /// Pair (left << 32 | right) → occurrences in the corpus.
    var pairCounts: [UInt64: Int] = [:]
    /// Pair → the words that hold it, or held it once (a word is rescanned before it is changed).
    var wordsWithPair: [UInt64: [Int32]] = [:]
    /// Every pair with a count, under the count it had when queued: never less than its count now.
    var queue = MinHeap<Candidate>()

    init(pieceCounts: [[UInt8]: Int]) {
        tokens = (0..<256).map { [UInt8($0)] }
        ids = Dictionary(uniqueKeysWithValues: (0..<256).map { ([UInt8($0)], Int32($0)) })
        let sorted = pieceCounts.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        words = sorted.map { $0.key.map(Int32.init) }
        occurrences = sorted.map(\.value)
        for (w, word) in words.enumerated() {
            for i in word.indices.dropLast() {
                let pair = Self.pair(word[i], word[i + 1])
                pairCounts[pair, default: 0] += occurrences[w]
                if wordsWithPair[pair]?.last != Int32(w) { wordsWithPair[pair, default: []].append(Int32(w)) }
            }
        }
        for (pair, count) in pairCounts { enqueue(pair, count: count) }
    }

    static func pair(_ left: Int32, _ right: Int32) -> UInt64 { UInt64(UInt32(left)) << 32 | UInt64(UInt32(right)) }

    mutating func enqueue(_ pair: UInt64, count: Int) {
        queue.push(Candidate(count: count, pair: pair, left: tokens[Int(pair >> 32)], right: tokens[Int(pair & 0xFFFF_FFFF)]))
    }

    /// The pair to merge next and its count; nil when no pair is left. A queued count that has
    /// dropped since is queued again with the count now: counts only fall, except a new token's
    /// pairs, which are queued as they appear, so a queued count that is current is the largest.
    mutating func mostFrequentPair() -> (pair: UInt64, count: Int)? {
        while let top = queue.pop() {
            let count = pairCounts[top.pair] ?? 0
            if count == top.count { return (top.pair, count) }
            if count > 0 { enqueue(top.pair, count: count) }
        }
        return nil
    }

    /// Merges `pair` everywhere, and updates the counts of the pairs around each occurrence in
    /// the words that held it.
    mutating func merge(_ pair: UInt64) {
        let left = Int32(truncatingIfNeeded: pair >> 32), right = Int32(truncatingIfNeeded: pair)
        let bytes = tokens[Int(left)] + tokens[Int(right)]
        let merged: Int32
        if let existing = ids[bytes] {
            merged = existing
        } else {
            merged = Int32(tokens.count)
            tokens.append(bytes)
            ids[bytes] = merged
        }
        merges.append((left, right, merged))
        var grown: Set<UInt64> = []   // the pairs with the merged token, the only ones whose count rises
        for w in wordsWithPair.removeValue(forKey: pair) ?? [] {
            let word = words[Int(w)], n = occurrences[Int(w)]
            guard word.indices.dropLast().contains(where: { word[$0] == left && word[$0 + 1] == right }) else { continue }
            for i in word.indices.dropLast() { pairCounts[Self.pair(word[i], word[i + 1])]! -= n }
            var rewritten: [Int32] = []
            rewritten.reserveCapacity(word.count - 1)
            var i = 0
            while i < word.count {
                if i + 1 < word.count && word[i] == left && word[i + 1] == right {
                    rewritten.append(merged)
                    i += 2
                } else {
                    rewritten.append(word[i])
                    i += 1
                }
            }
            for i in rewritten.indices.dropLast() {
                let p = Self.pair(rewritten[i], rewritten[i + 1])
                pairCounts[p, default: 0] += n
                if rewritten[i] == merged || rewritten[i + 1] == merged {
                    grown.insert(p)
                    if wordsWithPair[p]?.last != w { wordsWithPair[p, default: []].append(w) }
                }
            }
            words[Int(w)] = rewritten
        }
        pairCounts[pair] = nil
        for p in grown { enqueue(p, count: pairCounts[p]!) }
    }
}

/// A queued pair. The least candidate is merged first: the highest count, then the tie rule of
/// ``BytePairTrainer`` on the two tokens' bytes.
private struct Candidate: Comparable {
    let count: Int
    let pair: UInt64
    let left: [UInt8], right: [UInt8]

    static func < (a: Candidate, b: Candidate) -> Bool {
        if a.count != b.count { return a.count > b.count }
        if a.left != b.left { return a.left.lexicographicallyPrecedes(b.left) }
        return a.right.lexicographicallyPrecedes(b.right)
    }

    static func == (a: Candidate, b: Candidate) -> Bool { a.count == b.count && a.pair == b.pair }
}
