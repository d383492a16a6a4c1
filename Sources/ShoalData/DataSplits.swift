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
    /// For a language model: where training windows come from, the codec and the baseline.
    public let text: TextSplits?

    /// A language model's splits: `train` and `validation` are the consecutive windows of the
    /// two parts (evaluation samples, as many as `text` keeps); training steps draw from
    /// `text.windows`. Text has no test split: `test` is the validation split.
    public init(text: TextSplits) {
        train = text.trainWindows
        validation = text.validationWindows
        test = validation
        standardizer = nil
        self.text = text
    }

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
        text = nil
    }

    /// The training and validation indices (each ascending) of a data set of `count` samples.
    public static func validationSplit(count: Int, fraction: Double, seed: UInt64) -> (train: [Int], validation: [Int]) {
        let (rest, held) = holdOut(count: count, fraction: fraction, rng: Philox(seed: seed).derived(0x5B11_7000))
        return (rest, held)
    }

    /// For a source with no separate test file (a single CSV): the indices (each ascending) of
    /// the samples to train on and of the held-out test samples, from a permutation keyed
    /// independently of the validation split's.
    ///
    /// ```swift
    /// let all = try CSVReader.read(path: "data/csv-binary.csv", target: .name("label"))
    /// let (trainIndices, testIndices) = DataSplits.testSplit(count: all.count, fraction: 0.2, seed: 7)
    /// let splits = try DataSplits(train: all.subset(trainIndices), test: all.subset(testIndices),
    ///                             validationFraction: 0.1, seed: 7, normalization: .standardize)
    /// ```
    public static func testSplit(count: Int, fraction: Double, seed: UInt64) -> (train: [Int], test: [Int]) {
        let (rest, held) = holdOut(count: count, fraction: fraction, rng: Philox(seed: seed).derived(0x7E57_7000))
        return (rest, held)
    }

    /// The first ⌊fraction × count⌋ entries of a permutation are held out.
    static func holdOut(count: Int, fraction: Double, rng: Philox) -> (rest: [Int], held: [Int]) {
        let permutation = Permutation.make(count: count, rng: rng)
        let heldCount = min(max(Int((fraction * Double(count)).rounded(.down)), 0), count)
        let held = permutation[..<heldCount].map(Int.init).sorted()
        let rest = permutation[heldCount...].map(Int.init).sorted()
        return (rest, held)
    }
}
