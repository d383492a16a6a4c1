/// Why a token shard was refused, or could not be written. Every case names the file and says
/// what was expected and what was found, so the message alone tells the user what to fix.
///
/// ```swift
/// do {
///     let shard = try TokenShard(path: "data/fineweb_train_000001.bin")
/// } catch {
///     print(error)   // "data/fineweb_train_000001.bin: truncated: the header announces 100000000 tokens of 2 bytes, ..."
/// }
/// ```
public enum TokenShardError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened, measured or mapped.
    case unreadable(file: String, reason: String)
    /// The file is shorter than the 1024-byte header.
    case tooShort(file: String, bytes: Int)
    /// The first header word is neither 20240520 (2-byte tokens) nor 20240801 (4-byte tokens).
    case badMagic(file: String, found: Int32)
    /// The magic is known, but the version is not the one that goes with it.
    case badVersion(file: String, magic: Int32, expected: Int32, found: Int32)
    /// The header's token count is negative.
    case badCount(file: String, count: Int32)
    /// The file ends before the tokens its header announces.
    case truncated(file: String, tokens: Int, tokenWidth: Int, expectedBytes: Int, foundBytes: Int)
    /// The file holds bytes after the tokens its header announces.
    case trailingBytes(file: String, tokens: Int, tokenWidth: Int, expectedBytes: Int, foundBytes: Int)
    /// A token the vocabulary does not have, at 0-based token `position` of the file.
    case tokenOutOfRange(file: String, token: Int, vocabularySize: Int, position: Int)
    /// A token given to the writer that the shard's width cannot hold (or a negative one), at
    /// 0-based `position` of the tokens given.
    case tokenTooWide(file: String, token: Int32, position: Int, tokenWidth: Int)
    /// More tokens than the header's 32-bit count can announce.
    case tooManyTokens(file: String, count: Int)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read the token shard: \(reason)"
        case let .tooShort(file, bytes):
            return "\(file): truncated: the file is \(bytes) bytes, shorter than the \(TokenShard.headerBytes)-byte header "
                + "of a token shard (llm.c's format)"
        case let .badMagic(file, found):
            return "\(file): not a token shard: the magic number is \(found), expected \(TokenShard.magic2) "
                + "(2-byte tokens) or \(TokenShard.magic4) (4-byte tokens)"
        case let .badVersion(file, magic, expected, found):
            return "\(file): unknown token shard version \(found) for magic \(magic), expected version \(expected)"
        case let .badCount(file, count):
            return "\(file): bad header: the token count is \(count)"
        case let .truncated(file, tokens, width, expected, found):
            return "\(file): truncated: the header announces \(tokens) tokens of \(width) bytes, \(expected) bytes with "
                + "the header, but the file holds \(found); the file was cut short (disk full or an interrupted copy?)"
        case let .trailingBytes(file, tokens, width, expected, found):
            return "\(file): \(found - expected) bytes after the \(tokens) tokens of \(width) bytes that the header "
                + "announces (\(expected) bytes with the header); the file holds \(found)"
        case let .tokenOutOfRange(file, token, size, position):
            return "\(file): token \(token) at position \(position) is not in the tokenizer's vocabulary of \(size) tokens "
                + "(ids 0..<\(size)); the shards were made with another tokenizer"
        case let .tokenTooWide(file, token, position, width):
            return "\(file): cannot write token \(token) (position \(position)) as a \(width)-byte token: "
                + "ids must be in \(width == 2 ? "0..<65536" : "0...\(Int32.max)")"
        case let .tooManyTokens(file, count):
            return "\(file): \(count) tokens are more than a shard's header can count (at most \(Int32.max))"
        }
    }
}
