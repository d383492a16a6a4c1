import ArgumentParser
import Coordinator
import Testing

@testable import shoal

/// Options with a fixed set of values are typed, so ArgumentParser checks them, lists them in
/// --help and refuses a bad one as a usage error (exit code 64) naming the allowed values.
@Suite struct ArgumentParsingTests {
    /// ArgumentParser's message and exit code for `arguments`, which must not parse.
    static func refusal<C: ParsableCommand>(_: C.Type, _ arguments: [String]) -> (message: String, code: Int32)? {
        do {
            _ = try C.parse(arguments)
            return nil
        } catch {
            return (C.message(for: error), C.exitCode(for: error).rawValue)
        }
    }

    @Test func predictFormat() throws {
        #expect(try PredictCommand.parse(["ckpt", "in.csv", "--format", "csv"]).format == .csv)
        #expect(try PredictCommand.parse(["ckpt", "in.csv", "--format", "jsonl"]).format == .jsonl)
        #expect(try PredictCommand.parse(["ckpt", "in.csv"]).format == nil)
        let refused = try #require(Self.refusal(PredictCommand.self, ["ckpt", "in.csv", "--format", "xml"]))
        #expect(refused.code == ExitCode.validationFailure.rawValue)
        #expect(refused.message == "The value 'xml' is invalid for '--format <format>'. Please provide one of 'csv' and 'jsonl'.")
        #expect(PredictCommand.helpMessage(columns: 1000).contains("(values: csv, jsonl)"))
    }

    @Test func predictFormatFromTheOutputName() {
        #expect(PredictionFormat(outputPath: "p.jsonl") == .jsonl && PredictionFormat(outputPath: "p.json") == .jsonl)
        #expect(PredictionFormat(outputPath: "p.csv") == .csv && PredictionFormat(outputPath: nil) == .csv)
    }

    @Test func benchModel() throws {
        for model in BenchModel.allCases {
            #expect(try BenchNNCommand.parse(["--model", model.rawValue]).model == model)
        }
        #expect(BenchModel.allCases.map(\.rawValue) == BenchNNCommand.models.map { $0.name.rawValue })
        let refused = try #require(Self.refusal(BenchNNCommand.self, ["--model", "resnet"]))
        #expect(refused.code == ExitCode.validationFailure.rawValue)
        #expect(refused.message == "The value 'resnet' is invalid for '--model <model>'. Please provide one of 'mlp', 'cnn' or 'cnn3'.")
    }

    @Test func trainResume() throws {
        #expect(try TrainCommand.parse([]).resume == nil)
        #expect(try TrainCommand.parse(["--resume", "auto"]).resume == .auto)
        #expect(try TrainCommand.parse(["--resume", "required"]).resume == .required)
        #expect(try TrainCommand.parse(["--resume", "runs/x/version_0"]).resume == .path("runs/x/version_0"))
        #expect(Self.refusal(TrainCommand.self, ["--resume"]) != nil, "a missing value is still a usage error")
    }

    @Test func tokenizerTrain() throws {
        let command = try TokenizerTrainCommand.parse(["corpus", "more.txt", "--vocab-size", "4096", "-o", "out"])
        #expect(command.paths == ["corpus", "more.txt"] && command.vocabularySize == 4096 && command.output == "out")
        #expect(try command.makeTrainer().specialTokens == ["<|endoftext|>"])
        let special = try TokenizerTrainCommand.parse(["c", "--vocab-size", "300", "-o", "o", "--special", "<|a|>", "--special", "<|b|>"])
        #expect(try special.makeTrainer().specialTokens == ["<|a|>", "<|b|>"])
        let refused = try #require(Self.refusal(TokenizerTrainCommand.self, ["c", "--vocab-size", "100", "-o", "o"]))
        #expect(refused.code == ExitCode.validationFailure.rawValue)
        #expect(refused.message.hasPrefix("cannot train a tokenizer: a vocabulary size of 100: "), "\(refused.message)")
        #expect(Self.refusal(TokenizerTrainCommand.self, ["c", "--vocab-size", "300"]) != nil, "-o is required")
    }

    @Test func evalCheckpoint() throws {
        #expect(try EvalCommand.parse([]).checkpoint == .auto)
        #expect(try EvalCommand.parse(["--checkpoint", "runs/x"]).checkpoint == .path("runs/x"))
        #expect(EvalCommand.helpMessage(columns: 1000).contains("(default: auto)"))
    }

    @Test func generateDefaultsAreTheSharedOnes() throws {
        let generate = try GenerateCommand.parse(["ckpt"])
        #expect(generate.temperature == 0.8 && generate.topK == 40 && generate.tokens == 200 && generate.seed == 1)
        #expect(try PredictCommand.parse(["ckpt", "prompt"]).tokens == 200)
    }
}
