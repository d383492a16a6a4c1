import ArgumentParser

/// `shoal`: the command-line tool. Each subcommand is one type in a file named after it.
@main
struct ShoalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shoal",
        abstract: "Data-parallel neural-network training over MPI.",
        discussion: """
        Run under mpirun for several ranks (launch/mpirun -n 2 shoal ...); started alone, shoal
        is a job of one process.
        """,
        subcommands: [TrainCommand.self, EvalCommand.self, InspectCommand.self, ConfigCommand.self, ModelCommand.self, BenchCommand.self, SelfTestCommand.self]
    )
}
