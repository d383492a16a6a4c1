import ShoalConfig
import ShoalData

/// Loads the data a config names and splits it into training, validation and test sets, the
/// same way on every rank (every rank holds the whole data set; the batch plan decides which
/// samples it computes).
///
/// ```swift
/// let splits = try loadSplits(for: config)
/// splits.train.count   // 54_000 for Fashion-MNIST with validation_fraction 0.1
/// ```
public func loadSplits(for config: RunConfig) throws -> DataSplits {
    let data = config.data
    let normalization: Normalization = switch data.normalize {
    case .scale: .scale
    case .standardize: .standardize
    case .none: .none
    }
    let train: Dataset, test: Dataset
    switch data.source {
    case .fashionMNIST:
        do {
            (train, test) = try FashionMNIST.load(directory: data.path)
        } catch {
            throw RunError.configuration("data.path: \(error)")
        }
    case .csv:
        guard let csv = data.csv else { throw RunError.configuration("data.csv: required when data.source is csv") }
        let target: CSVTarget = switch csv.target {
        case .name(let name): .name(name)
        case .index(let index): .index(index)
        }
        let delimiter = csv.delimiter.first ?? ","
        let all: Dataset
        do {
            all = try CSVReader.read(path: csv.path, target: target, header: csv.header, delimiter: delimiter, classCount: csv.classes)
        } catch {
            throw RunError.configuration("data.csv.path: \(error)")
        }
        if let testPath = csv.testPath {
            train = all
            do {
                test = try CSVReader.read(path: testPath, target: target, header: csv.header, delimiter: delimiter, classCount: csv.classes)
            } catch {
                throw RunError.configuration("data.csv.test_path: \(error)")
            }
        } else {
            let split = DataSplits.testSplit(count: all.count, fraction: csv.testFraction, seed: config.seed)
            train = all.subset(split.train)
            test = all.subset(split.test)
        }
    }
    return try DataSplits(train: train, test: test, validationFraction: data.validationFraction, seed: config.seed,
                          normalization: normalization, limitTrain: data.limitTrain, limitTest: data.limitTest)
}
