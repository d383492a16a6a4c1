// Element types of a safetensors file, with the names the format gives them.

/// The element type of a tensor in a safetensors file.
///
/// The raw value is the name the format uses in the header (`"F32"`, `"I64"`, ...).
///
/// ```swift
/// let dtype = DType(rawValue: "F32")   // .f32
/// dtype?.byteWidth                     // 4
/// ```
public enum DType: String, CaseIterable, Sendable, Codable {
    case f64 = "F64"
    case f32 = "F32"
    case f16 = "F16"
    case bf16 = "BF16"
    case i64 = "I64"
    case i32 = "I32"
    case i16 = "I16"
    case i8 = "I8"
    case u64 = "U64"
    case u32 = "U32"
    case u16 = "U16"
    case u8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .f64, .i64, .u64: 8
        case .f32, .i32, .u32: 4
        case .f16, .bf16, .i16, .u16: 2
        case .i8, .u8, .bool: 1
        }
    }
}

/// A Swift type whose values are stored in safetensors as one ``DType``, little-endian.
///
/// ```swift
/// let tensor = SafeTensor(name: "step", shape: [], values: [Int64(40)])
/// let step = try tensor.values(as: Int64.self)[0]
/// ```
public protocol SafeTensorElement: BitwiseCopyable {
    /// The dtype this Swift type is stored as.
    static var safeTensorDType: DType { get }
}

extension Float: SafeTensorElement { public static var safeTensorDType: DType { .f32 } }
extension Double: SafeTensorElement { public static var safeTensorDType: DType { .f64 } }
extension Int64: SafeTensorElement { public static var safeTensorDType: DType { .i64 } }
extension Int32: SafeTensorElement { public static var safeTensorDType: DType { .i32 } }
extension UInt8: SafeTensorElement { public static var safeTensorDType: DType { .u8 } }

// safetensors is little-endian; tensors are copied as raw host bytes.
#if !_endian(little)
#error("Shoal's safetensors code copies raw host bytes and needs a little-endian host")
#endif
