import Foundation
import Testing
import ShoalComm

/// The fixed-point conversion and sum behind exact reduction (the multi-rank bit-equality is
/// checked under mpirun in MultiProcessTests/ExactReductionTests).
@Suite struct FixedPointTests {
    @Test func encodingRoundsToTheNearestMultipleOfTheQuantumAndBack() {
        for value: Float in [0, 1, -1, 0.1, -3.75, 1e-7, 123.456, Float.leastNormalMagnitude] {
            for exponent in [10, 30, 40] {
                let q = ExactReduction.encode(value, exponent: exponent)
                let expected = (Double(value) * Double(sign: .plus, exponent: exponent, significand: 1)).rounded(.toNearestOrEven)
                #expect(Double(q) == expected, "\(value) at 2^\(exponent)")
                let back = ExactReduction.decode(q, exponent: exponent)
                #expect(abs(Double(back) - Double(value)) <= Double(sign: .plus, exponent: -exponent - 1, significand: 1) + Double(value.ulp),
                        "\(value) at 2^\(exponent) came back as \(back)")
            }
        }
        // Ties go to even, as the conversion promises.
        #expect(ExactReduction.encode(2.5, exponent: 0) == 2)
        #expect(ExactReduction.encode(3.5, exponent: 0) == 4)
        #expect(ExactReduction.encode(-2.5, exponent: 0) == -2)
    }

    @Test(arguments: [ExactReduction.Width.int32, .int64])
    func sumsInAnyOrderGiveTheSameBits(width: ExactReduction.Width) throws {
        // Eight leaves of random gradients with magnitudes over six decades.
        let count = 1003, leaves = 8
        let rng = PseudoRandom(seed: 17)
        let gradients = (0..<leaves).map { _ in (0..<count).map { _ in rng.gradient() } }
        func reduce(_ order: [Int]) throws -> [Float] {
            let exact = ExactReduction(world: SingleProcessCommunicator(), segments: [0..<500, 500..<count], maxLeaves: leaves, width: width)
            var result = [Float](repeating: 0, count: count)
            var outcome = ReductionOutcome.redo
            while outcome == .redo {
                exact.beginStep()
                for leaf in order {
                    var g = gradients[leaf]
                    g.withUnsafeMutableBufferPointer { exact.finishLeaf($0, isLast: false) }
                }
                outcome = try exact.finishStep()
            }
            #expect(outcome == .done)
            result = Array(exact.gradients)
            return result
        }
        let forward = try reduce(Array(0..<leaves))
        let backward = try reduce(Array((0..<leaves).reversed()))
        let shuffled = try reduce([3, 7, 0, 5, 1, 6, 2, 4])
        #expect(forward.map(\.bitPattern) == backward.map(\.bitPattern))
        #expect(forward.map(\.bitPattern) == shuffled.map(\.bitPattern))
        // The quantum of each leaf is 2^-bits of the tensor's largest gradient, rounded to half of
        // it (bits = 24 in Int32, 37 in Int64 for 8 leaves); a Float sum errs by about 2^-24 of the
        // magnitudes it adds, and decoding rounds once more to Float.
        let bits = width.precisionBits(leafBits: 3)
        #expect(bits == (width == .int32 ? 24 : 37))
        for (segment, range) in [0..<500, 500..<count].enumerated() {
            let largest = gradients.flatMap { $0[range] }.map { abs(Double($0)) }.max()!
            for i in range {
                let truth = gradients.reduce(0.0) { $0 + Double($1[i]) }
                #expect(abs(Double(forward[i]) - truth) <= abs(truth) * 0x1p-24 + Double(leaves) * largest * Double(sign: .plus, exponent: -bits, significand: 1),
                        "segment \(segment), element \(i): \(forward[i]) vs \(truth)")
            }
        }
    }

    @Test func theWidthKeepsFloatPrecisionForTheLargestGradient() {
        // Int32 while it keeps at least 24 bits (up to 8 leaves), Int64 beyond: never fewer than
        // Float's 24 bits for the largest gradient of a tensor, up to the 4096-leaf limit.
        for leaves in [1, 2, 4, 8, 9, 16, 64, 4096] {
            let exact = ExactReduction(world: SingleProcessCommunicator(), segments: [0..<4], maxLeaves: leaves)
            #expect(exact.width == (leaves <= 8 ? .int32 : .int64), "\(leaves) leaves")
            #expect(exact.width.precisionBits(leafBits: exact.leafBits) >= 24, "\(leaves) leaves")
        }
    }

    @Test(arguments: [ExactReduction.Width.int32, .int64])
    func theFirstStepAndAGrowingGradientAreRedoneWithWiderExponents(width: ExactReduction.Width) throws {
        let exact = ExactReduction(world: SingleProcessCommunicator(), segments: [0..<4], maxLeaves: 2, width: width)
        var result = [Float](repeating: 0, count: 4)
        func step(_ g: [Float]) throws -> ReductionOutcome { try exact.step(g, into: &result) }
        let inside = Float(1 << (width.headroomBits - 1)), outside = Float(1 << (width.headroomBits + 2))
        #expect(try step([1, 2, 3, 4]) == .redo)                 // no exponents yet
        #expect(try step([1, 2, 3, 4]) == .done)
        #expect(result == [1, 2, 3, 4])
        #expect(try step([1, 2, 3, 4 * inside]) == .done)       // grew inside the headroom
        #expect(result == [1, 2, 3, 4 * inside])
        #expect(try step([1, 2, 3, 4 * inside * outside]) == .redo)  // grew past it: no silent overflow
        #expect(try step([1, 2, 3, 4 * inside * outside]) == .done)
        #expect(result == [1, 2, 3, 4 * inside * outside])
    }

    @Test(arguments: [ExactReduction.Width.int32, .int64])
    func aNaNOrInfinityIsReportedNotSummed(width: ExactReduction.Width) throws {
        let exact = ExactReduction(world: SingleProcessCommunicator(), segments: [0..<3], maxLeaves: 1, width: width)
        var result = [Float](repeating: 0, count: 3)
        func step(_ g: [Float]) throws -> ReductionOutcome { try exact.step(g, into: &result) }
        for bad in [Float.nan, .infinity, -.infinity] {
            #expect(try step([1, bad, 2]) == .nonFinite)   // before any exponent: measuring only
            _ = try step([1, 3, 2])                         // agree exponents (first step: redo)
            #expect(try step([1, 3, 2]) == .done)
            #expect(try step([1, bad, 2]) == .nonFinite)   // and through the conversion
        }
    }

    /// At the limit of the headroom: the largest gradient that still fits, summed over the most
    /// leaves, must come back exactly (no wrap, no sign flip); the smallest that does not, redo.
    @Test(arguments: [ExactReduction.Width.int32, .int64])
    func theLargestGradientThatFitsSumsExactlyAndTheNextOneIsRedone(width: ExactReduction.Width) throws {
        let leaves = 8
        let exact = ExactReduction(world: SingleProcessCommunicator(), segments: [0..<2], maxLeaves: leaves, width: width)
        var result = [Float](repeating: 0, count: 2)
        func step(_ g: [Float], leaves: Int) throws -> ReductionOutcome { try exact.step(g, leaves: leaves, into: &result) }
        _ = try step([1, -1], leaves: 1)
        #expect(try step([1, -1], leaves: 1) == .done)
        let limit = exact.limit(exponent: exact.exponents![0])
        #expect(limit == Float(1 << width.headroomBits) * 2)  // 1 < 2^1, plus the headroom
        let fits = limit.nextDown
        #expect(try step([fits, -fits], leaves: leaves) == .done)
        #expect(result == [fits * Float(leaves), -fits * Float(leaves)])
        exact.exponents = [exact.exponent(maximum: 1), exact.exponent(maximum: 1)]
        #expect(try step([limit, 0], leaves: 1) == .redo)
    }

    @Test func anAllZeroTensorKeepsItsExponent() throws {
        let exact = ExactReduction(world: SingleProcessCommunicator(), segments: [0..<1, 1..<2], maxLeaves: 1, width: .int32)
        var result = [Float](repeating: 0, count: 2)
        func step(_ g: [Float]) throws -> ReductionOutcome { try exact.step(g, into: &result) }
        _ = try step([1, 1e-6])
        #expect(try step([1, 1e-6]) == .done)
        let small = exact.exponents![1]
        #expect(try step([1, 0]) == .done)
        #expect(exact.exponents![1] == small)
        // So the next small gradient keeps its 24 bits instead of a quantum sized for 0.5.
        #expect(try step([1, 1.2345678e-6]) == .done)
        #expect(result[1] == 1.2345678e-6)
    }

    /// The rank's last leaf stays in its buffer until the step is decided: a redo converts it again
    /// itself and asks only for the other leaves, with the same bits as computing all of them again.
    @Test(arguments: [1, 3])
    func aRedoCarriesTheLastLeafInsteadOfComputingItAgain(leaves: Int) throws {
        let count = 37
        let rng = PseudoRandom(seed: 5)
        // Step 1 has no exponents yet; step 2's gradients are 100 times larger: both are redone.
        let steps = (0..<2).map { s in (0..<leaves).map { _ in (0..<count).map { _ in rng.gradient() * (s == 0 ? 1 : 100) } } }
        func run(carrying: Bool) throws -> (sums: [[Float]], computed: Int) {
            let exact = ExactReduction(world: SingleProcessCommunicator(), segments: [0..<count], maxLeaves: leaves, width: .int32)
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            defer { buffer.deallocate() }
            var sums: [[Float]] = [], computed = 0
            for gradients in steps {
                var outcome = ReductionOutcome.redo, passes = 0
                while outcome == .redo {
                    passes += 1
                    exact.beginStep()
                    for (k, g) in gradients.enumerated().dropLast(exact.leavesCarried) {
                        _ = buffer.update(fromContentsOf: g)
                        computed += 1
                        exact.finishLeaf(buffer, isLast: carrying && k == leaves - 1)
                    }
                    outcome = try exact.finishStep()
                    #expect(exact.leavesCarried == (outcome == .redo && carrying ? 1 : 0))
                }
                #expect(outcome == .done)
                #expect(passes == 2)
                #expect(buffer.allSatisfy { $0 == 0 }, "the kept leaf is zeroed once the step is done")
                sums.append(Array(exact.gradients))
            }
            return (sums, computed)
        }
        let carried = try run(carrying: true), recomputed = try run(carrying: false)
        #expect(carried.sums.map { $0.map(\.bitPattern) } == recomputed.sums.map { $0.map(\.bitPattern) })
        #expect(recomputed.computed == 4 * leaves)
        #expect(carried.computed == 4 * leaves - 2)
    }

    @Test func finishLeafLeavesTheGradientZeroedForTheNextLeaf() {
        let exact = ExactReduction(world: SingleProcessCommunicator(), segments: [0..<19], maxLeaves: 1)
        exact.beginStep()
        var g = (0..<19).map { Float($0) - 9 }
        g.withUnsafeMutableBufferPointer { exact.finishLeaf($0, isLast: false) }
        #expect(g.allSatisfy { $0 == 0 })
    }
}

extension ExactReduction {
    /// One step of `leaves` leaves that all have gradient `g`, summed into `result`.
    func step(_ g: [Float], leaves: Int = 1, into result: inout [Float]) throws -> ReductionOutcome {
        beginStep()
        for _ in 0..<leaves {
            var copy = g
            copy.withUnsafeMutableBufferPointer { finishLeaf($0, isLast: false) }
        }
        let outcome = try finishStep()
        if outcome == .done { result = Array(gradients) }
        return outcome
    }
}

/// A small deterministic generator for test data (splitmix64).
final class PseudoRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// ±(1 … 10) · 10^(−6 … 0)
    func gradient() -> Float {
        let mantissa = 1 + Double(next() % 9000) / 1000, decade = Double(next() % 7)
        return Float((next() & 1 == 0 ? 1 : -1) * mantissa * pow(10, -decade))
    }
}
