import Foundation
import ShoalTensor

/// One named tensor as stored in a safetensors file: dtype, shape and raw little-endian bytes.
///
/// ```swift
/// let weights: [Float] = [0.5, -1, 2, 0]
/// let tensor = weights.withUnsafeBufferPointer {
///     SafeTensor(name: "layers.0.weight", shape: [2, 2], elements: $0)
/// }
/// var back = [Float](repeating: 0, count: 4)
/// try back.withUnsafeMutableBufferPointer { try tensor.copy(into: $0) }
/// ```
public struct SafeTensor: Sendable, Equatable {
    /// The tensor's name, e.g. `layers.0.weight`.
    public var name: String
    /// The element type.
    public var dtype: DType
    /// The shape; `[]` is a scalar with one element.
    public var shape: [Int]
    /// The elements as raw little-endian bytes, row-major; `product(shape) · dtype.byteWidth` bytes.
    public var data: Data

    /// A tensor from raw bytes. ``SafeTensorsFile/write(_:metadata:to:)`` checks that the byte
    /// count fits the dtype and shape.
    public init(name: String, dtype: DType, shape: [Int], data: Data) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// A tensor holding a copy of `elements`, with the dtype of `T`.
    public init<T: SafeTensorElement>(name: String, shape: [Int], elements: UnsafeBufferPointer<T>) {
        self.init(name: name, dtype: T.safeTensorDType, shape: shape, data: Data(buffer: elements))
    }

    /// A tensor holding a copy of `values`, with the dtype of `T`.
    public init<T: SafeTensorElement>(name: String, shape: [Int], values: [T]) {
        self = values.withUnsafeBufferPointer { SafeTensor(name: name, shape: shape, elements: $0) }
    }

    /// The number of elements the shape describes: the product of its dimensions (1 for a scalar).
    /// `nil` if a dimension is negative or the product overflows `Int`.
    public var elementCount: Int? { SafeTensor.elementCount(of: shape) }

    static func elementCount(of shape: [Int]) -> Int? { ShoalTensor.elementCount(of: shape) }

    /// Copies the elements into `destination`, which must have exactly `elementCount` elements
    /// of the tensor's dtype.
    ///
    /// - Throws: ``SafeTensorsError/elementTypeMismatch(tensor:stored:requested:)`` or
    ///   ``SafeTensorsError/elementCountMismatch(tensor:stored:destination:)``.
    public func copy<T: SafeTensorElement>(into destination: UnsafeMutableBufferPointer<T>) throws {
        guard dtype == T.safeTensorDType else {
            throw SafeTensorsError.elementTypeMismatch(tensor: name, stored: dtype, requested: T.safeTensorDType)
        }
        let stored = data.count / MemoryLayout<T>.stride
        guard stored == destination.count, data.count == stored * MemoryLayout<T>.stride else {
            throw SafeTensorsError.elementCountMismatch(tensor: name, stored: stored, destination: destination.count)
        }
        guard stored > 0, let base = destination.baseAddress else { return }
        _ = data.withUnsafeBytes { bytes in
            memcpy(UnsafeMutableRawPointer(base), bytes.baseAddress!, data.count)
        }
    }

    /// The elements as an array of `T`, which must match the dtype.
    public func values<T: SafeTensorElement>(as type: T.Type) throws -> [T] {
        guard dtype == T.safeTensorDType else {
            throw SafeTensorsError.elementTypeMismatch(tensor: name, stored: dtype, requested: T.safeTensorDType)
        }
        let count = data.count / MemoryLayout<T>.stride
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try copy(into: UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
            initialized = count
        }
    }
}
