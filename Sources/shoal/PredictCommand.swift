import ArgumentParser
import Foundation
import Shoal
import ShoalConfig
import ShoalData

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with a trained model from its checkpoint alone: an IDX image file, a CSV file, or a language model's prompt.",
        discussion: """
        Examples:
          shoal predict runs/fashion-mlp /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz -o predictions.csv
          shoal predict runs/csv-binary/version_0 data.csv -o predictions.jsonl
          shoal predict runs/char-gpt "The " --tokens 100

        Inputs get training's preprocessing (data.normalize: / 255, or the checkpoint's standardization statistics). An IDX file holds raw images (count, rows, cols); a CSV file has the columns of the training file (its target column is read but not used) or those columns without the target.

        CSV output: a header line, then per sample its index, class (the predicted class's index: the most probable class, or for one sigmoid output 1 when its probability is above 0.5) and the probabilities (one column p_<class name> per class, or for one sigmoid output the column probability, of class 1); for a regression, index and value_0, value_1, ... JSON lines: {"index", "class" (the index), "label" (the class's name where the run has class names, else the index), "probabilities"}, or {"index", "values"} for a regression.

        A language model continues the prompt (temperature \(SamplingOptions.default.temperature), top-k \(SamplingOptions.default.topK), seed \(SamplingOptions.default.seed), as shoal generate and shoal serve default to; shoal generate sets them).
        """
    )

    @Argument(help: ArgumentHelp("A checkpoint directory or root, a run directory, or a run name's directory (its newest checkpoint).", valueName: "checkpoint"))
    var checkpoint: String

    @Argument(help: ArgumentHelp("An IDX image file (.gz or not), a CSV file, or a language model's prompt.", valueName: "input"))
    var input: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the predictions (default: standard output); .jsonl or .json selects JSON lines.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("The output's format (default: jsonl when --output ends in .jsonl or .json, else csv).", valueName: "format"))
    var format: PredictionFormat?

    @Option(help: "A language model's tokens to generate (characters, for a character model).")
    var tokens = SamplingOptions.default.tokens

    func validate() throws {
        if tokens < 0 { throw ValidationError("--tokens must be ≥ 0, got \(tokens)") }
    }

    func run() throws {
        let trained = try TrainedModel(checkpoint: checkpoint)
        let jsonLines = (format ?? PredictionFormat(outputPath: output)) == .jsonl
        var text: String
        if trained.codec != nil {
            let generator = try TextGenerator(model: trained)
            var sampling = SamplingOptions.default
            sampling.tokens = tokens
            let continuation = try generator.generate(prompt: input, sampling)
            text = jsonLines ? try jsonLine(["prompt": input, "text": input + continuation]) : input + continuation + "\n"
        } else {
            var data = try load(trained)
            try trained.prepare(&data)
            text = try format(trained.predict(data), trained, jsonLines: jsonLines)
        }
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } else {
            print(text, terminator: "")
        }
    }

    /// The samples of `input`: an IDX image file when it parses as one, else the training CSV's layout.
    private func load(_ trained: TrainedModel) throws -> Dataset {
        guard FileManager.default.fileExists(atPath: input) else { throw CommandError(description: "\(input): no such file or directory") }
        if let images = try? IDXFile(path: input) {
            guard images.dimensions.count == 3 else {
                throw CommandError(description: "\(input): an IDX file of \(images.dimensions) (images are (count, rows, cols))")
            }
            return try Dataset(featureShape: [images.dimensions[1], images.dimensions[2], 1], features: images.bytes.map { Float($0) },
                               targets: [Float](repeating: 0, count: images.count))
        }
        guard let csv = trained.config.data.csv else {
            throw CommandError(description: "\(input): not an IDX file, and the model was trained on \(trained.config.data.source.rawValue) data, not CSV")
        }
        // The training file's columns, or the same without the target column (samples to predict).
        let features = trained.config.model.input.reduce(1, *)
        do {
            return try csv.read(input)
        } catch {
            guard let unlabeled = try? csv.read(input, target: .absent),
                  unlabeled.featureCount == features else { throw error }
            return unlabeled
        }
    }

    private func format(_ rows: [[Float]], _ trained: TrainedModel, jsonLines: Bool) throws -> String {
        let classes = trained.classCount, names = trained.classNames
        func name(_ label: Int) -> String { names?.indices.contains(label) == true ? names![label] : String(label) }
        if jsonLines {
            return try rows.enumerated().map { i, row in
                classes > 0 ? try jsonLine(["index": i, "class": TrainedModel.label(of: row), "label": name(TrainedModel.label(of: row)),
                                            "probabilities": row.map(Double.init)])
                            : try jsonLine(["index": i, "values": row.map(Double.init)])
            }.joined()
        }
        let width = rows.first?.count ?? 0
        var lines = [classes > 0
            ? (["index", "class"] + (width == 1 ? ["probability"] : (0..<width).map { "p_" + name($0).replacingOccurrences(of: ",", with: " ") })).joined(separator: ",")
            : (["index"] + (0..<width).map { "value_\($0)" }).joined(separator: ",")]
        for (i, row) in rows.enumerated() {
            let values = row.map { String($0) }
            lines.append(([String(i)] + (classes > 0 ? [String(TrainedModel.label(of: row))] : []) + values).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func jsonLine(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self) + "\n"
    }
}

/// `shoal predict --format`: ArgumentParser checks the value and lists both in --help.
enum PredictionFormat: String, CaseIterable, ExpressibleByArgument {
    case csv, jsonl

    /// The format an output file's name implies: JSON lines for `.jsonl` and `.json`, else CSV
    /// (standard output included).
    init(outputPath: String?) {
        self = outputPath.map { $0.hasSuffix(".jsonl") || $0.hasSuffix(".json") } == true ? .jsonl : .csv
    }
}
