/// A byte-level BPE tokenizer, GPT-2's kind: text is split by GPT-2's pattern into pieces
/// (``GPT2PreTokenizer``), each piece's UTF-8 bytes start as one token per byte, and the
/// adjacent pair with the lowest merge rank is joined until no listed pair remains. Any text
/// encodes (every byte is a token), and ``decode(_:)`` gives back its exact bytes.
///
/// It loads OpenAI's GPT-2 files (`encoder.json` + `vocab.bpe`, which Hugging Face calls
/// `vocab.json` + `merges.txt`) or a Hugging Face `tokenizer.json` with a byte-level BPE model.
/// On those files it gives tiktoken's and Hugging Face `tokenizers`' ids (GPT2ReferenceTests
/// compares them on the fortunes corpus, 10,000 random strings and every Unicode scalar).
///
/// Special tokens (`<|endoftext|>`, and a `tokenizer.json`'s `added_tokens`) are never read out
/// of text unless the caller allows them: a document that contains the characters
/// `<|endoftext|>` is text like any other, and cannot end itself. To put a special token
/// between documents, append its id.
///
/// ```swift
/// let gpt2 = try BytePairEncoder(vocabularyFile: "gpt2/encoder.json", mergesFile: "gpt2/vocab.bpe")
/// gpt2.encode("Hello world")                      // [15496, 995]
/// gpt2.encode("a<|endoftext|>")                    // [64, 27, 91, 437, 1659, 5239, 91, 29]
/// gpt2.encode("a<|endoftext|>", allowedSpecial: ["<|endoftext|>"])   // [64, 50256]
/// try gpt2.decode([15496, 995])                    // the UTF-8 bytes of "Hello world"
/// try gpt2.decode([50257])                         // throws: not in the vocabulary of 50257 tokens
/// ```
public struct BytePairEncoder: Sendable {
    /// The number of token ids, special tokens included: ids are `0..<vocabularySize`.
    public var vocabularySize: Int { tokens.count }
    /// The special tokens by text, e.g. `["<|endoftext|>": 50256]`.
    public let specialTokens: [String: Int32]
    /// The number of merges, GPT-2's 50,000: `vocab.bpe`'s lines, `tokenizer.json`'s `model.merges`.
    public var mergeCount: Int { mergesByRank.count }

    let tokens: TokenBytes
    let merges: MergeTable
    /// The merges as given, by rank: what ``tokenizerJSON()`` writes (``merges`` is their
    /// lookup table and keeps no order).
    let mergesByRank: [(left: Int32, right: Int32, merged: Int32)]
    /// False for a `tokenizer.json` with `ignore_merges` (see the initializer).
    let mergesDecideEveryPiece: Bool
    /// `byteTokens[b]` is the token of the single byte `b`.
    let byteTokens: [Int32]
    /// True for a token that a piece equal to its bytes merges into: such a piece (most words)
    /// is looked up whole instead of merged. Special tokens are not, nor is a token that the
    /// merges would split otherwise. In GPT-2's vocabulary every other token is, so this is
    /// tiktoken's whole-piece lookup there, and a merge by merge rank everywhere else.
    let isWholePiece: [Bool]

    /// A tokenizer from its parts, checked: every byte has a token, and every special token's id
    /// is in range.
    ///
    /// - Parameters:
    ///   - tokens: `tokens[id]` is the bytes of token `id`, special tokens included.
    ///   - merges: `merges[rank]` joins `left` and `right` into `merged`, lower ranks first.
    ///   - specialTokens: text → id.
    ///   - mergesDecideEveryPiece: false for a `tokenizer.json` with `ignore_merges`, where a
    ///     piece that is a token is that token whatever the merges would make of it.
    ///   - file: named in errors.
    init(tokens: [[UInt8]], merges: [(left: Int32, right: Int32, merged: Int32)], specialTokens: [String: Int32],
         mergesDecideEveryPiece: Bool = true, file: String) throws(TokenizerError) {
        let table = TokenBytes(tokens)
        var byteTokens = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            guard let id = [UInt8(b)].withUnsafeBufferPointer({ table.id(of: $0) }) else {
                throw .notByteLevelBPE(file: file, found: "byte 0x\(String(b, radix: 16)) has no token")
            }
            byteTokens[b] = id
        }
        for (text, id) in specialTokens where id < 0 || Int(id) >= tokens.count {
            throw .badVocabulary(file: file, reason: "special token \(text) has id \(id), outside 0..<\(tokens.count)")
        }
        let mergeTable = MergeTable(merges)
        let special = Set(specialTokens.values)
        var isWholePiece = [Bool](repeating: false, count: tokens.count)
        var parts: [Int32] = [], ranks: [UInt64] = [], out: [Int32] = []
        // An empty token (a vocabulary file may list "") is no piece's, and has nothing to merge.
        for id in 0..<tokens.count where !special.contains(Int32(id)) && !tokens[id].isEmpty {
            if !mergesDecideEveryPiece {
                isWholePiece[id] = true
                continue
            }
            out.removeAll(keepingCapacity: true)
            tokens[id].withUnsafeBufferPointer {
                Self.merge($0, merges: mergeTable, byteTokens: byteTokens, into: &out, parts: &parts, ranks: &ranks)
            }
            isWholePiece[id] = out == [Int32(id)]
        }
        self.tokens = table
        self.merges = mergeTable
        self.mergesByRank = merges
        self.mergesDecideEveryPiece = mergesDecideEveryPiece
        self.byteTokens = byteTokens
        self.specialTokens = specialTokens
        self.isWholePiece = isWholePiece
    }

    /// The token ids of `text`.
    ///
    /// - Parameter allowedSpecial: special tokens that are read out of the text as their ids
    ///   (where two start at one place, the longer); every other character, the text of any other
    ///   special token included, is encoded as text. `Set(specialTokens.keys)` allows them all,
    ///   which is what Hugging Face `tokenizers` does.
    public func encode(_ text: String, allowedSpecial: Set<String> = []) -> [Int32] {
        var text = text
        var out: [Int32] = []
        out.reserveCapacity(text.utf8.count / 4)
        var parts: [Int32] = [], ranks: [UInt64] = []
        let specials = allowedSpecial.compactMap { s in specialTokens[s].map { (bytes: Array(s.utf8), id: $0) } }
            .sorted { $0.bytes.count > $1.bytes.count }
        text.withUTF8 { utf8 in
            var start = 0, i = 0
            while i < utf8.count && !specials.isEmpty {
                guard let special = specials.first(where: { s in
                    s.bytes.count <= utf8.count - i && s.bytes.withUnsafeBufferPointer { s in
                        s.indices.allSatisfy { s[$0] == utf8[i + $0] }
                    }
                }) else {
                    i += 1
                    continue
                }
                encodeOrdinary(UnsafeBufferPointer(rebasing: utf8[start..<i]), into: &out, parts: &parts, ranks: &ranks)
                out.append(special.id)
                i += special.bytes.count
                start = i
            }
            encodeOrdinary(UnsafeBufferPointer(rebasing: utf8[start...]), into: &out, parts: &parts, ranks: &ranks)
        }
        return out
    }

    /// The exact bytes of `ids`, one token's bytes after another (a special token's are its
    /// text's UTF-8). The bytes of a cut-off sequence may end inside a character.
    ///
    /// - Throws: ``TokenizerError/unknownTokenID(_:vocabularySize:)`` for an id outside the vocabulary.
    public func decode(_ ids: some Sequence<Int32>) throws(TokenizerError) -> [UInt8] {
        var out: [UInt8] = []
        for id in ids {
            guard id >= 0 && Int(id) < tokens.count else { throw .unknownTokenID(id, vocabularySize: tokens.count) }
            out += tokens[Int(id)]
        }
        return out
    }

    /// Appends the tokens of `text`, which holds no special token, to `out`. `parts` and `ranks`
    /// are scratch space kept between pieces.
    private func encodeOrdinary(_ text: UnsafeBufferPointer<UInt8>, into out: inout [Int32],
                                parts: inout [Int32], ranks: inout [UInt64]) {
        var pieces = GPT2PreTokenizer(utf8: text)
        while let range = pieces.next() {
            let piece = UnsafeBufferPointer(rebasing: text[range])
            if let id = tokens.id(of: piece), isWholePiece[Int(id)] {
                out.append(id)
            } else {
                Self.merge(piece, merges: merges, byteTokens: byteTokens, into: &out, parts: &parts, ranks: &ranks)
            }
        }
    }

    /// BPE on one piece: start from one token per byte, join the adjacent pair of lowest rank
    /// (the leftmost of equal pairs) until no pair merges, append the tokens to `out`.
    ///
    /// A word is merged by ``mergeByScan``; a long piece (a run of spaces or of "=" in a corpus
    /// can be a megabyte) by ``mergeByHeap``, whose cost grows as n log n instead of n².
    /// Both give the same tokens.
    static func merge(_ piece: UnsafeBufferPointer<UInt8>, merges: MergeTable, byteTokens: [Int32],
                      into out: inout [Int32], parts: inout [Int32], ranks: inout [UInt64]) {
        if piece.count <= 64 {
            mergeByScan(piece, merges: merges, byteTokens: byteTokens, into: &out, parts: &parts, ranks: &ranks)
        } else {
            mergeByHeap(piece, merges: merges, byteTokens: byteTokens, into: &out)
        }
    }

    /// `ranks[i]` is the merge of `parts[i]` and `parts[i + 1]` as ``MergeTable/merge(_:_:)``
    /// gives it; a join changes only the ranks on either side, and each step scans for the least.
    static func mergeByScan(_ piece: UnsafeBufferPointer<UInt8>, merges: MergeTable, byteTokens: [Int32],
                            into out: inout [Int32], parts: inout [Int32], ranks: inout [UInt64]) {
        parts.removeAll(keepingCapacity: true)
        ranks.removeAll(keepingCapacity: true)
        for b in piece { parts.append(byteTokens[Int(b)]) }
        for i in 0..<(parts.count - 1) { ranks.append(merges.merge(parts[i], parts[i + 1])) }
        while !ranks.isEmpty {
            var best = 0
            for i in 1..<ranks.count where ranks[i] < ranks[best] { best = i }
            guard ranks[best] != .max else { break }
            parts[best] = Int32(truncatingIfNeeded: ranks[best] & 0xFFFF_FFFF)
            parts.remove(at: best + 1)
            ranks.remove(at: best)
            if best < ranks.count { ranks[best] = merges.merge(parts[best], parts[best + 1]) }
            if best > 0 { ranks[best - 1] = merges.merge(parts[best - 1], parts[best]) }
        }
        out += parts
    }

    /// The parts as a linked list indexed by the byte where each starts, and a min-heap of
    /// (rank, start) over the pairs that merge: the least pops first, and among equal ranks the
    /// leftmost, as in the scan. A join leaves older entries of the changed pairs in the heap;
    /// an entry is stale, and skipped, when its pair's rank is no longer the one recorded (a
    /// rank names one pair).
    static func mergeByHeap(_ piece: UnsafeBufferPointer<UInt8>, merges: MergeTable, byteTokens: [Int32],
                            into out: inout [Int32]) {
        let n = piece.count
        var token = piece.map { byteTokens[Int($0)] }   // -1 once joined into the part on its left
        var next = (0..<n).map { $0 + 1 }, previous = (0..<n).map { $0 - 1 }   // n and -1: none
        var heap = MinHeap<UInt64>()
        func push(_ i: Int) {
            let merge = merges.merge(token[i], token[next[i]])
            if merge != .max { heap.push(merge & 0xFFFF_FFFF_0000_0000 | UInt64(i)) }
        }
        for i in 0..<(n - 1) { push(i) }
        while let entry = heap.pop() {
            let i = Int(entry & 0xFFFF_FFFF), rank = entry >> 32
            guard token[i] >= 0, next[i] < n else { continue }
            let merge = merges.merge(token[i], token[next[i]])
            guard merge >> 32 == rank else { continue }
            let j = next[i]
            token[i] = Int32(truncatingIfNeeded: merge & 0xFFFF_FFFF)
            token[j] = -1
            next[i] = next[j]
            if next[j] < n { previous[next[j]] = i }
            if previous[i] >= 0 { push(previous[i]) }
            if next[i] < n { push(i) }
        }
        var i = 0
        while i < n {
            out.append(token[i])
            i = next[i]
        }
    }
}

/// A binary min-heap: the merge queue of ``BytePairEncoder/mergeByHeap`` (UInt64s) and the pair
/// queue of ``BytePairTrainer`` (its least element is the pair to merge next).
struct MinHeap<Element: Comparable> {
    private var items: [Element] = []

    mutating func push(_ item: Element) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard let last = items.popLast() else { return nil }
        guard !items.isEmpty else { return last }
        let top = items[0]
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var least = parent
            if left < items.count && items[left] < items[least] { least = left }
            if right < items.count && items[right] < items[least] { least = right }
            if least == parent { break }
            items.swapAt(parent, least)
            parent = least
        }
        return top
    }
}
