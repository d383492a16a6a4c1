import Testing
import ShoalComm

@Suite struct BucketPlanTests {
    @Test func bucketsCoverTheArenaExactlyInOrder() {
        let plan = BucketPlan(elementCount: 10, bucketElements: 4)
        #expect(plan.buckets == [0..<4, 4..<8, 8..<10])
    }

    @Test func aBucketIsReadyOnlyWhenBackwardPassedItsEnd() {
        let plan = BucketPlan(elementCount: 10, bucketElements: 4)
        #expect(plan.readyCount(finishedUpTo: 0) == 0)
        #expect(plan.readyCount(finishedUpTo: 3) == 0)
        #expect(plan.readyCount(finishedUpTo: 4) == 1)
        #expect(plan.readyCount(finishedUpTo: 9) == 2)
        #expect(plan.readyCount(finishedUpTo: 10) == 3)
    }

    /// No special case for a job of one: the single-process communicator's sums leave the
    /// gradients as they are, whichever way the buckets overlap backward.
    @Test(arguments: FastReduction.Overlap.allCases)
    func fastReductionOnOneRankZeroesAtTheStartAndThenLeavesGradientsAlone(_ overlap: FastReduction.Overlap) throws {
        var values: [Float] = [1, 2, 3]
        try values.withUnsafeMutableBufferPointer { buffer in
            let sync = try FastReduction(world: SingleProcessCommunicator(), gradients: buffer, bucketElements: 2, overlap: overlap)
            sync.beginStep()
            #expect(buffer.allSatisfy { $0 == 0 })
            for i in buffer.indices { buffer[i] = Float(i + 1) }   // backward accumulates
            sync.backwardFinished(upTo: 3)
            sync.finishLeaf(buffer, isLast: true)
            #expect(try sync.finishStep() == .done)
            #expect(sync.fingerprint(step: 1, leavesPlanned: 1).leavesDone == 1)
        }
        #expect(values == [1, 2, 3])
    }
}
