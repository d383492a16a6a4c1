import Foundation
import Testing

@testable import Coordinator

@Suite("Batch plan")
struct BatchPlanTests {
    /// (N, B, m): N = 1, N < B, N not a multiple of B or m, m not dividing B, m = B, m = 1.
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 8, 3), (5, 8, 3), (10, 4, 4), (23, 8, 3), (100, 32, 5), (17, 6, 6), (64, 16, 4), (9, 9, 1),
        (1000, 256, 64), (1000, 100, 7),
    ]

    /// The sample indices every rank trains in one epoch, in (step, leaf) order, with each
    /// leaf's rank checked against k mod p.
    func visits(_ plan: BatchPlan, epoch: Int, worldSize p: Int) -> [Int32] {
        let order = plan.permutation(epoch: epoch)
        var byLeaf: [[Int: [Int32]]] = Array(repeating: [:], count: plan.stepsPerEpoch)
        for s in 0..<plan.stepsPerEpoch {
            for r in 0..<p {
                for k in plan.leaves(step: s, rank: r, worldSize: p) {
                    #expect(k % p == r)
                    #expect(byLeaf[s][k] == nil, "leaf \(k) of step \(s) given twice")
                    byLeaf[s][k] = Array(order[plan.leaf(step: s, leaf: k)])
                }
            }
            #expect(byLeaf[s].count == plan.leafCount(step: s))
        }
        return byLeaf.flatMap { step in step.keys.sorted().flatMap { step[$0]! } }
    }

    @Test("every sample is trained exactly once per epoch across all ranks' leaves, for 1 to 5 ranks")
    func exactlyOnce() throws {
        for (n, b, m) in Self.shapes {
            let plan = try BatchPlan(sampleCount: n, globalBatch: b, microBatch: m, seed: 7)
            for p in 1...5 {
                for epoch in 0..<2 {
                    let seen = visits(plan, epoch: epoch, worldSize: p)
                    #expect(seen.count == n, "N=\(n) B=\(b) m=\(m) p=\(p)")
                    #expect(Set(seen) == Set((0..<n).map(Int32.init)), "N=\(n) B=\(b) m=\(m) p=\(p)")
                }
            }
        }
    }

    @Test("the order samples are trained in does not depend on the number of ranks")
    func independentOfRanks() throws {
        for (n, b, m) in Self.shapes {
            let plan = try BatchPlan(sampleCount: n, globalBatch: b, microBatch: m, seed: 3)
            let single = visits(plan, epoch: 1, worldSize: 1)
            #expect(single == plan.permutation(epoch: 1))
            for p in 2...5 { #expect(visits(plan, epoch: 1, worldSize: p) == single) }
        }
    }

    @Test("batch and leaf sizes: B per step, a short last batch, leaves of m with a short last leaf")
    func sizes() throws {
        let plan = try BatchPlan(sampleCount: 23, globalBatch: 8, microBatch: 3, seed: 0)
        #expect(plan.stepsPerEpoch == 3)
        #expect((0..<3).map(plan.batchSize) == [8, 8, 7])
        #expect((0..<3).map(plan.leafCount) == [3, 3, 3])
        #expect((0..<3).map { plan.leaf(step: 1, leaf: $0) } == [8..<11, 11..<14, 14..<16])
        #expect(plan.leaf(step: 2, leaf: 2) == 22..<23)
        #expect(Array(plan.leaves(step: 0, rank: 1, worldSize: 2)) == [1])
        #expect(Array(plan.leaves(step: 0, rank: 3, worldSize: 4)) == [])
        #expect(plan.maxLeafCount == 3)
    }

    @Test("each epoch has its own permutation; the seed reproduces them")
    func perEpochAndSeed() throws {
        let plan = try BatchPlan(sampleCount: 1000, globalBatch: 100, microBatch: 10, seed: 42)
        let again = try BatchPlan(sampleCount: 1000, globalBatch: 100, microBatch: 10, seed: 42)
        let other = try BatchPlan(sampleCount: 1000, globalBatch: 100, microBatch: 10, seed: 43)
        let e0 = plan.permutation(epoch: 0), e1 = plan.permutation(epoch: 1)
        #expect(e0 != e1)
        #expect(e0 != (0..<1000).map(Int32.init))
        #expect(Set(e0) == Set(e1))
        #expect(again.permutation(epoch: 0) == e0 && again.permutation(epoch: 1) == e1)
        #expect(other.permutation(epoch: 0) != e0)
        // The batch size and micro batch do not enter the permutation either.
        let regrouped = try BatchPlan(sampleCount: 1000, globalBatch: 64, microBatch: 64, seed: 42)
        #expect(regrouped.permutation(epoch: 1) == e1)
    }

    @Test("the buffer form writes the same permutation as the array form")
    func intoBuffer() throws {
        let plan = try BatchPlan(sampleCount: 37, globalBatch: 8, microBatch: 8, seed: 5)
        var buffer = [Int32](repeating: -1, count: 37)
        buffer.withUnsafeMutableBufferPointer { plan.permutation(epoch: 4, into: $0) }
        #expect(buffer == plan.permutation(epoch: 4))
    }

    @Test("impossible plans are refused with a reason")
    func refused() {
        #expect(throws: BatchPlanError.self) { try BatchPlan(sampleCount: 0, globalBatch: 8, microBatch: 8, seed: 0) }
        #expect(throws: BatchPlanError.self) { try BatchPlan(sampleCount: 8, globalBatch: 0, microBatch: 1, seed: 0) }
        #expect(throws: BatchPlanError.self) { try BatchPlan(sampleCount: 8, globalBatch: 4, microBatch: 0, seed: 0) }
        let error = #expect(throws: BatchPlanError.self) {
            try BatchPlan(sampleCount: 8, globalBatch: 4, microBatch: 5, seed: 0)
        }
        #expect(error?.description == "micro batch 5 is larger than the global batch 4")
    }

    @Test("the position walks steps then epochs and survives JSON")
    func position() throws {
        let plan = try BatchPlan(sampleCount: 10, globalBatch: 4, microBatch: 2, seed: 0)
        var p = TrainingPosition()
        var seen: [TrainingPosition] = []
        for _ in 0..<4 {
            seen.append(p)
            p.advance(in: plan)
        }
        #expect(seen == [TrainingPosition(step: 0, epoch: 0, stepInEpoch: 0), TrainingPosition(step: 1, epoch: 0, stepInEpoch: 1),
                         TrainingPosition(step: 2, epoch: 0, stepInEpoch: 2), TrainingPosition(step: 3, epoch: 1, stepInEpoch: 0)])
        #expect(p == TrainingPosition(step: 4, epoch: 1, stepInEpoch: 1))
        let json = try JSONEncoder().encode(p)
        #expect(String(decoding: json, as: UTF8.self).contains("step_in_epoch"))
        #expect(try JSONDecoder().decode(TrainingPosition.self, from: json) == p)
    }
}
