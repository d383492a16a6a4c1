import ShoalConfig
import ShoalData

/// Loads the data a config names and splits it into training, validation and test sets, the
/// same way on every rank (every rank holds the whole data set; the batch plan decides which
/// samples it computes). Every target must fit `targets` (the model's outputs and loss); the
/// first that does not is an error naming its file and row or sample.
///
/// ```swift
/// let config = try RunConfig.load(path: "configs/fashion-mlp.yaml")
/// let splits = try loadSplits(for: config, targets: .classIndex(count: 10))
/// splits.train.count   // 54_000 for Fashion-MNIST with validation_fraction 0.1
/// ```
public func loadSplits(for config: RunConfig, targets rule: TargetRule = .any) throws -> DataSplits {
    let data = config.data
    let train: Dataset, test: Dataset
    let section: DataSourceSection
    do { section = try data.sourceSection() } catch { throw RunError.configuration("\(error)") }
    switch section {
    case .text(let text):
        if data.keepClasses != nil { throw RunError.configuration("data.keep_classes: a text source has no classes; remove it") }
        guard config.model.input.count == 1 else {
            throw RunError.configuration("model.input: a text source needs [block_size] (characters per window), got \(config.model.input)")
        }
        let corpus: TextCorpus
        do {
            corpus = try TextCorpus.load(path: text.path)
        } catch {
            throw RunError.configuration("data.text.path: \(error)")
        }
        do {
            return DataSplits(text: try TextSplits(corpus: corpus, validationFraction: data.validationFraction,
                                                   blockSize: config.model.input[0], seed: config.seed, evalWindows: text.evalWindows))
        } catch {
            throw RunError.configuration("data.validation_fraction: \(error)")
        }
    case .tokens(let tokens):
        if data.keepClasses != nil { throw RunError.configuration("data.keep_classes: a tokens source has no classes; remove it") }
        guard config.model.input.count == 1 else {
            throw RunError.configuration("model.input: a tokens source needs [block_size] (tokens per window), got \(config.model.input)")
        }
        do {
            // Every shard is mapped, its header checked, and its tokens held against the
            // vocabulary (one scan) before any step: a bad shard stops every rank alike.
            let corpus = try PreparedCorpus(directory: tokens.path, tokenizer: tokens.tokenizer)
            try corpus.validateTokens()
            return DataSplits(text: try TextSplits(
                codec: .bytePairs(corpus.tokenizer), train: ShardedTokens(corpus.train, identity: corpus.manifestHash),
                validation: ShardedTokens(corpus.validation, identity: corpus.manifestHash),
                blockSize: config.model.input[0], seed: config.seed, evalWindows: tokens.evalWindows))
        } catch {
            throw RunError.configuration("data.tokens.path: \(error)")
        }
    case .fashionMNIST(let directory):
        do {
            (train, test) = try FashionMNIST.load(directory: directory)
        } catch {
            throw RunError.configuration("data.path: \(error)")
        }
        // Class indices are checked against the data's 10 classes by the reader and against the
        // model's outputs by the trainer; a BCE or MSE model still needs its own rule checked.
        for (split, file) in [(train, "train-labels-idx1-ubyte"), (test, "t10k-labels-idx1-ubyte")] where rule.classCount == nil {
            if let (sample, reason) = split.firstTarget(violating: rule) {
                throw RunError.configuration("data.path: \(data.path)/\(file): label of sample \(sample): \(reason) for this model")
            }
        }
    case .csv(let csv):
        // data.csv.classes, when given, must agree with the model (checked by the trainer).
        let csvRule = csv.classes.map { TargetRule.classIndex(count: $0) } ?? rule
        let all: Dataset
        do {
            all = try csv.read(csv.path, targets: csvRule)
        } catch {
            throw RunError.configuration("data.csv.path: \(error)")
        }
        if let testPath = csv.testPath {
            train = all
            do {
                test = try csv.read(testPath, targets: csvRule)
            } catch {
                throw RunError.configuration("data.csv.test_path: \(error)")
            }
        } else {
            let split = DataSplits.testSplit(count: all.count, fraction: csv.testFraction, seed: config.seed)
            train = all.subset(split.train)
            test = all.subset(split.test)
        }
    }
    var (kept, keptTest) = (train, test)
    if let classes = data.keepClasses {
        do {
            (kept, keptTest) = (try train.keepingClasses(classes), try test.keepingClasses(classes))
        } catch {
            throw RunError.configuration("data.keep_classes: \(error)")
        }
    }
    return try DataSplits(train: kept, test: keptTest, validationFraction: data.validationFraction, seed: config.seed,
                          normalization: data.normalize, limitTrain: data.limitTrain, limitTest: data.limitTest)
}
