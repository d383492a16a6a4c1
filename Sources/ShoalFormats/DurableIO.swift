// Durable file-system steps: write, fsync, rename, fsync the directory.
//
// Foundation's atomic write renames a temporary file into place but never fsyncs the file's
// directory, so after a power cut the rename itself may be lost. These helpers use the POSIX
// calls directly, so that a name, once visible, refers to bytes already on disk.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Durable, atomic file writes: a temporary file beside the target, fsynced, renamed into place,
/// the directory fsynced. Readers see the old file or the new one, never half of one.
///
/// ```swift
/// let svg = #"<svg xmlns="http://www.w3.org/2000/svg"/>"#
/// try DurableIO.writeFile(at: URL(fileURLWithPath: "runs/a/curves.svg"), data: Data(svg.utf8))
/// ```
public enum DurableIO {
    /// Writes the bytes that `produce` hands to its sink into `url`, durably and atomically:
    /// to a temporary file beside it, fsynced, renamed over `url`, then the directory fsynced.
    /// Returns the SHA-256 (lowercase hex) of the bytes written.
    @discardableResult
    public static func writeFile(at url: URL, _ produce: (_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> String {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".tmp-\(url.lastPathComponent)-\(getpid())")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError(operation: "create", path: temporary.path, code: errno) }
        let hasher = SHA256()
        do {
            defer { close(fd) }
            try produce { bytes in
                hasher.update(bytes)
                try writeAll(fd, bytes, path: temporary.path)
            }
            guard fsync(fd) == 0 else { throw FileSystemError(operation: "fsync", path: temporary.path, code: errno) }
        } catch {
            unlink(temporary.path)
            throw error
        }
        try rename(temporary, to: url)
        try fsyncDirectory(directory)
        return hasher.finalizeHex()
    }

    /// Writes `data` to `url` as ``writeFile(at:_:)`` does; throws ``FileSystemError`` naming
    /// the path that failed.
    ///
    /// ```swift
    /// let url = URL(fileURLWithPath: "runs/a/checkpoints/latest")
    /// let sha256 = try DurableIO.writeFile(at: url, data: Data("step-00000040\n".utf8))
    /// ```
    @discardableResult
    public static func writeFile(at url: URL, data: Data) throws -> String {
        try writeFile(at: url) { sink in try data.withUnsafeBytes { try sink($0) } }
    }

    /// Writes every byte of `bytes` to `fd`, retrying short writes and interruptions.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileSystemError(operation: "write", path: path, code: errno)
            }
            offset += written
        }
    }

    /// Makes the entries of directory `url` (a rename, a new file) durable.
    public static func fsyncDirectory(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(operation: "open directory", path: url.path, code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileSystemError(operation: "fsync directory", path: url.path, code: errno) }
    }

    /// `rename(2)`: atomic within one file system.
    public static func rename(_ source: URL, to destination: URL) throws {
        guard posixRename(source.path, destination.path) == 0 else {
            throw FileSystemError(operation: "rename to \(destination.path)", path: source.path, code: errno)
        }
    }

    /// `mkdir(2)`, 0755: fails if `url` exists.
    public static func makeDirectory(_ url: URL) throws {
        guard mkdir(url.path, 0o755) == 0 else { throw FileSystemError(operation: "create directory", path: url.path, code: errno) }
    }

    /// Creates `url` and any missing parents, fsyncing each parent whose entry was added.
    public static func makeDirectories(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw FileSystemError(operation: "use as a directory", path: url.path, code: ENOTDIR) }
            return
        }
        let parent = url.deletingLastPathComponent()
        if parent.path != url.path { try makeDirectories(parent) }
        if mkdir(url.path, 0o755) != 0 && errno != EEXIST {
            throw FileSystemError(operation: "create directory", path: url.path, code: errno)
        }
        try fsyncDirectory(parent)
    }

    /// Removes a directory tree without ever leaving a half-deleted tree under its name:
    /// it is first renamed to a hidden temporary name, then deleted.
    public static func removeDirectory(_ url: URL) throws {
        let hidden = url.deletingLastPathComponent()
            .appendingPathComponent(".tmp-removing-\(url.lastPathComponent)-\(getpid())")
        try rename(url, to: hidden)
        try FileManager.default.removeItem(at: hidden)
    }
}

/// The C `rename(2)`, named so that `DurableIO.rename` does not shadow it.
private func posixRename(_ source: String, _ destination: String) -> Int32 {
    rename(source, destination)
}
