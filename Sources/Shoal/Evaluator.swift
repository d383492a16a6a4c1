import ShoalComm
import ShoalData
import ShoalNN
import ShoalTensor

/// Evaluates the model on a data set sharded across ranks: chunk c of `microBatch` samples is
/// computed by rank c mod p, and the integer counts and fixed-point loss are summed over ranks,
/// so the report is the same for every world size.
///
/// ```swift
/// let world = try World.start()
/// let model = try Model(inputShape: [2], layers: [.dense(units: 2, activation: nil)],
///                       loss: .softmaxCrossEntropy, seed: 1, maxBatch: 64)
/// let evaluator = Evaluator(model: model, world: world, microBatch: 64, classCount: 2,
///                           buffers: BatchBuffers(microBatch: 64, featureCount: 2, targetWidth: 1))
/// let test = try Dataset(featureShape: [2], features: [1, 2, 3, 4], targets: [0, 1], classCount: 2)
/// let report = try evaluator.evaluate(test)
/// print(report.accuracy)
/// ```
final class Evaluator {
    private let model: Model
    private let world: any Communicator
    private let microBatch: Int
    private let classCount: Int
    private let buffers: BatchBuffers
    /// [loss, absolute error (fixed point), confusion (classCount²)], summed over ranks in one all-reduce.
    private let counts: UnsafeMutableBufferPointer<Int64>

    init(model: Model, world: any Communicator, microBatch: Int, classCount: Int, buffers: BatchBuffers) {
        self.model = model
        self.world = world
        self.microBatch = microBatch
        self.classCount = classCount
        self.buffers = buffers
        counts = .allocate(capacity: 2 + classCount * classCount)
        counts.initialize(repeating: 0)
    }

    deinit { counts.deallocate() }

    func evaluate(_ data: Dataset) throws -> EvaluationReport {
        counts.update(repeating: 0)
        var loss = FixedPointSum(), absoluteError = FixedPointSum()
        let regression = model.lossSpec == .meanSquaredError, width = model.outputShape.reduce(1, *)
        let chunks = (data.count + microBatch - 1) / microBatch
        for chunk in stride(from: world.rank, to: chunks, by: world.size) {
            Phase.beat()
            let start = chunk * microBatch, n = min(microBatch, data.count - start)
            for i in 0..<n { buffers.indices[i] = Int32(start + i) }
            data.gather(indices: UnsafeBufferPointer(rebasing: buffers.indices[0..<n]), features: buffers.features, targets: buffers.targets)
            let output = model.forward(UnsafeBufferPointer(buffers.features), batch: n, context: .inference)
            loss.add(model.loss(targets: UnsafeBufferPointer(buffers.targets), gradientScale: 0))
            if regression {
                // per sample: the mean over outputs of |prediction − target|
                for i in 0..<n {
                    var sum = 0.0
                    for o in 0..<width { sum += Double(abs(output[i * width + o] - buffers.targets[i * width + o])) }
                    absoluteError.add(sum / Double(width))
                }
            }
            if classCount > 0 {
                let predictions = Predictions(output: output, width: model.outputShape.reduce(1, *))
                for i in 0..<n {
                    let truth = Int(buffers.targets[i * data.targetWidth]), predicted = predictions.label(of: i)
                    if (0..<classCount).contains(truth) { counts[2 + truth * classCount + predicted] += 1 }
                }
            }
        }
        counts[0] = loss.raw
        counts[1] = absoluteError.raw
        try world.allReduce(counts, .sum)
        let confusion = (0..<classCount).map { t in (0..<classCount).map { counts[2 + t * classCount + $0] } }
        return EvaluationReport(lossSum: FixedPointSum(raw: counts[0]).value, sampleCount: data.count, confusion: confusion,
                                absoluteErrorSum: regression ? FixedPointSum(raw: counts[1]).value : nil)
    }
}

/// The per-micro-batch input buffers, allocated once for `microBatch` samples.
final class BatchBuffers {
    /// (microBatch, features…)
    let features: UnsafeMutableBufferPointer<Float>
    /// (microBatch, targetWidth)
    let targets: UnsafeMutableBufferPointer<Float>
    /// (microBatch): global sample index of each row
    let indices: UnsafeMutableBufferPointer<Int32>

    init(microBatch: Int, featureCount: Int, targetWidth: Int) {
        features = .allocate(capacity: microBatch * featureCount)
        features.initialize(repeating: 0)
        targets = .allocate(capacity: microBatch * targetWidth)
        targets.initialize(repeating: 0)
        indices = .allocate(capacity: microBatch)
        indices.initialize(repeating: 0)
    }

    deinit {
        features.deallocate()
        targets.deallocate()
        indices.deallocate()
    }
}
