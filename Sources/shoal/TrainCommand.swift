import ArgumentParser
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
        Metrics go to <logging.dir>/<name>/metrics.jsonl (default runs/<name>/).
        """
    )

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let config = try options.load()
        try withWorld { world in
            let trainer = try Trainer(config: config, world: world)
            let summary = try trainer.run()
            guard world.rank == 0 else { return }
            print(TrainingReport(summary: summary, config: config, worldSize: world.size).text)
        }
    }
}
