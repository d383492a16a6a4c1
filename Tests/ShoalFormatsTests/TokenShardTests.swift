import Foundation
import ShoalFormats
import Testing
import TestSupport

/// llm.c's token shards: Shoal's writer and reader agree with each other and with numpy reading
/// and writing the format as llm.c does, and every malformed shard is refused by name.
@Suite struct TokenShardTests {
    /// Tokens that use the whole width: 0, the largest id, and a spread between.
    static func tokens(count: Int, below limit: Int) -> [Int32] {
        (0..<count).map { Int32(($0 &* 7919 &+ $0 / 3) % limit) } + [Int32(limit - 1), 0]
    }

    @Test(arguments: [(2, 1 << 16), (4, 128_256)])
    func aShardReadsBackAsWrittenWithTheFormatsHeader(width: Int, vocabulary: Int) throws {
        try TemporaryDirectory.with { dir in
            let tokens = Self.tokens(count: 100_000, below: vocabulary)
            let path = dir + "/train_000000.bin"
            let sha256 = try tokens.withUnsafeBufferPointer { try TokenShard.write($0, tokenWidth: width, to: path) }
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(sha256 == sha256Hex(of: Data(bytes)))
            #expect(bytes.count == TokenShard.headerBytes + tokens.count * width)
            let header = bytes.withUnsafeBytes { raw in (0..<256).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) } }
            #expect(Array(header[0..<3]) == (width == 2 ? [20240520, 1, Int32(tokens.count)] : [20240801, 7, Int32(tokens.count)]))
            #expect(header[3...].allSatisfy { $0 == 0 })

            let shard = try TokenShard(path: path)
            #expect(shard.count == tokens.count && shard.tokenWidth == width && shard.path == path)
            #expect((0..<tokens.count).allSatisfy { shard[$0] == tokens[$0] })
            var window = [Float](repeating: -1, count: 1000)
            window.withUnsafeMutableBufferPointer { shard.copy(from: 5000, count: 999, into: $0) }
            #expect(Array(window[0..<999]) == tokens[5000..<5999].map(Float.init) && window[999] == -1)
            #expect(shard.maximumToken() == vocabulary - 1)
            try shard.validate(vocabularySize: vocabulary)
        }
    }

    @Test func anEmptyShardIsTheHeaderAlone() throws {
        try TemporaryDirectory.with { dir in
            _ = try [Int32]().withUnsafeBufferPointer { try TokenShard.write($0, tokenWidth: 2, to: dir + "/val_000000.bin") }
            let shard = try TokenShard(path: dir + "/val_000000.bin")
            #expect(shard.count == 0 && shard.maximumToken() == nil)
            try shard.validate(vocabularySize: 1)
        }
    }

    @Test func theWidthFollowsTheVocabulary() {
        #expect(TokenShard.tokenWidth(vocabularySize: 50257) == 2)
        #expect(TokenShard.tokenWidth(vocabularySize: 65536) == 2)
        #expect(TokenShard.tokenWidth(vocabularySize: 65537) == 4)
    }

    // MARK: Bad shards

    /// A shard's bytes: `header` words (the rest zero), then `tokenBytes` bytes.
    static func shard(_ header: [Int32], tokenBytes: Int) -> [UInt8] {
        var words = [Int32](repeating: 0, count: 256)
        for (i, word) in header.enumerated() { words[i] = word.littleEndian }
        return words.withUnsafeBytes { Array($0) } + (0..<tokenBytes).map { UInt8($0 % 7) }
    }

    @Test func badShardsAreRefusedNamingTheFileWhatWasExpectedAndWhatWasFound() throws {
        try TemporaryDirectory.with { dir in
            func refusal(_ bytes: [UInt8]) -> String {
                let path = dir + "/shard.bin"
                _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
                do {
                    _ = try TokenShard(path: path)
                    return "accepted"
                } catch {
                    return error.description
                }
            }
            let file = dir + "/shard.bin"
            #expect(refusal(Self.shard([20240520, 1, 10], tokenBytes: 20)) == "accepted")
            #expect(refusal(Self.shard([1234, 1, 10], tokenBytes: 20))
                    == "\(file): not a token shard: the magic number is 1234, expected 20240520 (2-byte tokens) or 20240801 (4-byte tokens)")
            #expect(refusal(Self.shard([20240801, 1, 10], tokenBytes: 40))
                    == "\(file): unknown token shard version 1 for magic 20240801, expected version 7")
            #expect(refusal(Self.shard([20240520, 1, 10], tokenBytes: 19))
                    == "\(file): truncated: the header announces 10 tokens of 2 bytes, 1044 bytes with the header, but the file "
                    + "holds 1043; the file was cut short (disk full or an interrupted copy?)")
            #expect(refusal(Self.shard([20240801, 7, 10], tokenBytes: 44))
                    == "\(file): 4 bytes after the 10 tokens of 4 bytes that the header announces (1064 bytes with the header); the file holds 1068")
            #expect(refusal(Array(Self.shard([20240520, 1, 0], tokenBytes: 0)[0..<1000]))
                    == "\(file): truncated: the file is 1000 bytes, shorter than the 1024-byte header of a token shard (llm.c's format)")
            #expect(refusal(Self.shard([20240520, 1, -5], tokenBytes: 0)) == "\(file): bad header: the token count is -5")
            #expect(throws: TokenShardError.unreadable(file: dir + "/missing.bin", reason: "No such file or directory")) {
                try TokenShard(path: dir + "/missing.bin")
            }
            #expect(throws: TokenShardError.unreadable(file: dir, reason: "not a regular file")) { try TokenShard(path: dir) }
        }
    }

    @Test func aTokenOutsideTheVocabularyIsNamedWithItsPosition() throws {
        try TemporaryDirectory.with { dir in
            let path = dir + "/train_000003.bin"
            let tokens: [Int32] = [50256, 15496, 995, 50257, 60000, 11]
            _ = try tokens.withUnsafeBufferPointer { try TokenShard.write($0, tokenWidth: 2, to: path) }
            let shard = try TokenShard(path: path)
            #expect(shard.maximumToken() == 60000)
            #expect(throws: TokenShardError.tokenOutOfRange(file: path, token: 50257, vocabularySize: 50257, position: 3)) {
                try shard.validate(vocabularySize: 50257)
            }
            #expect(TokenShardError.tokenOutOfRange(file: path, token: 50257, vocabularySize: 50257, position: 3).description
                    == "\(path): token 50257 at position 3 is not in the tokenizer's vocabulary of 50257 tokens (ids 0..<50257); "
                    + "the shards were made with another tokenizer")
        }
    }

    @Test func theWriterRefusesATokenItsWidthCannotHoldAndLeavesNothing() throws {
        try TemporaryDirectory.with { dir in
            let path = dir + "/train_000000.bin"
            for (tokens, width, bad, position) in [([Int32(1), 65536], 2, Int32(65536), 1), ([Int32(-1)], 4, Int32(-1), 0)] {
                #expect(throws: TokenShardError.tokenTooWide(file: path, token: bad, position: position, tokenWidth: width)) {
                    _ = try tokens.withUnsafeBufferPointer { try TokenShard.write($0, tokenWidth: width, to: path) }
                }
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: dir)
            #expect(left.isEmpty, "\(left)")
        }
    }

    // MARK: numpy, reading and writing as llm.c does

    static let numpy = ReferencePython.unavailable(importing: ["numpy"], install: "numpy")

    /// llm.c's dev/data/data_common.py write_datafile, and its train_gpt2.py reading of a shard
    /// (_peek_data_shard, _load_data_shard), with the token width taken from the magic.
    static let llmc = #"""
        import sys
        import numpy as np

        def write_datafile(filename, toks, model_desc="gpt-2"):
            assert len(toks) < 2**31, "token count too large"
            if model_desc == "gpt-2":
                max_token_value = 2**16 - 1
                magic, version, token_dtype = 20240520, 1, np.uint16
            elif model_desc == "llama-3":
                max_token_value = 2**32 - 1
                magic, version, token_dtype = 20240801, 7, np.uint32
            header = np.zeros(256, dtype=np.int32)
            header[0] = magic
            header[1] = version
            header[2] = len(toks)
            toks_np = np.array(toks, dtype=token_dtype)
            assert (0 <= toks_np).all() and (toks_np <= max_token_value).all()
            with open(filename, "wb") as f:
                f.write(header.tobytes())
                f.write(toks_np.tobytes())

        def read_datafile(filename):
            with open(filename, "rb") as f:
                header = np.frombuffer(f.read(256 * 4), dtype=np.int32)
                magic, version, ntok = int(header[0]), int(header[1]), int(header[2])
                dtype = {20240520: np.uint16, 20240801: np.uint32}[magic]
                assert version == {20240520: 1, 20240801: 7}[magic]
                tokens = np.frombuffer(f.read(), dtype=dtype)
            assert len(tokens) == ntok, "number of tokens read does not match header"
            return magic, version, tokens

        command, path = sys.argv[1], sys.argv[2]
        if command == "write":
            model_desc, count, limit = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
            toks = [(i * 7919 + i // 3) % limit for i in range(count)] + [limit - 1, 0]
            write_datafile(path, toks, model_desc)
        else:
            magic, version, tokens = read_datafile(path)
            print(magic, version, len(tokens))
            print(" ".join(map(str, tokens.tolist())))
        """#

    @Test(.enabled(if: numpy == nil, Comment(rawValue: numpy ?? "")), arguments: [(2, 1 << 16), (4, 128_256)])
    func numpyReadsAShardShoalWrote(width: Int, vocabulary: Int) throws {
        try TemporaryDirectory.with { dir in
            let tokens = Self.tokens(count: 20_000, below: vocabulary)
            let path = dir + "/train_000000.bin"
            _ = try tokens.withUnsafeBufferPointer { try TokenShard.write($0, tokenWidth: width, to: path) }
            let (status, output) = try ReferencePython.run(["-c", Self.llmc, "read", path])
            try #require(status == 0, "\(output)")
            let lines = output.split(separator: "\n")
            #expect(lines[0] == (width == 2 ? "20240520 1 \(tokens.count)" : "20240801 7 \(tokens.count)"))
            #expect(lines[1].split(separator: " ").map { Int32($0)! } == tokens)
        }
    }

    @Test(.enabled(if: numpy == nil, Comment(rawValue: numpy ?? "")), arguments: [("gpt-2", 2, 50257), ("llama-3", 4, 128_256)])
    func shoalReadsAShardWrittenAsLlmcWritesIt(model: String, width: Int, vocabulary: Int) throws {
        try TemporaryDirectory.with { dir in
            let path = dir + "/fineweb_train_000001.bin"
            let (status, output) = try ReferencePython.run(["-c", Self.llmc, "write", path, model, "20000", String(vocabulary)])
            try #require(status == 0, "\(output)")
            let shard = try TokenShard(path: path)
            let tokens = Self.tokens(count: 20_000, below: vocabulary)
            #expect(shard.tokenWidth == width && shard.count == tokens.count)
            #expect((0..<shard.count).allSatisfy { shard[$0] == tokens[$0] })
            try shard.validate(vocabularySize: vocabulary)
        }
    }
}
