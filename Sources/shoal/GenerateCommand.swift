import ArgumentParser
import Foundation
import Shoal
import ShoalComm

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Sample text from a language model's checkpoint (characters, or the tokens of its stored tokenizer).",
        discussion: """
        Example: .build/release/shoal generate runs/char-gpt/version_0/checkpoints --prompt "The " --tokens 200 --temperature 0.8 --top-k 40 --seed 1

        The defaults (\(SamplingOptions.default.tokens) tokens, temperature \(SamplingOptions.default.temperature), top-k \(SamplingOptions.default.topK), seed \(SamplingOptions.default.seed)) are shoal predict's and shoal serve's too. --temperature 1 with a --top-k of at least the vocabulary's size samples the model as trained.
        The same seed gives the same text on any machine. Under mpirun only rank 0 samples and prints.
        For a character model, a prompt character outside its vocabulary is an error (the model has no embedding for it); a byte-level tokenizer encodes any text.
        """
    )

    @Argument(help: "A checkpoint directory, or a checkpoint root (its newest checkpoint).")
    var checkpoint: String

    @Option(help: "The text to continue.")
    var prompt = "\n"

    @Option(help: "How many tokens to generate (characters, for a character model).")
    var tokens = SamplingOptions.default.tokens

    @Option(help: "Divide the logits by this (> 0): below 1 is more conservative, 1 samples the model as trained.")
    var temperature = SamplingOptions.default.temperature

    @Option(name: .customLong("top-k"), help: "Sample only among the k most likely tokens (≥ 1); the vocabulary's size or more keeps them all.")
    var topK = SamplingOptions.default.topK

    @Option(help: "The sampling seed.")
    var seed = SamplingOptions.default.seed

    @Flag(help: "Print only the generated text, without the prompt.")
    var noPrompt = false

    func run() throws {
        guard World.launchRank == 0 else { return }
        let generator: TextGenerator
        do {
            generator = try TextGenerator(checkpoint: checkpoint)
        } catch {
            throw CommandError(description: "\(error)")
        }
        do {
            let text = try generator.generate(prompt: prompt, SamplingOptions(tokens: tokens, temperature: temperature, topK: topK, seed: seed))
            print((noPrompt ? "" : prompt) + text)
        } catch {
            throw CommandError(description: "\(error)")
        }
    }
}
