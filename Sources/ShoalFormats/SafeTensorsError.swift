/// Why a safetensors file was refused, or why tensors could not be written or copied.
///
/// Every case that concerns a file names it, so the message alone tells the user what to fix:
///
/// ```swift
/// do { _ = try SafeTensorsFile.read(from: URL(fileURLWithPath: "/runs/a/model.safetensors")) }
/// catch let error as SafeTensorsError { print(error) }
/// // /runs/a/model.safetensors: truncated: the header describes 4096 bytes of tensor data
/// // but the file holds only 1024; the file was cut short (disk full or an interrupted copy?)
/// ```
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file is shorter than the 8-byte header length.
    case tooShort(file: String, size: Int)
    /// The header length exceeds the format's limit.
    case headerTooLarge(file: String, length: UInt64, limit: Int)
    /// The header length points past the end of the file.
    case headerPastEnd(file: String, length: UInt64, fileSize: Int)
    /// The header is not well-formed JSON, or not a JSON object.
    case malformedHeader(file: String, reason: String)
    /// A tensor entry lacks a field or has one of the wrong type.
    case invalidEntry(file: String, tensor: String, reason: String)
    /// The `__metadata__` entry is not an object of strings.
    case invalidMetadata(file: String, reason: String)
    /// A tensor's dtype is not one this reader knows.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// Two tensors share a name.
    case duplicateName(file: String, tensor: String)
    /// product(shape) · width does not equal the tensor's byte range.
    case sizeMismatch(file: String, tensor: String, dtype: DType, shape: [Int], expectedBytes: Int?, actualBytes: Int)
    /// Two tensors' byte ranges overlap.
    case overlap(file: String, first: String, second: String)
    /// Bytes between two tensors (or before the first) belong to no tensor.
    case gap(file: String, after: String?, before: String, bytes: Int)
    /// The data buffer is shorter than the tensors the header describes.
    case truncated(file: String, describedBytes: Int, actualBytes: Int)
    /// The data buffer holds bytes after the last tensor.
    case trailingBytes(file: String, bytes: Int)
    /// A tensor given to the writer is not valid (bad name, negative dimension, wrong byte count).
    case invalidTensor(tensor: String, reason: String)
    /// A copy asked for a Swift type that does not match the stored dtype.
    case elementTypeMismatch(tensor: String, stored: DType, requested: DType)
    /// A copy's destination has a different element count than the tensor.
    case elementCountMismatch(tensor: String, stored: Int, destination: Int)

    /// A required tensor is absent from a tensor file.
    case missingTensor(file: String, tensor: String)
    /// A required tensor has another dtype than expected.
    case wrongDType(file: String, tensor: String, expected: DType, found: DType)
    /// A required tensor has another element count than expected.
    case wrongElementCount(file: String, tensor: String, expected: Int, found: Int)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): cannot read the file: \(reason)"
        case .tooShort(let file, let size):
            "\(file): truncated: the file is \(size) bytes, shorter than the 8-byte header length of a safetensors file"
        case .headerTooLarge(let file, let length, let limit):
            "\(file): bad header: header length \(length) exceeds the limit of \(limit) bytes; this is not a safetensors file or it is corrupt"
        case .headerPastEnd(let file, let length, let fileSize):
            "\(file): truncated: header length \(length) runs past the end of the \(fileSize)-byte file; the file was cut short or is not a safetensors file"
        case .malformedHeader(let file, let reason):
            "\(file): bad header: \(reason)"
        case .invalidEntry(let file, let tensor, let reason):
            "\(file): bad header: tensor \"\(tensor)\": \(reason)"
        case .invalidMetadata(let file, let reason):
            "\(file): bad header: __metadata__ \(reason)"
        case .unknownDType(let file, let tensor, let dtype):
            "\(file): tensor \"\(tensor)\" has unknown dtype \"\(dtype)\" (known: \(DType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .duplicateName(let file, let tensor):
            "\(file): bad header: tensor name \"\(tensor)\" appears more than once"
        case .sizeMismatch(let file, let tensor, let dtype, let shape, let expected, let actual):
            "\(file): tensor \"\(tensor)\": dtype \(dtype.rawValue) with shape \(shape) needs \(expected.map(String.init) ?? "an impossible number of") bytes but its data_offsets span \(actual)"
        case .overlap(let file, let first, let second):
            "\(file): bad header: the data of tensors \"\(first)\" and \"\(second)\" overlap"
        case .gap(let file, let after, let before, let bytes):
            "\(file): bad header: \(bytes) bytes \(after.map { "between tensors \"\($0)\" and" } ?? "before the first tensor") \"\(before)\" belong to no tensor"
        case .truncated(let file, let described, let actual):
            "\(file): truncated: the header describes \(described) bytes of tensor data but the file holds only \(actual); the file was cut short (disk full or an interrupted copy?)"
        case .trailingBytes(let file, let bytes):
            "\(file): bad header: \(bytes) bytes after the last tensor belong to no tensor"
        case .invalidTensor(let tensor, let reason):
            "cannot write tensor \"\(tensor)\": \(reason)"
        case .elementTypeMismatch(let tensor, let stored, let requested):
            "tensor \"\(tensor)\" holds \(stored.rawValue) elements, not \(requested.rawValue)"
        case .missingTensor(let file, let tensor):
            "\(file): has no tensor \"\(tensor)\"; the checkpoint was written for a different model (check the config)"
        case .wrongDType(let file, let tensor, let expected, let found):
            "\(file): tensor \"\(tensor)\" is \(found.rawValue), expected \(expected.rawValue)"
        case .wrongElementCount(let file, let tensor, let expected, let found):
            "\(file): tensor \"\(tensor)\" has \(found) elements, expected \(expected); the checkpoint was written for a different model (check the config)"
        case .elementCountMismatch(let tensor, let stored, let destination):
            "tensor \"\(tensor)\" holds \(stored) elements but the destination has room for \(destination)"
        }
    }
}
