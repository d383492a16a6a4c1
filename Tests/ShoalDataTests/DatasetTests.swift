import Testing

@testable import ShoalData

@Suite("Datasets, splits and normalisation")
struct DatasetTests {
    func numbered(_ n: Int, width: Int = 2) throws -> Dataset {
        try Dataset(
            featureShape: [width], features: (0..<n * width).map(Float.init), targets: (0..<n).map { Float($0 % 3) },
            classCount: 3)
    }

    @Test("keeping classes keeps their samples in order, relabeled by their place in the list, and refuses bad lists")
    func keepingClasses() throws {
        let data = try numbered(9)    // targets 0, 1, 2, 0, 1, 2, ...
        let kept = try data.keepingClasses([2, 0])
        #expect(kept.count == 6 && kept.classCount == 2)
        #expect(kept.targets == [1, 0, 1, 0, 1, 0])
        #expect(kept.features == [0, 1, 4, 5, 6, 7, 10, 11, 12, 13, 16, 17])
        for (bad, message) in [([1], "keep at least 2 classes"), ([1, 1], "names a class twice"),
                               ([0, 3], "class 3 is not one of the data's classes 0...2"), ([-1, 0], "class -1 is not one")] {
            do { _ = try data.keepingClasses(bad); Issue.record("\(bad) accepted") } catch { #expect("\(error)".contains(message), "\(bad): \(error)") }
        }
        let regression = try Dataset(featureShape: [1], features: [1, 2], targets: [0.5, 1.5])
        #expect(throws: DataError.self) { try regression.keepingClasses([0, 1]) }
    }

    @Test("sizes that do not make whole samples are refused")
    func sizes() {
        #expect(throws: DataError.self) { try Dataset(featureShape: [3], features: [1, 2, 3, 4], targets: [0]) }
        #expect(throws: DataError.self) { try Dataset(featureShape: [2], features: [1, 2, 3, 4], targets: [0]) }
    }

    @Test("gather copies the chosen samples into the caller's buffers, in order")
    func gather() throws {
        let data = try numbered(5)
        var x = [Float](repeating: -1, count: 8)
        var y = [Float](repeating: -1, count: 4)
        let picks: [Int32] = [4, 0, 2]
        picks.withUnsafeBufferPointer { i in
            x.withUnsafeMutableBufferPointer { xb in
                y.withUnsafeMutableBufferPointer { yb in data.gather(indices: i, features: xb, targets: yb) }
            }
        }
        #expect(x == [8, 9, 0, 1, 4, 5, -1, -1])
        #expect(y == [1, 0, 2, -1])
    }

    @Test("the validation split is a deterministic function of the seed and partitions the samples")
    func validationSplit() {
        let a = DataSplits.validationSplit(count: 100, fraction: 0.1, seed: 42)
        let b = DataSplits.validationSplit(count: 100, fraction: 0.1, seed: 42)
        let c = DataSplits.validationSplit(count: 100, fraction: 0.1, seed: 43)
        #expect(a.validation.count == 10)
        #expect(a.train.count == 90)
        #expect(a.train == b.train && a.validation == b.validation)
        #expect(a.validation != c.validation)
        #expect(Set(a.train + a.validation) == Set(0..<100))
        #expect(a.validation != Array(0..<10))  // shuffled, not the first ten
    }

    @Test("a test split held out of one file is deterministic and independent of the validation split")
    func testSplit() {
        let a = DataSplits.testSplit(count: 50, fraction: 0.2, seed: 42)
        #expect(a.test.count == 10 && a.train.count == 40)
        #expect(Set(a.train + a.test) == Set(0..<50))
        #expect(DataSplits.testSplit(count: 50, fraction: 0.2, seed: 42).test == a.test)
        #expect(DataSplits.validationSplit(count: 50, fraction: 0.2, seed: 42).validation != a.test)
    }

    @Test("limits take the first samples of each split")
    func limits() throws {
        let splits = try DataSplits(
            train: try numbered(100), test: try numbered(50), validationFraction: 0.2, seed: 1,
            normalization: .none, limitTrain: 7, limitTest: 5)
        let full = DataSplits.validationSplit(count: 100, fraction: 0.2, seed: 1)
        #expect(splits.train.count == 7)
        #expect(splits.validation.count == 7)
        #expect(splits.test.count == 5)
        #expect(splits.train.features[0] == Float(full.train[0] * 2))
    }

    @Test("scale divides by 255")
    func scale() throws {
        let data = try Dataset(featureShape: [2], features: [0, 255], targets: [0])
        let splits = try DataSplits(
            train: data, test: data, validationFraction: 0, seed: 0, normalization: .scale)
        #expect(splits.train.features == [0, 1])
        #expect(splits.test.features == [0, 1])
    }

    @Test("standardisation is fitted on the training split only and applied unchanged to the others")
    func standardizeOnTrainOnly() throws {
        let train = try Dataset(featureShape: [2], features: [0, 5, 2, 5, 4, 5, 6, 5], targets: [0, 0, 0, 0])
        let test = try Dataset(featureShape: [2], features: [100, 7], targets: [0])
        let splits = try DataSplits(train: train, test: test, validationFraction: 0, seed: 0, normalization: .standardize)
        let s = try #require(splits.standardizer)
        #expect(s.mean == [3, 5])
        let sd = Float(5).squareRoot()
        #expect(abs(s.std[0] - sd) < 1e-6)
        #expect(s.std[1] == 1)  // constant feature: only centred
        let firstFeature: [Float] = stride(from: 0, to: 8, by: 2).map { splits.train.features[$0] }
        #expect(abs(firstFeature.reduce(0, +)) < 1e-5)
        #expect(abs(splits.test.features[0] - 97 / sd) < 1e-4)
        #expect(splits.test.features[1] == 2)
    }

    @Test("the validation split does not feed the standardisation statistics")
    func validationNotFitted() throws {
        let data = try numbered(40, width: 1)
        let splits = try DataSplits(train: data, test: data, validationFraction: 0.25, seed: 9, normalization: .standardize)
        let trainOnly = data.subset(DataSplits.validationSplit(count: 40, fraction: 0.25, seed: 9).train)
        #expect(splits.standardizer == Standardizer(fittedOn: trainOnly))
        #expect(splits.standardizer != Standardizer(fittedOn: data))
    }

    @Test("impossible split arguments are refused")
    func badArguments() throws {
        let data = try numbered(4)
        #expect(throws: DataError.self) {
            try DataSplits(train: data, test: data, validationFraction: 1, seed: 0, normalization: .none)
        }
        #expect(throws: DataError.self) {
            try DataSplits(train: data, test: data, validationFraction: 0.1, seed: 0, normalization: .none, limitTrain: 0)
        }
    }
}
