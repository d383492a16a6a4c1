import Testing
@testable import ShoalOptim

@Suite struct ClippingTests {
    @Test func normAfterClippingEqualsTheBound() {
        let g = Arena((0..<1001).map { Float($0 % 17) - 8.5 })
        let before = globalNorm(g.buffer)
        let returned = clipGlobalNorm(g.buffer, maxNorm: 1)
        #expect(close(Double(returned), before, 1e-6))
        #expect(before > 1)
        #expect(close(globalNorm(g.buffer), 1, 1e-6))
    }

    @Test func belowTheBoundNothingChanges() {
        let original: [Float] = [0.3, -0.4]  // norm 0.5
        let g = Arena(original)
        let norm = clipGlobalNorm(g.buffer, maxNorm: 1)
        #expect(close(norm, 0.5, 1e-7))
        #expect(g.values == original)
    }

    @Test func normIsAccumulatedInDouble() {
        // A Float running sum of 2^24 + 3 ones stalls at 2^24; the Double sum is exact.
        let triangle = Arena([3, 4])
        #expect(globalNorm(triangle.buffer) == 5)
        let ones = Arena(Array(repeating: 1, count: (1 << 24) + 3))
        #expect(globalNorm(ones.buffer) == Double((1 << 24) + 3).squareRoot())
        withExtendedLifetime((triangle, ones)) {}
    }

    @Test func nonFiniteGradientsAreReportedAndLeftAlone() {
        let g = Arena([1, .nan, 2])
        #expect(clipGlobalNorm(g.buffer, maxNorm: 1).isNaN)
        #expect(g[0] == 1 && g[2] == 2)
        let h = Arena([.infinity, 1])
        #expect(clipGlobalNorm(h.buffer, maxNorm: 1) == .infinity)
        #expect(h[1] == 1)
    }

    @Test func emptyArenaHasNormZero() {
        let empty = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
        #expect(clipGlobalNorm(empty, maxNorm: 1) == 0)
    }
}
