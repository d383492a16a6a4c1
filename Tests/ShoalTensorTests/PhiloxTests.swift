import Testing
import ShoalTensor

@Suite struct PhiloxTests {
    /// Known-answer vectors from the Random123 distribution (kat_vectors, philox4x32_10).
    @Test func matchesRandom123KnownAnswers() {
        // counter = 0, key = 0
        let zero = Philox(seed: 0, stream: 0).block(at: 0)
        #expect(zero == (0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8))
        // counter = all ones, key = all ones
        let ones = Philox(seed: .max, stream: .max).block(at: .max)
        #expect(ones == (0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD))
    }

    @Test func uniformIsInUnitIntervalAndRoughlyCentred() {
        let rng = Philox(seed: 123, stream: 4)
        var sum = 0.0
        for i in 0..<10_000 {
            let u = rng.uniform(at: UInt64(i))
            #expect(u >= 0 && u < 1)
            sum += Double(u)
        }
        #expect(abs(sum / 10_000 - 0.5) < 0.02)
    }

    @Test func uniformIntStaysBelowBound() {
        let rng = Philox(seed: 9)
        for i in 0..<1000 { #expect(rng.uniformInt(below: 7, at: UInt64(i)) < 7) }
    }
}

@Suite struct PhiloxSIMDTests {
    @Test func blocks8MatchesScalarBlocksIncludingCounterCarry() {
        let rng = Philox(seed: UInt64.random(in: 0...UInt64.max), stream: UInt64.random(in: 0...UInt64.max))
        for start: UInt64 in [0, 1000, 0xFFFF_FFFC, .max - 3] {
            let (w0, w1, w2, w3) = rng.blocks8(at: start)
            for j in 0..<8 {
                let b = rng.block(at: start &+ UInt64(j))
                #expect(b == (w0[j], w1[j], w2[j], w3[j]), "counter \(start) + \(j)")
            }
        }
    }
}
