/// Which rank tokenizes which file in `shoal data prepare`: pure data, the same on every rank.
///
/// Files are taken in order into rounds of at most `bytesPerRank × ranks` bytes (a larger file
/// is a round of its own), so that no rank holds more than about a round's tokens at once,
/// whatever the corpus's size. Within a round, each rank owns a contiguous block of files
/// balanced by bytes: a file goes to the rank whose share of the round's bytes holds its
/// middle byte. The prepared shards do not depend on the plan: rank 0 writes the files' tokens
/// in file order whoever encoded them.
///
/// ```swift
/// let plan = PreparationPlan(fileSizes: [100, 100, 100, 700], ranks: 2, bytesPerRank: 1000)
/// plan.rounds       // [0..<4]
/// plan.owners       // [0, 0, 0, 1]: 300 bytes and 700
/// ```
public struct PreparationPlan: Equatable, Sendable {
    /// Consecutive ranges of file indices that tile the files.
    public let rounds: [Range<Int>]
    /// `owners[i]` is the rank that encodes file `i`.
    public let owners: [Int]

    /// 64 MiB of text a rank in a round: tokens of about that many bytes in memory.
    public static let defaultBytesPerRank = 64 << 20

    public init(fileSizes: [Int], ranks: Int, bytesPerRank: Int = defaultBytesPerRank) {
        precondition(ranks >= 1 && bytesPerRank >= 1, "a plan needs a rank and a round size")
        var rounds: [Range<Int>] = []
        var start = 0, bytes = 0
        for (i, size) in fileSizes.enumerated() {
            if i > start && bytes + size > bytesPerRank * ranks {
                rounds.append(start..<i)
                start = i
                bytes = 0
            }
            bytes += size
        }
        if start < fileSizes.count { rounds.append(start..<fileSizes.count) }
        var owners = [Int](repeating: 0, count: fileSizes.count)
        for round in rounds {
            let total = round.reduce(0) { $0 + fileSizes[$1] }
            var before = 0
            for i in round {
                // Twice the middle byte over twice the total: integers, the same on every machine.
                owners[i] = total == 0 ? 0 : min(ranks - 1, (2 * before + fileSizes[i]) * ranks / (2 * total))
                before += fileSizes[i]
            }
        }
        self.rounds = rounds
        self.owners = owners
    }
}
