import Testing
import ShoalComm
@testable import shoal

/// Helpers of the command-line tool that need no MPI job: the self-test of the collectives on a
/// job of one, and the byte sizes `shoal bench allreduce --sizes` takes.
@Suite struct CollectiveCheckTests {
    @Test func collectiveCheckPassesOnOneRank() throws {
        try CollectiveCheck(world: SingleProcessCommunicator()).run(counts: [1, 1023])
    }
}

@Suite struct ByteSizeParsingTests {
    @Test func rangeGivesEveryPowerOfTwo() throws {
        let sizes = try parseByteSizes("4B..64MB")
        #expect(sizes.first == 4)
        #expect(sizes.last == 64 << 20)
        #expect(sizes.count == 25)
    }

    @Test func listsAndPlainNumbers() throws {
        #expect(try parseByteSizes("1KB,1MB,16") == [1024, 1 << 20, 16])
    }

    @Test(arguments: ["", "abc", "-4B", "64MB..4B", "1XB"])
    func rejectsNonsense(_ text: String) {
        #expect(throws: SizeParseError.self) { try parseByteSizes(text) }
    }
}
