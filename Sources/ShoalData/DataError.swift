/// Why a data file could not be read or a data request could not be met. Every case names the
/// file (or the argument) and says what to do about it.
///
/// ```swift
/// do {
///     let images = try IDXFile(path: "train-images-idx3-ubyte.gz")
/// } catch let error as DataError {
///     print(error)   // "train-images-idx3-ubyte.gz: truncated: header says 47040000 data bytes, file has 1000"
/// }
/// ```
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read at all.
    case unreadable(file: String, reason: String)
    /// The file ends before the size its header announces.
    case truncated(file: String, reason: String)
    /// The first four bytes are not an IDX magic number.
    case wrongMagic(file: String, found: String)
    /// The header is an IDX header, but not one this reader accepts (data type, dimensions).
    case badHeader(file: String, reason: String)
    /// More bytes than the header announces.
    case trailingData(file: String, expected: Int, found: Int)
    /// An image file and its label file hold different numbers of samples.
    case countMismatch(imagesFile: String, images: Int, labelsFile: String, labels: Int)
    /// A CSV cell, row or header that cannot be used; `line` is 1-based.
    case csv(file: String, line: Int, reason: String)
    /// A prepared corpus's `manifest.json` (or a shard directory without one) that cannot be
    /// used: a missing or mistyped field, a shard that disagrees with it.
    case badManifest(file: String, reason: String)
    /// An argument that cannot be honoured (empty data set, fraction out of range, ...).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .truncated(file, reason):
            return "\(file): truncated: \(reason); download or reinstall the file"
        case let .wrongMagic(file, found):
            return "\(file): wrong magic number \(found); expected an IDX file (0x00 0x00 type ndims)"
        case let .badHeader(file, reason):
            return "\(file): bad IDX header: \(reason)"
        case let .trailingData(file, expected, found):
            return "\(file): \(found - expected) bytes after the \(expected) data bytes the header announces"
        case let .countMismatch(imagesFile, images, labelsFile, labels):
            return "\(imagesFile) holds \(images) images but \(labelsFile) holds \(labels) labels; "
                + "they must come from the same split"
        case let .csv(file, line, reason):
            return "\(file):\(line): \(reason)"
        case let .badManifest(file, reason):
            return "\(file): \(reason)"
        case let .invalidArgument(reason):
            return reason
        }
    }
}
