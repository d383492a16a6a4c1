import Foundation

/// A TFRecord and Event reader that shares nothing with the writer: a bitwise CRC-32C, its own
/// varint and field decoder. If both read the format the same wrong way, the TensorBoard test
/// below catches it where Python's tensorboard is installed.
enum IndependentEventReader {
    enum Failure: Error, Equatable {
        case truncated(offset: Int)
        case lengthChecksum(offset: Int)
        case dataChecksum(offset: Int)
        case badField(String)
    }

    /// One bit at a time, as the polynomial defines it.
    static func crc32c(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0x82F6_3B78 & (0 &- (crc & 1))) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    static func unmask(_ masked: UInt32) -> UInt32 {
        let rotated = masked &- 0xA282_EAD8
        return (rotated >> 17) | (rotated << 15)
    }

    static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The data of each record, every CRC checked.
    static func records(_ file: [UInt8]) throws -> [[UInt8]] {
        var records: [[UInt8]] = [], offset = 0
        while offset < file.count {
            guard offset + 12 <= file.count else { throw Failure.truncated(offset: offset) }
            let header = file[offset..<offset + 8]
            let length = Int(littleEndian(header))
            guard unmask(UInt32(littleEndian(file[offset + 8..<offset + 12]))) == crc32c(header) else {
                throw Failure.lengthChecksum(offset: offset)
            }
            let start = offset + 12, end = start + length
            guard end + 4 <= file.count else { throw Failure.truncated(offset: offset) }
            guard unmask(UInt32(littleEndian(file[end..<end + 4]))) == crc32c(file[start..<end]) else {
                throw Failure.dataChecksum(offset: offset)
            }
            records.append(Array(file[start..<end]))
            offset = end + 4
        }
        return records
    }

    /// A decoded field: a varint, a fixed-width value's bits, or length-delimited bytes.
    enum Value: Equatable {
        case varint(UInt64), fixed64(UInt64), fixed32(UInt32), bytes([UInt8])
    }

    static func fields(_ message: [UInt8]) throws -> [(number: Int, value: Value)] {
        var fields: [(Int, Value)] = [], index = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard index < message.count, shift < 64 else { throw Failure.badField("varint runs off the end") }
                let byte = message[index]
                index += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return result }
                shift += 7
            }
        }
        func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, index + count <= message.count else { throw Failure.badField("field runs off the end") }
            defer { index += count }
            return message[index..<index + count]
        }
        while index < message.count {
            let key = try varint()
            switch key & 7 {
            case 0: fields.append((Int(key >> 3), .varint(try varint())))
            case 1: fields.append((Int(key >> 3), .fixed64(littleEndian(try take(8)))))
            case 2: fields.append((Int(key >> 3), .bytes(Array(try take(Int(try varint()))))))
            case 5: fields.append((Int(key >> 3), .fixed32(UInt32(littleEndian(try take(4))))))
            default: throw Failure.badField("wire type \(key & 7)")
            }
        }
        return fields
    }

    /// The fields of `tensorflow.Event` that the writer sets.
    struct Event {
        var wallTime: Double?
        var step: Int64?
        var fileVersion: String?
        var scalars: [(tag: String, value: Float)] = []
    }

    static func event(_ data: [UInt8]) throws -> Event {
        var event = Event()
        for (number, value) in try fields(data) {
            switch (number, value) {
            case (1, .fixed64(let bits)): event.wallTime = Double(bitPattern: bits)
            case (2, .varint(let raw)): event.step = Int64(bitPattern: raw)
            case (3, .bytes(let text)): event.fileVersion = String(decoding: text, as: UTF8.self)
            case (5, .bytes(let summary)):
                for case (1, .bytes(let entry)) in try fields(summary) {
                    var tag: String?, simple: Float?
                    for (field, item) in try fields(entry) {
                        if field == 1, case .bytes(let text) = item { tag = String(decoding: text, as: UTF8.self) }
                        if field == 2, case .fixed32(let bits) = item { simple = Float(bitPattern: bits) }
                    }
                    guard let tag, let simple else { throw Failure.badField("Summary.Value without tag or simple_value") }
                    event.scalars.append((tag, simple))
                }
            default: throw Failure.badField("unexpected Event field \(number)")
            }
        }
        return event
    }
}
