import Foundation
import Coordinator
import ShoalComm
import ShoalConfig
import ShoalData
import ShoalNN
import ShoalOptim
import ShoalTensor

/// The training loop: every rank runs it with the same config; the batch plan gives each rank
/// its leaves of every global batch, the reduction sums the gradients (ExactReduction's
/// fixed-point sums by default, GradientSync's Float sums in fast mode), and every rank takes
/// the same optimizer step, so the replicas stay identical. Exact mode sets this process's BLAS
/// calls to one thread, so that the bits do not depend on how many ranks share the cores.
///
/// ```swift
/// let world = try World.start()
/// let trainer = try Trainer(config: try RunConfig.load(path: "configs/fashion-mlp.yaml"), world: world)
/// let summary = try trainer.run()
/// print(summary.test.accuracy)
/// ```
public final class Trainer {
    public let config: RunConfig
    public let world: any Communicator
    public let model: Model
    public let splits: DataSplits
    public let plan: BatchPlan
    let optimizer: Optimizer
    let schedule: LearningRateSchedule
    /// How this run sums the gradients of a step over the ranks.
    let reduction: GradientReduction
    let buffers: BatchBuffers
    let evaluator: Evaluator
    let classCount: Int
    /// The epoch permutation of training-sample indices, (train.count).
    let permutation: UnsafeMutableBufferPointer<Int32>
    /// Per step: [loss (fixed point), correct predictions, stop signals], summed over ranks.
    let stepCounts: UnsafeMutableBufferPointer<Int64>
    public let progress: ProgressDisplay
    let log: MetricsLog

    public init(config: RunConfig, world: any Communicator) throws {
        self.config = config
        self.world = world
        splits = try loadSplits(for: config)
        let train = splits.train
        guard train.featureShape.reduce(1, *) == config.model.input.reduce(1, *) else {
            throw RunError.configuration("model.input: \(config.model.input) does not match the data's sample shape \(train.featureShape)")
        }
        let m = config.training.microBatch
        do {
            model = try Model(inputShape: config.model.input, layers: config.model.layers, loss: config.loss,
                              initializer: config.model.initializer, seed: config.seed, maxBatch: m)
        } catch {
            throw RunError.configuration("model.layers: \(error)")
        }
        classCount = Predictions.classCount(outputWidth: model.outputShape.reduce(1, *), loss: config.loss)
        if config.loss == .softmaxCrossEntropy, let classes = train.classCount, classes != classCount {
            throw RunError.configuration("model.layers: the last layer has \(classCount) outputs but the data has \(classes) classes")
        }
        plan = try BatchPlan(sampleCount: train.count, globalBatch: config.training.globalBatch, microBatch: m, seed: config.seed)
        optimizer = try RunComponents.makeOptimizer(config.optimizer, arena: model.arena)
        let totalSteps = plan.stepsPerEpoch * config.training.epochs
        schedule = try RunComponents.schedule(config.schedule, totalSteps: totalSteps)
        switch config.distributed.reduction {
        case .exact:
            guard plan.maxLeafCount <= ExactReduction.maximumLeaves else {
                throw RunError.configuration("training.micro_batch: exact reduction takes at most \(ExactReduction.maximumLeaves) leaves a step, "
                    + "global_batch / micro_batch gives \(plan.maxLeafCount)")
            }
            let exact = ExactReduction(world: world, segments: model.arena.entries.map { $0.offset..<($0.offset + $0.count) },
                                       maxLeaves: plan.maxLeafCount)
            // OpenBLAS splits a product differently over 1 and 2 threads, which changes its last
            // bits: one thread per rank everywhere keeps the bits independent of the rank count.
            blasThreadCount = 1
            // The arena's gradients start zeroed, as accumulate() leaves them after every leaf.
            reduction = .exact(exact, sum: allocateFloats(model.arena.count))
        case .fast:
            let bucketElements = max(1024, Int(config.distributed.bucketMB * 1_048_576) / MemoryLayout<Float>.stride)
            let overlap: GradientSync.Overlap = switch config.distributed.overlap {
            case .thread: .thread
            case .nonblocking: .nonblocking
            case .none: .none
            }
            reduction = .fast(try GradientSync(world: world, gradients: model.arena.gradients, bucketElements: bucketElements, overlap: overlap))
        }
        buffers = BatchBuffers(microBatch: m, featureCount: train.featureCount, targetWidth: train.targetWidth)
        evaluator = Evaluator(model: model, world: world, microBatch: m, classCount: classCount, buffers: buffers)
        permutation = .allocate(capacity: train.count)
        permutation.initialize(repeating: 0)
        stepCounts = .allocate(capacity: 3)
        stepCounts.initialize(repeating: 0)
        progress = ProgressDisplay(mode: world.rank == 0 ? ProgressDisplay.mode(for: config.logging.progress.rawValue) : .silent,
                                   totalSteps: totalSteps, stepsPerEpoch: plan.stepsPerEpoch)
        log = try MetricsLog(directory: world.rank == 0 ? config.runDirectory : nil)
        try verifyReplicasMatch(step: 0)
    }

    deinit {
        if case .exact(_, let sum) = reduction { sum.baseAddress?.deallocate() }
        permutation.deallocate()
        stepCounts.deallocate()
    }

    /// Trains for the configured epochs (or until early stopping), evaluating on the validation
    /// split every `eval_every` steps or each epoch, and on the test split at the end.
    ///
    /// With `resume`, continues from a checkpoint: the same steps, samples, dropout masks and
    /// learning rates as an uninterrupted run, on any number of ranks. Checkpoints are written
    /// every `checkpoint.every` steps, at the end, and when SIGTERM or SIGINT asks the run to stop.
    ///
    /// `stopAfter` ends the run (with a checkpoint) once that many steps of the run are done, for
    /// jobs that train in time slices; the config, and so the schedule, stay those of the full run.
    public func run(resume: ResumeRequest? = nil, allowConfigChange: Bool = false, stopAfter: Int? = nil) throws -> TrainingSummary {
        StopSignal.install()
        var position = TrainingPosition(stopping: try makeEarlyStopping())
        if let resume {
            if let restored = try restore(resume, allowConfigChange: allowConfigChange) {
                position = restored
            } else {
                progress.message("no checkpoint in \(config.checkpointDirectory) yet: starting from step 0")
            }
        }
        if world.rank == 0 {
            progress.message("\(config.name): \(model.parameterCount) parameters, \(splits.train.count) training samples, "
                + "\(world.size) rank\(world.size == 1 ? "" : "s"), global batch \(config.training.globalBatch), "
                + "micro-batch \(config.training.microBatch), " + reductionSummary)
        }
        let start = world.wallTime()
        let firstStep = position.globalStep
        var samples = 0, lastLoss = Double.nan, lastValidation: ClassificationReport?
        var stopReason: String?, lastCheckpoint = -1
        training: while position.epoch < config.training.epochs {
            plan.permutation(epoch: position.epoch, into: permutation)
            var endOfEpoch = false
            while !endOfEpoch {
                let step = position.stepInEpoch
                let (loss, correct, stopRequested) = try trainStep(step: step, globalStep: position.globalStep)
                let batch = plan.batchSize(step: step)
                samples += batch
                lastLoss = loss
                let now = world.wallTime()
                progress.update(step: position.globalStep, epoch: position.epoch, loss: loss,
                                samplesPerSecond: Double(samples) / (now - start), elapsed: now - start, now: now,
                                firstStep: firstStep)
                // About ten lines an epoch: formatting a line allocates, and most steps must not.
                if (position.globalStep + 1) % max(1, plan.stepsPerEpoch / 10) == 0 {
                    log.record([("kind", "train"), ("step", position.globalStep + 1), ("epoch", position.epoch + 1), ("loss", loss),
                                ("accuracy", Double(correct) / Double(batch)), ("lr", currentRate(position.globalStep))])
                }
                position.globalStep += 1
                position.stepInEpoch += 1
                if position.stepInEpoch == plan.stepsPerEpoch { position.epoch += 1; position.stepInEpoch = 0; endOfEpoch = true }
                if case .stop(let reason) = position.stopping.observe(trainingLoss: loss) { stopReason = "\(reason)"; break training }
                let evalEvery = config.training.evalEvery
                let evaluateNow = evalEvery > 0 ? position.globalStep % evalEvery == 0 : position.stepInEpoch == 0
                if evaluateNow, splits.validation.count > 0 {
                    let report = try evaluator.evaluate(splits.validation)
                    lastValidation = report
                    log.record([("kind", "validation"), ("step", position.globalStep), ("loss", report.loss), ("accuracy", report.accuracy)])
                    progress.message(String(format: "validation after step %d: loss %.4f  accuracy %.4f", position.globalStep, report.loss, report.accuracy))
                    if case .stop(let reason) = position.stopping.observe(validation: report.loss) { stopReason = "\(reason)"; break training }
                }
                if stopRequested != 0 {
                    stopReason = StopSignal.received != 0 ? "\(StopSignal.name(StopSignal.received)) received" : "a stop signal reached another rank"
                    break training
                }
                if let stopAfter, position.globalStep >= stopAfter {
                    stopReason = "--stop-after \(stopAfter) reached"
                    break training
                }
                if config.checkpoint.every > 0, position.globalStep % config.checkpoint.every == 0 {
                    try writeCheckpoint(position)
                    lastCheckpoint = position.globalStep
                }
            }
        }
        let seconds = world.wallTime() - start
        if lastCheckpoint != position.globalStep { try writeCheckpoint(position) }
        let test = try evaluator.evaluate(splits.test)
        log.record([("kind", "test"), ("step", position.globalStep), ("loss", test.loss), ("accuracy", test.accuracy)])
        return TrainingSummary(steps: position.globalStep, samples: samples, seconds: seconds, finalTrainingLoss: lastLoss,
                               validation: lastValidation, test: test, parameterHash: parameterHash(), stopReason: stopReason)
    }

    /// "fast reduction", or "exact reduction (Int32 sums, 1 BLAS thread per rank)".
    var reductionSummary: String {
        guard let exact = reduction.exact else { return "fast reduction" }
        return "exact reduction (\(exact.width) sums, 1 BLAS thread per rank)"
    }

    func currentRate(_ globalStep: Int) -> Double {
        schedule.learningRate(atStep: globalStep, baseRate: config.optimizer.lr)
    }

    /// One global batch: this rank's leaves forward and backward, gradients summed over ranks,
    /// then the same optimizer step on every rank. Returns the batch's mean loss and correct count.
    func trainStep(step: Int, globalStep: Int) throws -> (loss: Double, correct: Int64, stopRequested: Int32) {
        let arena = model.arena
        let batchSize = plan.batchSize(step: step)
        let scale = 1 / Float(batchSize)
        var loss = FixedPointSum(), correct: Int64 = 0
        let leaves = plan.leaves(step: step, rank: world.rank, worldSize: world.size)
        let gradients: UnsafeMutableBufferPointer<Float>
        switch reduction {
        case .exact(let exact, let sum):
            // Each leaf's gradient goes into the fixed-point sum as soon as it exists;
            // accumulate() leaves the arena's gradients zeroed for the next leaf (and step).
            var attempt = 0
            repeat {
                exact.beginStep()
                for leaf in leaves {
                    let (leafLoss, leafCorrect) = computeLeaf(step: step, leaf: leaf, globalStep: globalStep, scale: scale)
                    if attempt == 0 { loss.add(leafLoss); correct += leafCorrect }
                    model.backward()
                    exact.accumulate(arena.gradients)
                }
                attempt += 1
                switch try exact.finish(into: sum) {
                case .done: attempt = 0
                case .redo: continue
                case .nonFinite: throw RunError.nonFinite(step: globalStep + 1, what: "a gradient")
                }
            } while attempt > 0
            gradients = sum
        case .fast(let sync):
            arena.zeroGradients()
            sync.begin()
            var remaining = leaves.underestimatedCount
            for leaf in leaves {
                remaining -= 1
                let (leafLoss, leafCorrect) = computeLeaf(step: step, leaf: leaf, globalStep: globalStep, scale: scale)
                loss.add(leafLoss)
                correct += leafCorrect
                if remaining == 0 {
                    // The last leaf's backward finishes the arena front to back: hand buckets on as it goes.
                    model.backward { [sync] offset in sync.finished(upTo: offset) }
                } else {
                    model.backward()
                }
            }
            try sync.wait()
            gradients = arena.gradients
        }
        stepCounts[0] = loss.raw
        stepCounts[1] = correct
        stepCounts[2] = StopSignal.received != 0 ? 1 : 0  // any rank's signal stops every rank after this step
        try world.allReduce(stepCounts, .sum)
        let meanLoss = FixedPointSum(raw: stepCounts[0]).value / Double(batchSize)
        guard meanLoss.isFinite else { throw RunError.nonFinite(step: globalStep + 1, what: "the training loss") }
        if let maxNorm = config.optimizer.clipNorm {
            _ = clipGlobalNorm(gradients, maxNorm: Float(maxNorm))
        }
        optimizer.step(parameters: arena.parameters, gradients: gradients, learningRate: Float(currentRate(globalStep)))
        return (meanLoss, stepCounts[1], Int32(clamping: stepCounts[2]))
    }

    /// Forward and loss of one leaf (backward is the caller's); returns the leaf's loss sum and
    /// correct predictions.
    private func computeLeaf(step: Int, leaf: Int, globalStep: Int, scale: Float) -> (Double, Int64) {
        let n = loadLeaf(step: step, leaf: leaf)
        let output = model.forward(UnsafeBufferPointer(buffers.features), batch: n,
                                   context: ForwardContext(training: true, step: UInt64(globalStep),
                                                           sampleIndices: UnsafeBufferPointer(rebasing: buffers.indices[0..<n])))
        let correct = countCorrect(output, n)
        return (model.loss(targets: UnsafeBufferPointer(buffers.targets), gradientScale: scale), correct)
    }

    /// Copies leaf `leaf` of step `step` into the input buffers; returns its sample count.
    private func loadLeaf(step: Int, leaf: Int) -> Int {
        let positions = plan.leaf(step: step, leaf: leaf)
        for (row, position) in positions.enumerated() { buffers.indices[row] = permutation[position] }
        let n = positions.count
        splits.train.gather(indices: UnsafeBufferPointer(rebasing: buffers.indices[0..<n]), features: buffers.features, targets: buffers.targets)
        return n
    }

    private func countCorrect(_ output: UnsafeBufferPointer<Float>, _ n: Int) -> Int64 {
        guard classCount > 0 else { return 0 }
        let predictions = Predictions(output: output, width: model.outputShape.reduce(1, *))
        var correct: Int64 = 0
        for i in 0..<n where predictions.label(of: i) == Int(buffers.targets[i * splits.train.targetWidth]) { correct += 1 }
        return correct
    }

    /// SHA-256 of the parameter arena, as hex.
    public func parameterHash() -> String {
        sha256Hex(of: UnsafeRawBufferPointer(model.arena.parameters))
    }

    /// All ranks compare their parameter hashes; any difference is an error on every rank.
    /// Returns the (common) hash.
    @discardableResult
    func verifyReplicasMatch(step: Int) throws -> String {
        let own = parameterHash()
        guard world.size > 1 else { return own }
        let hash = Array(own.utf8)
        var all = [UInt8](repeating: 0, count: hash.count * world.size)
        try hash.withUnsafeBytes { send in try all.withUnsafeMutableBytes { try world.allGather(send, into: $0) } }
        let hashes = (0..<world.size).map { String(decoding: all[$0 * hash.count..<($0 + 1) * hash.count], as: UTF8.self) }
        guard Set(hashes).count == 1 else { throw RunError.replicasDiverged(step: step, hashes: hashes) }
        return own
    }
}

/// How a run sums the gradients of a step over the ranks (`distributed.reduction`).
enum GradientReduction {
    /// Float sums of the gradient buckets, into the arena's gradients.
    case fast(GradientSync)
    /// Per-leaf gradients summed in fixed point, the same bits for any world size, into `sum`,
    /// (parameterCount); the arena's own gradients stay zero between leaves.
    case exact(ExactReduction, sum: UnsafeMutableBufferPointer<Float>)

    var exact: ExactReduction? {
        if case .exact(let exact, _) = self { exact } else { nil }
    }
}

/// What a finished run reports.
public struct TrainingSummary: Sendable {
    public let steps: Int
    public let samples: Int
    public let seconds: Double
    public let finalTrainingLoss: Double
    public let validation: ClassificationReport?
    public let test: ClassificationReport
    /// SHA-256 of the final parameter arena (identical on every rank).
    public let parameterHash: String
    public let stopReason: String?

    public var samplesPerSecond: Double { Double(samples) / seconds }
}
