import Testing
import ShoalComm

/// Each rank chooses its BLAS threads from its own node (issue 15): the launching node's core
/// count divided by the total ranks is wrong on the others.
@Suite struct WorldTests {
    @Test func aRankTakesItsNodesCoresDividedByTheRanksOnThatNode() {
        #expect(World.blasThreads(environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "2", "OMPI_COMM_WORLD_SIZE": "8"], cores: 16) == 8)
        #expect(World.blasThreads(environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "4"], cores: 2) == 1)
        #expect(World.blasThreads(environment: [:], cores: 6) == 6)
    }

    @Test func slurmsCPUsPerTaskAndAnExplicitSettingWin() {
        #expect(World.blasThreads(environment: ["SLURM_CPUS_PER_TASK": "3", "OMPI_COMM_WORLD_LOCAL_SIZE": "4"], cores: 16) == 3)
        #expect(World.blasThreads(environment: ["OPENBLAS_NUM_THREADS": "5", "OMPI_COMM_WORLD_LOCAL_SIZE": "2"], cores: 16) == nil)
    }
}
