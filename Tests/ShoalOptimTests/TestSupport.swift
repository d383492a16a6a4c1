import ShoalOptim

/// A preallocated Float buffer the tests step on, as the trainer's arenas will be.
final class Arena {
    let buffer: UnsafeMutableBufferPointer<Float>

    init(_ values: [Float]) {
        buffer = .allocate(capacity: values.count)
        _ = buffer.initialize(from: values)
    }

    convenience init(count: Int) { self.init(Array(repeating: 0, count: count)) }

    deinit { buffer.deallocate() }

    var values: [Float] { Array(buffer) }
    subscript(i: Int) -> Float {
        get { buffer[i] }
        set { buffer[i] = newValue }
    }
}

/// Gradient of the diagonal quadratic f(w) = Σ ½·a_i·w_i², written into `g` in place.
func quadraticGradient(a: [Float], w: Arena, into g: Arena) {
    for i in a.indices { g[i] = a[i] * w[i] }
}

/// |x − y| ≤ tolerance · max(1, |y|)
func close(_ x: Float, _ y: Float, _ tolerance: Float = 1e-5) -> Bool {
    abs(x - y) <= tolerance * max(1, abs(y))
}

func close(_ x: Double, _ y: Double, _ tolerance: Double = 1e-9) -> Bool {
    abs(x - y) <= tolerance * max(1, abs(y))
}

func close(_ xs: [Float], _ ys: [Float], _ tolerance: Float = 1e-5) -> Bool {
    xs.count == ys.count && zip(xs, ys).allSatisfy { close($0, $1, tolerance) }
}

/// The key of the `OptimizerError` thrown by `body`, or nil if it throws nothing or another error.
func errorKey(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as OptimizerError {
        return error.key
    } catch {
        return nil
    }
}
