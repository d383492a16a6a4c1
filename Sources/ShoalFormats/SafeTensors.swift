// The safetensors format: an 8-byte little-endian header length N, N bytes of JSON header
// (padded with spaces to a multiple of 8), then the tensors' bytes. The header maps each name
// to {"dtype", "shape", "data_offsets": [begin, end]} with offsets relative to the data start,
// plus an optional "__metadata__" map of strings. Loadable by PyTorch and Hugging Face tools.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A safetensors file: named tensors in file order plus string metadata.
///
/// Writing lays the tensors out contiguously in the order given; reading validates the whole
/// header (length, JSON, every entry, offsets, sizes, unique names) before reading any tensor.
///
/// ```swift
/// let url = URL(fileURLWithPath: "model.safetensors")
/// let weight = SafeTensor(name: "layers.0.weight", shape: [2, 3], values: [Float](repeating: 1, count: 6))
/// try SafeTensorsFile.write([weight], metadata: ["format": "pt"], to: url)
///
/// let file = try SafeTensorsFile.read(from: url)
/// let w = try file.requireTensor(named: "layers.0.weight", dtype: .f32, count: 6)
/// ```
public struct SafeTensorsFile: Sendable {
    /// The header's `__metadata__` map.
    public let metadata: [String: String]
    /// The tensors in the order their bytes appear in the file.
    public let tensors: [SafeTensor]
    /// The path the file was read from, for error messages.
    public let path: String

    /// The largest header this reader accepts (the format's own limit).
    public static let maximumHeaderLength = 100_000_000

    public init(metadata: [String: String], tensors: [SafeTensor], path: String) {
        self.metadata = metadata
        self.tensors = tensors
        self.path = path
    }

    /// The tensor called `name`, or `nil`.
    public func tensor(named name: String) -> SafeTensor? {
        tensors.first { $0.name == name }
    }

    /// The tensor called `name`, checked to have `dtype` and, if given, `count` elements.
    ///
    /// ```swift
    /// let model = try SafeTensorsFile.read(from: URL(fileURLWithPath: "runs/a/checkpoints/latest/model.safetensors"))
    /// let weight = try model.requireTensor(named: "layers.0.weight", dtype: .f32, count: 784 * 128)
    /// ```
    ///
    /// - Throws: ``SafeTensorsError/missingTensor(file:tensor:)``,
    ///   ``SafeTensorsError/wrongDType(file:tensor:expected:found:)`` or
    ///   ``SafeTensorsError/wrongElementCount(file:tensor:expected:found:)``.
    public func requireTensor(named name: String, dtype: DType, count: Int? = nil) throws -> SafeTensor {
        guard let tensor = tensor(named: name) else {
            throw SafeTensorsError.missingTensor(file: path, tensor: name)
        }
        guard tensor.dtype == dtype else {
            throw SafeTensorsError.wrongDType(file: path, tensor: name, expected: dtype, found: tensor.dtype)
        }
        if let count, tensor.elementCount != count {
            throw SafeTensorsError.wrongElementCount(file: path, tensor: name, expected: count, found: tensor.elementCount ?? -1)
        }
        return tensor
    }

    // MARK: Writing

    /// Writes `tensors`, contiguous in the given order, and `metadata` to `url`.
    ///
    /// The file appears under its name only when complete and fsynced (written beside it, then
    /// renamed, then the directory fsynced).
    ///
    /// - Returns: The SHA-256 (hex) of the bytes written.
    /// - Throws: ``SafeTensorsError/invalidTensor(tensor:reason:)`` for a name used twice or
    ///   bytes that do not fit the dtype and shape; ``FileSystemError`` if writing fails.
    @discardableResult
    public static func write(_ tensors: [SafeTensor], metadata: [String: String], to url: URL) throws -> String {
        let header = try encodeHeader(tensors, metadata: metadata)
        return try DurableIO.writeFile(at: url) { sink in
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try sink($0) }
            try header.withUnsafeBytes { try sink($0) }
            for tensor in tensors {
                try tensor.data.withUnsafeBytes { try sink($0) }
            }
        }
    }

    /// The JSON header, padded with spaces to a multiple of 8 bytes.
    static func encodeHeader(_ tensors: [SafeTensor], metadata: [String: String]) throws -> [UInt8] {
        var names = Set<String>()
        var entries: [String] = []
        if !metadata.isEmpty {
            let members = metadata.sorted { $0.key < $1.key }
                .map { "\(jsonStringLiteral($0.key)):\(jsonStringLiteral($0.value))" }
            entries.append("\"__metadata__\":{\(members.joined(separator: ","))}")
        }
        var offset = 0
        for tensor in tensors {
            guard !tensor.name.isEmpty, tensor.name != "__metadata__" else {
                throw SafeTensorsError.invalidTensor(tensor: tensor.name, reason: "the name must be non-empty and not \"__metadata__\"")
            }
            guard names.insert(tensor.name).inserted else {
                throw SafeTensorsError.invalidTensor(tensor: tensor.name, reason: "the name is used by two tensors")
            }
            guard let count = tensor.elementCount else {
                throw SafeTensorsError.invalidTensor(tensor: tensor.name, reason: "shape \(tensor.shape) has a negative or too large dimension")
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: tensor.dtype.byteWidth)
            guard !overflow, bytes == tensor.data.count else {
                throw SafeTensorsError.invalidTensor(
                    tensor: tensor.name,
                    reason: "dtype \(tensor.dtype.rawValue) with shape \(tensor.shape) needs \(count) × \(tensor.dtype.byteWidth) bytes but \(tensor.data.count) were given")
            }
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonStringLiteral(tensor.name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        return header
    }

    // MARK: Reading

    /// Reads and validates the safetensors file at `url`.
    ///
    /// Nothing in the file is trusted before it is checked: the header length is bounded by
    /// ``maximumHeaderLength`` and the file size, the header must be strict JSON without
    /// duplicate keys, every entry needs a known dtype, a shape and in-range offsets whose
    /// span equals product(shape) · width, and the tensors must tile the data buffer exactly.
    ///
    /// - Throws: ``SafeTensorsError`` naming the file and the first problem found.
    public static func read(from url: URL) throws -> SafeTensorsFile {
        let path = url.path
        let fd = try openForReading(path)
        defer { close(fd) }
        let layout = try readHeader(fd, path: path)
        var tensors: [SafeTensor] = []
        tensors.reserveCapacity(layout.entries.count)
        for entry in layout.entries {
            let bytes = try readExactly(fd, count: entry.end - entry.begin, path: path)
            tensors.append(SafeTensor(name: entry.name, dtype: entry.dtype, shape: entry.shape, data: bytes))
        }
        return SafeTensorsFile(metadata: layout.metadata, tensors: tensors, path: path)
    }

    /// Reads and validates only the header of the file at `url`: the same checks as
    /// ``read(from:)`` without reading the tensors' bytes.
    public static func readLayout(of url: URL) throws -> SafeTensorsLayout {
        let fd = try openForReading(url.path)
        defer { close(fd) }
        return try readHeader(fd, path: url.path)
    }

    private static func openForReading(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SafeTensorsError.unreadable(file: path, reason: String(cString: strerror(errno))) }
        return fd
    }

    /// Reads the length and the header from the start of `fd` and validates them against the
    /// file's size; leaves `fd` at the start of the data buffer.
    private static func readHeader(_ fd: Int32, path: String) throws -> SafeTensorsLayout {
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw SafeTensorsError.unreadable(file: path, reason: String(cString: strerror(errno))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw SafeTensorsError.unreadable(file: path, reason: "not a regular file") }
        let fileSize = Int(status.st_size)
        guard fileSize >= 8 else { throw SafeTensorsError.tooShort(file: path, size: fileSize) }
        let lengthBytes = try readExactly(fd, count: 8, path: path)
        let headerLength = lengthBytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(maximumHeaderLength) else {
            throw SafeTensorsError.headerTooLarge(file: path, length: headerLength, limit: maximumHeaderLength)
        }
        guard headerLength <= UInt64(fileSize - 8) else {
            throw SafeTensorsError.headerPastEnd(file: path, length: headerLength, fileSize: fileSize)
        }
        let header = try readExactly(fd, count: Int(headerLength), path: path)
        return try SafeTensorsLayout(header: header, file: path, bufferSize: fileSize - 8 - Int(headerLength))
    }

    private static func readExactly(_ fd: Int32, count: Int, path: String) throws -> Data {
        var data = Data(count: count)
        var filled = 0
        try data.withUnsafeMutableBytes { buffer in
            while filled < count {
                let got = posixRead(fd, buffer.baseAddress! + filled, count - filled)
                if got < 0 {
                    if errno == EINTR { continue }
                    throw SafeTensorsError.unreadable(file: path, reason: String(cString: strerror(errno)))
                }
                if got == 0 {
                    throw SafeTensorsError.unreadable(file: path, reason: "the file shrank while it was being read")
                }
                filled += got
            }
        }
        return data
    }
}

/// The C `read(2)`, named so that `SafeTensorsFile.read(from:)` does not shadow it.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// A validated safetensors header: metadata and tensor entries sorted by offset.
public struct SafeTensorsLayout: Sendable {
    /// One tensor's entry: its bytes are `begin..<end` of the data buffer.
    public struct Entry: Sendable {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        public let begin: Int
        public let end: Int
    }

    public let metadata: [String: String]
    public let entries: [Entry]

    init(header: Data, file: String, bufferSize: Int) throws {
        let json: StrictJSON
        do {
            json = try StrictJSON.parse([UInt8](header))
        } catch let error {
            if let name = error.duplicateKey, error.depth == 1 {
                throw SafeTensorsError.duplicateName(file: file, tensor: name)
            }
            throw SafeTensorsError.malformedHeader(file: file, reason: "the header is not valid JSON: \(error)")
        }
        guard case .object(let members) = json else {
            throw SafeTensorsError.malformedHeader(file: file, reason: "the header is \(json.kind), not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try Self.metadata(value, file: file)
            } else {
                entries.append(try Self.entry(named: key, value, file: file, bufferSize: bufferSize))
            }
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        try Self.checkTiling(entries, file: file, bufferSize: bufferSize)
        self.metadata = metadata
        self.entries = entries
    }

    private static func metadata(_ value: StrictJSON, file: String) throws -> [String: String] {
        guard case .object(let members) = value else {
            throw SafeTensorsError.invalidMetadata(file: file, reason: "is \(value.kind), not an object of strings")
        }
        var metadata: [String: String] = [:]
        for (key, value) in members {
            guard case .string(let text) = value else {
                throw SafeTensorsError.invalidMetadata(file: file, reason: "value of \"\(key)\" is \(value.kind), not a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func entry(named name: String, _ value: StrictJSON, file: String, bufferSize: Int) throws -> Entry {
        func invalid(_ reason: String) -> SafeTensorsError {
            .invalidEntry(file: file, tensor: name, reason: reason)
        }
        guard case .object(let fields) = value else { throw invalid("the entry is \(value.kind), not an object") }
        var dtypeText: String?
        var shape: [Int]?
        var offsets: [Int]?
        for (key, field) in fields {
            switch key {
            case "dtype":
                guard case .string(let text) = field else { throw invalid("dtype is \(field.kind), not a string") }
                dtypeText = text
            case "shape":
                guard case .array(let items) = field else { throw invalid("shape is \(field.kind), not an array") }
                shape = try items.map { item in
                    guard let dimension = item.integer, dimension >= 0 else { throw invalid("shape holds something other than non-negative integers") }
                    return dimension
                }
            case "data_offsets":
                guard case .array(let items) = field, items.count == 2 else { throw invalid("data_offsets is not an array of two integers") }
                offsets = try items.map { item in
                    guard let offset = item.integer, offset >= 0 else { throw invalid("data_offsets holds something other than non-negative integers") }
                    return offset
                }
            default:
                throw invalid("unexpected field \"\(key)\"")
            }
        }
        guard let dtypeText else { throw invalid("the dtype field is missing") }
        guard let shape else { throw invalid("the shape field is missing") }
        guard let offsets else { throw invalid("the data_offsets field is missing") }
        guard let dtype = DType(rawValue: dtypeText) else {
            throw SafeTensorsError.unknownDType(file: file, tensor: name, dtype: dtypeText)
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else { throw invalid("data_offsets [\(begin), \(end)] end before they begin") }
        var expected: Int? = nil
        if let count = SafeTensor.elementCount(of: shape) {
            let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteWidth)
            if !overflow { expected = bytes }
        }
        guard expected == end - begin else {
            throw SafeTensorsError.sizeMismatch(file: file, tensor: name, dtype: dtype, shape: shape, expectedBytes: expected, actualBytes: end - begin)
        }
        return Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }

    /// The entries, sorted by offset, must cover [0, bufferSize) exactly once.
    private static func checkTiling(_ entries: [Entry], file: String, bufferSize: Int) throws {
        var position = 0
        var previous: Entry?
        for entry in entries {
            if entry.begin < position, let previous {
                throw SafeTensorsError.overlap(file: file, first: previous.name, second: entry.name)
            }
            if entry.begin > position {
                throw SafeTensorsError.gap(file: file, after: previous?.name, before: entry.name, bytes: entry.begin - position)
            }
            position = entry.end
            previous = entry
        }
        if position > bufferSize {
            throw SafeTensorsError.truncated(file: file, describedBytes: position, actualBytes: bufferSize)
        }
        if position < bufferSize {
            throw SafeTensorsError.trailingBytes(file: file, bytes: bufferSize - position)
        }
    }
}
