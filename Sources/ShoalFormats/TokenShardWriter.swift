import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one token shard in llm.c's format (``TokenShard``) as its tokens arrive, in memory of
/// a fixed 64 K-token buffer whatever the shard's size: the header's count is written last.
///
/// The file is written beside `path` under a temporary name, and appears under `path` only by
/// ``finish()``: complete, fsynced, renamed, its directory fsynced. A writer dropped without
/// ``finish()``, or one whose append failed, leaves nothing behind.
///
/// ```swift
/// let writer = try TokenShardWriter(path: "prepared/train_000000.bin", tokenWidth: 2)
/// let document: [Int32] = [50256, 15496, 995]
/// try document.withUnsafeBufferPointer { try writer.append($0) }
/// writer.count                        // 3
/// let sha256 = try writer.finish()
/// ```
public final class TokenShardWriter {
    /// Where the shard appears once finished.
    public let path: String
    /// Bytes per token, 2 or 4.
    public let tokenWidth: Int
    /// The tokens appended so far.
    public private(set) var count = 0

    private let temporary: String
    private var fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    private let limit: Int32
    /// Set once the temporary file is renamed to ``path``: nothing is left to remove.
    private var renamed = false

    /// Starts the shard: creates the temporary file beside `path` and reserves the header.
    ///
    /// - Parameter tokenWidth: 2 or 4 (``TokenShard/tokenWidth(vocabularySize:)``).
    /// - Throws: ``FileSystemError`` if the file cannot be created.
    public init(path: String, tokenWidth: Int) throws {
        precondition(tokenWidth == 2 || tokenWidth == 4, "a token shard holds 2- or 4-byte tokens, not \(tokenWidth)")
        self.path = path
        self.tokenWidth = tokenWidth
        limit = tokenWidth == 2 ? Int32(UInt16.max) : Int32.max
        let url = URL(fileURLWithPath: path)
        temporary = url.deletingLastPathComponent().appendingPathComponent(".tmp-\(url.lastPathComponent)-\(getpid())").path
        fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError(operation: "create", path: temporary, code: errno) }
        buffer = .allocate(byteCount: max(TokenShard.headerBytes, Self.chunk * tokenWidth), alignment: 4)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        do {
            try DurableIO.writeAll(fd, UnsafeRawBufferPointer(rebasing: buffer[0..<TokenShard.headerBytes]), path: temporary)
        } catch {
            discard()
            throw error
        }
    }

    deinit {
        discard()
        buffer.deallocate()
    }

    /// Tokens converted per write.
    private static let chunk = 1 << 16

    /// Appends `tokens`.
    ///
    /// - Throws: ``TokenShardError/tokenTooWide(file:token:position:tokenWidth:)`` (position
    ///   counted from the shard's start), ``TokenShardError/tooManyTokens(file:count:)``, or
    ///   ``FileSystemError``; the writer is then discarded, and leaves no file.
    public func append(_ tokens: UnsafeBufferPointer<Int32>) throws {
        precondition(fd >= 0, "append to a finished or discarded token shard writer")
        do {
            guard count + tokens.count <= Int(Int32.max) else { throw TokenShardError.tooManyTokens(file: path, count: count + tokens.count) }
            for (i, token) in tokens.enumerated() {
                guard token >= 0 && token <= limit else {
                    throw TokenShardError.tokenTooWide(file: path, token: token, position: count + i, tokenWidth: tokenWidth)
                }
                if tokenWidth == 2 {
                    buffer.storeBytes(of: UInt16(token).littleEndian, toByteOffset: 2 * buffered, as: UInt16.self)
                } else {
                    buffer.storeBytes(of: UInt32(token).littleEndian, toByteOffset: 4 * buffered, as: UInt32.self)
                }
                buffered += 1
                if buffered == Self.chunk { try flush() }
            }
            count += tokens.count
        } catch {
            discard()
            throw error
        }
    }

    /// Writes the header, makes the file durable and renames it to ``path``. Returns the SHA-256
    /// (hex) of the file, read back (from the page cache, at memory speed) because the header,
    /// which comes first, is known only now.
    ///
    /// - Throws: ``FileSystemError``; the writer is then discarded, and leaves no file.
    @discardableResult
    public func finish() throws -> String {
        precondition(fd >= 0, "finish of a finished or discarded token shard writer")
        do {
            try flush()
            var header = [Int32](repeating: 0, count: TokenShard.headerBytes / 4)
            header[0] = (tokenWidth == 2 ? TokenShard.magic2 : TokenShard.magic4).littleEndian
            header[1] = (tokenWidth == 2 ? TokenShard.version2 : TokenShard.version4).littleEndian
            header[2] = Int32(count).littleEndian
            guard header.withUnsafeBytes({ pwrite(fd, $0.baseAddress, $0.count, 0) }) == TokenShard.headerBytes else {
                throw FileSystemError(operation: "write the header of", path: temporary, code: errno)
            }
            guard fsync(fd) == 0 else { throw FileSystemError(operation: "fsync", path: temporary, code: errno) }
            close(fd)
            fd = -1
            let sha256 = try sha256Hex(ofFileAt: URL(fileURLWithPath: temporary))
            let url = URL(fileURLWithPath: path)
            try DurableIO.rename(URL(fileURLWithPath: temporary), to: url)
            renamed = true
            try DurableIO.fsyncDirectory(url.deletingLastPathComponent())
            return sha256
        } catch {
            discard()
            throw error
        }
    }

    private func flush() throws {
        try DurableIO.writeAll(fd, UnsafeRawBufferPointer(rebasing: buffer[0..<(buffered * tokenWidth)]), path: temporary)
        buffered = 0
    }

    /// Closes and removes the temporary file, if it is still there.
    private func discard() {
        if fd >= 0 { close(fd) }
        fd = -1
        if !renamed { unlink(temporary) }
    }
}
