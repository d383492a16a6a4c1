import Coordinator
import Foundation
import ShoalComm
import ShoalFormats
import ShoalOptim

/// What ``Trainer/run(resume:allowConfigChange:stopAfter:timeline:)`` carries from step to step.
struct RunState {
    var position = TrainingPosition()
    var stopping: EarlyStopping
    /// The step the run started from (a resumed run's checkpoint step), and when.
    var firstStep = 0
    var started: Double
    var samples = 0
    var lastLoss = Double.nan
    var lastValidation: EvaluationReport?
    var lastCheckpoint = -1
    /// Running sums since the last training record, and over the epoch for its line.
    var sinceLog: RunningMeans
    var epochMeans: RunningMeans
}

extension Trainer {
    /// Before the first step: the ranks agree on the run, compare their replicas, restore the
    /// checkpoint `resume` names, and rank 0 opens the run's logs and says what it trains.
    func start(resume: CheckpointRequest?, allowConfigChange: Bool, timeline: Bool) throws -> RunState {
        try world.agreeAtStart(on: startFacts())
        if timeline {
            Timeline.recorder = Timeline()
            try Timeline.recorder?.align(world)
        }
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
            let data = splits.text.map(\.summary) ?? "\(splits.train.count) training samples"
            progress.message("\(config.name): \(model.parameterCount) parameters, \(data), "
                + "\(world.size) rank\(world.size == 1 ? "" : "s"), global batch \(config.training.globalBatch), "
                + "micro-batch \(config.training.microBatch), " + reduction.summary)
        }
        let started = world.wallTime()
        lastCheckpointTime = world.wallTime()
        return RunState(position: position, stopping: stopping, firstStep: position.step, started: started,
                        sinceLog: RunningMeans(start: started), epochMeans: RunningMeans(start: started))
    }

    /// A step's loss and counts into the running means, the progress display and, every
    /// `logging.every` steps, the metrics log (formatting a record allocates: most steps must not).
    func record(_ result: StepResult, in run: inout RunState, logNow: Bool) {
        let batch = plan.batchSize(step: run.position.stepInEpoch)
        run.samples += batch
        run.lastLoss = result.loss
        run.sinceLog.add(result, batch: batch)
        run.epochMeans.add(result, batch: batch)
        let now = world.wallTime()
        progress.update(step: run.position.step, epoch: run.position.epoch, loss: result.loss,
                        samplesPerSecond: Double(run.samples) / (now - run.started), elapsed: now - run.started, now: now,
                        firstStep: run.firstStep)
        if logNow {
            log.record("train", step: run.position.step + 1, epoch: run.position.epoch + 1,
                       trainingValues(run.sinceLog, now: now, learningRate: currentRate(run.position.step), gradientNorm: result.gradientNorm))
            run.sinceLog = RunningMeans(start: now)
        }
    }

    /// After a step: early stopping on the training loss, evaluation, the epoch's line, early
    /// stopping on the validation loss, the stop requests, and the checkpoint, in that order.
    /// Returns why the run stops, or nil to go on.
    func afterStep(_ result: StepResult, _ run: inout RunState, endOfEpoch: Bool, stopAfter: Int?) throws -> String? {
        let position = run.position
        if case .stop(let reason) = run.stopping.observe(trainingLoss: result.loss) { return "\(reason)" }
        let evalEvery = config.training.evalEvery
        var validation: EvaluationReport?
        if evalEvery > 0 ? position.step % evalEvery == 0 : endOfEpoch, splits.validation.count > 0 {
            let report = try evaluate(splits.validation)
            run.lastValidation = report
            validation = report
            log.record("validation", step: position.step, epoch: position.epoch + (endOfEpoch ? 0 : 1), report.metricFields)
            progress.message("validation after step \(position.step): \(report.line)")
        }
        if endOfEpoch {
            let now = world.wallTime()
            progress.message(epochLine(epoch: position.epoch, run.epochMeans, validation: validation, now: now))
            log.record("epoch", step: position.step, epoch: position.epoch, epochValues(run.epochMeans, validation: validation, now: now))
            run.epochMeans = RunningMeans(start: now)
        }
        if let validation, case .stop(let reason) = run.stopping.observe(validation: validation.loss) { return "\(reason)" }
        if result.stopRequested {
            return StopSignal.received != 0 ? "\(StopSignal.name(StopSignal.received)) received" : "a stop signal reached another rank"
        }
        if let stopAfter, position.step >= stopAfter { return "--stop-after \(stopAfter) reached" }
        if (config.checkpoint.every > 0 && position.step % config.checkpoint.every == 0) || result.checkpointDue {
            try writeCheckpoint(position, stopping: run.stopping)
            lastCheckpointTime = world.wallTime()
            run.lastCheckpoint = position.step
        }
        return nil
    }

    /// After the last step: the final checkpoint (unless the last step wrote one), the test
    /// split's evaluation, and the timeline.
    func finish(_ run: RunState, stopReason: String?) throws -> TrainingSummary {
        let seconds = world.wallTime() - run.started
        if redoneSteps > 0 {
            progress.message("exact reduction computed \(redoneSteps) of \(run.position.step - run.firstStep) steps twice "
                + "(a run's first step, whose exponents are not known yet, and any step whose gradients outgrew them)")
        }
        if run.lastCheckpoint != run.position.step { try writeCheckpoint(run.position, stopping: run.stopping) }
        let test = try evaluate(splits.test)
        log.record("test", step: run.position.step, test.metricFields)
        if let recorder = Timeline.recorder {
            let trace = try recorder.merged(world, host: World.hostName)
            try world.onRankZero("timeline not written: ") {
                if let trace { try DurableIO.writeFile(at: URL(fileURLWithPath: runDirectory.timeline), data: trace) }
            }
            progress.message("timeline written: \(runDirectory.timeline) (open it in https://ui.perfetto.dev or chrome://tracing)")
        }
        return TrainingSummary(steps: run.position.step, samples: run.samples, seconds: seconds, finalTrainingLoss: run.lastLoss,
                               validation: run.lastValidation, test: test, parameterHash: parameterHash(), stopReason: stopReason,
                               peakResidentBytes: peakResidentBytes())
    }
}
