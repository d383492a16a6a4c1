import Coordinator
import Foundation
import ShoalComm
import ShoalConfig
import ShoalData
import ShoalNN
import ShoalOptim
import ShoalTensor

/// The training loop: every rank runs it with the same config; the batch plan gives each rank
/// its leaves of every global batch, the reduction sums their gradients over all ranks
/// (``ExactReduction``'s fixed-point sums by default, ``GradientSync``'s Float sums in fast
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
    /// The epoch permutation of training-sample indices, (train.count).
    let permutation: UnsafeMutableBufferPointer<Int32>
    /// Per step: [loss (fixed point), correct predictions, stop signals, saturated loss sums,
    /// rank 0's checkpoint clock due], summed over ranks. The saturation slot keeps a diverged loss infinite even where the sums of
    /// several saturated ranks would wrap around.
    let stepCounts: UnsafeMutableBufferPointer<Int64>
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
    /// A fault this rank injects for a test (``TestFault``); nil in any real run.
    let fault = TestFault.current
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
        let train = splits.train
        if let text = splits.text {
            let expected = [config.model.input[0], text.vocabulary.count]
            guard config.loss == .softmaxCrossEntropy, model.outputShape == expected else {
                throw RunError.configuration("model.layers: a character language model ends in (block_size, vocabulary) = "
                    + "\(formatShape(expected)) logits under softmax_cross_entropy; this one gives \(formatShape(model.outputShape)) "
                    + "under \(config.loss.rawValue) (the text has \(text.vocabulary.count) distinct characters)")
            }
            classCount = 0
        } else {
            classCount = Predictions.classCount(outputWidth: outputs, loss: config.loss)
        }
        guard train.featureShape.reduce(1, *) == config.model.input.reduce(1, *) else {
            throw RunError.configuration("model.input: \(config.model.input) does not match the data's sample shape \(train.featureShape)")
        }
        if config.loss == .softmaxCrossEntropy, splits.text == nil, let classes = train.classCount, classes != classCount {
            throw RunError.configuration("model.layers: the last layer has \(classCount) outputs but the data has \(classes) classes")
        }
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
        reduction = try RunComponents.makeReduction(config.distributed, plan: plan, arena: model.arena, trainable: trainable, world: world)
        buffers = BatchBuffers(microBatch: m, featureCount: train.featureCount, targetWidth: train.targetWidth)
        fingerprints = FingerprintCheck(world: world)
        evaluator = Evaluator(model: model, world: world, microBatch: m, classCount: classCount, buffers: buffers)
        checkpoints = RunCheckpoints(world: world, directory: config.checkpoint.dir ?? runDirectory.checkpoints,
                                     keepLast: config.checkpoint.keepLast)
        permutation = .allocate(capacity: plan.sampleCount)
        permutation.initialize(repeating: 0)
        stepCounts = .allocate(capacity: 5)
        stepCounts.initialize(repeating: 0)
        progress = ProgressDisplay(mode: world.rank == 0 ? ProgressDisplay.mode(for: config.logging.progress.rawValue) : .silent,
                                   totalSteps: totalSteps, stepsPerEpoch: plan.stepsPerEpoch,
                                   rate: splits.text == nil ? .samples : .tokens(perSample: config.model.input[0]))
    }

    deinit {
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
    ///
    /// `timeline` records every rank's phases and writes their merged Chrome trace to the run
    /// directory's `timeline.json` at the end.
    public func run(resume: CheckpointRequest? = nil, allowConfigChange: Bool = false, stopAfter: Int? = nil,
                    timeline: Bool = false) throws -> TrainingSummary {
        StopSignal.install()
        try world.agreeAtStart(on: startFacts())
        if timeline {
            Timeline.recorder = Timeline()
            try Timeline.recorder?.align(world)
        }
        defer { Timeline.recorder = nil }
        try checkpoints.verifyReplicasMatch(model.arena.parameters, step: 0)
        var position = TrainingPosition()
        var stopping = try makeEarlyStopping()
        if let resume {
            if let state = try restore(resume, allowConfigChange: allowConfigChange, purpose: .resume) {
                position = state.position
                stopping.state = state.earlyStopping
            } else {
                progress.message("no checkpoint in \(checkpoints.store.root.path) on \(World.hostName) (rank 0's node, which reads "
                    + "and writes them) yet: starting from step 0; --resume required would stop instead")
            }
        }
        try world.onRankZero("cannot write the run directory \(runDirectory.path): ") {
            log = try RunLog(directory: runDirectory, resolvedConfig: config.resolvedYAML(), fresh: freshRunDirectory && resume == nil,
                             report: { [progress] in progress.message($0) })
        }
        if let initialTensors, resume == nil || position.step == 0 { progress.message(initialTensors) }
        if world.rank == 0 {
            let data = splits.text.map { "\($0.windows.tokens.count) training characters (\($0.vocabulary.count) distinct, "
                + String(format: "unigram baseline %.4f nats/char", $0.unigramBaseline) + ")" } ?? "\(splits.train.count) training samples"
            progress.message("\(config.name): \(model.parameterCount) parameters, \(data), "
                + "\(world.size) rank\(world.size == 1 ? "" : "s"), global batch \(config.training.globalBatch), "
                + "micro-batch \(config.training.microBatch), " + reduction.summary)
        }
        let start = world.wallTime()
        let firstStep = position.step
        var samples = 0, lastLoss = Double.nan, lastValidation: EvaluationReport?
        var stopReason: String?, lastCheckpoint = -1
        lastCheckpointTime = world.wallTime()
        // Running sums since the last training record, and over the epoch for its line.
        var sinceLog = RunningMeans(start: start), epochMeans = RunningMeans(start: start)
        training: while position.step < totalSteps && (config.training.steps != nil || position.epoch < config.training.epochs) {
            plan.permutation(epoch: position.epoch, into: permutation)
            var endOfEpoch = false
            while !endOfEpoch {
                let logNow = (position.step + 1) % config.logging.every == 0
                let result = try trainStep(position, measureNorm: logNow)
                let batch = plan.batchSize(step: position.stepInEpoch)
                samples += batch
                lastLoss = result.loss
                sinceLog.add(result, batch: batch)
                epochMeans.add(result, batch: batch)
                let now = world.wallTime()
                progress.update(step: position.step, epoch: position.epoch, loss: result.loss,
                                samplesPerSecond: Double(samples) / (now - start), elapsed: now - start, now: now,
                                firstStep: firstStep)
                // Every logging.every steps: formatting a record allocates, and most steps must not.
                if logNow {
                    log.record("train", step: position.step + 1, epoch: position.epoch + 1,
                               trainingValues(sinceLog, now: now, learningRate: currentRate(position.step), gradientNorm: result.gradientNorm))
                    sinceLog = RunningMeans(start: now)
                }
                endOfEpoch = position.advance(in: plan)
                if case .stop(let reason) = stopping.observe(trainingLoss: result.loss) { stopReason = "\(reason)"; break training }
                let evalEvery = config.training.evalEvery
                let evaluateNow = evalEvery > 0 ? position.step % evalEvery == 0 : endOfEpoch
                var validation: EvaluationReport?
                if evaluateNow, splits.validation.count > 0 {
                    let report = try evaluate(splits.validation)
                    lastValidation = report
                    validation = report
                    log.record("validation", step: position.step, epoch: position.epoch + (endOfEpoch ? 0 : 1), report.metricFields)
                    progress.message("validation after step \(position.step): \(report.line)")
                }
                if endOfEpoch {
                    let now = world.wallTime()
                    progress.message(epochLine(epoch: position.epoch, epochMeans, validation: validation, now: now))
                    log.record("epoch", step: position.step, epoch: position.epoch, epochValues(epochMeans, validation: validation, now: now))
                    epochMeans = RunningMeans(start: now)
                }
                if let validation, case .stop(let reason) = stopping.observe(validation: validation.loss) { stopReason = "\(reason)"; break training }
                if result.stopRequested {
                    stopReason = StopSignal.received != 0 ? "\(StopSignal.name(StopSignal.received)) received" : "a stop signal reached another rank"
                    break training
                }
                if let stopAfter, position.step >= stopAfter {
                    stopReason = "--stop-after \(stopAfter) reached"
                    break training
                }
                if (config.checkpoint.every > 0 && position.step % config.checkpoint.every == 0) || result.checkpointDue {
                    try writeCheckpoint(position, stopping: stopping)
                    lastCheckpointTime = world.wallTime()
                    lastCheckpoint = position.step
                }
                if position.step >= totalSteps { break training }
            }
        }
        let seconds = world.wallTime() - start
        if redoneSteps > 0 {
            progress.message("exact reduction computed \(redoneSteps) of \(position.step - firstStep) steps twice "
                + "(a run's first step, whose exponents are not known yet, and any step whose gradients outgrew them)")
        }
        if lastCheckpoint != position.step { try writeCheckpoint(position, stopping: stopping) }
        let test = try evaluate(splits.test)
        log.record("test", step: position.step, test.metricFields)
        if let recorder = Timeline.recorder {
            let trace = try recorder.merged(world, host: World.hostName)
            try world.onRankZero("timeline not written: ") {
                if let trace { try DurableIO.writeFile(at: URL(fileURLWithPath: runDirectory.timeline), data: trace) }
            }
            progress.message("timeline written: \(runDirectory.timeline) (open it in https://ui.perfetto.dev or chrome://tracing)")
        }
        return TrainingSummary(steps: position.step, samples: samples, seconds: seconds, finalTrainingLoss: lastLoss,
                               validation: lastValidation, test: test, parameterHash: parameterHash(), stopReason: stopReason)
    }

    /// The evaluator's report, with the unigram baseline beside a language model's loss.
    func evaluate(_ data: Dataset) throws -> EvaluationReport {
        Watchdog.enter(.evaluation)
        var report = try evaluator.evaluate(data)
        report.unigramBaseline = splits.text?.unigramBaseline
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
        let step = position.stepInEpoch, batchSize = plan.batchSize(step: step), leafCount = plan.leafCount(step: step)
        let scale = 1 / Float(batchSize)
        var loss = FixedPointSum(), correct: Int64 = 0
        // The loss and count of the rank's last leaf: a redo that the reduction carries it into
        // (exact mode) does not compute it again.
        var lastLoss = FixedPointSum(), lastCorrect: Int64 = 0
        let leaves = plan.leaves(step: step, rank: world.rank, worldSize: world.size)
        let leafTotal = plan.leafCount(step: step, rank: world.rank, worldSize: world.size)
        var outcome = ReductionOutcome.redo
        while outcome == .redo {
            let carried = reduction.leavesCarried
            (loss, correct) = carried > 0 ? (lastLoss, lastCorrect) : (FixedPointSum(), 0)
            reduction.beginStep()
            var leavesDone = carried
            for (k, leaf) in leaves.enumerated() where k < leafTotal - carried {
                if k == 0, fault?.applies(.skipLeaf, rank: world.rank, step: position.step + 1) == true { continue }
                Watchdog.enter(.data, step: position.step + 1)
                let n = loadLeaf(position, leaf: leaf)
                Watchdog.enter(.forward)
                let output = model.forward(UnsafeBufferPointer(buffers.features), batch: n, context: ForwardContext(
                    training: true, step: UInt64(position.step), sampleIndices: UnsafeBufferPointer(rebasing: buffers.indices[0..<n])))
                let leafCorrect = countCorrect(output, n), leafLoss = model.loss(targets: UnsafeBufferPointer(buffers.targets), gradientScale: scale)
                correct += leafCorrect
                loss.add(leafLoss)
                if k == leafTotal - 1 { lastLoss = FixedPointSum(); lastLoss.add(leafLoss); lastCorrect = leafCorrect }
                Watchdog.enter(.backward)
                if leaf + world.size >= leafCount {
                    // The last leaf's backward finishes the arena front to back: buckets can go as it does.
                    model.backward { reduction.backwardFinished(upTo: $0) }
                } else {
                    model.backward()
                }
                Watchdog.enter(.reduction)
                reduction.finishLeaf(model.arena.gradients, isLast: k == leafTotal - 1)
                leavesDone += 1
            }
            Watchdog.enter(.reduction, step: position.step + 1)
            // Every rank checks that all expect the same sums before any is summed.
            var expected = reduction.fingerprint(step: position.step + 1,
                                                 leavesPlanned: leafTotal,
                                                 leavesDone: leavesDone)
            if fault?.applies(.count, rank: world.rank, step: position.step + 1) == true { expected.count += 1 }
            try fingerprints.agree(on: expected)
            outcome = try reduction.finishStep()
            if outcome == .redo, reduction.leavesCarried < leafTotal { redoneSteps += 1 }
            if outcome == .nonFinite { throw RunError.nonFinite(step: position.step + 1, what: "a gradient") }
        }
        stepCounts[0] = loss.raw
        stepCounts[1] = correct
        stepCounts[2] = StopSignal.received != 0 ? 1 : 0  // any rank's signal stops every rank after this step
        stepCounts[3] = loss.isSaturated ? 1 : 0
        // Rank 0's clock alone decides, so that every rank writes at the same step.
        let seconds = config.checkpoint.everySeconds
        stepCounts[4] = world.rank == 0 && seconds > 0 && world.wallTime() - lastCheckpointTime >= seconds ? 1 : 0
        try world.allReduce(stepCounts, .sum)
        let meanLoss = FixedPointSum(raw: stepCounts[0]).value / Double(batchSize)
        guard meanLoss.isFinite, stepCounts[3] == 0 else { throw RunError.nonFinite(step: position.step + 1, what: "the training loss") }
        Watchdog.enter(.optimizer)
        var norm = Double.nan
        if let maxNorm = config.optimizer.clipNorm {
            norm = Double(clipGlobalNorm(reduction.gradients, maxNorm: Float(maxNorm)))
        } else if measureNorm {
            norm = globalNorm(reduction.gradients)
        }
        optimizer.step(parameters: model.arena.parameters, gradients: reduction.gradients, learningRate: Float(currentRate(position.step)))
        return StepResult(loss: meanLoss, correct: stepCounts[1], stopRequested: stepCounts[2] != 0, checkpointDue: stepCounts[4] != 0,
                          gradientNorm: norm)
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

    public var samplesPerSecond: Double { Double(samples) / seconds }
}
