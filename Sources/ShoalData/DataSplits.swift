import ShoalTensor

/// The three splits a run trains, validates and tests on, prepared the same way on every rank.
///
/// ```swift
/// let (train, test) = try FashionMNIST.load(directory: FashionMNIST.defaultDirectory)
/// let splits = try DataSplits(
///     train: train, test: test, validationFraction: 0.1, seed: 42, normalization: .scale)
/// splits.train.count        // 54000
/// splits.validation.count   // 6000
/// ```
public struct DataSplits: Sendable {
    public var train: Dataset
    public var validation: Dataset
    public var test: Dataset
    /// The statistics used when `normalization` is `.standardize` (fitted on `train` only).
    public let standardizer: Standardizer?

    /// Splits `train` into training and validation samples, applies the limits, then normalises.
    ///
    /// 1. A permutation of the training indices from Philox keyed by `seed` (independent of the
    ///    epoch permutations of ``BatchPlan``); its first `⌊validationFraction × count⌋` entries
    ///    become the validation split, the rest the training split; both keep file order.
    /// 2. `limitTrain` keeps the first samples of the training and validation splits,
    ///    `limitTest` the first of the test split (for quick runs and tests).
    /// 3. Normalisation; `.standardize` is fitted on the (limited) training split only.
    ///
    /// - Throws: ``DataError/invalidArgument(_:)`` for a fraction outside [0, 1), a non-positive
    ///   limit, or a training split left empty.
    public init(
        train full: Dataset, test: Dataset, validationFraction: Double, seed: UInt64,
        normalization: Normalization, limitTrain: Int? = nil, limitTest: Int? = nil
    ) throws {
        guard validationFraction >= 0, validationFraction < 1 else {
            throw DataError.invalidArgument("validation fraction must be in [0, 1), got \(validationFraction)")
        }
        for limit in [limitTrain, limitTest].compactMap({ $0 }) where limit < 1 {
            throw DataError.invalidArgument("a sample limit must be positive, got \(limit)")
        }
        let (trainIndices, validationIndices) = DataSplits.validationSplit(
            count: full.count, fraction: validationFraction, seed: seed)
        guard !trainIndices.isEmpty else {
            throw DataError.invalidArgument(
                "validation fraction \(validationFraction) of \(full.count) samples leaves no training sample")
        }
        var train = full.subset(trainIndices.prefix(limitTrain ?? Int.max))
        var validation = full.subset(validationIndices.prefix(limitTrain ?? Int.max))
        var test = test.prefix(limitTest)
        switch normalization {
        case .none:
            standardizer = nil
        case .scale:
            standardizer = nil
            train.scale(by: 1 / 255)
            validation.scale(by: 1 / 255)
            test.scale(by: 1 / 255)
        case .standardize:
            let s = Standardizer(fittedOn: train)
            s.apply(to: &train)
            s.apply(to: &validation)
            s.apply(to: &test)
            standardizer = s
        }
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// The training and validation indices (each ascending) of a data set of `count` samples.
    public static func validationSplit(count: Int, fraction: Double, seed: UInt64) -> (train: [Int], validation: [Int]) {
        let permutation = Permutation.make(count: count, rng: Philox(seed: seed).derived(0x5B11_7000))
        let validationCount = Int((fraction * Double(count)).rounded(.down))
        let validation = permutation[..<validationCount].map(Int.init).sorted()
        let train = permutation[validationCount...].map(Int.init).sorted()
        return (train, validation)
    }
}
