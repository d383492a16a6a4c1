import Foundation
import Testing

@Suite struct CommandLineErrorTests {
    @Test func unknownSubcommandIsNamed() throws {
        let result = try ShoalProcess.run(["trian"])
        #expect(result.status != 0)
        #expect(result.error.contains("Unexpected argument 'trian'"), "\(result.combined)")
        #expect(result.error.contains("shoal --help"))
    }

    @Test func badFlagIsNamed() throws {
        let result = try ShoalProcess.run(["bench", "allreduce", "--frobnicate"])
        #expect(result.status != 0)
        #expect(result.error.contains("Unknown option '--frobnicate'"), "\(result.combined)")
    }

    @Test func badFlagValueIsExplained() throws {
        let result = try ShoalProcess.run(["bench", "allreduce", "--sizes", "lots"])
        #expect(result.status != 0)
        #expect(result.error.contains("cannot read size 'lots'"), "\(result.combined)")
        let dtype = try ShoalProcess.run(["bench", "allreduce", "--dtype", "half"])
        #expect(dtype.error.contains("half"), "\(dtype.combined)")
    }

    /// --format and --model are typed: ArgumentParser refuses a bad value as a usage error (64)
    /// and lists the allowed ones, before anything is loaded.
    @Test func aBadChoiceListsTheAllowedValues() throws {
        let format = try ShoalProcess.run(["predict", "/nonexistent/checkpoint", "input.csv", "--format", "xml"])
        #expect(format.status == 64, "\(format.combined)")
        #expect(format.error.contains("The value 'xml' is invalid for '--format <format>'. Please provide one of 'csv' and 'jsonl'."),
                "\(format.combined)")
        let model = try ShoalProcess.run(["bench", "nn", "--model", "resnet"])
        #expect(model.status == 64, "\(model.combined)")
        #expect(model.error.contains("The value 'resnet' is invalid for '--model <model>'. Please provide one of 'mlp', 'cnn' or 'cnn3'."),
                "\(model.combined)")
    }
}

@Suite struct UserInputErrorTests {
    @Test func aMissingConfigFileIsNamed() throws {
        let result = try ShoalProcess.run(["train", "configs/does-not-exist.yaml"])
        #expect(result.status != 0)
        #expect(result.error.contains("configs/does-not-exist.yaml: cannot read the file"), "\(result.combined)")
    }

    @Test func aMissingDataFileIsNamedWithItsKey() throws {
        let result = try ShoalProcess.run(["train", "configs/csv-binary.yaml", "--set", "data.csv.path=missing.csv"])
        #expect(result.status != 0)
        #expect(result.error.contains("data.csv.path: missing.csv: cannot read"), "\(result.combined)")
    }

    @Test func inspectingNothingFails() throws {
        let result = try ShoalProcess.run(["inspect", "/nonexistent/checkpoint"])
        #expect(result.status != 0)
        #expect(result.error.contains("/nonexistent/checkpoint: no such file or directory"), "\(result.combined)")
    }

    @Test func evaluatingWithoutACheckpointSaysSo() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try ShoalProcess.run(["eval", "configs/fashion-mlp.yaml", "--set", "logging.dir=\(directory)"])
        #expect(result.status != 0)
        #expect(result.error.contains("no checkpoint found in \(directory)/fashion-mlp/version_0/checkpoints"), "\(result.combined)")
    }
}

/// A config that would expand without end is refused by every command that reads one, at once.
@Suite struct ConfigBoundTests {
    @Test(arguments: [["config", "show"], ["model", "summary"]])
    func aBillionLaughsConfigIsRefused(command: [String]) throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let names = "abcdefghi".map(String.init)
        var lines = [#"a: &a ["x","x","x","x","x","x","x","x","x","x"]"#]
        for (previous, name) in zip(names, names.dropFirst()) {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]")
        }
        let path = directory + "/bomb.yaml"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let result = try ShoalProcess.run(command + [path], timeout: 30)
        #expect(result.status != 0)
        #expect(result.error.contains("\(path):5: with its aliases (*name) expanded the document holds more than 100000 nodes"),
                "\(result.combined)")
    }
}
