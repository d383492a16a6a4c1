import ShoalTensor

/// Samples held in memory as two flat arrays: features and targets, sample-major.
///
/// A sample `i` occupies `features[i*featureCount ..< (i+1)*featureCount]` (in the layout of
/// `featureShape`, e.g. HWC for images) and `targets[i*targetWidth ..< (i+1)*targetWidth]`.
/// For classification the target is the class index stored as a `Float`.
///
/// ```swift
/// let data = try Dataset(featureShape: [2], features: [1, 2, 3, 4], targets: [0, 1], classCount: 2)
/// data.count            // 2
/// var x = [Float](repeating: 0, count: 2), y = [Float](repeating: 0, count: 1)
/// let picks: [Int32] = [1]
/// picks.withUnsafeBufferPointer { i in
///     x.withUnsafeMutableBufferPointer { xb in
///         y.withUnsafeMutableBufferPointer { yb in data.gather(indices: i, features: xb, targets: yb) }
///     }
/// }
/// // x == [3, 4], y == [1]
/// ```
public struct Dataset: Sendable, Equatable {
    /// Number of samples.
    public let count: Int
    /// The shape of one sample's features: `[height, width, channels]` or `[features]`.
    public let featureShape: [Int]
    /// Floats per target: 1 for a class index or a single regression / binary output.
    public let targetWidth: Int
    /// `count × product(featureShape)` values, contiguous.
    public internal(set) var features: [Float]
    /// `count × targetWidth` values, contiguous.
    public let targets: [Float]
    /// The number of classes for classification data, nil otherwise.
    public let classCount: Int?

    /// Floats per sample: the product of `featureShape`.
    public var featureCount: Int { featureShape.reduce(1, *) }

    /// Wraps flat arrays after checking that their sizes agree.
    ///
    /// - Throws: ``DataError/invalidArgument(_:)`` if `features` or `targets` is not a whole
    ///   number of samples, or the two disagree on the count.
    public init(featureShape: [Int], features: [Float], targets: [Float], targetWidth: Int = 1, classCount: Int? = nil)
        throws
    {
        guard !featureShape.isEmpty, featureShape.allSatisfy({ $0 > 0 }), targetWidth > 0 else {
            throw DataError.invalidArgument("feature shape \(featureShape) and target width \(targetWidth) must be positive")
        }
        guard let perSample = elementCount(of: featureShape) else {
            throw DataError.invalidArgument("feature shape \(featureShape) has more elements than memory can address")
        }
        guard features.count % perSample == 0, targets.count % targetWidth == 0,
            features.count / perSample == targets.count / targetWidth
        else {
            throw DataError.invalidArgument(
                "\(features.count) feature values for shape \(featureShape) and \(targets.count) targets of width "
                    + "\(targetWidth) do not make the same number of samples")
        }
        self.count = targets.count / targetWidth
        self.featureShape = featureShape
        self.targetWidth = targetWidth
        self.features = features
        self.targets = targets
        self.classCount = classCount
    }

    /// Copies the samples at `indices` (global sample indices, in order) into the caller's
    /// buffers, sample after sample. Allocates nothing: this is the trainer's per-step input path.
    ///
    /// `features` must hold at least `indices.count × featureCount` values and `targets`
    /// `indices.count × targetWidth`; every index must be in `0..<count`.
    public func gather(
        indices: UnsafeBufferPointer<Int32>,
        features out: UnsafeMutableBufferPointer<Float>,
        targets targetsOut: UnsafeMutableBufferPointer<Float>
    ) {
        let fc = featureCount, tw = targetWidth
        precondition(out.count >= indices.count * fc, "feature buffer too small for \(indices.count) samples")
        precondition(targetsOut.count >= indices.count * tw, "target buffer too small for \(indices.count) samples")
        features.withUnsafeBufferPointer { src in
            targets.withUnsafeBufferPointer { tsrc in
                for (row, index) in indices.enumerated() {
                    let i = Int(index)
                    precondition(i >= 0 && i < count, "sample index \(i) outside 0..<\(count)")
                    (out.baseAddress! + row * fc).update(from: src.baseAddress! + i * fc, count: fc)
                    (targetsOut.baseAddress! + row * tw).update(from: tsrc.baseAddress! + i * tw, count: tw)
                }
            }
        }
    }

    /// A new data set made of the samples at `indices`, in that order.
    public func subset<C: Collection>(_ indices: C) -> Dataset where C.Element == Int {
        var f: [Float] = []
        var t: [Float] = []
        f.reserveCapacity(indices.count * featureCount)
        t.reserveCapacity(indices.count * targetWidth)
        let fc = featureCount, tw = targetWidth
        for i in indices {
            f.append(contentsOf: features[i * fc..<(i + 1) * fc])
            t.append(contentsOf: targets[i * tw..<(i + 1) * tw])
        }
        return Dataset(unchecked: featureShape, f, t, tw, classCount)
    }

    /// The samples of the classes `kept` (class indices, each once), relabeled by their position
    /// in it: `keepingClasses([5, 7, 9])` keeps sandals, sneakers and ankle boots as classes 0, 1, 2.
    ///
    /// - Throws: ``DataError/invalidArgument(_:)`` if the data are not class indices, or `kept`
    ///   has fewer than 2 classes, repeats one, or names one the data do not have.
    public func keepingClasses(_ kept: [Int]) throws -> Dataset {
        guard targetWidth == 1, let classCount else { throw DataError.invalidArgument("the targets are not class indices") }
        guard kept.count >= 2 else { throw DataError.invalidArgument("keep at least 2 classes, got \(kept)") }
        guard Set(kept).count == kept.count else { throw DataError.invalidArgument("\(kept) names a class twice") }
        if let outside = kept.first(where: { !(0..<classCount).contains($0) }) {
            throw DataError.invalidArgument("class \(outside) is not one of the data's classes 0...\(classCount - 1)")
        }
        var label = [Float](repeating: -1, count: classCount)
        for (new, old) in kept.enumerated() { label[old] = Float(new) }
        let indices = (0..<count).filter { label[Int(targets[$0])] >= 0 }
        let picked = subset(indices)
        return Dataset(unchecked: featureShape, picked.features, picked.targets.map { label[Int($0)] }, 1, kept.count)
    }

    /// The first `n` samples (all of them if `n` is nil or at least `count`).
    public func prefix(_ n: Int?) -> Dataset {
        guard let n, n < count else { return self }
        return subset(0..<max(n, 0))
    }

    init(unchecked shape: [Int], _ features: [Float], _ targets: [Float], _ targetWidth: Int, _ classCount: Int?) {
        self.count = targets.count / targetWidth
        self.featureShape = shape
        self.targetWidth = targetWidth
        self.features = features
        self.targets = targets
        self.classCount = classCount
    }
}
