import Testing
import ShoalComm

@Suite struct SingleProcessCommunicatorTests {
    let world = SingleProcessCommunicator()

    @Test func isRankZeroOfOne() {
        #expect(world.rank == 0)
        #expect(world.size == 1)
    }

    @Test func reductionsReturnTheirInput() throws {
        var floats: [Float] = [1.5, -2, 3]
        try floats.withUnsafeMutableBufferPointer { try world.allReduce($0, .sum) }
        #expect(floats == [1.5, -2, 3])
        var integers: [Int64] = [7, Int64.max]
        try integers.withUnsafeMutableBufferPointer { try world.allReduce($0, .max) }
        #expect(integers == [7, Int64.max])
        var doubles: [Double] = [0.25]
        try doubles.withUnsafeMutableBufferPointer { try world.startAllReduce($0, .sum).wait() }
        #expect(doubles == [0.25])
    }

    @Test func broadcastAndAllGatherReturnTheirInput() throws {
        var bytes: [UInt8] = [1, 2, 3]
        try bytes.withUnsafeMutableBytes { try world.broadcast($0, root: 0) }
        #expect(bytes == [1, 2, 3])
        var gathered = [UInt8](repeating: 0, count: 3)
        try bytes.withUnsafeBytes { s in try gathered.withUnsafeMutableBytes { try world.allGather(s, into: $0) } }
        #expect(gathered == [1, 2, 3])
    }

    @Test func rejectsARootOutsideTheJob() {
        var bytes: [UInt8] = [1]
        #expect(throws: CommunicatorError.self) {
            try bytes.withUnsafeMutableBytes { try world.broadcast($0, root: 1) }
        }
    }
}
