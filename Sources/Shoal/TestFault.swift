import Foundation

/// A fault one rank injects on purpose, for the tests of the collective fingerprints:
/// `SHOAL_TEST_FAULT=skip-leaf:RANK:STEP` makes rank RANK skip its first leaf of step STEP
/// (counted from 1); `count:RANK:STEP` makes it expect one gradient element more; `data:RANK:0`
/// changes one byte of the data it hashes for the start agreement. Anything else
/// in the variable is ignored: it is not a user setting.
struct TestFault: Equatable {
    static let variable = "SHOAL_TEST_FAULT"

    enum Kind: String { case skipLeaf = "skip-leaf", count, data }

    let kind: Kind
    let rank: Int
    let step: Int

    init?(_ text: String?) {
        let parts = (text ?? "").split(separator: ":")
        guard parts.count == 3, let kind = Kind(rawValue: String(parts[0])), let rank = Int(parts[1]), let step = Int(parts[2]) else { return nil }
        (self.kind, self.rank, self.step) = (kind, rank, step)
    }

    static let current = TestFault(ProcessInfo.processInfo.environment[variable])

    /// Whether this fault strikes `rank` at `step` (from 1).
    func applies(_ kind: Kind, rank: Int, step: Int) -> Bool { self.kind == kind && self.rank == rank && self.step == step }
}
