/// How features are brought to a common scale before training.
public enum Normalization: String, Sendable, CaseIterable {
    /// Leave values as read.
    case none
    /// Divide by 255: byte pixels to [0, 1].
    case scale
    /// Subtract each feature's training mean and divide by its training standard deviation.
    case standardize
}

extension Dataset {
    /// Multiplies every feature by `factor`, e.g. `1/255` for byte images.
    ///
    /// ```swift
    /// var images = try Dataset(featureShape: [1], features: [255], targets: [0])
    /// images.scale(by: 1 / 255)   // features == [1]
    /// ```
    public mutating func scale(by factor: Float) {
        features.withUnsafeMutableBufferPointer { f in
            for i in f.indices { f[i] *= factor }
        }
    }
}

/// Per-feature mean and standard deviation, fitted on the training split and then applied
/// unchanged to validation and test data (fitting on them would leak their statistics).
///
/// A feature that is constant in training (std 0, e.g. an always-black border pixel) is only
/// centred: its divisor is 1.
///
/// ```swift
/// var train = try Dataset(featureShape: [2], features: [1, 10, 3, 30], targets: [0, 1])
/// var validation = try Dataset(featureShape: [2], features: [2, 20], targets: [1])
/// let standardizer = Standardizer(fittedOn: train)   // mean [2, 20], std [1, 10]
/// standardizer.apply(to: &train)                     // features == [-1, -1, 1, 1]
/// standardizer.apply(to: &validation)                // training's statistics: [0, 0]
/// ```
public struct Standardizer: Sendable, Equatable, Codable {
    /// Mean of each feature over the fitted samples.
    public let mean: [Float]
    /// Standard deviation (population) of each feature; 1 where it was 0.
    public let std: [Float]

    /// Fits on every sample of `data`, accumulating in Double.
    public init(fittedOn data: Dataset) {
        let fc = data.featureCount
        var sum = [Double](repeating: 0, count: fc)
        var sumSquares = [Double](repeating: 0, count: fc)
        data.features.withUnsafeBufferPointer { f in
            for s in 0..<data.count {
                let row = s * fc
                for j in 0..<fc {
                    let v = Double(f[row + j])
                    sum[j] += v
                    sumSquares[j] += v * v
                }
            }
        }
        let n = Double(max(data.count, 1))
        mean = sum.map { Float($0 / n) }
        std = zip(sum, sumSquares).map { s, q in
            let m = s / n
            let variance = max(q / n - m * m, 0)
            let sd = variance.squareRoot()
            return sd > 1e-12 ? Float(sd) : 1
        }
    }

    /// Wraps known statistics, e.g. restored from a checkpoint.
    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// Replaces each feature `x` by `(x - mean) / std`.
    public func apply(to data: inout Dataset) {
        let fc = data.featureCount
        precondition(fc == mean.count, "standardizer fitted on \(mean.count) features, data has \(fc)")
        data.features.withUnsafeMutableBufferPointer { f in
            for s in 0..<data.count {
                let row = s * fc
                for j in 0..<fc { f[row + j] = (f[row + j] - mean[j]) / std[j] }
            }
        }
    }
}
