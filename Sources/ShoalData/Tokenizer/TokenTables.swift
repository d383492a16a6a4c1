// The two lookups of BPE's inner loop, as open-addressing hash tables over flat arrays: a
// Dictionary keyed by [UInt8] would allocate an array per piece of text, and Swift's seeded
// SipHash costs more than the rest of a lookup. Both are built once and only read afterwards.

/// Every token's bytes, one after another, and the token whose bytes are a given byte string.
struct TokenBytes: Sendable {
    /// Token `id`'s bytes are `bytes[offsets[id]..<offsets[id + 1]]`.
    let bytes: [UInt8]
    let offsets: [Int]
    /// Slot → token id, or -1 for an empty slot; the slot count is a power of two, at least twice
    /// the token count, so a probe sequence is short.
    private let slots: [Int32]

    /// `tokens[id]` is token `id`'s bytes. Two tokens with the same bytes: the lower id is found.
    init(_ tokens: [[UInt8]]) {
        var bytes: [UInt8] = [], offsets = [0]
        for token in tokens {
            bytes += token
            offsets.append(bytes.count)
        }
        var slotCount = 16
        while slotCount < 2 * tokens.count { slotCount *= 2 }
        var slots = [Int32](repeating: -1, count: slotCount)
        for (id, token) in tokens.enumerated() {
            var slot = token.withUnsafeBufferPointer { TokenBytes.hash($0) } & (slotCount - 1)
            while slots[slot] >= 0 {
                if tokens[Int(slots[slot])] == token { break }
                slot = (slot + 1) & (slotCount - 1)
            }
            if slots[slot] < 0 { slots[slot] = Int32(id) }
        }
        self.bytes = bytes
        self.offsets = offsets
        self.slots = slots
    }

    var count: Int { offsets.count - 1 }

    /// Token `id`'s bytes.
    subscript(id: Int) -> ArraySlice<UInt8> { bytes[offsets[id]..<offsets[id + 1]] }

    /// The token whose bytes are `piece`, if there is one.
    @inline(__always)
    func id(of piece: UnsafeBufferPointer<UInt8>) -> Int32? {
        let mask = slots.count - 1
        var slot = TokenBytes.hash(piece) & mask
        return slots.withUnsafeBufferPointer { slots in
            bytes.withUnsafeBufferPointer { bytes in
                while true {
                    let id = slots[slot]
                    if id < 0 { return nil }
                    let start = offsets[Int(id)], end = offsets[Int(id) + 1]
                    if end - start == piece.count {
                        var i = 0
                        while i < piece.count && bytes[start + i] == piece[i] { i += 1 }
                        if i == piece.count { return id }
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    /// FNV-1a, 64 bits: pieces are a few bytes long, and this mixes them in one multiply each.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }
}

/// The merges, keyed by the pair of token ids they join: (left, right) → (rank, merged token).
struct MergeTable: Sendable {
    /// Slot → (left << 32 | right), or `UInt64.max` for an empty slot.
    private let keys: [UInt64]
    /// Slot → (rank << 32 | merged token id).
    private let values: [UInt64]

    /// `merges[rank]` is (left, right, merged). A pair listed twice keeps its first, lower rank.
    init(_ merges: [(left: Int32, right: Int32, merged: Int32)]) {
        var slotCount = 16
        while slotCount < 2 * merges.count { slotCount *= 2 }
        var keys = [UInt64](repeating: .max, count: slotCount)
        var values = [UInt64](repeating: 0, count: slotCount)
        for (rank, merge) in merges.enumerated() {
            let key = UInt64(UInt32(merge.left)) << 32 | UInt64(UInt32(merge.right))
            var slot = MergeTable.hash(key) & (slotCount - 1)
            while keys[slot] != .max && keys[slot] != key { slot = (slot + 1) & (slotCount - 1) }
            if keys[slot] == .max {
                keys[slot] = key
                values[slot] = UInt64(rank) << 32 | UInt64(UInt32(merge.merged))
            }
        }
        self.keys = keys
        self.values = values
    }

    /// (rank << 32 | merged token id) of the merge of `left` and `right`, or `UInt64.max` if they
    /// do not merge: comparing these values compares ranks, and no merge ranks last.
    @inline(__always)
    func merge(_ left: Int32, _ right: Int32) -> UInt64 {
        let key = UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))
        let mask = keys.count - 1
        var slot = MergeTable.hash(key) & mask
        return keys.withUnsafeBufferPointer { keys in
            while true {
                let k = keys[slot]
                if k == key { return values[slot] }
                if k == .max { return .max }
                slot = (slot + 1) & mask
            }
        }
    }

    @inline(__always)
    static func hash(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20)
    }
}
