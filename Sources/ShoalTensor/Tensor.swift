/// A shape and a contiguous, 64-byte-aligned block of `Float`, owned by this object.
///
/// Shoal's hot paths work on raw pointers (`storage`) so that a training step never copies an
/// array; `Tensor` is the owner that allocates once and frees on `deinit`. Row-major ("C") order:
/// the last axis is contiguous.
///
/// ```swift
/// let t = Tensor(shape: [2, 3])          // zero-filled
/// t[1, 2] = 5
/// t.storage[5]                           // 5.0: element (1, 2) of a (2, 3) tensor
/// let u = Tensor(shape: [2], values: [1, 2])
/// ```
public final class Tensor {
    /// Extent of each axis, outermost first.
    public let shape: [Int]
    /// The elements, `shape.reduce(1, *)` of them, row-major.
    public let storage: UnsafeMutableBufferPointer<Float>

    /// A zero-filled tensor of `shape`.
    public init(shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in \(shape)")
        self.shape = shape
        storage = allocateFloats(shape.reduce(1, *))
    }

    /// A tensor of `shape` holding `values` (which must have exactly `shape.reduce(1, *)` elements).
    public convenience init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "Tensor: \(values.count) values for shape \(shape)")
        _ = storage.update(fromContentsOf: values)
    }

    deinit { storage.baseAddress.map { $0.deallocate() } }

    /// Number of elements.
    public var count: Int { storage.count }

    /// The row-major offset of a multi-index.
    @inlinable
    public func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "Tensor: index rank \(index.count) for shape \(shape)")
        var o = 0
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "Tensor: index \(index) out of shape \(shape)")
            o = o * n + i
        }
        return o
    }

    /// Element access by multi-index (convenient in tests; hot loops use `storage`).
    public subscript(_ index: Int...) -> Float {
        get { storage[offset(index)] }
        set { storage[offset(index)] = newValue }
    }

    /// The elements copied into an array.
    public var array: [Float] { Array(storage) }
}

/// Allocates `count` zeroed Floats aligned to 64 bytes (a cache line, and AVX-512 friendly).
/// The caller owns the memory and frees it with `buffer.baseAddress?.deallocate()`.
///
/// ```swift
/// let buf = allocateFloats(1024)
/// defer { buf.baseAddress?.deallocate() }
/// ```
public func allocateFloats(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
    let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
    let p = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
    return UnsafeMutableBufferPointer(start: p, count: count)
}
