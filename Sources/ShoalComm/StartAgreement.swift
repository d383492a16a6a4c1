import Foundation

/// What every rank must share before any compute is spent (DESIGN.md decision 11): each rank
/// states its facts (config hash, build, reduction, BLAS, data hash), one all-gather gives every
/// rank all of them, and a difference stops every rank alike with an error naming the rank, its
/// host and what differs. Facts are short texts; longer ones are cut to ``valueBytes``.
///
/// ```swift
/// let world = try World.start()
/// let config = try RunConfig.load(path: "configs/fashion-mlp.yaml"), dataHash = "5e2f…"   // sha256Hex of the data
/// try world.agreeAtStart(on: [("config", config.canonicalHash), ("data", dataHash)])
/// ```
extension Communicator {
    public func agreeAtStart(on facts: [(name: String, value: String)], host: String = World.hostName) throws {
        let width = StartAgreement.valueBytes, fields = facts.count + 1
        var mine = [UInt8](repeating: 0, count: width * fields)
        for (i, text) in ([host] + facts.map(\.value)).enumerated() {
            for (j, byte) in text.utf8.prefix(width).enumerated() { mine[i * width + j] = byte }
        }
        var all = [UInt8](repeating: 0, count: mine.count * size)
        try mine.withUnsafeBytes { send in try all.withUnsafeMutableBytes { try allGather(send, into: $0) } }
        func text(rank: Int, field: Int) -> String {
            let start = (rank * fields + field) * width
            return String(decoding: all[start..<start + width].prefix { $0 != 0 }, as: UTF8.self)
        }
        var differences: [String] = []
        for r in 1..<max(1, size) {
            for (i, fact) in facts.enumerated() where text(rank: r, field: i + 1) != text(rank: 0, field: i + 1) {
                differences.append("rank \(r) on \(text(rank: r, field: 0)) differs from rank 0 on \(text(rank: 0, field: 0)) in its \(fact.name): "
                    + "\(text(rank: r, field: i + 1)) against \(text(rank: 0, field: i + 1))")
            }
        }
        guard differences.isEmpty else {
            throw CollectiveError(message: "the ranks disagree before step 1:\n  " + differences.joined(separator: "\n  ")
                + "\nevery node needs the same build, config and data (README: Across nodes)")
        }
    }
}

extension World {
    /// This node's name (gethostname: no DNS lookup, which a node without a resolver could hang in).
    public static var hostName: String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "unknown host" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

enum StartAgreement {
    /// Bytes of one fact on the wire.
    static let valueBytes = 120
}
