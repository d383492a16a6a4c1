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
    func checkpointConfig(_ path: String) throws -> RunConfig {
        guard FileManager.default.fileExists(atPath: path) else { throw CommandError(description: "\(path): no such file or directory") }
        let found = try CheckpointStore.load(directoryOrRoot: URL(fileURLWithPath: path))
        return try RunConfig.parse(yaml: found.state.config, file: found.directory.path + "/state.json", overrides: options.overrides)
    }

    @Option(help: ArgumentHelp("The checkpoint: 'auto' (the newest in the run's checkpoint directory), a checkpoint directory or a checkpoint root.", valueName: "auto|path"))
    var checkpoint = CheckpointRequest.auto

    func run() throws {
        try withWorld(watchdog: true) { world in
            var fromCheckpoint: (() throws -> RunConfig)?
            if options.config == nil, case .path(let path) = checkpoint { fromCheckpoint = { try checkpointConfig(path) } }
            let trainer = try makeTrainer(world, options, config: fromCheckpoint)
            let reports = try trainer.evaluate(checkpoint: checkpoint)
            guard world.rank == 0 else { return }
            print(TrainingReport.evaluationLines(validation: reports.validation, test: reports.test,
                                                 classNames: trainer.config.classNames).joined(separator: "\n"))
        }
    }
}
