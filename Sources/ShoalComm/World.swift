import Foundation

/// Chooses the communicator for this process: MPI when `mpirun` started it, otherwise a job of one.
///
/// ```swift
/// let world = try World.start()       // MPICommunicator under mpirun, else SingleProcessCommunicator
/// defer { try? world.finalize() }
/// ```
public enum World {
    /// Environment variables that Open MPI (and PMIx-based launchers such as Slurm's srun) set in
    /// every process they start.
    static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"]

    /// True when a parallel launcher started this process.
    public static var isLaunchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return launcherVariables.contains { environment[$0] != nil }
    }

    /// This process's rank as the launcher numbered it, read from the environment before (or
    /// without) MPI_Init; 0 for a process no launcher started.
    public static var launchRank: Int {
        let environment = ProcessInfo.processInfo.environment
        for name in ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"] {
            if let rank = environment[name].flatMap({ Int($0) }) { return rank }
        }
        return 0
    }

    /// Starts MPI if a launcher started this process, else returns a single-process communicator.
    public static func start(threadLevel: ThreadLevel = .serialized) throws -> any Communicator {
        isLaunchedByMPI ? try MPICommunicator(threadLevel: threadLevel) : SingleProcessCommunicator()
    }
}
