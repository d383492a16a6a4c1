import ArgumentParser
import Coordinator
import Foundation
import Shoal
import ShoalComm

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from a run config, on every rank mpirun started.",
        discussion: """
        Examples:
          shoal train configs/fashion-mlp.yaml
          launch/mpirun -n 4 .build/release/shoal train configs/fashion-cnn.yaml --set training.epochs=2
          launch/mpirun -n 3 .build/release/shoal train configs/fashion-cnn.yaml --resume auto

        Each run gets its own directory, <logging.dir>/<name>/version_<N>/ (default runs/<name>/version_0, _1, ...): the resolved config.yaml, metrics.jsonl, TensorBoard event files (tensorboard --logdir runs) and checkpoints/, written every checkpoint.every steps, at the end, and on SIGTERM or SIGINT (the current step finishes first). --resume auto continues the newest version.
        """
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("Continue from a checkpoint: 'auto' (the newest complete one in the run's checkpoint directory on rank 0's node, or a fresh start if there is none), 'required' (the same, but an error if there is none), a checkpoint directory, or a checkpoint root.", valueName: "auto|required|path"))
    var resume: CheckpointRequest?

    @Flag(help: "Resume even if the config differs from the checkpoint's (the differences are printed).")
    var allowConfigChange = false

    @Option(help: ArgumentHelp("Stop once the run has done this many steps, writing a checkpoint (resume later with --resume auto).", valueName: "steps"))
    var stopAfter: Int?

    @Flag(help: "Record every rank's phases (data, forward, backward, each reduction, optimizer, evaluation, checkpoint) and write them as one Chrome trace, timeline.json in the run directory, for Perfetto.")
    var timeline = false

    func validate() throws {
        if let stopAfter, stopAfter < 1 { throw ValidationError("--stop-after must be at least 1, got \(stopAfter)") }
    }

    func run() throws {
        try withWorld(watchdog: true) { world in
            // auto and required continue the newest version of the run; a fresh run or a given checkpoint starts the next.
            let trainer = try makeTrainer(world, options, continuing: resume == .auto || resume == .required)
            let summary = try trainer.run(resume: resume, allowConfigChange: allowConfigChange, stopAfter: stopAfter, timeline: timeline)
            guard world.rank == 0 else { return }
            print(TrainingReport(summary: summary, config: trainer.config, worldSize: world.size).text)
        }
    }
}
