/// Philox 4x32-10, the counter-based generator of Salmon et al. (SC'11), also used by
/// JAX, cuRAND and PyTorch's CUDA generator.
///
/// Every random number is a pure function of `(seed, stream, counter)`, so any rank can produce
/// the numbers for any sample without having produced the ones before it. Shoal keys a
/// permutation by `(seed, epoch)` and a dropout mask by `(seed, step, sample, layer)`.
///
/// ```swift
/// let rng = Philox(seed: 42, stream: 7)
/// let block = rng.block(at: 0)          // four independent UInt32
/// let u = rng.uniform(at: 5)            // Float in [0, 1)
/// ```
public struct Philox: Sendable, Hashable {
    /// Key: the 64-bit seed, split in two 32-bit words.
    public let key: (UInt32, UInt32)
    /// The high half of the 128-bit counter; the low half is the `counter` argument of `block(at:)`.
    public let stream: UInt64

    public init(seed: UInt64, stream: UInt64 = 0) {
        key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        self.stream = stream
    }

    public static func == (a: Philox, b: Philox) -> Bool {
        a.key == b.key && a.stream == b.stream
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key.0); hasher.combine(key.1); hasher.combine(stream)
    }

    /// The four 32-bit outputs for one 128-bit counter value `(counter, stream)`.
    @inlinable
    public func block(at counter: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        var c0 = UInt32(truncatingIfNeeded: counter)
        var c1 = UInt32(truncatingIfNeeded: counter >> 32)
        var c2 = UInt32(truncatingIfNeeded: stream)
        var c3 = UInt32(truncatingIfNeeded: stream >> 32)
        var k0 = key.0, k1 = key.1
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9  // golden ratio
                k1 &+= 0xBB67_AE85  // sqrt(3) - 1
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
        }
        return (c0, c1, c2, c3)
    }

    /// A 64-bit random value: the first two words of `block(at:)`.
    @inlinable
    public func next64(at counter: UInt64) -> UInt64 {
        let b = block(at: counter)
        return UInt64(b.0) | (UInt64(b.1) << 32)
    }

    /// A Float uniform in [0, 1) with 24 random bits, from the first word of `block(at:)`.
    @inlinable
    public func uniform(at counter: UInt64) -> Float {
        Float(block(at: counter).0 >> 8) * 0x1p-24
    }

    /// A Double uniform in [0, 1) with 53 random bits.
    @inlinable
    public func uniformDouble(at counter: UInt64) -> Double {
        Double(next64(at: counter) >> 11) * 0x1p-53
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's multiply-shift with
    /// rejection; a rejected draw moves on to the next counter of a private sub-stream).
    @inlinable
    public func uniformInt(below bound: UInt64, at counter: UInt64) -> UInt64 {
        precondition(bound > 0)
        var attempt: UInt64 = 0
        while true {
            let x = attempt == 0 ? next64(at: counter) : Philox(seed: next64(at: counter), stream: attempt).next64(at: 0)
            let m = x.multipliedFullWidth(by: bound)
            if m.low >= (0 &- bound) % bound { return m.high }
            attempt += 1
        }
    }

    /// Derives an independent generator for a sub-stream, e.g. `Philox(seed:).derived(0xD80, layer)`.
    public func derived(_ words: UInt64...) -> Philox {
        var s = next64(at: 0xFFFF_FFFF_0000_0000)
        for (i, w) in words.enumerated() {
            s = Philox(seed: s ^ w, stream: UInt64(i) &+ 0x5157).next64(at: w)
        }
        return Philox(seed: s, stream: 0)
    }
}
