import ArgumentParser
import Coordinator
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
        try withWorld(watchdog: true) { world in
            let trainer = try makeTrainer(world, options)
            let reports = try trainer.evaluate(checkpoint: CheckpointRequest(argument: checkpoint))
            guard world.rank == 0 else { return }
            print(TrainingReport.evaluationLines(validation: reports.validation, test: reports.test,
                                                 classNames: trainer.config.classNames).joined(separator: "\n"))
        }
    }
}
