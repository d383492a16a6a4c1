import ArgumentParser
import Coordinator
import Foundation
import Shoal
import ShoalConfig

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint on the validation and test splits of a run config.",
        discussion: """
        Examples:
          launch/mpirun -n 2 .build/release/shoal eval configs/fashion-cnn.yaml --checkpoint auto
          shoal eval --checkpoint runs/fashion-cnn/version_0      (the checkpoint's own config; --set data.path=... to override)

        Evaluation is sharded over the ranks; the counts are exact, so the report is the same for any number of ranks.
        """
    )

    @OptionGroup var options: ConfigOptions

    /// Without CONFIG, a given checkpoint's own resolved config, with the --set overrides on top
    /// (a data path, say): the checkpoint alone says what to evaluate.
    func checkpointConfig() throws -> RunConfig {
        guard FileManager.default.fileExists(atPath: checkpoint) else { throw CommandError(description: "\(checkpoint): no such file or directory") }
        let found = try CheckpointStore.load(directoryOrRoot: URL(fileURLWithPath: checkpoint))
        return try RunConfig.parse(yaml: found.state.config, file: found.directory.path + "/state.json", overrides: options.overrides)
    }

    @Option(help: ArgumentHelp("The checkpoint: 'auto' (the newest in the run's checkpoint directory), a checkpoint directory or a checkpoint root.", valueName: "auto|path"))
    var checkpoint = "auto"

    func run() throws {
        try withWorld(watchdog: true) { world in
            let fromCheckpoint: (() throws -> RunConfig)? = options.config == nil && checkpoint != "auto" ? { try checkpointConfig() } : nil
            let trainer = try makeTrainer(world, options, config: fromCheckpoint)
            let reports = try trainer.evaluate(checkpoint: CheckpointRequest(argument: checkpoint))
            guard world.rank == 0 else { return }
            print(TrainingReport.evaluationLines(validation: reports.validation, test: reports.test,
                                                 classNames: trainer.config.classNames).joined(separator: "\n"))
        }
    }
}
