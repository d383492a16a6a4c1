// llm.c's token shard format (dev/data/data_common.py, write_datafile), read as it is: a header
// of 256 little-endian int32 — [0] magic, [1] version, [2] token count, the rest zero — then the
// tokens, little-endian. GPT-2-sized vocabularies use magic 20240520, version 1 and uint16
// tokens; larger ones (llm.c's "llama-3") magic 20240801, version 7 and uint32 tokens.
//
// A shard is memory-mapped, not read: a training corpus may be many gigabytes, and a window of
// tokens is read where it lies, so a rank's memory does not grow with the corpus, and the page
// cache is shared by the ranks of a node.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One token shard in llm.c's format, memory-mapped read-only and checked at open: the magic
/// and version give the token width (2 or 4 bytes), and the file's size must be exactly the
/// header plus the tokens its header announces.
///
/// Opening reads only the header; ``validate(vocabularySize:)`` scans the tokens. The mapping
/// is released when the last reference goes. (A file cut short by another program while it is
/// mapped makes a read past its new end fail with SIGBUS, as with any mapped file.)
///
/// ```swift
/// let shard = try TokenShard(path: "prepared/train_000000.bin")
/// shard.count                       // 100_000_000
/// shard.tokenWidth                  // 2
/// shard[0]                          // 50256, <|endoftext|> before the first document
/// var window = [Float](repeating: 0, count: 1025)
/// window.withUnsafeMutableBufferPointer { shard.copy(from: 4096, count: 1025, into: $0) }
/// try shard.validate(vocabularySize: 50257)
/// ```
public final class TokenShard: @unchecked Sendable {  // immutable after init; the mapping is read-only
    /// The path the shard was opened at, named in errors.
    public let path: String
    /// The number of tokens.
    public let count: Int
    /// Bytes per token: 2 (magic 20240520) or 4 (magic 20240801).
    public let tokenWidth: Int

    /// The header's size in bytes: 256 int32.
    public static let headerBytes = 1024
    /// llm.c's magic and version for 2-byte tokens.
    static let magic2: Int32 = 20240520, version2: Int32 = 1
    /// llm.c's magic and version for 4-byte tokens.
    static let magic4: Int32 = 20240801, version4: Int32 = 7

    private let mapping: UnsafeMutableRawPointer
    private let mappedBytes: Int
    /// The first token; 1024 bytes into a page-aligned mapping, so every token load is aligned.
    private var tokens: UnsafeRawPointer { UnsafeRawPointer(mapping) + Self.headerBytes }

    /// Opens and maps the shard at `path` and checks its header against its size.
    ///
    /// - Throws: ``TokenShardError``: unreadable, too short for the header, an unknown magic or
    ///   version, or a size that is not the header plus the announced tokens (truncated, or
    ///   trailing bytes), each naming the file and the numbers.
    public init(path: String) throws(TokenShardError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(file: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .unreadable(file: path, reason: String(cString: strerror(errno))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(file: path, reason: "not a regular file") }
        let size = Int(status.st_size)
        guard size >= Self.headerBytes else { throw .tooShort(file: path, bytes: size) }
        guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapping != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .unreadable(file: path, reason: "cannot map the file: \(String(cString: strerror(errno)))")
        }
        func header(_ i: Int) -> Int32 { Int32(littleEndian: mapping.load(fromByteOffset: 4 * i, as: Int32.self)) }
        do throws(TokenShardError) {
            let magic = header(0), version = header(1), count = header(2)
            switch magic {
            case Self.magic2: tokenWidth = 2
            case Self.magic4: tokenWidth = 4
            default: throw .badMagic(file: path, found: magic)
            }
            let expectedVersion = tokenWidth == 2 ? Self.version2 : Self.version4
            guard version == expectedVersion else {
                throw .badVersion(file: path, magic: magic, expected: expectedVersion, found: version)
            }
            guard count >= 0 else { throw .badCount(file: path, count: count) }
            let expected = Self.headerBytes + Int(count) * tokenWidth
            if size < expected {
                throw .truncated(file: path, tokens: Int(count), tokenWidth: tokenWidth, expectedBytes: expected, foundBytes: size)
            }
            if size > expected {
                throw .trailingBytes(file: path, tokens: Int(count), tokenWidth: tokenWidth, expectedBytes: expected, foundBytes: size)
            }
            self.count = Int(count)
        } catch {
            munmap(mapping, size)
            throw error
        }
        self.mapping = mapping
        mappedBytes = size
    }

    deinit { munmap(mapping, mappedBytes) }

    /// Token `i`, `0 ..< count`. (A 4-byte token above `Int32.max` reads as negative:
    /// ``validate(vocabularySize:)`` refuses it.)
    public subscript(i: Int) -> Int32 {
        precondition(i >= 0 && i < count, "token \(i) is outside the shard's \(count)")
        return tokenWidth == 2
            ? Int32(UInt16(littleEndian: tokens.load(fromByteOffset: 2 * i, as: UInt16.self)))
            : Int32(bitPattern: UInt32(littleEndian: tokens.load(fromByteOffset: 4 * i, as: UInt32.self)))
    }

    /// Copies tokens `start ..< start + count` into the first `count` elements of `destination`,
    /// as Floats: the training window's read, into the model's input and target buffers (a token
    /// id below 2^24 is an exact Float). Allocates nothing.
    public func copy(from start: Int, count n: Int, into destination: UnsafeMutableBufferPointer<Float>) {
        precondition(start >= 0 && n >= 0 && start + n <= count && n <= destination.count,
                     "tokens \(start)..<\(start + n) into \(destination.count) places, from a shard of \(count)")
        guard n > 0, let out = destination.baseAddress else { return }
        if tokenWidth == 2 {
            let source = tokens.assumingMemoryBound(to: UInt16.self) + start
            for i in 0..<n { out[i] = Float(UInt16(littleEndian: source[i])) }
        } else {
            let source = tokens.assumingMemoryBound(to: UInt32.self) + start
            for i in 0..<n { out[i] = Float(UInt32(littleEndian: source[i])) }
        }
    }

    /// Gives back the memory that holds tokens `start ..< start + count`: `MADV_DONTNEED` on the
    /// 2 MiB-aligned blocks around them, which for this read-only file mapping drops their pages
    /// from the process and leaves them in the page cache (reading them again is a minor fault).
    /// Training calls it after each window: a fault maps a whole large folio of the page cache
    /// (up to 2 MiB on current kernels, whatever `madvise` advice the mapping has), and windows at
    /// random places would otherwise make the whole corpus resident in the process.
    ///
    /// ```swift
    /// let shard = try TokenShard(path: "prepared/train_000000.bin")
    /// _ = shard[4096]
    /// shard.releasePages(from: 4096, count: 1)
    /// ```
    public func releasePages(from start: Int, count n: Int) {
        guard n > 0 else { return }
        let block = 2 << 20
        let first = (Self.headerBytes + start * tokenWidth) / block * block
        let end = min(mappedBytes, (Self.headerBytes + (start + n) * tokenWidth + block - 1) / block * block)
        madvise(mapping + first, end - first, MADV_DONTNEED)
    }

    /// The largest token id (4-byte tokens read unsigned), or nil for an empty shard: one scan
    /// at memory speed, to hold the shard against a vocabulary.
    ///
    /// The scan goes 4 MiB at a time and gives each part's pages back after reading it
    /// (`MADV_DONTNEED`, which for a read-only file mapping drops them from this process and
    /// leaves them in the page cache): checking a corpus larger than memory does not make the
    /// process hold it.
    ///
    /// ```swift
    /// try TokenShard(path: "prepared/val_000000.bin").maximumToken()   // 50256
    /// ```
    public func maximumToken() -> Int? {
        guard count > 0 else { return nil }
        let chunkBytes = 4 << 20  // a multiple of the page size; (4 MiB − header) holds whole tokens
        var largest: UInt32 = 0
        var start = Self.headerBytes
        while start < mappedBytes {
            let end = min(mappedBytes, (start / chunkBytes + 1) * chunkBytes)
            let first = (start - Self.headerBytes) / tokenWidth, last = (end - Self.headerBytes) / tokenWidth
            if tokenWidth == 2 {
                let source = tokens.assumingMemoryBound(to: UInt16.self)
                var part: UInt16 = 0
                for i in first..<last { part = max(part, UInt16(littleEndian: source[i])) }
                largest = max(largest, UInt32(part))
            } else {
                let source = tokens.assumingMemoryBound(to: UInt32.self)
                for i in first..<last { largest = max(largest, UInt32(littleEndian: source[i])) }
            }
            releasePages(from: first, count: last - first)
            start = end
        }
        return Int(largest)
    }

    /// Checks that every token is an id of a vocabulary of `vocabularySize` tokens: one scan
    /// (``maximumToken()``), and a second only to find the first offender's position.
    ///
    /// ```swift
    /// try TokenShard(path: "fineweb10B/fineweb_val_000000.bin").validate(vocabularySize: 50257)
    /// ```
    /// - Throws: ``TokenShardError/tokenOutOfRange(file:token:vocabularySize:position:)``.
    public func validate(vocabularySize: Int) throws(TokenShardError) {
        guard let largest = maximumToken(), largest >= vocabularySize else { return }
        for i in 0..<count {
            let token = tokenWidth == 2 ? Int(UInt16(truncatingIfNeeded: self[i])) : Int(UInt32(bitPattern: self[i]))
            if token >= vocabularySize {
                throw .tokenOutOfRange(file: path, token: token, vocabularySize: vocabularySize, position: i)
            }
        }
    }

    /// The width a vocabulary of `vocabularySize` ids needs: 2 bytes up to 65,536 ids, else 4
    /// (as llm.c chooses between GPT-2's and Llama 3's formats).
    ///
    /// ```swift
    /// TokenShard.tokenWidth(vocabularySize: 50257)    // 2
    /// TokenShard.tokenWidth(vocabularySize: 128_256)  // 4
    /// ```
    public static func tokenWidth(vocabularySize: Int) -> Int { vocabularySize <= 1 << 16 ? 2 : 4 }

    /// Writes `tokens` as a shard of `tokenWidth`-byte tokens (2 or 4) at `path`, durably, as
    /// ``TokenShardWriter`` does. Returns the SHA-256 (hex) of the file's bytes.
    ///
    /// ```swift
    /// let tokens: [Int32] = [50256, 15496, 995]
    /// let sha256 = try tokens.withUnsafeBufferPointer { try TokenShard.write($0, tokenWidth: 2, to: "val_000000.bin") }
    /// ```
    /// - Throws: ``TokenShardError/tokenTooWide(file:token:position:tokenWidth:)`` for a negative
    ///   token or one the width cannot hold (nothing is left behind),
    ///   ``TokenShardError/tooManyTokens(file:count:)``, or ``FileSystemError``.
    @discardableResult
    public static func write(_ tokens: UnsafeBufferPointer<Int32>, tokenWidth: Int, to path: String) throws -> String {
        let writer = try TokenShardWriter(path: path, tokenWidth: tokenWidth)
        try writer.append(tokens)
        return try writer.finish()
    }
}
