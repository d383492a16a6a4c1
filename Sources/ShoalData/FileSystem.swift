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

/// Why `path` cannot be read as a data file, or nil if it is a regular file: a FIFO would block
/// the open and a device may never end.
func notARegularFile(_ path: String) -> DataError? {
    var info = stat()
    guard stat(path, &info) == 0 else { return .unreadable(file: path, reason: "cannot open (missing file or no permission)") }
    guard (info.st_mode & S_IFMT) == S_IFREG else { return .unreadable(file: path, reason: "not a regular file") }
    return nil
}
