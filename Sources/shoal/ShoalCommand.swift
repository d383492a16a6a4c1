import ArgumentParser
import Foundation
import Shoal
import ShoalComm

/// `shoal`: the command-line tool. Each subcommand is one type in a file named after it.
@main
struct ShoalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shoal",
        abstract: "Data-parallel neural-network training over MPI.",
        discussion: "Run under mpirun for several ranks (launch/mpirun -n 2 shoal ...); started alone, shoal is a job of one process.",
        version: shoalVersion,
        subcommands: [TrainCommand.self, EvalCommand.self, PredictCommand.self, ServeCommand.self, GenerateCommand.self, InspectCommand.self, PlotCommand.self, ConfigCommand.self, ModelCommand.self, TokenizerCommand.self, DataCommand.self, BenchCommand.self, SelfTestCommand.self]
    )

    /// Under mpirun every rank parses the same arguments: only the first says what is wrong with
    /// them; the others exit with the same code in silence.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if World.launchRank == 0 { exit(withError: error) }
            Foundation.exit(exitCode(for: error).rawValue)
        }
    }
}
