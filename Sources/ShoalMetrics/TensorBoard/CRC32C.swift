/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of TFRecord framing,
/// table-driven: one lookup a byte.
///
/// ```swift
/// CRC32C.checksum(Array("123456789".utf8))          // 0xE3069283
/// CRC32C.masked(CRC32C.checksum(Array("123456789".utf8)))
/// ```
enum CRC32C {
    /// The CRC of each byte value, taken one bit at a time.
    static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes`.
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }

    /// The masked form TFRecord stores: rotated and offset, because a CRC of bytes that
    /// themselves hold CRCs is weak (TensorFlow's crc32c.h).
    static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
