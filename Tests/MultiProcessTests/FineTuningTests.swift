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

    /// The example config: the CNN's convolution loaded and frozen, a new 3-class head trained on
    /// the footwear only (`data.keep_classes`); eval and predict from its checkpoint name those classes.
    @Test func theExampleFineTunesTheCNNHeadOnASubsetOfClasses() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let quick = ["data.limit_train=3000", "data.limit_test=600", "training.epochs=1"]
        let source = try TrainingRun.launch("configs/fashion-cnn.yaml", ranks: 2, quick, directory: directory)
        #expect(source.result.status == 0, "\(source.result.combined)")
        let tuned = try TrainingRun.launch("configs/fashion-cnn-finetune.yaml", ranks: 2,
                                           quick + ["model.init_from=\(directory)/fashion-cnn"], directory: directory)
        #expect(tuned.result.status == 0, "\(tuned.result.combined)")
        let report = try #require(tuned.result.output.split(separator: "\n").first { $0.hasPrefix("model.init_from ") }, "\(tuned.result.combined)")
        #expect(report.contains("loaded 2 tensors (layers.0.weight, layers.0.bias); new: ")
                && ["layers.4.weight", "layers.4.bias", "layers.6.weight", "layers.6.bias"].allSatisfy(report.contains), "\(report)")
        let before = try tensors(directory + "/fashion-cnn/version_0/checkpoints")
        let after = try tensors(directory + "/fashion-cnn-finetune/version_0/checkpoints")
        #expect(after["layers.0.weight"] != nil && after["layers.0.weight"] == before["layers.0.weight"], "the frozen convolution changed")
        #expect(after["layers.6.weight"]?.count == 3 * 128 * 4, "a 3-class head")
        // Three classes that a frozen convolution tells apart well: far above chance (1/3).
        let line = try #require(tuned.result.output.split(separator: "\n").first { $0.hasPrefix("test accuracy ") }, "\(tuned.result.combined)")
        #expect(try #require(Double(line.dropFirst("test accuracy ".count))) > 0.7, "\(line)")

        // predict names only the kept classes; eval from the checkpoint alone reads the same subset.
        let csv = directory + "/footwear.csv"
        let predicted = try ShoalProcess.run(["predict", directory + "/fashion-cnn-finetune", PredictTests.images, "-o", csv])
        #expect(predicted.status == 0, "\(predicted.combined)")
        let header = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").first ?? ""
        #expect(header.contains("Sandal") && header.contains("Ankle boot") && !header.contains("Trouser"), "\(header)")
        let eval = try ShoalProcess.run(["eval", "--checkpoint", directory + "/fashion-cnn-finetune/version_0"])
        #expect(eval.status == 0 && eval.output.contains(String(line)), "\(eval.combined)")

        // A class the data do not have, a repeated one, a head of the wrong width, a text source:
        // each refused by name on both ranks, once, with exit 1 and no signal.
        for (setting, message) in [("data.keep_classes=[5, 12]", "data.keep_classes: class 12 is not one of the data's classes 0...9"),
                                   ("data.keep_classes=[5, 5]", "data.keep_classes: must list at least 2 distinct class indices ≥ 0, got [5, 5]"),
                                   ("data.keep_classes=[5, 7]", "model.layers: the last layer has 3 outputs but the data has 2 classes")] {
            let refused = try TrainingRun.launch("configs/fashion-cnn-finetune.yaml", ranks: 2, quick + ["model.init_from=\(directory)/fashion-cnn", setting], directory: directory)
            BadInputTests.expectCleanFailure(refused.result, saying: message)
        }
        let text = try TrainingRun.launch("configs/char-gpt.yaml", ranks: 2, ["data.keep_classes=[0, 1]"], directory: directory)
        BadInputTests.expectCleanFailure(text.result, saying: "data.keep_classes: a text source has no classes; remove it")
    }
}
