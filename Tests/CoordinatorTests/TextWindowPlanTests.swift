import Coordinator
import ShoalData
import Testing

/// A text run's windows of a step do not depend on how many ranks share it: each leaf's slots
/// come from the batch plan, each slot's window from (seed, step, slot).
@Suite struct TextWindowPlanTests {
    @Test(arguments: [(16, 8), (16, 2), (6, 2), (10, 3)])
    func theWindowsOfAStepAreTheSameOnAnyRankCount(globalBatch: Int, microBatch: Int) throws {
        let windows = try TokenWindows(tokens: (0..<5000).map { Int32($0 % 113) }, blockSize: 32, seed: 1337)
        let plan = try BatchPlan(sampleCount: 150, globalBatch: globalBatch, microBatch: microBatch, seed: 1337)
        func startsBySlot(ranks: Int, step: Int) -> [Int: Int] {
            var starts: [Int: Int] = [:]
            for rank in 0..<ranks {
                for leaf in plan.leaves(step: step, rank: rank, worldSize: ranks) {
                    for slot in plan.slots(step: step, leaf: leaf) {
                        #expect(starts[slot] == nil, "slot \(slot) computed twice")
                        starts[slot] = windows.start(step: step, slot: slot)
                    }
                }
            }
            return starts
        }
        for step in [0, 1, plan.stepsPerEpoch - 1] {
            let one = startsBySlot(ranks: 1, step: step)
            #expect(one.keys.sorted() == Array(0..<plan.batchSize(step: step)))
            for ranks in 2...5 { #expect(startsBySlot(ranks: ranks, step: step) == one, "\(ranks) ranks, step \(step)") }
        }
    }
}
