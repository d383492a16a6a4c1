import ArgumentParser
import ShoalComm
import ShoalConfig
import ShoalNN

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

        func run() throws {
            let config = try options.load()
            let model: Model
            do {
                model = try Model(inputShape: config.model.input, layers: config.model.layers, loss: config.loss,
                                  initializer: config.model.initializer, seed: config.seed, maxBatch: 1)
            } catch {
                throw CommandError(description: "\(options.config ?? "<default>"): model.layers: \(error)")
            }
            if World.launchRank == 0 { print(model.summary()) }
        }
    }
}
