/// Fisher–Yates shuffles driven by a counter-based generator: position `i` draws its partner
/// with counter `i`, so the permutation is a pure function of the generator's key.
public enum Permutation {
    /// Fills `out` with a permutation of `0..<out.count`.
    public static func fill(_ out: UnsafeMutableBufferPointer<Int32>, rng: Philox) {
        let n = out.count
        for i in 0..<n { out[i] = Int32(i) }
        var i = n - 1
        while i > 0 {
            let j = Int(rng.uniformInt(below: UInt64(i + 1), at: UInt64(i)))
            out.swapAt(i, j)
            i -= 1
        }
    }

    public static func make(count: Int, rng: Philox) -> [Int32] {
        var out = [Int32](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { fill($0, rng: rng) }
        return out
    }
}
