import Foundation

/// A fresh, empty directory under the system's temporary directory for one test: the one helper
/// the test targets share (ShoalDataTests, ShoalMetricsTests and CoordinatorTests each had
/// their own). Remove it with ``remove()`` in a `defer`, or let ``with(_:)`` do it.
///
/// ```swift
/// let dir = try TemporaryDirectory()
/// defer { dir.remove() }
/// let file = try dir.write("data.csv", text: "x,label\n1,0\n")
///
/// try TemporaryDirectory.with { path in try MetricsFileWriter(path: path + "/metrics.jsonl").append(record) }
/// ```
public struct TemporaryDirectory: Sendable {
    public let url: URL
    public var path: String { url.path }

    /// Creates `<temporary directory>/<prefix>-<UUID>`.
    public init(prefix: String = "shoal-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `bytes` to the file `name` in the directory; returns its path.
    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }

    /// Writes `text` as UTF-8 to the file `name` in the directory; returns its path.
    @discardableResult
    public func write(_ name: String, text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    /// Deletes the directory and everything in it; a directory already gone is fine.
    public func remove() { try? FileManager.default.removeItem(at: url) }

    /// What `body` returns given a fresh directory's path, the directory removed afterwards.
    public static func with<T>(prefix: String = "shoal-test", _ body: (String) throws -> T) throws -> T {
        let directory = try TemporaryDirectory(prefix: prefix)
        defer { directory.remove() }
        return try body(directory.path)
    }
}
