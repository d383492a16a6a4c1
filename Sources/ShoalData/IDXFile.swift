import CZlib
import ShoalTensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One IDX file (the format of MNIST and Fashion-MNIST): an unsigned-byte tensor with its
/// dimensions. Gzip-compressed and plain files are both read (zlib reads plain files as they are).
///
/// The header is checked against the data: magic `0x00 0x00 0x08 ndims`, big-endian
/// dimensions, and exactly `product(dims)` bytes after them.
///
/// ```swift
/// let labels = try IDXFile(path: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
/// labels.dimensions   // [10000]
/// labels.bytes[0]     // 9 (ankle boot)
/// ```
public struct IDXFile: Sendable {
    /// The path the file was read from, for messages.
    public let path: String
    /// Sizes of the axes, outermost first: `[count]` for labels, `[count, rows, cols]` for images.
    public let dimensions: [Int]
    /// The data, `product(dimensions)` bytes in row-major order.
    public let bytes: [UInt8]

    /// The number of items along the first axis.
    public var count: Int { dimensions.first ?? 0 }

    /// Reads and validates an IDX file of unsigned bytes (type 0x08).
    ///
    /// Nothing is allocated from the header before it is checked: the dimensions' product must
    /// fit in `Int` and in what the file can hold (its size, times deflate's largest ratio if it
    /// is gzipped), and the data is read only up to that product.
    ///
    /// - Throws: ``DataError`` naming the file: unreadable, truncated, wrong magic, bad header,
    ///   or trailing data.
    public init(path: String) throws {
        self.path = path
        let stream = try GzipStream(path: path)
        let magic = try stream.read(upTo: 4)
        guard magic.count == 4 else {
            throw DataError.truncated(file: path, reason: "\(magic.count) bytes, shorter than the 4-byte magic")
        }
        guard magic[0] == 0, magic[1] == 0 else {
            let hex = magic.map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            throw DataError.wrongMagic(file: path, found: hex)
        }
        guard magic[2] == 0x08 else {
            throw DataError.badHeader(
                file: path, reason: "data type 0x\(String(magic[2], radix: 16)), only unsigned bytes (0x08) are supported")
        }
        let rank = Int(magic[3])
        guard rank >= 1 else { throw DataError.badHeader(file: path, reason: "zero dimensions") }
        let headerSize = 4 + 4 * rank
        let raw = try stream.read(upTo: 4 * rank)
        guard raw.count == 4 * rank else {
            throw DataError.truncated(
                file: path, reason: "header announces \(rank) dimensions (\(headerSize) bytes), file has \(4 + raw.count) bytes")
        }
        let dims = (0..<rank).map { axis in
            let o = 4 * axis
            return Int(raw[o]) << 24 | Int(raw[o + 1]) << 16 | Int(raw[o + 2]) << 8 | Int(raw[o + 3])
        }
        guard let expected = elementCount(of: dims) else {
            throw DataError.badHeader(file: path, reason: "dimensions \(dims) multiply to more bytes than a file can hold")
        }
        guard expected <= stream.largestContent - headerSize else {
            let holds = stream.isCompressed
                ? "more than the \(stream.fileSize)-byte gzip file can hold" : "file has \(stream.fileSize - headerSize)"
            throw DataError.truncated(file: path, reason: "header says \(dims) = \(expected) data bytes, \(holds)")
        }
        let data = try stream.read(upTo: expected)
        if data.count < expected {
            throw DataError.truncated(file: path, reason: "header says \(dims) = \(expected) data bytes, file has \(data.count)")
        }
        let trailing = try stream.skipToEnd()
        if trailing > 0 { throw DataError.trailingData(file: path, expected: expected, found: expected + trailing) }
        dimensions = dims
        bytes = data
    }
}

/// A file read through zlib (`gzread` passes plain files through), in bounded pieces.
private final class GzipStream {
    let path: String
    let fileSize: Int
    /// The most bytes the content can have: the file size, or 1032 times it for a gzip file
    /// (deflate's largest ratio).
    let largestContent: Int
    /// Whether the file is gzip (else zlib passes it through).
    let isCompressed: Bool
    private let gz: gzFile

    init(path: String) throws {
        self.path = path
        let size: Int
        // Opening a FIFO would wait for a writer, and a device may never end.
        do { size = try regularFileSize(path) } catch { throw error.dataError(path) }
        guard let gz = gzopen(path, "rb") else { throw DataError.unreadable(file: path, reason: "cannot open (missing file or no permission)") }
        self.gz = gz
        fileSize = size
        isCompressed = gzdirect(gz) == 0
        let (inflated, overflow) = fileSize.multipliedReportingOverflow(by: 1032)
        largestContent = !isCompressed ? fileSize : overflow ? Int.max : inflated
    }

    deinit { gzclose(gz) }

    /// Up to `count` bytes; fewer only at the end of the content.
    func read(upTo count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        let chunk = 1 << 20
        while out.count < count {
            let want = min(chunk, count - out.count)
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: want))
            let n = out.withUnsafeMutableBufferPointer { gzread(gz, $0.baseAddress! + start, UInt32(want)) }
            if n < 0 { throw corrupt() }
            out.removeLast(want - Int(n))
            if n == 0 { break }
        }
        try checkEnd(out.count < count)
        return out
    }

    /// Reads the rest of the content without keeping it; returns how many bytes it held.
    func skipToEnd() throws -> Int {
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(gz, $0.baseAddress, UInt32($0.count)) }
            if n < 0 { throw corrupt() }
            if n == 0 { break }
            total += Int(n)
        }
        try checkEnd(true)
        return total
    }

    /// A gzip stream cut short reads as a clean end of file in some zlib versions: ask.
    private func checkEnd(_ atEnd: Bool) throws {
        guard atEnd else { return }
        var code: Int32 = 0
        _ = gzerror(gz, &code)
        if code != Z_OK && code != Z_STREAM_END {
            throw DataError.truncated(file: path, reason: "corrupt or cut-off gzip stream (zlib error \(code))")
        }
    }

    private func corrupt() -> DataError {
        var code: Int32 = 0
        let message = gzerror(gz, &code).map { String(cString: $0) } ?? "zlib error \(code)"
        return DataError.truncated(file: path, reason: "corrupt or cut-off gzip stream (\(message))")
    }
}
