import Coordinator
import Foundation
import ShoalConfig
import ShoalData
import ShoalNN
import ShoalTensor

/// A trained model from its checkpoint alone: the resolved config, the standardization
/// statistics, the class names and a character vocabulary all come from the checkpoint's
/// `state.json`, a subword tokenizer from its `tokenizer.json`, the tensors from `model.safetensors`. No training data, no optimizer state, no communicator.
///
/// ```swift
/// let trained = try TrainedModel(checkpoint: "runs/fashion-mlp/version_0/checkpoints")
/// var images = try FashionMNIST.load(directory: FashionMNIST.defaultDirectory).test
/// try trained.prepare(&images)                      // as training did: / 255, or standardized
/// let rows = try trained.predict(images)            // (count, outputs): probabilities or values
/// ```
/// Not for concurrent use (one forward at a time owns the buffers): the server's prediction queue is its one user.
public final class TrainedModel: @unchecked Sendable {
    public let config: RunConfig
    public let model: Model
    public let state: CheckpointState
    /// The checkpoint directory loaded.
    public let directory: URL
    /// A language model's characters or tokenizer; nil for any other model.
    public let codec: TextCodec?
    /// Names of the classes a classifier's outputs stand for, or nil for numbered ones.
    public var classNames: [String]? { config.classNames }
    /// Classes of a classifier's outputs; 0 for a regression.
    public var classCount: Int { Predictions.classCount(outputWidth: model.outputShape.reduce(1, *), loss: config.loss) }

    /// Loads `path`: a checkpoint directory, a checkpoint root, a run directory or a run name's
    /// directory (the newest checkpoint of its newest version), and checks its parameter hash.
    public init(checkpoint path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw PredictionError("\(path): no such file or directory") }
        let checkpoint = try CheckpointStore.load(directoryOrRoot: URL(fileURLWithPath: path))
        directory = checkpoint.directory
        state = checkpoint.state
        config = try RunConfig.parse(yaml: checkpoint.state.config, file: checkpoint.directory.path + "/state.json")
        model = try config.makeModel(maxBatch: config.training.microBatch)
        for entry in model.arena.entries {
            try checkpoint.model.requireTensor(named: entry.name, dtype: .f32, count: entry.count).copy(into: model.arena.parameters(of: entry))
        }
        guard RunCheckpoints.hash(model.arena.parameters) == checkpoint.state.parameterHash else {
            throw PredictionError("\(checkpoint.directory.path): the loaded parameters do not match the checkpoint's parameter hash")
        }
        if let file = checkpoint.state.tokenizer {
            // The file's SHA-256 was verified with the checkpoint's other files.
            codec = .bytePairs(try BytePairEncoder(tokenizerFile: checkpoint.directory.appendingPathComponent(file).path))
        } else {
            codec = checkpoint.state.vocabulary.flatMap { Vocabulary(joined: $0) }.map { .characters($0) }
        }
    }

    /// Applies training's preprocessing to raw features: `data.normalize` `scale` divides by 255,
    /// `standardize` uses the training split's statistics stored in the checkpoint.
    public func prepare(_ data: inout Dataset) throws {
        switch config.data.normalize {
        case .none: break
        case .scale: data.scale(by: 1 / 255)
        case .standardize:
            guard let standardizer = state.standardizer else {
                throw PredictionError("\(directory.path): data.normalize is standardize but the checkpoint holds no statistics")
            }
            standardizer.apply(to: &data)
        }
    }

    /// The model's outputs for every sample, `(count, outputs)`: class probabilities (softmax or
    /// sigmoid, which the loss had folded in) for a classifier, the values for a regression.
    /// - Throws: ``PredictionError`` when the samples' shape is not the model's input.
    public func predict(_ data: Dataset) throws -> [[Float]] {
        guard data.featureCount == config.model.input.reduce(1, *) else {
            throw PredictionError("the input has \(data.featureCount) features per sample (shape \(formatShape(data.featureShape))); "
                + "the model reads \(formatShape(config.model.input)) = \(config.model.input.reduce(1, *))")
        }
        let width = model.outputShape.reduce(1, *), batch = model.maxBatch
        var rows: [[Float]] = []
        rows.reserveCapacity(data.count)
        // `.prediction`: a sample's outputs depend on that sample alone, whatever batch it is in
        // and wherever in it (BLAS would round it by both), so serve can merge requests.
        var start = 0
        while start < data.count {
            let n = min(batch, data.count - start)
            let output = data.features.withUnsafeBufferPointer { features in
                model.forward(UnsafeBufferPointer(rebasing: features[start * data.featureCount..<(start + n) * data.featureCount]),
                              batch: n, context: .prediction)
            }
            for i in 0..<n { rows.append(probabilities(Array(output[i * width..<(i + 1) * width]))) }
            start += n
        }
        return rows
    }

    /// The most likely class of one row of ``predict(_:)`` (for one sigmoid output: above 0.5):
    /// ``Predictions/label(of:scale:)`` on probabilities.
    ///
    /// ```swift
    /// TrainedModel.label(of: [0.2, 0.8])   // 1
    /// TrainedModel.label(of: [0.3])        // 0
    /// ```
    public static func label(of row: [Float]) -> Int {
        Predictions.label(of: row, scale: .probabilities)
    }

    private func probabilities(_ logits: [Float]) -> [Float] {
        switch config.loss {
        case .softmaxCrossEntropy:
            // The kernel the model's softmax layer and attention use (Float, within 2 ulp of e^x),
            // not a second softmax in Double here.
            var row = logits
            row.withUnsafeMutableBufferPointer { if let base = $0.baseAddress { softmaxRow(base, base, count: $0.count) } }
            return row
        case .binaryCrossEntropy:
            return logits.map { Float(1 / (1 + exp(-Double($0)))) }
        case .meanSquaredError:
            return logits
        }
    }
}

/// Why a checkpoint cannot be used for a prediction; the message names the file or argument.
public struct PredictionError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
