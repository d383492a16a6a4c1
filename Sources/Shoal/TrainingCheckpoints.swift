import Coordinator
import Foundation
import ShoalComm
import ShoalConfig
import ShoalData
import ShoalFormats
import ShoalOptim
import ShoalTensor

/// The Shoal version recorded in checkpoints and printed by `shoal --version`.
public let shoalVersion = "0.2.0"

extension Trainer {
    /// Why a checkpoint is loaded: to continue training, or to evaluate it.
    enum RestorePurpose {
        case resume, evaluate
    }

    /// Every rank agrees the replicas are identical, then rank 0 writes the checkpoint of `position`.
    func writeCheckpoint(_ position: TrainingPosition, stopping: EarlyStopping) throws {
        Phase.enter(.checkpoint)
        try checkpoints.write(parameters: model.arena.parameters, model: modelTensors(), optimizer: optimizerTensors(),
                              state: checkpointState(position, stopping: stopping), tokenizer: tokenizerJSON)
        progress.message("checkpoint written: step \(position.step) in \(checkpoints.store.root.path)")
    }

    /// The parameters as `layers.<i>.weight` / `layers.<i>.bias` tensors in PyTorch layouts.
    func modelTensors() -> [SafeTensor] {
        model.arena.entries.map {
            SafeTensor(name: $0.name, shape: $0.shape, elements: UnsafeBufferPointer(model.arena.parameters(of: $0)))
        }
    }

    func optimizerTensors() -> [SafeTensor] {
        optimizer.stateTensors.map { SafeTensor(name: $0.name, shape: $0.shape, elements: UnsafeBufferPointer($0.values)) }
    }

    func checkpointState(_ position: TrainingPosition, stopping: EarlyStopping) -> CheckpointState {
        CheckpointState(
            position: position, optimizerStep: optimizer.stepCount, earlyStopping: stopping.state,
            // The reduction's own state (exact mode's exponents): a resumed run sums as this one would have.
            reductionState: reduction.state,
            standardizer: splits.standardizer, vocabulary: characters?.joined,
            rng: ["seed": config.seed], config: config.resolvedYAML(), configHash: config.canonicalHash,
            worldSize: world.size, reduction: config.distributed.reduction.rawValue,
            versions: .init(shoal: shoalVersion, mpi: world is MPICommunicator ? MPICommunicator.libraryVersion : "none",
                            blas: blasConfiguration),
            parameterHash: "")
    }

    /// Loads the checkpoint `request` names on rank 0, checks it against this run, and gives every
    /// rank its parameters, optimizer state and exponents. Nil: nothing to resume (a fresh start).
    func restore(_ request: CheckpointRequest, allowConfigChange: Bool, purpose: RestorePurpose) throws -> CheckpointState? {
        Phase.enter(.checkpoint)
        let arena = model.arena
        guard let state = try checkpoints.restore(
            request, parameters: arena.parameters,
            model: arena.entries.map { ($0.name, arena.parameters(of: $0)) },
            optimizer: optimizer.stateTensors.map { ($0.name, $0.values) },
            accept: { try check($0, allowConfigChange: allowConfigChange, purpose: purpose) })
        else { return nil }
        optimizer.stepCount = state.optimizerStep
        reduction.restore(state.reductionState)
        let ranks = "\(state.worldSize) rank\(state.worldSize == 1 ? "" : "s")"
        switch purpose {
        case .resume:
            progress.message("resumed from step \(state.step) (epoch \(state.position.epoch + 1), written by \(ranks))")
        case .evaluate:
            progress.message("evaluating the checkpoint of step \(state.step) (written by \(ranks))")
        }
        return state
    }

    /// A checkpoint resumes this run only if it was written for the same config (logging and
    /// checkpoint settings aside), unless the user allows the change. Evaluation needs only the
    /// same model, which loading the tensors checks.
    private func check(_ checkpoint: Checkpoint, allowConfigChange: Bool, purpose: RestorePurpose) throws {
        // Token ids mean text only through the vocabulary or tokenizer they were trained with.
        let written = checkpoint.directory.path + " was written for "
        if checkpoint.state.vocabulary != characters?.joined {
            let theirs = checkpoint.state.vocabulary.map { "a vocabulary of \($0.unicodeScalars.count) characters" } ?? "no character vocabulary"
            let ours = characters.map { "a vocabulary of \($0.count) characters" } ?? "none"
            throw RunError.configuration(written + theirs + ", this run's data has " + ours + ": the token ids would mean other characters")
        }
        let ownTokenizer = tokenizerJSON.map { sha256Hex(of: Data($0)) }
        if checkpoint.state.tokenizer.flatMap({ checkpoint.state.files[$0] }) != ownTokenizer {
            let theirs = checkpoint.state.tokenizer == nil ? "no tokenizer" : "another tokenizer"
            let ours = ownTokenizer == nil ? "none" : "the tokenizer of " + (config.data.tokens?.path ?? "its data")
            throw RunError.configuration(written + theirs + ", this run's data has " + ours + ": the token ids would mean other text")
        }
        guard purpose == .resume else { return }
        let old = try RunConfig.parse(yaml: checkpoint.state.config, file: checkpoint.directory.path + "/state.json")
        let differences = config.differences(from: old).filter { !$0.hasPrefix("logging.") && !$0.hasPrefix("checkpoint.") && !$0.hasPrefix("distributed.timeout:") }
        if !differences.isEmpty && !allowConfigChange {
            throw RunError.configuration("the config differs from the one \(checkpoint.directory.path) was written with:\n  "
                + differences.joined(separator: "\n  ") + "\nuse --allow-config-change to resume anyway")
        }
        if !differences.isEmpty { progress.message("resuming with a changed config:\n  " + differences.joined(separator: "\n  ")) }
    }

    /// Loads a checkpoint (refusing one written for a different model) and evaluates it.
    public func evaluate(checkpoint request: CheckpointRequest) throws -> (validation: EvaluationReport?, test: EvaluationReport) {
        guard try restore(request, allowConfigChange: true, purpose: .evaluate) != nil else {
            throw RunError.noCheckpoint(root: checkpoints.store.root.path)
        }
        let validation = splits.validation.count > 0 ? try evaluate(splits.validation) : nil
        return (validation, try evaluate(splits.test))
    }

    func makeEarlyStopping() throws -> EarlyStopping {
        let c = config.training.earlyStopping
        do {
            return try EarlyStopping(lossBelow: c.lossBelow, patience: c.patience, minDelta: c.minDelta)
        } catch let error as OptimizerError {
            throw RunError.configuration("training.early_stopping.\(error.key ?? ""): \(error)")
        }
    }
}

extension Trainer {
    /// A character language model's vocabulary, stored in its checkpoints' state.
    var characters: Vocabulary? {
        if case .characters(let vocabulary) = splits.text?.codec { vocabulary } else { nil }
    }
}
