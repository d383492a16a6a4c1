import Coordinator
import Foundation
import ShoalComm
import ShoalConfig
import ShoalOptim
import ShoalTensor

/// Where a run stands between two steps: everything besides the arenas that a resumed run needs
/// to continue exactly as an uninterrupted one would.
struct TrainingPosition {
    /// Steps completed since the start of the run.
    var globalStep = 0
    /// The next step to run: epoch and step within it.
    var epoch = 0
    var stepInEpoch = 0
    var stopping: ShoalOptim.EarlyStopping
}

/// The Shoal version recorded in checkpoints.
public let shoalVersion = "0.1.0"

extension Trainer {
    /// Rank 0 writes a checkpoint of `position` after all ranks agreed that their parameters are
    /// identical; every rank learns whether the write succeeded, so they fail (or go on) together.
    func writeCheckpoint(_ position: TrainingPosition) throws {
        let hash = try verifyReplicasMatch(step: position.globalStep)
        var failure: String?
        if world.rank == 0 {
            do {
                try checkpointStore.write(model: modelTensors(), optimizer: optimizerTensors(),
                                          state: checkpointState(position, parameterHash: hash))
            } catch {
                failure = "\(error)"
            }
        }
        let message = try broadcastText(failure ?? "")
        guard message.isEmpty else { throw CollectiveError(message: "checkpoint at step \(position.globalStep) not written: \(message)") }
        progress.message("checkpoint written: step \(position.globalStep) in \(checkpointStore.root.path)")
    }

    var checkpointStore: CheckpointStore {
        CheckpointStore(root: URL(fileURLWithPath: config.checkpointDirectory), keepLast: config.checkpoint.keepLast)
    }

    /// The parameters as `layers.<i>.weight` / `layers.<i>.bias` tensors in PyTorch layouts.
    func modelTensors() -> [SafeTensor] {
        let arena = model.arena
        return arena.entries.map {
            SafeTensor(name: $0.name, shape: $0.shape,
                       elements: UnsafeBufferPointer(rebasing: arena.parameters[$0.offset..<($0.offset + $0.count)]))
        }
    }

    func optimizerTensors() -> [SafeTensor] {
        optimizer.stateTensors.map { SafeTensor(name: $0.name, shape: $0.shape, elements: UnsafeBufferPointer($0.values)) }
    }

    func checkpointState(_ position: TrainingPosition, parameterHash: String) throws -> CheckpointState {
        let stopping = String(decoding: try JSONEncoder().encode(position.stopping), as: UTF8.self)
        return CheckpointState(
            step: position.globalStep, epoch: position.epoch,
            cursor: .init(epoch: position.epoch, stepInEpoch: position.stepInEpoch),
            rng: ["seed": config.seed], config: config.resolvedYAML(), configHash: config.canonicalHash,
            worldSize: world.size, reduction: config.distributed.reduction.rawValue,
            versions: .init(shoal: shoalVersion, mpi: world is MPICommunicator ? MPICommunicator.libraryVersion : "none",
                            blas: blasConfiguration),
            parameterHash: parameterHash,
            extra: ["optimizer_step": String(optimizer.stepCount), "early_stopping": stopping,
                    // Exact reduction converts the next step with these; a resumed run must too.
                    "exact_exponents": reduction.exact?.exponents.map { $0.map(String.init).joined(separator: ",") } ?? "",
                    "exact_width": reduction.exact.map { String($0.width.rawValue) } ?? ""])
    }

    /// Loads the checkpoint `request` names on rank 0, checks it against this run, and gives every
    /// rank its parameters, optimizer state and position. Nil: nothing to resume (a fresh start).
    func restore(_ request: ResumeRequest, allowConfigChange: Bool) throws -> TrainingPosition? {
        var stateText = ""
        var failure: String?
        var checkpoint: Checkpoint?
        if world.rank == 0 {
            do {
                checkpoint = try findCheckpoint(request)
                if let checkpoint {
                    try check(checkpoint, allowConfigChange: allowConfigChange)
                    stateText = String(decoding: try JSONEncoder().encode(checkpoint.state), as: UTF8.self)
                }
            } catch {
                failure = "\(error)"
            }
        }
        let message = try broadcastText(failure ?? "")
        guard message.isEmpty else { throw CollectiveError(message: "cannot resume: \(message)") }
        stateText = try broadcastText(stateText)
        guard !stateText.isEmpty else { return nil }
        let state = try JSONDecoder().decode(CheckpointState.self, from: Data(stateText.utf8))
        if let checkpoint {
            for entry in model.arena.entries {
                try checkpoint.model.requireTensor(named: entry.name, dtype: .f32, count: entry.count)
                    .copy(into: UnsafeMutableBufferPointer(rebasing: model.arena.parameters[entry.offset..<(entry.offset + entry.count)]))
            }
            for tensor in optimizer.stateTensors {
                try checkpoint.optimizer.requireTensor(named: tensor.name, dtype: .f32, count: tensor.values.count).copy(into: tensor.values)
            }
        }
        try world.broadcast(UnsafeMutableRawBufferPointer(model.arena.parameters), root: 0)
        for tensor in optimizer.stateTensors { try world.broadcast(UnsafeMutableRawBufferPointer(tensor.values), root: 0) }
        guard parameterHash() == state.parameterHash else {
            throw CollectiveError(message: "cannot resume: the restored parameters do not match the checkpoint's parameter hash")
        }
        optimizer.stepCount = Int(state.extra?["optimizer_step"] ?? "") ?? state.step
        // Exponents of another width (another leaf count), or out of range, mean nothing here:
        // the first step then agrees new ones, as a fresh run does. Checkpoints from before
        // Int32 sums existed have no width and were Int64.
        if let exact = reduction.exact, let text = state.extra?["exact_exponents"], !text.isEmpty,
           (state.extra?["exact_width"] ?? "64") == String(exact.width.rawValue) {
            let exponents = text.split(separator: ",").compactMap { Int($0) }
            let valid = exponents.count == exact.segments.count && exponents.allSatisfy { exact.exponentRange.contains($0) }
            exact.exponents = valid ? exponents : nil
        }
        let stopping = try state.extra?["early_stopping"].map {
            try JSONDecoder().decode(ShoalOptim.EarlyStopping.self, from: Data($0.utf8))
        } ?? makeEarlyStopping()
        progress.message("resumed from step \(state.step) (epoch \(state.cursor.epoch + 1), written by \(state.worldSize) rank\(state.worldSize == 1 ? "" : "s"))")
        return TrainingPosition(globalStep: state.step, epoch: state.cursor.epoch, stepInEpoch: state.cursor.stepInEpoch, stopping: stopping)
    }

    private func findCheckpoint(_ request: ResumeRequest) throws -> Checkpoint? {
        switch request {
        case .auto:
            let root = URL(fileURLWithPath: config.checkpointDirectory)
            do {
                return try CheckpointStore.newest(in: root).checkpoint
            } catch CheckpointError.noCheckpoint(_, let refused) where refused.isEmpty {
                return nil
            }
        case .path(let path):
            let url = URL(fileURLWithPath: path)
            if FileManager.default.fileExists(atPath: url.appendingPathComponent(CheckpointStore.stateFile).path) {
                return try CheckpointStore.load(path: url)
            }
            return try CheckpointStore.newest(in: url).checkpoint
        }
    }

    /// A checkpoint resumes this run only if it was written for the same config (logging and
    /// checkpoint settings aside), unless the user allows the change.
    private func check(_ checkpoint: Checkpoint, allowConfigChange: Bool) throws {
        let old = try RunConfig.parse(yaml: checkpoint.state.config, file: checkpoint.directory.path + "/state.json")
        let differences = config.differences(from: old).filter { !$0.hasPrefix("logging.") && !$0.hasPrefix("checkpoint.") }
        if !differences.isEmpty && !allowConfigChange {
            throw RunError.configuration("the config differs from the one \(checkpoint.directory.path) was written with:\n  "
                + differences.joined(separator: "\n  ") + "\nuse --allow-config-change to resume anyway")
        }
        if !differences.isEmpty { progress.message("resuming with a changed config:\n  " + differences.joined(separator: "\n  ")) }
    }

    /// Loads a checkpoint (refusing one written for a different model) and evaluates it.
    public func evaluate(checkpoint request: ResumeRequest) throws -> (validation: ClassificationReport?, test: ClassificationReport) {
        guard try restore(request, allowConfigChange: true) != nil else {
            throw CollectiveError(message: "no checkpoint found in \(config.checkpointDirectory)")
        }
        let validation = splits.validation.count > 0 ? try evaluator.evaluate(splits.validation) : nil
        return (validation, try evaluator.evaluate(splits.test))
    }

    func makeEarlyStopping() throws -> ShoalOptim.EarlyStopping {
        let c = config.training.earlyStopping
        do {
            return try ShoalOptim.EarlyStopping(lossBelow: c.lossBelow, patience: c.patience, minDelta: c.minDelta)
        } catch let error as OptimizerError {
            throw RunError.configuration("training.early_stopping.\(error.key ?? ""): \(error)")
        }
    }

    /// Rank 0's `text` on every rank.
    func broadcastText(_ text: String) throws -> String {
        var length = Int64(text.utf8.count)
        try withUnsafeMutableBytes(of: &length) { try world.broadcast($0, root: 0) }
        var bytes = world.rank == 0 ? Array(text.utf8) : [UInt8](repeating: 0, count: Int(length))
        try bytes.withUnsafeMutableBytes { try world.broadcast($0, root: 0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// An error every rank raised alike, at the same point: rank 0 reports it, the others stay quiet,
/// and the job ends without MPI_Abort.
public struct CollectiveError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
