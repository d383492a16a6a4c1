/// Sums of Doubles that come out bit-identical whatever order the terms arrive in: each term is
/// rounded to a multiple of 2^-32 and added as an Int64. Integer addition is associative, so the
/// total over ranks does not depend on how the terms were split between them.
///
/// ```swift
/// var sum = FixedPointSum()
/// sum.add(0.1); sum.add(0.2)
/// sum.value   // 0.30000000004656613 (0.3 to within 2^-32 per term)
/// ```
public struct FixedPointSum: Equatable, Sendable {
    /// 2^32: 32 fractional bits leave 31 integer bits, room for sums up to 2^31.
    public static let scale = 4_294_967_296.0

    public var raw: Int64 = 0

    public init(raw: Int64 = 0) { self.raw = raw }

    /// Adds `term`, rounded to the nearest multiple of 2^-32. Non-finite or huge terms saturate,
    /// and so does the sum, so `value` reports infinity and a diverging run is still seen as one.
    public mutating func add(_ term: Double) {
        let (sum, overflow) = raw.addingReportingOverflow(Self.encode(term))
        raw = overflow ? (term < 0 ? -Self.saturation : Self.saturation) : max(-Self.saturation, min(Self.saturation, sum))
    }

    /// |raw| at or beyond this stands for an infinite sum.
    static let saturation: Int64 = 1 << 62

    /// Whether the sum has saturated (a non-finite or huge term was added).
    public var isSaturated: Bool { raw >= Self.saturation || raw <= -Self.saturation }

    public static func encode(_ term: Double) -> Int64 {
        let scaled = (term * scale).rounded(.toNearestOrEven)
        guard scaled.isFinite, abs(scaled) < 0x1p62 else { return term < 0 ? -saturation : saturation }
        return Int64(scaled)
    }

    /// The sum; ±infinity once saturated (no `abs`, which traps on Int64.min).
    public var value: Double {
        isSaturated ? (raw < 0 ? -.infinity : .infinity) : Double(raw) / Self.scale
    }
}
