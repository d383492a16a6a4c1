import Foundation
import ShoalFormats

// Byte-level BPE tokenizers in the files other tools use: OpenAI's GPT-2 pair (encoder.json +
// vocab.bpe) and Hugging Face's tokenizer.json, read, and tokenizer.json written. Both write
// tokens in ByteLevelAlphabet's characters. Anything that would tokenize differently from GPT-2's
// scheme (a normalizer, another pre-tokenizer, a prefix space, dropout, a post-processor that
// adds tokens) is refused rather than half-honoured.

extension BytePairEncoder {
    /// Loads the tokenizer at `path`, however it is kept: a `tokenizer.json` file; a directory
    /// holding `tokenizer.json` (a Hugging Face model directory, a prepared corpus); or a
    /// directory holding OpenAI's `encoder.json` + `vocab.bpe`, or Hugging Face's `vocab.json` +
    /// `merges.txt`, looked for in that order. The one rule wherever a command takes a tokenizer.
    ///
    /// ```swift
    /// let gpt2 = try BytePairEncoder(path: "gpt2")                 // gpt2/tokenizer.json, or gpt2/encoder.json + gpt2/vocab.bpe
    /// let same = try BytePairEncoder(path: "gpt2/tokenizer.json")
    /// ```
    /// - Throws: ``TokenizerError``; ``TokenizerError/unreadable(file:reason:)`` for a missing
    ///   path, or a directory that holds none of the three.
    public init(path: String) throws(TokenizerError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(file: path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else {
            self = try BytePairEncoder(tokenizerFile: path)
            return
        }
        if fileExists(path + "/tokenizer.json") {
            self = try BytePairEncoder(tokenizerFile: path + "/tokenizer.json")
            return
        }
        for (vocabulary, merges) in [("encoder.json", "vocab.bpe"), ("vocab.json", "merges.txt")]
        where fileExists(path + "/" + vocabulary) && fileExists(path + "/" + merges) {
            self = try BytePairEncoder(vocabularyFile: path + "/" + vocabulary, mergesFile: path + "/" + merges)
            return
        }
        throw .unreadable(file: path, reason: "the directory holds no tokenizer: neither tokenizer.json, "
            + "nor encoder.json + vocab.bpe, nor vocab.json + merges.txt")
    }

    /// Loads OpenAI's GPT-2 files: `encoder.json` (token text → id; Hugging Face's `vocab.json`)
    /// and `vocab.bpe` (one merge per line, lowest rank first, after a `#version` line; Hugging
    /// Face's `merges.txt`). `<|endoftext|>`, when the vocabulary has it, is the special token.
    ///
    /// ```swift
    /// let gpt2 = try BytePairEncoder(vocabularyFile: "gpt2/encoder.json", mergesFile: "gpt2/vocab.bpe")
    /// gpt2.vocabularySize                  // 50257
    /// gpt2.specialTokens                   // ["<|endoftext|>": 50256]
    /// ```
    /// - Throws: ``TokenizerError``: the file that cannot be read or parsed, and where.
    public init(vocabularyFile: String, mergesFile: String) throws(TokenizerError) {
        let json = try parseJSON(try readFile(vocabularyFile), file: vocabularyFile)
        let vocabulary = try JSONVocabulary(json, file: vocabularyFile, addedTokens: [:])
        let mergesText = try readFile(mergesFile)
        var merges: [(left: Int32, right: Int32, merged: Int32)] = []
        var lineNumber = 0
        for line in mergesText.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            if line.isEmpty || (lineNumber == 1 && line.starts(with: Array("#version".utf8))) { continue }
            let text = String(decoding: line, as: UTF8.self)
            let halves = text.split(separator: " ", omittingEmptySubsequences: false)
            guard halves.count == 2, !halves[0].isEmpty, !halves[1].isEmpty else {
                throw .badMerge(file: mergesFile, line: lineNumber,
                                reason: "\"\(text)\" is not two tokens separated by one space")
            }
            guard let merge = vocabulary.merge(String(halves[0]), String(halves[1])) else {
                throw .badMerge(file: mergesFile, line: lineNumber, reason: vocabulary.whyNot(String(halves[0]), String(halves[1]),
                                                                                          vocabularyFile: vocabularyFile))
            }
            merges.append(merge)
        }
        let special = vocabulary.ids["<|endoftext|>"].map { ["<|endoftext|>": $0] } ?? [:]
        try self.init(tokens: vocabulary.tokens, merges: merges, specialTokens: special, file: vocabularyFile)
    }

    /// Loads a Hugging Face `tokenizer.json` whose model is byte-level BPE (GPT-2's, and any
    /// saved with a `BPE` model and a `ByteLevel` pre-tokenizer). Its `added_tokens` are the
    /// special tokens; ``encode(_:allowedSpecial:)`` with all of them allowed encodes as
    /// `Tokenizer.encode(text, add_special_tokens=False)` does.
    ///
    /// ```swift
    /// let gpt2 = try BytePairEncoder(tokenizerFile: "gpt2/tokenizer.json")
    /// gpt2.encode(" tokenizer")            // [11241, 7509]
    /// ```
    /// - Throws: ``TokenizerError``; ``TokenizerError/notByteLevelBPE(file:found:)`` names the
    ///   first part that is not GPT-2's kind (`model.type is "WordPiece"`, ...).
    public init(tokenizerFile file: String) throws(TokenizerError) {
        let json = try parseJSON(try readFile(file), file: file)
        guard case .object = json else { throw .notByteLevelBPE(file: file, found: "the file holds \(json.kind), not an object") }
        guard let model = json["model"] else { throw .notByteLevelBPE(file: file, found: "it has no \"model\"") }
        let type = model["type"].flatMap(\.text)
        guard type == "BPE" else { throw .notByteLevelBPE(file: file, found: "model.type is \(quoted(type))") }
        for (key, refused) in [("dropout", "dropout"), ("continuing_subword_prefix", "a subword prefix"),
                               ("end_of_word_suffix", "an end-of-word suffix")] {
            if let value = model[key], !value.isNullOrEmpty {
                throw .notByteLevelBPE(file: file, found: "model.\(key) is \(value.serialized) (\(refused))")
            }
        }
        if case .bool(true) = model["byte_fallback"] {
            throw .notByteLevelBPE(file: file, found: "model.byte_fallback is true (a SentencePiece-style model)")
        }
        if let normalizer = json["normalizer"], !normalizer.isNullOrEmpty {
            throw .notByteLevelBPE(file: file, found: "normalizer is \(quoted(normalizer["type"].flatMap(\.text)))")
        }
        let pre = json["pre_tokenizer"]
        guard let pre, pre["type"].flatMap(\.text) == "ByteLevel" else {
            throw .notByteLevelBPE(file: file, found: "pre_tokenizer is \(quoted(pre?["type"].flatMap(\.text)))")
        }
        if case .bool(true) = pre["add_prefix_space"] {
            throw .notByteLevelBPE(file: file, found: "pre_tokenizer.add_prefix_space is true (GPT-2 adds no space)")
        }
        if case .bool(false) = pre["use_regex"] {
            throw .notByteLevelBPE(file: file, found: "pre_tokenizer.use_regex is false (GPT-2 splits by its pattern)")
        }
        for key in ["post_processor", "decoder"] {
            if let part = json[key], !part.isNullOrEmpty, part["type"].flatMap(\.text) != "ByteLevel" {
                throw .notByteLevelBPE(file: file, found: "\(key) is \(quoted(part["type"].flatMap(\.text)))")
            }
        }

        var added: [String: Int32] = [:]
        if case .array(let entries) = json["added_tokens"] {
            for (i, entry) in entries.enumerated() {
                guard let content = entry["content"].flatMap(\.text), let id = entry["id"]?.integer,
                      let id32 = Int32(exactly: id), id32 >= 0 else {
                    throw .badVocabulary(file: file, reason: "added_tokens[\(i)] has no content or no id ≥ 0")
                }
                for flag in ["single_word", "lstrip", "rstrip"] {
                    if case .bool(true) = entry[flag] {
                        throw .badVocabulary(file: file, reason: "added token \(content) has \(flag): true, which Shoal does not implement")
                    }
                }
                added[content] = id32
            }
        }
        guard let vocabularyJSON = model["vocab"] else { throw .badVocabulary(file: file, reason: "model has no vocab") }
        let vocabulary = try JSONVocabulary(vocabularyJSON, file: file, addedTokens: added, place: "model.vocab")
        guard case .array(let mergeEntries) = model["merges"] else {
            throw .badVocabulary(file: file, reason: "model.merges is \(model["merges"]?.kind ?? "missing"), not an array")
        }
        var merges: [(left: Int32, right: Int32, merged: Int32)] = []
        merges.reserveCapacity(mergeEntries.count)
        for (i, entry) in mergeEntries.enumerated() {
            // Written as "left right" (tokenizers before 0.20) or as ["left", "right"].
            var halves: [String] = []
            switch entry {
            case .string(let text): halves = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            case .array(let items): halves = items.compactMap(\.text)
            default: break
            }
            guard halves.count == 2, !halves[0].isEmpty, !halves[1].isEmpty else {
                throw .badVocabulary(file: file, reason: "model.merges[\(i)] is \(entry.serialized), not two tokens")
            }
            guard let merge = vocabulary.merge(halves[0], halves[1]) else {
                throw .badVocabulary(file: file, reason: "model.merges[\(i)]: "
                    + vocabulary.whyNot(halves[0], halves[1], vocabularyFile: "model.vocab"))
            }
            merges.append(merge)
        }
        var ignoreMerges = false
        if case .bool(true) = model["ignore_merges"] { ignoreMerges = true }
        try self.init(tokens: vocabulary.tokens, merges: merges, specialTokens: added,
                      mergesDecideEveryPiece: !ignoreMerges, file: file)
    }
}

extension BytePairEncoder {
    /// This tokenizer as a Hugging Face `tokenizer.json` (format version "1.0"): GPT-2's
    /// ByteLevel pre-tokenizer, post-processor and decoder, a BPE model with every token in id
    /// order and every merge by rank as a `["left", "right"]` pair (tokenizers 0.20 and later),
    /// the special tokens as `added_tokens`. ``init(tokenizerFile:)`` and Hugging Face's
    /// `Tokenizer.from_file` read it back to a tokenizer that encodes as this one does.
    ///
    /// The same tokenizer always gives the same bytes: compact JSON, members in a fixed order,
    /// special tokens by id. A special token is listed in `model.vocab` under its text, as
    /// Hugging Face lists GPT-2's `<|endoftext|>` (its loader takes the id from there), unless an
    /// ordinary token is written with that text.
    ///
    /// ```swift
    /// let gpt2 = try BytePairEncoder(vocabularyFile: "gpt2/encoder.json", mergesFile: "gpt2/vocab.bpe")
    /// let json = gpt2.tokenizerJSON()      // {"version":"1.0","truncation":null,...
    /// ```
    public func tokenizerJSON() -> [UInt8] {
        let specials = specialTokens.map { (text: $0.key, id: $0.value) }.sorted { ($0.id, $0.text) < ($1.id, $1.text) }
        let specialText = Dictionary(specials.map { ($0.id, $0.text) }, uniquingKeysWith: min)
        func text(_ id: Int32) -> String {
            String(String.UnicodeScalarView(tokens[Int(id)].map(ByteLevelAlphabet.character(of:))))
        }
        var vocab: [(key: String, value: StrictJSON)] = []
        vocab.reserveCapacity(tokens.count)
        let ordinary = Set((0..<Int32(tokens.count)).filter { specialText[$0] == nil }.map(text))
        for id in 0..<Int32(tokens.count) {
            if let special = specialText[id] {
                if !ordinary.contains(special) { vocab.append((special, StrictJSON(Int(id)))) }
            } else {
                vocab.append((text(id), StrictJSON(Int(id))))
            }
        }
        let byteLevel = StrictJSON.object([("type", .string("ByteLevel")), ("add_prefix_space", .bool(false)),
                                           ("trim_offsets", .bool(true)), ("use_regex", .bool(true))])
        let addedTokens = specials.map { special in
            StrictJSON.object([("id", StrictJSON(Int(special.id))), ("content", .string(special.text)),
                               ("single_word", .bool(false)), ("lstrip", .bool(false)), ("rstrip", .bool(false)),
                               ("normalized", .bool(false)), ("special", .bool(true))])
        }
        let model = StrictJSON.object([
            ("type", .string("BPE")), ("dropout", .null), ("unk_token", .null),
            ("continuing_subword_prefix", .null), ("end_of_word_suffix", .null),
            ("fuse_unk", .bool(false)), ("byte_fallback", .bool(false)), ("ignore_merges", .bool(!mergesDecideEveryPiece)),
            ("vocab", .object(vocab)),
            ("merges", .array(mergesByRank.map { .array([.string(text($0.left)), .string(text($0.right))]) })),
        ])
        let json = StrictJSON.object([
            ("version", .string("1.0")), ("truncation", .null), ("padding", .null),
            ("added_tokens", .array(addedTokens)), ("normalizer", .null), ("pre_tokenizer", byteLevel),
            ("post_processor", byteLevel), ("decoder", byteLevel), ("model", model),
        ])
        return Array(json.serialized.utf8)
    }

    /// Writes ``tokenizerJSON()`` to `path`, durably: a reader sees the previous file or the
    /// whole new one, never a part.
    ///
    /// ```swift
    /// let gpt2 = try BytePairEncoder(vocabularyFile: "gpt2/encoder.json", mergesFile: "gpt2/vocab.bpe")
    /// try gpt2.write(tokenizerFile: "gpt2/tokenizer.json")
    /// ```
    /// - Throws: ``FileSystemError`` naming the path that could not be written.
    public func write(tokenizerFile path: String) throws {
        try DurableIO.writeFile(at: URL(fileURLWithPath: path), data: Data(tokenizerJSON()))
    }
}

/// A vocabulary read from JSON (token text → id), as bytes by id.
private struct JSONVocabulary {
    /// `tokens[id]` is token `id`'s bytes.
    var tokens: [[UInt8]]
    /// Token text (in the byte-level alphabet) → id.
    var ids: [String: Int32]

    /// `addedTokens` (text → id) may extend the ids past the entries of `json`; their bytes are
    /// their text's UTF-8, and their text need not be in the byte-level alphabet.
    init(_ json: StrictJSON, file: String, addedTokens: [String: Int32], place: String = "the vocabulary") throws(TokenizerError) {
        guard case .object(let entries) = json else {
            throw .badVocabulary(file: file, reason: "\(place) is \(json.kind), not an object of token → id")
        }
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(entries.count)
        var byID: [Int32: [UInt8]] = [:]
        for (text, value) in entries {
            guard let id = value.integer, let id32 = Int32(exactly: id), id32 >= 0 else {
                throw .badVocabulary(file: file, reason: "token \(quoted(text)) has id \(value.serialized), not an integer ≥ 0")
            }
            let bytes: [UInt8]
            if let b = ByteLevelAlphabet.bytes(of: text) {
                bytes = b
            } else if addedTokens[text] == id32 {
                bytes = Array(text.utf8)
            } else {
                throw .notByteLevelBPE(file: file, found: "token \(quoted(text)) (id \(id)) has a character outside GPT-2's byte alphabet")
            }
            if let other = byID[id32] {
                throw .badVocabulary(file: file, reason: "id \(id) is given to two tokens, "
                    + "\(quoted(String(decoding: other, as: UTF8.self))) and \(quoted(text))")
            }
            byID[id32] = bytes
            ids[text] = id32
        }
        for (text, id) in addedTokens {
            if let existing = byID[id], existing != Array(text.utf8), ids[text] != id {
                throw .badVocabulary(file: file, reason: "added token \(quoted(text)) has id \(id), "
                    + "which the vocabulary gives to another token")
            }
            if byID[id] == nil { byID[id] = Array(text.utf8) }
        }
        // In Int: the highest id may be Int32.max.
        let count = Int(byID.keys.max() ?? -1) + 1
        guard byID.count == count else {
            let missing = (0..<count).first { byID[Int32($0)] == nil }!
            throw .badVocabulary(file: file, reason: "the ids are not 0..<\(count): no token has id \(missing)")
        }
        self.tokens = (0..<count).map { byID[Int32($0)]! }
        self.ids = ids
    }

    func merge(_ left: String, _ right: String) -> (left: Int32, right: Int32, merged: Int32)? {
        guard let l = ids[left], let r = ids[right], let m = ids[left + right] else { return nil }
        return (l, r, m)
    }

    /// Why `left right` is not a merge of this vocabulary.
    func whyNot(_ left: String, _ right: String, vocabularyFile: String) -> String {
        for token in [left, right] where ids[token] == nil {
            return "merge \(quoted(left)) + \(quoted(right)): \(quoted(token)) is not a token of \(vocabularyFile)"
        }
        return "merge \(quoted(left)) + \(quoted(right)) makes \(quoted(left + right)), which is not a token of \(vocabularyFile)"
    }
}

private func readFile(_ path: String) throws(TokenizerError) -> [UInt8] {
    do {
        _ = try regularFileSize(path)
    } catch {
        throw .unreadable(file: path, reason: error == .notRegular ? "not a regular file" : "cannot open (\(error))")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw .unreadable(file: path, reason: "cannot read the file")
    }
    return [UInt8](data)
}

private func parseJSON(_ bytes: [UInt8], file: String) throws(TokenizerError) -> StrictJSON {
    do {
        return try StrictJSON.parse(bytes)
    } catch {
        throw .malformedJSON(file: file, reason: error.description)
    }
}

/// `text` in quotes, with its escapes as JSON writes them; "nothing" for nil.
private func quoted(_ text: String?) -> String {
    text.map { jsonStringLiteral($0) } ?? "nothing"
}

private extension StrictJSON {
    var text: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var isNullOrEmpty: Bool {
        switch self {
        case .null: return true
        case .string(let s): return s.isEmpty
        default: return false
        }
    }
}
