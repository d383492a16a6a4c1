import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written through its descriptor with POSIX calls, so that every failure is a
/// ``MetricsError/io(operation:path:reason:)`` with the path and the system's reason
/// (FileHandle's errors carry neither).
///
/// ```swift
/// let file = try OutputFile(path: "runs/a/metrics.jsonl", flags: O_WRONLY | O_CREAT | O_APPEND)
/// try file.write(Array("{}\n".utf8))
/// ```
final class OutputFile {
    let path: String
    let descriptor: Int32

    init(path: String, flags: Int32) throws {
        let descriptor = open(path, flags | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure("open", path) }
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Writes all of `bytes`: one write(2) unless the system takes fewer bytes at a time.
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = posixWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw Self.failure("write", path)
                }
                offset += written
            }
        }
    }

    /// The error for the call that just failed, from `errno`.
    static func failure(_ operation: String, _ path: String) -> MetricsError {
        .io(operation: operation, path: path, reason: String(cString: strerror(errno)))
    }
}

/// The C `write(2)`, named so that `OutputFile.write` does not shadow it.
private func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
