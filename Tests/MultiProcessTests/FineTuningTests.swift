import Foundation
import Testing

/// Fine-tuning (issue 17): `model.init_from` loads a trained checkpoint's tensors, `trainable:
/// false` freezes a leading layer.
@Suite(.serialized) struct FineTuningTests {
    /// The tensors of a checkpoint's model.safetensors by name, as raw bytes (the JSON header's offsets).
    func tensors(_ checkpoints: String) throws -> [String: Data] {
        let latest = try String(contentsOfFile: checkpoints + "/latest", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let file = try Data(contentsOf: URL(fileURLWithPath: checkpoints + "/" + latest + "/model.safetensors"))
        let length = file.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try #require(JSONSerialization.jsonObject(with: file.subdata(in: 8..<8 + length)) as? [String: Any])
        var result: [String: Data] = [:]
        for (name, value) in header where name != "__metadata__" {
            let offsets = try #require((value as? [String: Any])?["data_offsets"] as? [Int])
            result[name] = file.subdata(in: 8 + length + offsets[0]..<8 + length + offsets[1])
        }
        return result
    }

    @Test func aFrozenLoadedLayerIsBitIdenticalAfterTrainingAndTheHeadIsNew() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, [], directory: directory)
        #expect(source.result.status == 0, "\(source.result.combined)")
        let trained = try tensors(directory + "/fashion-mlp/version_0/checkpoints")

        // Layers 1 and 2 loaded and frozen, the last one new: the frozen ones must come back unchanged.
        let tuned = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, [
            "name=tuned", "model.init_from=\(directory)/fashion-mlp", "model.init_skip=[\"layers.3.*\"]",
            "model.layers[1].dense.trainable=false", "model.layers[2].dense.trainable=false", "training.epochs=2",
        ], directory: directory)
        #expect(tuned.result.status == 0, "\(tuned.result.combined)")
        #expect(tuned.result.output.contains("loaded 4 tensors (layers.2.weight, layers.2.bias, layers.1.weight, layers.1.bias); new: layers.3.weight, layers.3.bias"),
                "\(tuned.result.combined)")
        let after = try tensors(directory + "/tuned/version_0/checkpoints")
        for name in ["layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"] {
            #expect(after[name] != nil && after[name] == trained[name], "\(name) changed while frozen")
        }
        #expect(after["layers.3.weight"] != trained["layers.3.weight"], "the head was trained from its own start")

        // The same frozen run on 1 rank: the same bits (exact reduction over the trained tensors only).
        let oneRank = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 1, [
            "name=tuned", "model.init_from=\(directory)/fashion-mlp", "model.init_skip=[\"layers.3.*\"]",
            "model.layers[1].dense.trainable=false", "model.layers[2].dense.trainable=false", "training.epochs=2",
        ], directory: directory)
        #expect(oneRank.parameterHash != nil && oneRank.parameterHash == tuned.parameterHash, "\(oneRank.result.combined)")

        // Refusals: a shape that differs, a frozen layer after a trained one.
        let reshaped = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 1, [
            "name=reshaped", "model.init_from=\(directory)/fashion-mlp", "model.layers[2].dense.units=64",
        ], directory: directory)
        #expect(reshaped.result.status != 0)
        // layers.3.weight is the first the arena holds (reverse execution order) that differs.
        #expect(reshaped.result.error.contains("model.init_from: layers.3.weight is (10, 128) in ")
                && reshaped.result.error.contains("(10, 64) in this model; list it in model.init_skip"), "\(reshaped.result.combined)")
        let late = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 1, ["name=late", "model.layers[2].dense.trainable=false"],
                                          directory: directory)
        #expect(late.result.status != 0)
        #expect(late.result.error.contains("trainable: false needs every layer with tensors before it frozen too"), "\(late.result.combined)")
    }
}
