#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system call that failed, with the path and the system's reason.
///
/// ```swift
/// do { try DurableIO.writeFile(at: URL(fileURLWithPath: "/runs/a/checkpoints/latest"), data: Data("step-00000040\n".utf8)) }
/// catch let error as FileSystemError { print(error) }
/// // could not fsync /runs/a/checkpoints/.tmp-step-00000040-812/model.safetensors: No space left on device
/// ```
public struct FileSystemError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was being done, e.g. `"fsync"`, `"rename"`.
    public let operation: String
    /// The path it was done to.
    public let path: String
    /// The `errno` value.
    public let code: Int32

    public init(operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    public var description: String {
        "could not \(operation) \(path): \(String(cString: strerror(code)))"
    }
}
