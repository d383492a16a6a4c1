import Coordinator
import Foundation
import ShoalNN
import ShoalTensor

/// Fine-tuning's start (`model.init_from`): the tensors of a trained checkpoint copied over a new
/// model's initial values wherever name and shape agree. A tensor of the same name and another
/// shape is an error unless `model.init_skip` lists it (a new head for other classes); a tensor
/// the checkpoint lacks, or one `init_skip` names, keeps its initializer.
///
/// ```swift
/// let model = try Model(inputShape: [28, 28, 1],   // fashion-cnn's layers, a new head for 3 classes
///                       layers: [.conv2D(filters: 8, kernel: 3, stride: 1, padding: .valid, activation: .relu),
///                                .maxPool2D(size: 2, stride: nil), .flatten, .dense(units: 3, activation: nil)],
///                       loss: .softmaxCrossEntropy, seed: 1, maxBatch: 64)
/// let report = try InitialTensors.load(into: model, from: "runs/fashion-cnn", skip: ["layers.3.*"])
/// // "model.init_from runs/fashion-cnn/version_0/checkpoints/step-00004220: loaded 2 tensors (layers.0.weight, layers.0.bias); new: layers.3.weight, layers.3.bias"
/// ```
enum InitialTensors {
    static func load(into model: Model, from path: String, skip: [String]) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw RunError.configuration("model.init_from: \(path): no such file or directory")
        }
        let checkpoint: Checkpoint
        do {
            checkpoint = try CheckpointStore.load(directoryOrRoot: URL(fileURLWithPath: path))
        } catch {
            throw RunError.configuration("model.init_from: \(error)")
        }
        let available = Dictionary(checkpoint.model.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var loaded: [String] = [], new: [String] = []
        for entry in model.arena.entries {
            guard !skip.contains(where: { globMatches($0, entry.name) }), let tensor = available[entry.name] else {
                new.append(entry.name)
                continue
            }
            guard tensor.shape == entry.shape else {
                throw RunError.configuration("model.init_from: \(entry.name) is \(formatShape(tensor.shape)) in \(checkpoint.directory.path), "
                    + "\(formatShape(entry.shape)) in this model; list it in model.init_skip to start it from its initializer")
            }
            do {
                try checkpoint.model.requireTensor(named: entry.name, dtype: .f32, count: entry.count).copy(into: model.arena.parameters(of: entry))
            } catch {
                throw RunError.configuration("model.init_from: \(checkpoint.directory.path): \(error)")
            }
            loaded.append(entry.name)
        }
        guard !loaded.isEmpty else {
            throw RunError.configuration("model.init_from: no tensor of \(checkpoint.directory.path) has a name and shape of this model's "
                + "(\(model.arena.entries.map(\.name).joined(separator: ", ")))")
        }
        return "model.init_from \(checkpoint.directory.path): loaded \(loaded.count) tensor\(loaded.count == 1 ? "" : "s") ("
            + loaded.joined(separator: ", ") + ")" + (new.isEmpty ? "" : "; new: " + new.joined(separator: ", "))
    }
}
