import ArgumentParser
import Foundation
import Shoal
import ShoalComm

/// Runs `body` with this process's communicator. A failure on any rank prints its message on
/// that rank and ends the whole job, so no other rank waits forever in a collective.
func withWorld(threadLevel: ThreadLevel = .serialized, _ body: (any Communicator) throws -> Void) throws {
    let world: any Communicator
    do {
        world = try World.start(threadLevel: threadLevel)
    } catch {
        throw ValidationError("cannot start MPI: \(error)")
    }
    do {
        try body(world)
        try world.finalize()
    } catch let error as CollectiveError {
        // Every rank raised this at the same point: rank 0 says it once and all end together.
        if world.rank == 0 { FileHandle.standardError.write(Data("Error: \(error)\n".utf8)) }
        try? world.finalize()
        throw ExitCode.failure
    } catch {
        let prefix = world.size > 1 ? "rank \(world.rank): " : ""
        FileHandle.standardError.write(Data("Error: \(prefix)\(error)\n".utf8))
        if world.size > 1 { world.abort(code: 1) }
        throw ExitCode.failure
    }
}
