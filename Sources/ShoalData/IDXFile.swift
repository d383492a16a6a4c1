import CZlib

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
    /// - Throws: ``DataError`` naming the file: unreadable, truncated, wrong magic, bad header,
    ///   or trailing data.
    public init(path: String) throws {
        self.path = path
        let raw = try IDXFile.readAll(path: path)
        guard raw.count >= 4 else {
            throw DataError.truncated(file: path, reason: "\(raw.count) bytes, shorter than the 4-byte magic")
        }
        guard raw[0] == 0, raw[1] == 0 else {
            let hex = raw[0..<4].map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            throw DataError.wrongMagic(file: path, found: hex)
        }
        guard raw[2] == 0x08 else {
            throw DataError.badHeader(
                file: path, reason: "data type 0x\(String(raw[2], radix: 16)), only unsigned bytes (0x08) are supported")
        }
        let rank = Int(raw[3])
        guard rank >= 1 else { throw DataError.badHeader(file: path, reason: "zero dimensions") }
        let headerSize = 4 + 4 * rank
        guard raw.count >= headerSize else {
            throw DataError.truncated(
                file: path, reason: "header announces \(rank) dimensions (\(headerSize) bytes), file has \(raw.count) bytes")
        }
        var dims: [Int] = []
        for axis in 0..<rank {
            let o = 4 + 4 * axis
            dims.append(Int(raw[o]) << 24 | Int(raw[o + 1]) << 16 | Int(raw[o + 2]) << 8 | Int(raw[o + 3]))
        }
        let expected = dims.reduce(1, *)
        let found = raw.count - headerSize
        if found < expected {
            throw DataError.truncated(
                file: path, reason: "header says \(dims) = \(expected) data bytes, file has \(found)")
        }
        if found > expected { throw DataError.trailingData(file: path, expected: expected, found: found) }
        dimensions = dims
        bytes = Array(raw[headerSize...])
    }

    /// The whole decompressed content, through zlib (`gzread` passes plain files through).
    static func readAll(path: String) throws -> [UInt8] {
        guard let gz = gzopen(path, "rb") else {
            throw DataError.unreadable(file: path, reason: "cannot open (missing file or no permission)")
        }
        defer { gzclose(gz) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(gz, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(gz, &code).map { String(cString: $0) } ?? "zlib error \(code)"
                throw DataError.truncated(file: path, reason: "corrupt or cut-off gzip stream (\(message))")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        // A gzip stream cut short reads as a clean end of file in some zlib versions: ask.
        var code: Int32 = 0
        _ = gzerror(gz, &code)
        if code != Z_OK && code != Z_STREAM_END {
            throw DataError.truncated(file: path, reason: "corrupt or cut-off gzip stream (zlib error \(code))")
        }
        return out
    }
}
