// SHA-256 through the system's OpenSSL (Debian's libssl-dev), which uses the CPU's SHA
// instructions where it has them. swift-crypto would build all of BoringSSL for this one digest
// (about 3 minutes of a fresh build here: benchmarks/RESULTS.md, "Build time").
import COpenSSL
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An incremental SHA-256: feed bytes with ``update(_:)``, read the digest once with
/// ``finalizeHex()``.
///
/// ```swift
/// let hasher = SHA256()
/// hasher.update(UnsafeRawBufferPointer(start: nil, count: 0))
/// hasher.finalizeHex()  // "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/// ```
public final class SHA256 {
    private let context: OpaquePointer

    public init() {
        // Allocation and initialisation fail only when the process is out of memory.
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            preconditionFailure("OpenSSL could not start a SHA-256 (out of memory)")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds `bytes` to the digest.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    /// The digest of everything added, as 64 lowercase hex digits. Call once.
    public func finalizeHex() -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return hexString(digest.prefix(Int(length)))
    }
}

/// The SHA-256 of `bytes` as 64 lowercase hex digits.
///
/// Used as the parameter hash that every rank compares at a checkpoint:
///
/// ```swift
/// let parameters: [Float] = [1, 2, 3]
/// let hash = parameters.withUnsafeBytes { sha256Hex(of: $0) }
/// ```
public func sha256Hex(of bytes: UnsafeRawBufferPointer) -> String {
    sha256Hex(ofConcatenation: [bytes])
}

/// The SHA-256 of the concatenation of `parts`, as 64 lowercase hex digits.
///
/// ```swift
/// let features: [Float] = [0.5], targets: [Float] = [1]
/// let dataHash = features.withUnsafeBytes { f in targets.withUnsafeBytes { t in sha256Hex(ofConcatenation: [f, t]) } }
/// ```
public func sha256Hex(ofConcatenation parts: [UnsafeRawBufferPointer]) -> String {
    let hasher = SHA256()
    for part in parts { hasher.update(part) }
    return hasher.finalizeHex()
}

/// The SHA-256 of `data` as 64 lowercase hex digits.
///
/// ```swift
/// sha256Hex(of: Data("abc".utf8))  // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// ```
public func sha256Hex(of data: Data) -> String {
    data.withUnsafeBytes { sha256Hex(of: $0) }
}

/// The SHA-256 of the file at `url` as 64 lowercase hex digits, read in 1 MiB chunks so a
/// large checkpoint is never held in memory at once.
///
/// ```swift
/// let hash = try sha256Hex(ofFileAt: URL(fileURLWithPath: "runs/a/checkpoints/latest/model.safetensors"))
/// ```
///
/// - Throws: ``FileSystemError`` if the file cannot be opened or read.
public func sha256Hex(ofFileAt url: URL) throws -> String {
    let fd = open(url.path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileSystemError(operation: "open", path: url.path, code: errno) }
    defer { close(fd) }
    let hasher = SHA256()
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
        hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
    return hasher.finalizeHex()
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
