import Foundation
import Testing

/// A trained model used from its checkpoint alone (issue 17): `shoal predict` and `shoal eval
/// --checkpoint` without a config.
@Suite(.serialized) struct PredictTests {
    static let images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
    static let labels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"

    /// A gzipped file's bytes, through gzip(1): this target links nothing but Foundation.
    static func gunzip(_ path: String) throws -> [UInt8] {
        [UInt8](try ChildProcess.run("/bin/gzip", ["-dc", path], timeout: 60).output)
    }

    /// The test labels (after the IDX header).
    func testLabels() throws -> [UInt8] { Array(try Self.gunzip(Self.labels).dropFirst(8)) }

    /// The first `count` raw test images, each as a JSON list of 784 pixels.
    static func testImages(count: Int) throws -> [String] {
        let bytes = try gunzip(images)
        return (0..<count).map { i in "[" + bytes[16 + 784 * i..<16 + 784 * (i + 1)].map(String.init).joined(separator: ",") + "]" }
    }

    @Test func predictOnTheTestSplitGivesTheAccuracyOfEval() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trained = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, [], directory: directory)
        #expect(trained.result.status == 0, "\(trained.result.combined)")
        let run = directory + "/fashion-mlp"

        // eval from the checkpoint alone: its config says 300 test samples, the first of t10k.
        let eval = try ShoalProcess.run(["eval", "--checkpoint", run + "/version_0/checkpoints"])
        #expect(eval.status == 0, "\(eval.combined)")
        let line = try #require(eval.output.split(separator: "\n").first { $0.hasPrefix("test accuracy ") }, "\(eval.combined)")
        let accuracy = try #require(Double(line.dropFirst("test accuracy ".count)))
        #expect(line == trained.result.output.split(separator: "\n").first { $0.hasPrefix("test accuracy ") })

        let csv = directory + "/predictions.csv"
        let predicted = try ShoalProcess.run(["predict", run, Self.images, "-o", csv])
        #expect(predicted.status == 0, "\(predicted.combined)")
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(rows.first?.hasPrefix("index,class,p_T-shirt/top,p_Trouser,") == true, "\(rows.first ?? "")")
        #expect(rows.count == 10_001)
        let labels = try testLabels()
        let classes = rows.dropFirst().prefix(300).map { Int($0.split(separator: ",")[1]) ?? -1 }
        let correct = zip(classes, labels).filter { $0 == Int($1) }.count
        #expect(String(format: "%.4f", Double(correct) / 300) == String(format: "%.4f", accuracy), "predict: \(correct)/300, eval: \(accuracy)")

        let json = try ShoalProcess.run(["predict", run + "/version_0", Self.images, "--format", "jsonl"])
        let first = try #require(json.output.split(separator: "\n").first, "\(json.combined)")
        let object = try #require(JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        let probabilities = try #require(object["probabilities"] as? [Double])
        #expect(probabilities.count == 10 && abs(probabilities.reduce(0, +) - 1) < 1e-4)
        #expect(object["class"] as? Int == classes.first && object["label"] is String)

        // The same checkpoint in PyTorch, where it is installed: the same classes, the same probabilities.
        let python = "/usr/bin/python3"
        if FileManager.default.isExecutableFile(atPath: python), try execute(python, ["-c", "import torch"]).status == 0 {
            let latest = try String(contentsOfFile: run + "/version_0/checkpoints/latest", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let script = ShoalProcess.root.appendingPathComponent("Tests/MultiProcessTests/Fixtures/load_in_torch.py").path
            let torch = try execute(python, [script, run + "/version_0/checkpoints/" + latest, Self.images, "300"])
            #expect(torch.status == 0, "\(torch.output)\(torch.error)")
            let result = try #require(JSONSerialization.jsonObject(with: Data(torch.output.utf8)) as? [String: Any], "\(torch.output)")
            #expect(result["classes"] as? [Int] == classes, "PyTorch's classes differ from shoal predict's")
            let theirs = (result["probabilities"] as? [[Double]]) ?? []
            let ours = rows.dropFirst().prefix(300).map { $0.split(separator: ",").dropFirst(2).compactMap { Double($0) } }
            let worst = zip(theirs, ours).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? .infinity
            #expect(theirs.count == 300 && worst < 1e-5, "largest probability difference \(worst)")
        } else {
            print("PredictTests: the PyTorch load check skipped: \(python) cannot import torch (Debian: python3-torch)")
        }

        for (arguments, message) in [(["predict", run, directory + "/missing.idx"], "missing.idx: no such file or directory"),
                                     (["predict", directory + "/nothing", Self.images], "nothing: no such file or directory"),
                                     (["predict", run, Self.labels], "images are (count, rows, cols)"),
                                     (["predict", run, Self.images, "--format", "xml"], "The value 'xml' is invalid for '--format <format>'. Please provide one of 'csv' and 'jsonl'.")] {
            let refused = try ShoalProcess.run(arguments)
            #expect(refused.status != 0 && refused.error.contains(message), "\(arguments): \(refused.combined)")
        }
    }

    /// A CSV model predicts for its training file's columns and for the same rows without the
    /// target column, with the same answers; a file with other columns is refused by name.
    @Test func predictReadsACSVWithOrWithoutItsTargetColumn() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trained = try TrainingRun.launch("configs/csv-binary.yaml", ranks: 2, ["training.epochs=2"], directory: directory)
        #expect(trained.result.status == 0, "\(trained.result.combined)")
        let lines = try String(contentsOfFile: ShoalProcess.root.appendingPathComponent("data/csv-binary.csv").path, encoding: .utf8)
            .split(separator: "\n").prefix(41)
        let labeled = directory + "/labeled.csv", unlabeled = directory + "/unlabeled.csv", other = directory + "/other.csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: labeled, atomically: true, encoding: .utf8)
        // The target is the last column ("label"): drop it.
        let stripped = lines.map { $0.split(separator: ",").dropLast().joined(separator: ",") }
        try (stripped.joined(separator: "\n") + "\n").write(toFile: unlabeled, atomically: true, encoding: .utf8)
        try (stripped.map { $0.split(separator: ",").dropLast().joined(separator: ",") }.joined(separator: "\n") + "\n")
            .write(toFile: other, atomically: true, encoding: .utf8)
        let run = directory + "/csv-binary"
        let withTarget = try ShoalProcess.run(["predict", run, labeled]), withoutTarget = try ShoalProcess.run(["predict", run, unlabeled])
        #expect(withTarget.status == 0 && withoutTarget.status == 0, "\(withTarget.combined)\n\(withoutTarget.combined)")
        #expect(withTarget.output.split(separator: "\n").count == 41 && withTarget.output == withoutTarget.output, "\(withoutTarget.combined)")
        let refused = try ShoalProcess.run(["predict", run, other])
        #expect(refused.status != 0 && refused.error.contains("no column named \"label\""), "\(refused.combined)")
    }

    /// Runs a program to its end; its status, standard output and standard error.
    func execute(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let result = try ChildProcess.run(executable, arguments, timeout: 600)
        return (result.status, String(decoding: result.output, as: UTF8.self), String(decoding: result.error, as: UTF8.self))
    }
}
