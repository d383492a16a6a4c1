extension Philox {
    /// Eight Philox blocks at once: lane `j` of the four returned vectors is
    /// `block(at: counter + j)` (identical bits, the rounds run on 8-lane vectors). For hot loops
    /// such as dropout masks, where the scalar generator would dominate the layer's cost.
    ///
    /// ```swift
    /// let rng = Philox(seed: 42)
    /// let (w0, w1, w2, w3) = rng.blocks8(at: 16)
    /// w2[3] == rng.block(at: 19).2   // true
    /// ```
    @inlinable
    public func blocks8(at counter: UInt64) -> (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>) {
        let ctr = SIMD8<UInt64>(repeating: counter) &+ SIMD8<UInt64>(0, 1, 2, 3, 4, 5, 6, 7)
        var c0 = SIMD8<UInt32>(truncatingIfNeeded: ctr)
        var c1 = SIMD8<UInt32>(truncatingIfNeeded: ctr &>> 32)
        var c2 = SIMD8<UInt32>(repeating: UInt32(truncatingIfNeeded: stream))
        var c3 = SIMD8<UInt32>(repeating: UInt32(truncatingIfNeeded: stream >> 32))
        var k0 = key.0, k1 = key.1
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            let p0 = SIMD8<UInt64>(truncatingIfNeeded: c0) &* SIMD8<UInt64>(repeating: 0xD251_1F53)
            let p1 = SIMD8<UInt64>(truncatingIfNeeded: c2) &* SIMD8<UInt64>(repeating: 0xCD9E_8D57)
            let hi0 = SIMD8<UInt32>(truncatingIfNeeded: p0 &>> 32), lo0 = SIMD8<UInt32>(truncatingIfNeeded: p0)
            let hi1 = SIMD8<UInt32>(truncatingIfNeeded: p1 &>> 32), lo1 = SIMD8<UInt32>(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ SIMD8(repeating: k0), lo1, hi0 ^ c3 ^ SIMD8(repeating: k1), lo0)
        }
        return (c0, c1, c2, c3)
    }
}
