/// The number of elements of a tensor of `shape`: the product of its extents (1 for `[]`), or
/// nil if an extent is negative or the product overflows `Int`. For shapes read from a file or
/// a config, where `reduce(1, *)` would trap.
///
/// ```swift
/// elementCount(of: [60000, 28, 28])       // 47_040_000
/// elementCount(of: [1 << 32, 1 << 32])    // nil
/// ```
public func elementCount(of shape: [Int]) -> Int? {
    var count = 1
    for extent in shape {
        guard extent >= 0 else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: extent)
        if overflow { return nil }
        count = product
    }
    return count
}
