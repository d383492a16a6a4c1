import Foundation

/// The text files a path names, in the order they are read: the file itself, or a directory's
/// regular files in sorted name order. Hidden files, subdirectories, symbolic links and `.dat`
/// files (the `fortune` index files, binary) are skipped. The one rule for a text directory:
/// `data.text.path` (``TextCorpus``) and `shoal data prepare` both read with it.
///
/// ```swift
/// let files = try textFiles(at: "/usr/share/games/fortunes")
/// files.count     // 43: art, ascii-art, computers, ... (not the .dat indexes, not the .u8 links)
/// ```
/// - Parameter setting: where the path came from (`"data.text.path"`), said when it is missing.
/// - Throws: ``DataError/unreadable(file:reason:)`` for a missing path or a directory that
///   cannot be listed or holds no text file.
public func textFiles(at path: String, setting: String? = nil) throws(DataError) -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw .unreadable(file: path, reason: "no such file or directory" + (setting.map { " (\($0))" } ?? ""))
    }
    guard isDirectory.boolValue else { return [path] }
    let names: [String]
    do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
        throw .unreadable(file: path, reason: "cannot list the directory: \(error.localizedDescription)")
    }
    let files = names.sorted().filter { name in
        guard !name.hasPrefix("."), !name.hasSuffix(".dat") else { return false }
        // attributesOfItem does not follow a link, so a link is skipped here.
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name) else { return false }
        return attributes[.type] as? FileAttributeType == .typeRegular
    }.map { path + "/" + $0 }
    guard !files.isEmpty else { throw .unreadable(file: path, reason: "the directory holds no text file") }
    return files
}

/// The text of `file`, which must be a regular file of UTF-8.
///
/// ```swift
/// let text = try readText(file: "/usr/share/games/fortunes/art")
/// ```
/// - Throws: ``DataError/unreadable(file:reason:)`` for a file that cannot be read or is not
///   UTF-8, with the offset of the first byte that is not.
public func readText(file: String) throws(DataError) -> String {
    try utf8Text(try readTextFile(file), file: file)
}

/// The bytes of the regular file at `path`.
///
/// - Throws: ``DataError/unreadable(file:reason:)``.
func readTextFile(_ path: String) throws(DataError) -> [UInt8] {
    if let error = notARegularFile(path) { throw error }
    guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(file: path, reason: "cannot read the file") }
    return [UInt8](data)
}

/// `bytes` as a String, refused unless it is valid UTF-8: text is never silently repaired.
///
/// - Throws: ``DataError/unreadable(file:reason:)`` naming `file` and the byte offset where the
///   first invalid sequence starts.
func utf8Text(_ bytes: [UInt8], file: String) throws(DataError) -> String {
    if let text = String(validating: bytes, as: UTF8.self) { return text }
    var decoder = UTF8()
    var iterator = bytes.makeIterator()
    var offset = 0
    while case .scalarValue(let scalar) = decoder.decode(&iterator) { offset += scalar.utf8.count }
    throw .unreadable(file: file, reason: "not UTF-8 text: invalid byte sequence near byte \(offset)")
}
