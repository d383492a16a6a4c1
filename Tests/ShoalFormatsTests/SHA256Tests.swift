import Foundation
import ShoalFormats
import Testing

/// SHA-256 through OpenSSL: FIPS 180-2's vectors, chunked input equal to one piece, and a file
/// read in 1 MiB chunks equal to its bytes in memory.
@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(sha256Hex(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(sha256Hex(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha256Hex(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(sha256Hex(of: Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func piecesHashAsTheirConcatenation() {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        let whole = bytes.withUnsafeBytes { sha256Hex(of: $0) }
        let pieces = bytes.withUnsafeBytes { all in
            sha256Hex(ofConcatenation: [UnsafeRawBufferPointer(rebasing: all[0..<1]), UnsafeRawBufferPointer(rebasing: all[1..<4097]),
                                        UnsafeRawBufferPointer(rebasing: all[4097..<4097]), UnsafeRawBufferPointer(rebasing: all[4097...])])
        }
        #expect(pieces == whole)
    }

    @Test func aFileHashesAsItsBytesAndAMissingOneIsNamed() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("shoal-sha256-\(getpid())")
        defer { try? FileManager.default.removeItem(at: url) }
        // Larger than the 1 MiB read chunk, and not a multiple of it.
        let data = Data((0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 >> 3) })
        try data.write(to: url)
        #expect(try sha256Hex(ofFileAt: url) == sha256Hex(of: data))
        let missing = url.appendingPathExtension("missing")
        #expect(throws: FileSystemError.self) { try sha256Hex(ofFileAt: missing) }
    }
}
