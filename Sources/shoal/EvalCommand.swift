import ArgumentParser
import Foundation
import Shoal

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint on the validation and test splits of a run config.",
        discussion: """
        Example: launch/mpirun -n 2 .build/release/shoal eval configs/fashion-cnn.yaml --checkpoint auto
        Evaluation is sharded over the ranks; the counts are exact, so the report is the same for any number of ranks.
        """
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("The checkpoint: 'auto' (the newest in the run's checkpoint directory), a checkpoint directory or a checkpoint root.", valueName: "auto|path"))
    var checkpoint = "auto"

    func run() throws {
        let config = try options.load()
        try withWorld { world in
            let trainer = try Trainer(config: config, world: world)
            let reports = try trainer.evaluate(checkpoint: ResumeRequest(argument: checkpoint))
            guard world.rank == 0 else { return }
            if let validation = reports.validation {
                print(String(format: "validation: loss %.4f  accuracy %.4f", validation.loss, validation.accuracy))
            }
            print("test:")
            print(reports.test.table(classNames: config.data.source == .fashionMNIST ? fashionMNISTClassNames : nil))
            print(String(format: "test accuracy %.4f", reports.test.accuracy))
        }
    }
}
