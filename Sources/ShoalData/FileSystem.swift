#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// True if `path` names something `stat` can see.
func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
}

/// Why a path is not a regular file that a reader may open: opening a FIFO would wait for a
/// writer, and a device may never end. Each reader wraps it in its own error type.
///
/// ```swift
/// do {
///     let bytes = try regularFileSize("data.csv")
/// } catch .notRegular {
///     print("not a regular file")
/// } catch {
///     print("cannot stat: \(error)")   // "No such file or directory"
/// }
/// ```
public enum NotARegularFile: Error, Equatable, Sendable, CustomStringConvertible {
    /// `stat` failed (a missing file, a directory on the way that may not be searched); `errno`
    /// says which.
    case cannotStat(errno: Int32)
    /// It exists but is a directory, FIFO, socket or device.
    case notRegular

    /// The system's text for a failed `stat` ("No such file or directory"), or "not a regular file".
    public var description: String {
        switch self {
        case .cannotStat(let code): String(cString: strerror(code))
        case .notRegular: "not a regular file"
        }
    }
}

/// The size in bytes of the regular file at `path` (links followed): the one check, for data
/// files and checkpoint files alike, that a path may be opened and read to its end.
///
/// ```swift
/// let bytes = try regularFileSize("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
/// try regularFileSize("/dev/zero")   // throws NotARegularFile.notRegular
/// ```
/// - Throws: ``NotARegularFile``.
public func regularFileSize(_ path: String) throws(NotARegularFile) -> Int {
    var info = stat()
    guard stat(path, &info) == 0 else { throw .cannotStat(errno: errno) }
    guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notRegular }
    return Int(info.st_size)
}

/// Why `path` cannot be read as a data file, or nil if it is a regular file.
func notARegularFile(_ path: String) -> DataError? {
    do {
        _ = try regularFileSize(path)
        return nil
    } catch {
        return error.dataError(path)
    }
}

extension NotARegularFile {
    /// The data readers' message for `path`.
    func dataError(_ path: String) -> DataError {
        switch self {
        case .cannotStat: .unreadable(file: path, reason: "cannot open (missing file or no permission)")
        case .notRegular: .unreadable(file: path, reason: "not a regular file")
        }
    }
}
