import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a run's `metrics.jsonl`: one ``MetricsRecord`` a line.
///
/// ```swift
/// let records = try MetricsFile.read(path: "runs/fashion-mlp/metrics.jsonl")
/// let losses = records.filter { $0.kind == "train" }.compactMap { $0.values["loss"] }
/// ```
public enum MetricsFile {
    /// The largest file ``read(path:maxBytes:)`` loads by default, 1 GiB: a run logs about ten
    /// lines an epoch, so a larger file is not a metrics file.
    public static let defaultMaxBytes = 1 << 30

    /// The records of a metrics file in file order. A last line without its newline was cut
    /// short by a kill mid-write and is skipped when it does not parse; any other line that does
    /// not parse throws ``MetricsError/malformedLine(path:line:reason:)``. Blank lines are skipped.
    ///
    /// ```swift
    /// let path = "runs/a/metrics.jsonl"
    /// do { let records = try MetricsFile.read(path: path) }
    /// catch let error as MetricsError { print(error) } // runs/a/metrics.jsonl:7: not a metrics record: not valid JSON
    /// ```
    public static func read(path: String, maxBytes: Int = defaultMaxBytes) throws -> [MetricsRecord] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw OutputFile.failure("read", path) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw MetricsError.io(operation: "read", path: path, reason: "not a regular file") }
        guard info.st_size <= maxBytes else { throw MetricsError.tooLarge(path: path, bytes: Int(info.st_size), limit: maxBytes) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MetricsError.io(operation: "read", path: path, reason: "permission denied or unreadable")
        }
        // The piece after the last "\n" is empty when the writer finished its line.
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        let decoder = JSONDecoder()
        var records: [MetricsRecord] = []
        for (index, line) in lines.enumerated() where line.contains(where: { !Self.isSpace($0) }) {
            do {
                records.append(try decoder.decode(MetricsRecord.self, from: Data(line)))
            } catch {
                if index == lines.count - 1 { break }
                throw MetricsError.malformedLine(path: path, line: index + 1, reason: reason(error))
            }
        }
        return records
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

    /// The part of a decoding error a person can act on, without Swift's coding-path dump.
    private static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _):
            "\"\(key.stringValue)\" is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "\"\(context.codingPath.last?.stringValue ?? "")\": \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty:
            "not valid JSON"
        case DecodingError.dataCorrupted(let context):
            "\"\(context.codingPath.last?.stringValue ?? "")\": \(context.debugDescription)"
        default:
            "\(error)"
        }
    }
}

/// Appends ``MetricsRecord``s to a `metrics.jsonl`, one JSON line each, written with one
/// write(2) to a file opened for appending, so a kill leaves at most the last line cut short.
///
/// ```swift
/// let log = try MetricsFileWriter(path: "runs/a/metrics.jsonl")
/// try log.append(MetricsRecord(kind: "train", step: 40, epoch: 1, wallTime: Date().timeIntervalSince1970,
///                              values: ["loss": 0.31, "learning_rate": 0.001]))
/// ```
public final class MetricsFileWriter {
    /// The file written.
    public let path: String
    private let file: OutputFile
    private let encoder = JSONEncoder()

    /// Opens `path` for appending, creating it if missing (its directory must exist). A last
    /// line left without its newline by a killed run is cut off first: appending after it would
    /// glue the next record onto it, a malformed line in the middle that every reader refuses.
    ///
    /// ```swift
    /// let runDirectory = "runs/a"
    /// let log = try MetricsFileWriter(path: runDirectory + "/metrics.jsonl") // resumes an existing file
    /// ```
    public init(path: String) throws {
        self.path = path
        file = try OutputFile(path: path, flags: O_RDWR | O_CREAT | O_APPEND)
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try dropPartialLastLine()
    }

    /// Writes `record` as one line.
    ///
    /// ```swift
    /// let log = try MetricsFileWriter(path: "runs/a/metrics.jsonl"), now = Date().timeIntervalSince1970
    /// try log.append(MetricsRecord(kind: "validation", step: 400, epoch: 1, wallTime: now, values: ["loss": 0.42]))
    /// ```
    public func append(_ record: MetricsRecord) throws {
        var line = Array(try encoder.encode(record))
        line.append(0x0A)
        try file.write(line)
    }

    /// Truncates the file after its last "\n", reading back from the end a block at a time.
    private func dropPartialLastLine() throws {
        let size = lseek(file.descriptor, 0, SEEK_END)
        guard size >= 0 else { throw OutputFile.failure("seek", path) }
        var block = [UInt8](repeating: 0, count: 4096)
        var end = size, keep: off_t = 0
        while end > 0 {
            let start = max(0, end - off_t(block.count)), count = Int(end - start)
            let read = block.withUnsafeMutableBytes { pread(file.descriptor, $0.baseAddress, count, start) }
            guard read == count else { throw OutputFile.failure("read", path) }
            if let newline = block[..<count].lastIndex(of: 0x0A) {
                keep = start + off_t(newline) + 1
                break
            }
            end = start
        }
        if keep < size && ftruncate(file.descriptor, keep) != 0 { throw OutputFile.failure("truncate", path) }
    }
}
