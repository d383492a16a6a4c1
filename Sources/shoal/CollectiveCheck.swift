import ShoalComm
/// Checks each collective against the value it must produce, on whatever ranks run it. Used by
/// `shoal selftest-comm`, which the multi-process tests start under real mpirun.
struct CollectiveCheck {
    struct Mismatch: Error, CustomStringConvertible {
        let description: String
    }

    let world: any Communicator

    init(world: any Communicator) { self.world = world }

    func run(counts: [Int]) throws {
        for count in counts {
            try checkReductions(Float.self, count: count) { Float($0) }
            try checkReductions(Double.self, count: count) { Double($0) }
            try checkReductions(Int64.self, count: count) { Int64($0) }
            try checkReductions(Int32.self, count: count) { Int32($0) }
            try checkNonBlocking(count: count)
            try checkReduceScatterAndAllGather(count: count)
        }
        try checkBroadcast()
        try checkAllGather()
        for overlap in FastReduction.Overlap.allCases { try checkFastReduction(overlap: overlap) }
    }

    /// Two steps of a bucketed sum, with backward announcing progress in uneven strides.
    private func checkFastReduction(overlap: FastReduction.Overlap) throws {
        let count = 100_003, p = world.size
        let gradients = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer { gradients.deallocate() }
        let sync = try FastReduction(world: world, gradients: gradients, bucketElements: 7_000, overlap: overlap)
        for step in 0..<2 {
            for i in 0..<count { gradients[i] = Float(world.rank + 1 + (i + step) % 3) }
            sync.beginStep()
            for i in 0..<count { gradients[i] = Float(world.rank + 1 + (i + step) % 3) }  // beginStep zeroed them
            for offset in stride(from: 0, through: count, by: 9_999) { sync.backwardFinished(upTo: offset) }
            _ = try sync.finishStep()
            for i in 0..<count where gradients[i] != Float(p * (p + 1) / 2 + p * ((i + step) % 3)) {
                throw Mismatch(description: "gradient sync (\(overlap)) step \(step): element \(i) is \(gradients[i])")
            }
        }
    }

    /// Rank r contributes r + 1 + (i mod 5) at element i. Sum over p ranks: p(p+1)/2 + p·(i mod 5);
    /// maximum: p + (i mod 5). Small integers, so every type holds them exactly.
    private func checkReductions<T: ReducibleElement & Equatable>(_: T.Type, count: Int, make: (Int) -> T) throws {
        let p = world.size, r = world.rank
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
        defer { buffer.deallocate() }
        for (operation, expected) in [(ReductionOperation.sum, { (i: Int) in p * (p + 1) / 2 + p * (i % 5) }),
                                      (.max, { (i: Int) in p + i % 5 })] {
            for i in 0..<count { buffer[i] = make(r + 1 + i % 5) }
            try world.allReduce(buffer, operation)
            for i in 0..<count where buffer[i] != make(expected(i)) {
                throw Mismatch(description: "\(T.self) \(operation) of \(count) elements: element \(i) is \(buffer[i]), expected \(expected(i))")
            }
        }
    }

    /// The blocks must tile 0..<count in rank order, even when count < p leaves some empty.
    /// Then rank r contributes r + 1 + (i mod 5) · 2^40 (Int64) or · 2^20 (Int32) at element i
    /// (beyond Float's 24 bits), so its block must hold p(p+1)/2 + p · (i mod 5) · 2^k; then each
    /// rank puts -(r + 1) · i into its block of a Float buffer and the all-gather must give every
    /// block from its owner.
    private func checkReduceScatterAndAllGather(count: Int) throws {
        let p = world.size, r = world.rank
        var next = 0
        for owner in 0..<p {
            let block = world.blockRange(count: count, rank: owner)
            guard block.lowerBound == next, block.count <= world.maximumBlockCount(count: count) else {
                throw Mismatch(description: "blocks of \(count) elements: rank \(owner) has \(block)")
            }
            next = block.upperBound
        }
        guard next == count else { throw Mismatch(description: "blocks of \(count) elements end at \(next)") }
        try checkReduceScatter(Int64.self, count: count, shift: 40) { try world.reduceScatterSum($0, scratch: $1) }
        try checkReduceScatter(Int32.self, count: count, shift: 20) { try world.reduceScatterSum($0, scratch: $1) }
        let gathered = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer { gathered.deallocate() }
        gathered.initialize(repeating: .nan)
        for i in world.blockRange(count: count) { gathered[i] = -Float(r + 1) * Float(i) }
        try world.allGatherBlocks(gathered)
        for owner in 0..<p {
            for i in world.blockRange(count: count, rank: owner) where gathered[i] != -Float(owner + 1) * Float(i) {
                throw Mismatch(description: "all-gather of blocks of \(count) elements: element \(i) is \(gathered[i])")
            }
        }
    }

    private func checkReduceScatter<T: FixedWidthInteger>(_: T.Type, count: Int, shift: Int,
                                                          _ reduceScatter: (UnsafeMutableBufferPointer<T>, UnsafeMutableBufferPointer<T>) throws -> Void) throws {
        let p = world.size, r = world.rank
        let sums = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
        let scratch = UnsafeMutableBufferPointer<T>.allocate(capacity: world.maximumBlockCount(count: count))
        defer { sums.deallocate(); scratch.deallocate() }
        for i in 0..<count { sums[i] = T(r + 1) + T(i % 5) << shift }
        try reduceScatter(sums, scratch)
        for i in world.blockRange(count: count) where sums[i] != T(p * (p + 1) / 2) + T(p * (i % 5)) << shift {
            throw Mismatch(description: "\(T.self) reduce-scatter of \(count) elements: element \(i) is \(sums[i])")
        }
    }

    private func checkNonBlocking(count: Int) throws {
        let p = world.size
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: Float(world.rank + 1))
        try world.startAllReduce(buffer, .sum).wait()
        let expected = Float(p * (p + 1) / 2)
        if let i = buffer.firstIndex(where: { $0 != expected }) {
            throw Mismatch(description: "non-blocking sum of \(count) elements: element \(i) is \(buffer[i]), expected \(expected)")
        }
    }

    private func checkBroadcast() throws {
        let root = world.size - 1
        var bytes = [UInt8](repeating: UInt8(world.rank), count: 4099)
        if world.rank == root { for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i * 31 + 7) } }
        try bytes.withUnsafeMutableBytes { try world.broadcast($0, root: root) }
        for i in bytes.indices where bytes[i] != UInt8(truncatingIfNeeded: i * 31 + 7) {
            throw Mismatch(description: "broadcast from rank \(root): byte \(i) is \(bytes[i])")
        }
    }

    private func checkAllGather() throws {
        let width = 3
        let send = [UInt8](repeating: UInt8(world.rank + 10), count: width)
        var receive = [UInt8](repeating: 0, count: width * world.size)
        try send.withUnsafeBytes { s in try receive.withUnsafeMutableBytes { try world.allGather(s, into: $0) } }
        for (i, byte) in receive.enumerated() where byte != UInt8(i / width + 10) {
            throw Mismatch(description: "all-gather: byte \(i) is \(byte), expected \(i / width + 10)")
        }
    }
}
