/// The bytes of one protocol-buffer message, built field by field: just the wire types the
/// TensorBoard `Event` and `Summary` messages use.
///
/// ```swift
/// var value = ProtobufEncoding()
/// value.string(1, "train/loss")   // Summary.Value.tag
/// value.float(2, 0.31)            // Summary.Value.simple_value
/// var summary = ProtobufEncoding()
/// summary.message(1, value)       // Summary.value
/// ```
struct ProtobufEncoding {
    /// The encoded fields so far.
    private(set) var bytes: [UInt8] = []

    /// How a field's value is laid out after its tag.
    enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    /// Seven bits a byte, low first, the high bit set on every byte but the last.
    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func tag(_ field: Int, _ wireType: WireType) {
        varint(UInt64(field) << 3 | wireType.rawValue)
    }

    /// An `int64` field; a negative value takes ten bytes, as protobuf defines.
    mutating func int64(_ field: Int, _ value: Int64) {
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    /// A `double` field: fixed64, little-endian.
    mutating func double(_ field: Int, _ value: Double) {
        tag(field, .fixed64)
        littleEndian(value.bitPattern)
    }

    /// A `float` field: fixed32, little-endian.
    mutating func float(_ field: Int, _ value: Float) {
        tag(field, .fixed32)
        littleEndian(value.bitPattern)
    }

    /// A `string` field: its UTF-8 bytes, length-delimited.
    mutating func string(_ field: Int, _ value: String) {
        lengthDelimited(field, Array(value.utf8))
    }

    /// A sub-message field, length-delimited.
    mutating func message(_ field: Int, _ value: ProtobufEncoding) {
        lengthDelimited(field, value.bytes)
    }

    private mutating func lengthDelimited(_ field: Int, _ value: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes += value
    }

    private mutating func littleEndian(_ value: some FixedWidthInteger) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}
