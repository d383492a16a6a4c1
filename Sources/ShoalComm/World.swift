import Foundation
import ShoalTensor

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
    /// Under a launcher, unless `OPENBLAS_NUM_THREADS` is set, each rank takes its node's share of
    /// the cores it may run on (``blasThreads(environment:cores:)``).
    public static func start(threadLevel: ThreadLevel = .serialized) throws -> any Communicator {
        guard isLaunchedByMPI else { return SingleProcessCommunicator() }
        let world = try MPICommunicator(threadLevel: threadLevel)
        if let threads = blasThreads(environment: ProcessInfo.processInfo.environment, cores: ProcessInfo.processInfo.activeProcessorCount) {
            blasThreadCount = threads
        }
        return world
    }

    /// BLAS threads for one rank: nil where `OPENBLAS_NUM_THREADS` decides; else Slurm's
    /// `SLURM_CPUS_PER_TASK`, or this node's cores divided by the ranks on this node
    /// (`OMPI_COMM_WORLD_LOCAL_SIZE`): decided on each node, since nodes differ.
    public static func blasThreads(environment: [String: String], cores: Int) -> Int? {
        guard environment["OPENBLAS_NUM_THREADS"] == nil else { return nil }
        if let perTask = environment["SLURM_CPUS_PER_TASK"].flatMap({ Int($0) }), perTask > 0 { return perTask }
        let local = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) } ?? 1
        return max(1, cores / max(1, local))
    }
}
