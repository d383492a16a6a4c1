import ArgumentParser
import ShoalComm
import ShoalConfig
import Shoal
import ShoalNN
import ShoalOptim

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect the model a config builds.",
        subcommands: [Summary.self]
    )

    struct Summary: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a Keras-like table of layers, output shapes and parameter counts."
        )

        @OptionGroup var options: ConfigOptions

        // Off by default, as in Keras: a GPT's blocks expand to dozens of rows.
        @Flag(help: "Also list the layers inside repeat and residual blocks, indented under their block, with their tensor names, output shapes and parameter counts (Keras' expand_nested).")
        var expandNested = false

        func run() throws {
            let config = try options.load()
            let model: Model
            do {
                model = try config.makeModel(maxBatch: config.training.microBatch)
            } catch {
                throw CommandError(description: "\(options.config ?? "<default>"): model.layers: \(error)")
            }
            guard World.launchRank == 0 else { return }
            print(model.summary(expandNested: expandNested))
            let memory = model.memory
            let stateArenas = RunComponents.optimizerKind(config.optimizer).stateBuffersPerParameter
            func mb(_ bytes: Int) -> String { String(format: "%.2f MB", Double(bytes) / 1_048_576) }
            print("Memory per rank, planned once for micro-batch \(config.training.microBatch):")
            print("  parameters \(mb(memory.parameters)), gradients \(mb(memory.gradients)), "
                + "optimizer state (\(config.optimizer.name.rawValue)) \(mb(stateArenas * memory.parameters)), activations \(mb(memory.activations))")
        }
    }
}
