import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SHA-256 of `bytes` as 64 lowercase hex digits.
///
/// Used as the parameter hash that every rank compares at a checkpoint:
///
/// ```swift
/// let hash = parameters.withUnsafeBytes { sha256Hex(of: $0) }
/// ```
public func sha256Hex(of bytes: UnsafeRawBufferPointer) -> String {
    hexString(SHA256.hash(data: bytes))
}

/// The SHA-256 of the concatenation of `parts`, as 64 lowercase hex digits.
///
/// ```swift
/// let dataHash = features.withUnsafeBytes { f in targets.withUnsafeBytes { t in sha256Hex(ofConcatenation: [f, t]) } }
/// ```
public func sha256Hex(ofConcatenation parts: [UnsafeRawBufferPointer]) -> String {
    var hasher = SHA256()
    for part in parts { hasher.update(bufferPointer: part) }
    return hexString(hasher.finalize())
}

/// The SHA-256 of `data` as 64 lowercase hex digits.
///
/// ```swift
/// sha256Hex(of: Data("abc".utf8))  // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// ```
public func sha256Hex(of data: Data) -> String {
    hexString(SHA256.hash(data: data))
}

/// The SHA-256 of the file at `url` as 64 lowercase hex digits, read in 1 MiB chunks so a
/// large checkpoint is never held in memory at once.
///
/// ```swift
/// let hash = try sha256Hex(ofFileAt: checkpoint.appendingPathComponent("model.safetensors"))
/// ```
///
/// - Throws: ``FileSystemError`` if the file cannot be opened or read.
public func sha256Hex(ofFileAt url: URL) throws -> String {
    let fd = open(url.path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileSystemError(operation: "open", path: url.path, code: errno) }
    defer { close(fd) }
    var hasher = SHA256()
    let chunk = 1 << 20
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        let count = read(fd, buffer.baseAddress!, chunk)
        if count < 0 {
            if errno == EINTR { continue }
            throw FileSystemError(operation: "read", path: url.path, code: errno)
        }
        if count == 0 { break }
        hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
    return hexString(hasher.finalize())
}

func hexString<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    for byte in digest {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}
