import Coordinator
import Foundation
import ShoalComm
import ShoalConfig
import ShoalData
import ShoalFormats
import ShoalNN
import ShoalOptim
import ShoalTensor

/// The training loop: every rank runs it with the same config; the batch plan gives each rank
/// its leaves of every global batch, the reduction sums their gradients over all ranks
/// (``ExactReduction``'s fixed-point sums by default, ``FastReduction``'s Float sums in fast
/// mode), and every rank takes the same optimizer step, so the replicas stay identical.
///
/// Building a trainer talks to no other rank: a config, data or model error is every rank's
/// own, so the command can report it once (see `shoal`'s `agreeOnSetup`).
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
    /// A subword language model's tokenizer as Hugging Face's `tokenizer.json`, written into
    /// every checkpoint; nil for other data.
    let tokenizerJSON: [UInt8]?
    public let plan: BatchPlan
    let optimizer: Optimizer
    let schedule: LearningRateSchedule
    /// How this run sums the gradients of a step over the ranks.
    let reduction: any GradientReduction
    let buffers: BatchBuffers
    let evaluator: Evaluator
    /// Classes of the accuracy and confusion counts; 0 for a regression or a language model.
    let classCount: Int
    /// Optimizer steps of the whole run: `training.steps`, or epochs × steps per epoch.
    let totalSteps: Int
    let checkpoints: RunCheckpoints
    /// The epoch permutation of training-sample indices, (train.count); empty for a language
    /// model, whose windows Philox places (a corpus of 10⁹ tokens would need 10⁷ entries here).
    let permutation: UnsafeMutableBufferPointer<Int32>
    /// What every rank adds to one all-reduce after each step.
    let stepCounts = StepCounts()
    public let progress: ProgressDisplay
    /// Where this run writes (rank 0): the newest version of its name when it continues one, else the next.
    public let runDirectory: RunDirectory
    /// Whether `runDirectory` is this run's own new version rather than one it continues.
    let freshRunDirectory: Bool
    /// What `model.init_from` loaded, for rank 0 to say at the start; nil without it.
    let initialTensors: String?
    /// Rank 0's metrics.jsonl and TensorBoard events, opened when the run starts.
    var log = RunLog()
    /// Trades every rank's expectations of a step's reduction before the sums.
    let fingerprints: FingerprintCheck
    /// When the last checkpoint was written (or the run started), on this rank's clock.
    var lastCheckpointTime = 0.0
    /// Steps exact mode computed twice because a gradient outgrew its exponent (the first step included).
    public private(set) var redoneSteps = 0

    /// - Parameter continuing: the run continues its name's newest version (`--resume auto`,
    ///   evaluation) rather than starting the next one.
    public init(config: RunConfig, world: any Communicator, continuing: Bool = true) throws {
        self.config = config
        self.world = world
        runDirectory = RunDirectory.forTraining(in: config.runRoot, continuing: continuing)
        freshRunDirectory = runDirectory != RunDirectory.newest(in: config.runRoot)
        let m = config.training.microBatch
        do {
            model = try config.makeModel(maxBatch: m)
        } catch {
            if case .unmatchedInitializerRule = error { throw RunError.configuration("model.init_rules: \(error)") }
            throw RunError.configuration("model.layers: \(error)")
        }
        let outputs = model.outputShape.reduce(1, *)
        splits = try loadSplits(for: config, targets: Predictions.targetRule(outputWidth: outputs, loss: config.loss))
        if case .bytePairs(let encoder) = splits.text?.codec { tokenizerJSON = encoder.tokenizerJSON() } else { tokenizerJSON = nil }
        let train = splits.train
        classCount = try Self.checkFit(of: model, to: splits, config: config)
        let B = config.training.globalBatch
        // A text epoch is its windows rounded down to whole batches: every step draws B windows.
        let sampleCount = splits.text.map { max(B, $0.windows.count - $0.windows.count % B) } ?? train.count
        plan = try BatchPlan(sampleCount: sampleCount, globalBatch: B, microBatch: m, seed: config.seed)
        if let source = config.model.initFrom {
            initialTensors = try InitialTensors.load(into: model, from: source, skip: config.model.initSkip)
        } else {
            initialTensors = nil
        }
        let trainable = model.trainableCount
        guard trainable > 0 else { throw RunError.configuration("model.layers: every layer with tensors is trainable: false; nothing would train") }
        optimizer = try RunComponents.makeOptimizer(config.optimizer, entries: model.arena.entries.filter { $0.end <= trainable })
        let totalSteps = config.training.steps ?? plan.stepsPerEpoch * config.training.epochs
        self.totalSteps = totalSteps
        schedule = try RunComponents.schedule(config.schedule, totalSteps: totalSteps)
        reduction = TestFault.injected(into: try RunComponents.makeReduction(config.distributed, plan: plan, arena: model.arena,
                                                                              trainable: trainable, world: world), rank: world.rank)
        buffers = BatchBuffers(microBatch: m, featureCount: train.featureCount, targetWidth: train.targetWidth)
        fingerprints = FingerprintCheck(world: world)
        evaluator = Evaluator(model: model, world: world, microBatch: m, classCount: classCount, buffers: buffers)
        checkpoints = RunCheckpoints(world: world, directory: config.checkpoint.dir ?? runDirectory.checkpoints,
                                     keepLast: config.checkpoint.keepLast)
        permutation = .allocate(capacity: splits.text == nil ? plan.sampleCount : 0)
        permutation.initialize(repeating: 0)
        progress = ProgressDisplay(mode: world.rank == 0 ? ProgressDisplay.mode(for: config.logging.progress.rawValue) : .silent,
                                   totalSteps: totalSteps, stepsPerEpoch: plan.stepsPerEpoch,
                                   rate: splits.text == nil ? .samples : .tokens(perSample: config.model.input[0]))
    }

    deinit {
        permutation.deallocate()
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
    ///
    /// `timeline` records every rank's phases and writes their merged Chrome trace to the run
    /// directory's `timeline.json` at the end.
    public func run(resume: CheckpointRequest? = nil, allowConfigChange: Bool = false, stopAfter: Int? = nil,
                    timeline: Bool = false) throws -> TrainingSummary {
        StopSignal.install()
        defer { Timeline.recorder = nil }
        var run = try start(resume: resume, allowConfigChange: allowConfigChange, timeline: timeline)
        var stopReason: String?
        training: while run.position.step < totalSteps && (config.training.steps != nil || run.position.epoch < config.training.epochs) {
            if splits.text == nil { plan.permutation(epoch: run.position.epoch, into: permutation) }
            var endOfEpoch = false
            while !endOfEpoch {
                let logNow = (run.position.step + 1) % config.logging.every == 0
                let result = try trainStep(run.position, measureNorm: logNow)
                record(result, in: &run, logNow: logNow)
                endOfEpoch = run.position.advance(in: plan)
                stopReason = try afterStep(result, &run, endOfEpoch: endOfEpoch, stopAfter: stopAfter)
                if stopReason != nil || run.position.step >= totalSteps { break training }
            }
        }
        return try finish(run, stopReason: stopReason)
    }

    /// The evaluator's report, with a language model's loss scale (bits per byte, the unigram
    /// baseline) beside it.
    func evaluate(_ data: Dataset) throws -> EvaluationReport {
        Phase.enter(.evaluation)
        var report = try evaluator.evaluate(data)
        report.language = splits.text.map {
            LanguageScale(unit: $0.codec.unit, bytesPerToken: $0.bytesPerToken(of: data),
                          unigramBaseline: $0.unigramBaseline)
        }
        return report
    }

    func currentRate(_ step: Int) -> Double {
        schedule.learningRate(atStep: step, baseRate: config.optimizer.lr)
    }

    /// What one step reports: the batch's mean loss, its correct predictions, and whether any
    /// rank was asked to stop.
    struct StepResult {
        var loss: Double
        var correct: Int64
        var stopRequested: Bool
        /// `checkpoint.every_seconds` have passed since the last checkpoint (on rank 0's clock).
        var checkpointDue: Bool
        /// The global norm of the summed gradients before clipping; NaN where not measured.
        var gradientNorm: Double
    }

    /// One global batch: this rank's leaves forward and backward, gradients summed over ranks,
    /// then the same optimizer step on every rank.
    /// `measureNorm`: find the gradients' global norm for the log even without clipping.
    func trainStep(_ position: TrainingPosition, measureNorm: Bool = false) throws -> StepResult {
        let step = position.step + 1  // counted from 1 in the watchdog's and the fingerprints' words
        // This rank's leaves of the step (a stride: nothing allocated).
        let leaves = plan.leaves(step: position.stepInEpoch, rank: world.rank, worldSize: world.size)
        let leafCount = plan.leafCount(step: position.stepInEpoch, rank: world.rank, worldSize: world.size)
        let gradientScale = 1 / Float(plan.batchSize(step: position.stepInEpoch))
        // The sums over this rank's leaves, and over its last leaf alone: a redo that the
        // reduction carries the last leaf into (exact mode) does not compute it again.
        var sums = LeafSums(), lastLeaf = LeafSums()
        var outcome = ReductionOutcome.redo
        while outcome == .redo {
            let carried = reduction.leavesCarried
            sums = carried > 0 ? lastLeaf : LeafSums()
            reduction.beginStep()
            for (k, leaf) in leaves.enumerated() where k < leafCount - carried {
                let isLast = k == leafCount - 1
                let (loss, correct) = trainLeaf(leaf, of: position, isLast: isLast, gradientScale: gradientScale)
                sums.add(loss: loss, correct: correct)
                if isLast { lastLeaf = LeafSums(); lastLeaf.add(loss: loss, correct: correct) }
            }
            Phase.enter(.reduction, step: step)
            // Every rank checks that all expect the same sums before any is summed.
            try fingerprints.agree(on: reduction.fingerprint(step: step, leavesPlanned: leafCount))
            outcome = try reduction.finishStep()
            if outcome == .redo, reduction.leavesCarried < leafCount { redoneSteps += 1 }
            if outcome == .nonFinite { throw RunError.nonFinite(step: step, what: "a gradient") }
        }
        let totals = try sumOverRanks(sums)
        let meanLoss = totals.loss.value / Double(plan.batchSize(step: position.stepInEpoch))
        guard meanLoss.isFinite, totals.saturatedLosses == 0 else { throw RunError.nonFinite(step: step, what: "the training loss") }
        Phase.enter(.optimizer)
        var norm = Double.nan
        if let maxNorm = config.optimizer.clipNorm {
            norm = Double(clipGlobalNorm(reduction.gradients, maxNorm: Float(maxNorm)))
        } else if measureNorm {
            norm = globalNorm(reduction.gradients)
        }
        optimizer.step(parameters: model.arena.parameters, gradients: reduction.gradients, learningRate: Float(currentRate(position.step)))
        return StepResult(loss: meanLoss, correct: totals.correct, stopRequested: totals.stopSignals > 0,
                          checkpointDue: totals.checkpointDue > 0, gradientNorm: norm)
    }

    /// One leaf of the step at `position`: its samples loaded, forward, loss, and backward
    /// accumulating into the arena's gradients, which go to the reduction. Returns the leaf's
    /// loss sum and correct predictions.
    private func trainLeaf(_ leaf: Int, of position: TrainingPosition, isLast: Bool, gradientScale: Float) -> (loss: Double, correct: Int64) {
        Phase.enter(.data, step: position.step + 1)
        let n = loadLeaf(position, leaf: leaf)
        Phase.enter(.forward)
        let output = model.forward(UnsafeBufferPointer(buffers.features), batch: n, context: ForwardContext(
            training: true, step: UInt64(position.step), sampleIndices: UnsafeBufferPointer(rebasing: buffers.indices[0..<n])))
        let correct = countCorrect(output, n)
        let loss = model.loss(targets: UnsafeBufferPointer(buffers.targets), gradientScale: gradientScale)
        Phase.enter(.backward)
        if isLast {
            // The rank's last backward finishes the arena front to back: buckets can go as it does.
            model.backward { reduction.backwardFinished(upTo: $0) }
        } else {
            model.backward()
        }
        Phase.enter(.reduction)
        reduction.finishLeaf(model.arena.gradients, isLast: isLast)
        return (loss, correct)
    }

    /// The step's counts over every rank, in one all-reduce; rank 0's clock alone says whether a
    /// timed checkpoint is due, so that every rank writes it at the same step.
    private func sumOverRanks(_ sums: LeafSums) throws -> StepCounts {
        stepCounts.loss = sums.loss
        stepCounts.correct = sums.correct
        stepCounts.stopSignals = StopSignal.received != 0 ? 1 : 0  // any rank's signal stops every rank after this step
        stepCounts.saturatedLosses = sums.loss.isSaturated ? 1 : 0
        let seconds = config.checkpoint.everySeconds
        stepCounts.checkpointDue = world.rank == 0 && seconds > 0 && world.wallTime() - lastCheckpointTime >= seconds ? 1 : 0
        try stepCounts.sum(over: world)
        return stepCounts
    }

    /// Copies leaf `leaf` of the step at `position` into the input buffers; returns its sample
    /// count. Samples are the epoch permutation's, or for text the windows of the leaf's slots
    /// in the global batch (a slot is also the sample index dropout masks are keyed by).
    private func loadLeaf(_ position: TrainingPosition, leaf: Int) -> Int {
        let positions = plan.leaf(step: position.stepInEpoch, leaf: leaf)
        let n = positions.count
        if let text = splits.text {
            let slots = plan.slots(step: position.stepInEpoch, leaf: leaf)
            for (row, slot) in slots.enumerated() { buffers.indices[row] = Int32(slot) }
            text.windows.gather(step: position.step, slots: slots, features: buffers.features, targets: buffers.targets)
            return n
        }
        for (row, p) in positions.enumerated() { buffers.indices[row] = permutation[p] }
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

    /// The classes of the accuracy counts (0 for a regression or a language model), once the
    /// model's input and output are known to fit the data.
    private static func checkFit(of model: Model, to splits: DataSplits, config: RunConfig) throws -> Int {
        let outputs = model.outputShape.reduce(1, *)
        let classCount: Int
        if let text = splits.text {
            let expected = [config.model.input[0], text.codec.count]
            guard config.loss == .softmaxCrossEntropy, model.outputShape == expected else {
                let vocabulary: String
                switch text.codec {
                case .characters(let characters): vocabulary = "the text has \(characters.count) distinct characters"
                case .bytePairs(let encoder): vocabulary = "the tokenizer has \(encoder.vocabularySize) tokens"
                }
                throw RunError.configuration("model.layers: a language model ends in (block_size, vocabulary) = "
                    + "\(formatShape(expected)) logits under softmax_cross_entropy; this one gives \(formatShape(model.outputShape)) "
                    + "under \(config.loss.rawValue) (\(vocabulary))")
            }
            classCount = 0
        } else {
            classCount = Predictions.classCount(outputWidth: outputs, loss: config.loss)
        }
        guard splits.train.featureShape.reduce(1, *) == config.model.input.reduce(1, *) else {
            throw RunError.configuration("model.input: \(config.model.input) does not match the data's sample shape \(splits.train.featureShape)")
        }
        if config.loss == .softmaxCrossEntropy, splits.text == nil, let classes = splits.train.classCount, classes != classCount {
            throw RunError.configuration("model.layers: the last layer has \(classCount) outputs but the data has \(classes) classes")
        }
        return classCount
    }

    /// SHA-256 of the parameter arena, as hex.
    public func parameterHash() -> String {
        RunCheckpoints.hash(model.arena.parameters)
    }
}

/// What a finished run reports.
public struct TrainingSummary: Sendable {
    public let steps: Int
    public let samples: Int
    public let seconds: Double
    public let finalTrainingLoss: Double
    public let validation: EvaluationReport?
    public let test: EvaluationReport
    /// SHA-256 of the final parameter arena (identical on every rank).
    public let parameterHash: String
    public let stopReason: String?
    /// This rank's peak resident memory at the end of the run (``peakResidentBytes()``).
    public let peakResidentBytes: Int?

    public var samplesPerSecond: Double { Double(samples) / seconds }
}
